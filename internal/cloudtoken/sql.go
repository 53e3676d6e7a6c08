package cloudtoken

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/store"
)

// sqlStore is the persistence of cloud tokens.
type sqlStore struct{ db *store.DB }

func (s sqlStore) insert(ctx context.Context, hash string, appID, orgID int64, userRef string, expires, now time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO cloud_tokens (token_hash, app_id, org_id, user_ref, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hash, appID, orgID, userRef, expires, now)
	if err != nil {
		return fmt.Errorf("store cloud token: %w", err)
	}
	return nil
}

// authenticate resolves a live token of an active app, in one query.
func (s sqlStore) authenticate(ctx context.Context, hash string, now time.Time) (caller.Caller, error) {
	c := caller.Caller{Credential: caller.CloudToken}
	err := s.db.QueryRow(ctx, `SELECT t.id, t.app_id, t.org_id, t.user_ref
		FROM cloud_tokens t JOIN apps a ON a.id = t.app_id AND a.status = ?
		WHERE t.token_hash = ? AND t.expires_at > ?`, string(identity.AppActive), hash, now).
		Scan(&c.TokenID, &c.AppID, &c.OrgID, &c.UserRef)
	if errors.Is(err, sql.ErrNoRows) {
		return caller.Caller{}, fault.NotFound("cloud token")
	}
	if err != nil {
		return caller.Caller{}, fmt.Errorf("look up cloud token: %w", err)
	}
	return c, nil
}

func (s sqlStore) purgeExpired(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM cloud_tokens WHERE expires_at <= ?`, now)
	if err != nil {
		return 0, fmt.Errorf("purge cloud tokens: %w", err)
	}
	return res.RowsAffected()
}
