package identity

import (
	"context"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
)

// Profile returns the caller's user and their membership in the
// organization the caller acts in.
func (s *Service) Profile(ctx context.Context, c caller.Caller) (User, Membership, error) {
	if !c.HasUser() {
		return User{}, Membership{}, fault.Forbidden("forbidden", "client-credentials tokens have no user profile")
	}
	u, err := s.store.User(ctx, c.UserID)
	if err != nil {
		return User{}, Membership{}, err
	}
	ms, err := s.store.Memberships(ctx, u.ID)
	if err != nil {
		return User{}, Membership{}, err
	}
	for _, m := range ms {
		if m.Org.ID == c.OrgID {
			return u, m, nil
		}
	}
	return User{}, Membership{}, fault.NotFound("membership")
}

// App returns the caller's own app. Status is not checked: an app's admin
// key keeps working while the app is suspended, so it can be reactivated.
func (s *Service) App(ctx context.Context, c caller.Caller) (App, error) {
	return s.store.AppByID(ctx, c.AppID)
}
