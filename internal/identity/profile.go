package identity

import (
	"context"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
)

// Profile returns the caller's user and its membership in the
// organization the caller acts in. App-only callers have no profile, and a
// user is not visible through an organization it does not belong to.
func (s *Service) Profile(ctx context.Context, c caller.Caller) (User, Membership, error) {
	if !c.HasUser() {
		return User{}, Membership{}, fault.Forbidden("forbidden", "client-credentials tokens have no user profile")
	}
	return s.store.profile(ctx, c.UserID, c.OrgID)
}

// App returns the caller's own app. Status is not checked: an app's admin
// key keeps working while the app is suspended, so it can be reactivated.
func (s *Service) App(ctx context.Context, c caller.Caller) (App, error) {
	return s.store.appByID(ctx, c.AppID)
}
