package oauth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/store"
)

type tokenRow struct {
	ID        int64
	Kind      string
	FamilyID  string
	AppID     int64
	UserID    sql.NullInt64
	OrgID     int64
	Scope     string
	ExpiresAt time.Time
	RotatedAt sql.NullTime
	RevokedAt sql.NullTime
	CreatedAt time.Time
}

type codeRow struct {
	ID                  int64
	FamilyID            string
	AppID               int64
	UserID              int64
	OrgID               int64
	RedirectURI         string
	Scope               string
	CodeChallenge       string
	CodeChallengeMethod string
	ExpiresAt           time.Time
	UsedAt              sql.NullTime
}

// sqlStore is the persistence of codes, tokens, consents and challenges.
type sqlStore struct{ db *store.DB }

func (s sqlStore) q(query string) string { return s.db.Rebind(query) }

func (s sqlStore) insertToken(ctx context.Context, tx *sql.Tx, hash string, t tokenRow) error {
	var userID any
	if t.UserID.Valid {
		userID = t.UserID.Int64
	}
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO oauth_tokens (token_hash, kind, family_id, app_id, user_id, org_id, scope, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), hash, t.Kind, t.FamilyID, t.AppID, userID, t.OrgID, t.Scope, t.ExpiresAt, t.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert %s token: %w", t.Kind, err)
	}
	return nil
}

func (s sqlStore) token(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, hash string) (tokenRow, error) {
	var t tokenRow
	err := q.QueryRowContext(ctx, s.q(`SELECT id, kind, family_id, app_id, user_id, org_id, scope, expires_at, rotated_at, revoked_at, created_at
		FROM oauth_tokens WHERE token_hash = ?`), hash).
		Scan(&t.ID, &t.Kind, &t.FamilyID, &t.AppID, &t.UserID, &t.OrgID, &t.Scope, &t.ExpiresAt, &t.RotatedAt, &t.RevokedAt, &t.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return tokenRow{}, fault.NotFound("token")
	}
	if err != nil {
		return tokenRow{}, fmt.Errorf("load token: %w", err)
	}
	return t, nil
}

func (s sqlStore) revokeFamily(ctx context.Context, tx *sql.Tx, familyID string, now time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE oauth_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL`), now, familyID)
	if err != nil {
		return fmt.Errorf("revoke token family: %w", err)
	}
	return nil
}

func (s sqlStore) insertCode(ctx context.Context, tx *sql.Tx, hash string, c codeRow, now time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO oauth_codes (code_hash, family_id, app_id, user_id, org_id, redirect_uri, scope,
		code_challenge, code_challenge_method, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		hash, c.FamilyID, c.AppID, c.UserID, c.OrgID, c.RedirectURI, c.Scope, c.CodeChallenge, c.CodeChallengeMethod, c.ExpiresAt, now)
	if err != nil {
		return fmt.Errorf("insert authorization code: %w", err)
	}
	return nil
}

func (s sqlStore) code(ctx context.Context, tx *sql.Tx, hash string) (codeRow, error) {
	var c codeRow
	err := tx.QueryRowContext(ctx, s.q(`SELECT id, family_id, app_id, user_id, org_id, redirect_uri, scope, code_challenge,
		code_challenge_method, expires_at, used_at FROM oauth_codes WHERE code_hash = ?`), hash).
		Scan(&c.ID, &c.FamilyID, &c.AppID, &c.UserID, &c.OrgID, &c.RedirectURI, &c.Scope, &c.CodeChallenge,
			&c.CodeChallengeMethod, &c.ExpiresAt, &c.UsedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return codeRow{}, fault.NotFound("authorization code")
	}
	if err != nil {
		return codeRow{}, fmt.Errorf("load authorization code: %w", err)
	}
	return c, nil
}

func (s sqlStore) upsertConsent(ctx context.Context, tx *sql.Tx, uuid string, appID, userID int64, scope string, now time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO consents (uuid, app_id, user_id, scope, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (app_id, user_id) DO UPDATE SET scope = excluded.scope, revoked_at = NULL, updated_at = excluded.updated_at`),
		uuid, appID, userID, scope, now, now)
	if err != nil {
		return fmt.Errorf("record consent of user %d for app %d: %w", userID, appID, err)
	}
	return nil
}

func (s sqlStore) consentScope(ctx context.Context, appID, userID int64) (string, bool, error) {
	var scope string
	err := s.db.R.QueryRowContext(ctx, s.q(`SELECT scope FROM consents WHERE app_id = ? AND user_id = ? AND revoked_at IS NULL`),
		appID, userID).Scan(&scope)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("load consent of user %d for app %d: %w", userID, appID, err)
	}
	return scope, true, nil
}

type challengeRow struct {
	ID        int64
	AppID     int64
	UserID    int64
	CodeHash  string
	Attempts  int
	ExpiresAt time.Time
	UsedAt    sql.NullTime
}

func (s sqlStore) insertChallenge(ctx context.Context, session string, c challengeRow, now time.Time) error {
	_, err := s.db.W.ExecContext(ctx, s.q(`INSERT INTO auth_challenges (session, app_id, user_id, code_hash, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`), session, c.AppID, c.UserID, c.CodeHash, c.ExpiresAt, now)
	if err != nil {
		return fmt.Errorf("insert auth challenge: %w", err)
	}
	return nil
}

func (s sqlStore) challenge(ctx context.Context, tx *sql.Tx, session string) (challengeRow, error) {
	var c challengeRow
	err := tx.QueryRowContext(ctx, s.q(`SELECT id, app_id, user_id, code_hash, attempts, expires_at, used_at
		FROM auth_challenges WHERE session = ?`), session).
		Scan(&c.ID, &c.AppID, &c.UserID, &c.CodeHash, &c.Attempts, &c.ExpiresAt, &c.UsedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return challengeRow{}, fault.NotFound("session")
	}
	if err != nil {
		return challengeRow{}, fmt.Errorf("load auth challenge: %w", err)
	}
	return c, nil
}

func (s sqlStore) recentChallenges(ctx context.Context, appID, userID int64, since time.Time) (int, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM auth_challenges WHERE app_id = ? AND user_id = ? AND created_at > ?`),
		appID, userID, since).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count auth challenges: %w", err)
	}
	return n, nil
}
