// Package cloudtoken mints and checks the short-lived "ct_" bearer tokens of
// the Cloud API. An app's backend trades its cloud API key for a token on
// behalf of one end user; the token carries the app's organization, so
// every Cloud call is scoped to that tenant.
package cloudtoken

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/store"
)

// Prefix starts every cloud token.
const Prefix = "ct_"

// TTL is how long a cloud token lives.
const TTL = 24 * time.Hour

// Caller is who a cloud token stands for.
type Caller struct {
	AppID int64
	OrgID int64
	// UserRef is the end user's id as the app knows it (usually an email).
	UserRef string
}

// Service mints and checks cloud tokens.
type Service struct {
	db         *store.DB
	identities *identity.Service
	now        func() time.Time
}

// NewService returns a Service.
func NewService(db *store.DB, identities *identity.Service) *Service {
	return &Service{db: db, identities: identities, now: func() time.Time { return time.Now().UTC() }}
}

// Mint trades an app's cloud API key for a token acting for userRef.
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
	_, err = s.db.W.ExecContext(ctx, s.db.Rebind(`INSERT INTO cloud_tokens (token_hash, app_id, org_id, user_ref, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`), secret.Hash(token), app.ID, orgID, userRef, expires, now)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store cloud token: %w", err)
	}
	return token, expires, nil
}

var errBadToken = fault.Unauthorized("unauthorized", "missing, invalid or expired cloud token")

// Authenticate resolves a cloud token.
func (s *Service) Authenticate(ctx context.Context, token string) (Caller, error) {
	if !strings.HasPrefix(token, Prefix) {
		return Caller{}, errBadToken
	}
	var c Caller
	var expires time.Time
	err := s.db.R.QueryRowContext(ctx, s.db.Rebind(`SELECT app_id, org_id, user_ref, expires_at FROM cloud_tokens WHERE token_hash = ?`),
		secret.Hash(token)).Scan(&c.AppID, &c.OrgID, &c.UserRef, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Caller{}, errBadToken
	}
	if err != nil {
		return Caller{}, fmt.Errorf("look up cloud token: %w", err)
	}
	if !s.now().Before(expires) {
		return Caller{}, errBadToken
	}
	return c, nil
}

// PurgeExpired deletes expired tokens; a periodic job calls it.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, s.db.Rebind(`DELETE FROM cloud_tokens WHERE expires_at <= ?`), s.now())
	if err != nil {
		return 0, fmt.Errorf("purge cloud tokens: %w", err)
	}
	return res.RowsAffected()
}
