// Package apitoken holds the Meetings API's credentials: client-credentials
// access tokens of apps (Bearer, three hours) and users' personal tokens
// ("pt_"), which attribute a meeting to a user. Both are stored as hashes.
package apitoken

import (
	"context"
	"errors"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/store"
)

// Token prefixes and lifetime.
const (
	AccessPrefix   = "qma_"
	PersonalPrefix = "pt_"
	AccessTTL      = 3 * time.Hour
	// Scope is what every Meetings API token grants.
	Scope = "read write"
)

const (
	kindAccess   = "access"
	kindPersonal = "personal"
)

// Issued is a new access token.
type Issued struct {
	AccessToken string
	ExpiresIn   int
	Scope       string
}

// Service issues, checks and revokes Meetings API tokens.
type Service struct {
	store sqlStore
	now   func() time.Time
}

// NewService returns a Service on db.
func NewService(db *store.DB) *Service {
	return &Service{store: sqlStore{db: db}, now: store.Now}
}

var errBadToken = fault.Unauthorized("not_authenticated", "Invalid or expired access token.")

// Issue gives an authenticated app an access token. An app linked to no
// organization can reach nothing, so it gets none.
func (s *Service) Issue(ctx context.Context, app identity.App) (Issued, error) {
	if len(app.OrgIDs) == 0 {
		return Issued{}, fault.Forbidden("permission_denied", "The application is not linked to any organization.")
	}
	token := secret.New(AccessPrefix)
	now := s.now()
	if err := s.store.insert(ctx, secret.Hash(token), kindAccess, app.ID, 0, now.Add(AccessTTL), now); err != nil {
		return Issued{}, err
	}
	return Issued{AccessToken: token, ExpiresIn: int(AccessTTL / time.Second), Scope: Scope}, nil
}

// Revoke revokes an access token of the app in one conditional write;
// unknown, foreign or already revoked tokens are ignored (RFC 7009).
func (s *Service) Revoke(ctx context.Context, app identity.App, token string) error {
	return s.store.revoke(ctx, secret.Hash(token), app.ID, s.now())
}

// Authenticate resolves an access token into its app's caller; the caller's
// OrgID is the app's first linked organization, and Orgs lists them all.
// Tokens of apps that are not active are refused like unknown ones.
func (s *Service) Authenticate(ctx context.Context, token string) (caller.Caller, error) {
	if token == "" {
		return caller.Caller{}, fault.Unauthorized("not_authenticated", "Authentication credentials were not provided.")
	}
	appID, tokenID, err := s.store.access(ctx, secret.Hash(token), s.now())
	if errors.Is(err, fault.ErrNotFound) {
		return caller.Caller{}, errBadToken
	}
	if err != nil {
		return caller.Caller{}, err
	}
	orgs, err := s.store.orgs(ctx, appID)
	if err != nil {
		return caller.Caller{}, err
	}
	c := caller.Caller{Credential: caller.AppToken, AppID: appID, TokenID: tokenID, Scopes: []string{"read", "write"}}
	if len(orgs) > 0 {
		c.OrgID = orgs[0]
	}
	return c, nil
}

// Orgs lists the organizations the caller's app is linked to, in id order.
func (s *Service) Orgs(ctx context.Context, c caller.Caller) ([]int64, error) {
	return s.store.orgs(ctx, c.AppID)
}

// IssuePersonal gives a user a new personal token; the admin CLI prints it
// once.
func (s *Service) IssuePersonal(ctx context.Context, userID int64) (string, error) {
	token := secret.New(PersonalPrefix)
	if err := s.store.insert(ctx, secret.Hash(token), kindPersonal, 0, userID, time.Time{}, s.now()); err != nil {
		return "", err
	}
	return token, nil
}

// PersonalUser resolves a personal token to its user, who must be a member
// of orgID; anything else is invalid input on the user_token field.
func (s *Service) PersonalUser(ctx context.Context, orgID int64, token string) (int64, string, error) {
	id, email, err := s.store.personal(ctx, secret.Hash(token), orgID)
	if errors.Is(err, fault.ErrNotFound) {
		return 0, "", fault.Invalid("user_token", "invalid", "Invalid user token for this organization.")
	}
	return id, email, err
}
