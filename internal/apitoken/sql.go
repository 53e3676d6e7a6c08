package apitoken

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/store"
)

type sqlStore struct{ db *store.DB }

func nullable[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

func (s sqlStore) insert(ctx context.Context, hash, kind string, appID, userID int64, expires, now time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO api_tokens (token_hash, kind, app_id, user_id, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hash, kind, nullable(appID), nullable(userID), nullable(expires), now)
	if err != nil {
		return fmt.Errorf("insert %s token: %w", kind, err)
	}
	return nil
}

func (s sqlStore) revoke(ctx context.Context, hash string, appID int64, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE api_tokens SET revoked_at = ?
		WHERE token_hash = ? AND app_id = ? AND kind = ? AND revoked_at IS NULL`, now, hash, appID, kindAccess)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

func (s sqlStore) access(ctx context.Context, hash string, now time.Time) (appID, tokenID int64, err error) {
	err = s.db.QueryRow(ctx, `SELECT t.app_id, t.id FROM api_tokens t JOIN apps a ON a.id = t.app_id AND a.status = ?
		WHERE t.token_hash = ? AND t.kind = ? AND t.revoked_at IS NULL AND t.expires_at > ?`,
		string(identity.AppActive), hash, kindAccess, now).Scan(&appID, &tokenID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fault.ErrNotFound
	}
	if err != nil {
		return 0, 0, fmt.Errorf("authenticate access token: %w", err)
	}
	return appID, tokenID, nil
}

func (s sqlStore) orgs(ctx context.Context, appID int64) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT org_id FROM app_orgs WHERE app_id = ? ORDER BY org_id`, appID)
	if err != nil {
		return nil, fmt.Errorf("list organizations of app %d: %w", appID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list organizations of app %d: %w", appID, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s sqlStore) personal(ctx context.Context, hash string, orgID int64) (userID int64, email string, err error) {
	err = s.db.QueryRow(ctx, `SELECT u.id, u.email FROM api_tokens t JOIN users u ON u.id = t.user_id
		JOIN memberships ms ON ms.user_id = u.id AND ms.org_id = ?
		WHERE t.token_hash = ? AND t.kind = ? AND t.revoked_at IS NULL`, orgID, hash, kindPersonal).Scan(&userID, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fault.ErrNotFound
	}
	if err != nil {
		return 0, "", fmt.Errorf("resolve personal token: %w", err)
	}
	return userID, email, nil
}
