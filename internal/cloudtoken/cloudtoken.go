// Package cloudtoken mints and checks the short-lived "ct_" bearer tokens of
// the Cloud API. An app's backend trades its cloud API key for a token on
// behalf of one end user; the token carries the app's organization, so
// every Cloud call is scoped to that tenant.
package cloudtoken

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/store"
)

// Prefix starts every cloud token.
const Prefix = "ct_"

// TTL is how long a cloud token lives.
const TTL = 24 * time.Hour

// Service mints and checks cloud tokens.
type Service struct {
	store      sqlStore
	identities *identity.Service
	now        func() time.Time
}

// NewService returns a Service.
func NewService(db *store.DB, identities *identity.Service) *Service {
	return &Service{store: sqlStore{db: db}, identities: identities, now: func() time.Time { return time.Now().UTC() }}
}

// Mint trades an active app's cloud API key for a token acting for
// userRef.
func (s *Service) Mint(ctx context.Context, apiKey, userRef string) (string, time.Time, error) {
	app, err := s.identities.AppByKey(ctx, identity.CredCloudAPIKey, apiKey)
	if err != nil {
		return "", time.Time{}, err
	}
	userRef = strings.TrimSpace(userRef)
	if userRef == "" || len(userRef) > 254 {
		return "", time.Time{}, fault.Invalid("userId", "validation_error", "userId must be 1 to 254 characters")
	}
	if len(app.OrgIDs) == 0 {
		return "", time.Time{}, fault.Forbidden("forbidden", "the app is not linked to any organization")
	}
	orgID := app.OrgIDs[0]
	// A user who is a Quorum member acts in their own organization when the
	// app is linked to several.
	if u, err := s.identities.UserByEmail(ctx, userRef); err == nil {
		if m, err := s.identities.MembershipForApp(ctx, u.ID, app); err == nil {
			orgID = m.Org.ID
		}
	}
	token := secret.New(Prefix)
	now := s.now()
	expires := now.Add(TTL)
	if err := s.store.insert(ctx, secret.Hash(token), app.ID, orgID, userRef, expires, now); err != nil {
		return "", time.Time{}, err
	}
	return token, expires, nil
}

var errBadToken = fault.Unauthorized("unauthorized", "missing, invalid or expired cloud token")

// Authenticate resolves a cloud token into its caller: the app's end user
// in the token's organization. Tokens of apps that are not active are
// refused like unknown ones.
func (s *Service) Authenticate(ctx context.Context, token string) (caller.Caller, error) {
	if !strings.HasPrefix(token, Prefix) {
		return caller.Caller{}, errBadToken
	}
	c, err := s.store.authenticate(ctx, secret.Hash(token), s.now())
	if errors.Is(err, fault.ErrNotFound) {
		return caller.Caller{}, errBadToken
	}
	if err != nil {
		return caller.Caller{}, err
	}
	return c, nil
}

// PurgeExpired deletes expired tokens; a periodic job calls it.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	return s.store.purgeExpired(ctx, s.now())
}
