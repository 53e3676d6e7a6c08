package oauth

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

// querier is a transaction or the database itself.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// sqlStore is the persistence of codes, tokens, consents, challenges and
// attempt counters. A credential that may be used once is spent by one
// conditional UPDATE whose WHERE clause re-checks that it is still unused,
// so concurrent requests cannot both spend it.
type sqlStore struct{ db *store.DB }

func (s sqlStore) q(query string) string { return s.db.Rebind(query) }

func (s sqlStore) insertToken(ctx context.Context, tx *sql.Tx, hash string, t tokenRow) error {
	var userID any
	if t.UserID.Valid {
		userID = t.UserID.Int64
	}
	_, err := s.db.TxExec(ctx, tx, `INSERT INTO oauth_tokens (token_hash, kind, family_id, app_id, user_id, org_id, scope, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, hash, t.Kind, t.FamilyID, t.AppID, userID, t.OrgID, t.Scope, t.ExpiresAt, t.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert %s token: %w", t.Kind, err)
	}
	return nil
}

// token loads a token of one app by hash.
func (s sqlStore) token(ctx context.Context, hash string, appID int64) (tokenRow, error) {
	var t tokenRow
	err := s.db.QueryRow(ctx, `SELECT id, kind, family_id, app_id, user_id, org_id, scope, expires_at, rotated_at, revoked_at, created_at
		FROM oauth_tokens WHERE token_hash = ? AND app_id = ?`, hash, appID).
		Scan(&t.ID, &t.Kind, &t.FamilyID, &t.AppID, &t.UserID, &t.OrgID, &t.Scope, &t.ExpiresAt, &t.RotatedAt, &t.RevokedAt, &t.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return tokenRow{}, fault.NotFound("token")
	}
	if err != nil {
		return tokenRow{}, fmt.Errorf("load token: %w", err)
	}
	return t, nil
}

// authenticate resolves a live access token of an active app into its
// caller, in one query.
func (s sqlStore) authenticate(ctx context.Context, hash string, now time.Time) (caller.Caller, error) {
	var c caller.Caller
	var userID sql.NullInt64
	var scope string
	err := s.db.QueryRow(ctx, `SELECT t.id, t.app_id, t.user_id, t.org_id, t.scope, COALESCE(u.email, '')
		FROM oauth_tokens t
		JOIN apps a ON a.id = t.app_id AND a.status = ?
		LEFT JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.kind = 'access' AND t.revoked_at IS NULL AND t.expires_at > ?`,
		string(identity.AppActive), hash, now).Scan(&c.TokenID, &c.AppID, &userID, &c.OrgID, &scope, &c.UserRef)
	if errors.Is(err, sql.ErrNoRows) {
		return caller.Caller{}, fault.NotFound("token")
	}
	if err != nil {
		return caller.Caller{}, fmt.Errorf("authenticate access token: %w", err)
	}
	c.Credential, c.UserID, c.Scopes = caller.AppToken, userID.Int64, ParseScope(scope)
	if userID.Valid {
		c.Credential = caller.UserToken
	}
	return c, nil
}

// rotateRefresh spends a live refresh token of the app; ok is false when
// it is unknown, of another app, expired, revoked or already rotated.
func (s sqlStore) rotateRefresh(ctx context.Context, tx *sql.Tx, hash string, appID int64, now time.Time) (t tokenRow, ok bool, err error) {
	err = s.db.TxQueryRow(ctx, tx, `UPDATE oauth_tokens SET rotated_at = ?
		WHERE token_hash = ? AND app_id = ? AND kind = 'refresh' AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ?
		RETURNING id, family_id, user_id, org_id, scope`, now, hash, appID, now).
		Scan(&t.ID, &t.FamilyID, &t.UserID, &t.OrgID, &t.Scope)
	if errors.Is(err, sql.ErrNoRows) {
		return tokenRow{}, false, nil
	}
	if err != nil {
		return tokenRow{}, false, fmt.Errorf("rotate refresh token: %w", err)
	}
	return t, true, nil
}

// revokeToken revokes a token of the app: an access token alone, a
// refresh token with its whole family.
func (s sqlStore) revokeToken(ctx context.Context, hash string, appID int64, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE oauth_tokens SET revoked_at = ?
		WHERE app_id = ? AND revoked_at IS NULL AND (token_hash = ? OR family_id IN
			(SELECT family_id FROM oauth_tokens WHERE token_hash = ? AND app_id = ? AND kind = 'refresh'))`,
		now, appID, hash, hash, appID)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

func (s sqlStore) revokeFamily(ctx context.Context, familyID string, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE oauth_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL`, now, familyID)
	if err != nil {
		return fmt.Errorf("revoke token family: %w", err)
	}
	return nil
}

func (s sqlStore) insertCode(ctx context.Context, tx *sql.Tx, hash string, c codeRow, now time.Time) error {
	_, err := s.db.TxExec(ctx, tx, `INSERT INTO oauth_codes (code_hash, family_id, app_id, user_id, org_id, redirect_uri, scope,
		code_challenge, code_challenge_method, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		hash, c.FamilyID, c.AppID, c.UserID, c.OrgID, c.RedirectURI, c.Scope, c.CodeChallenge, c.CodeChallengeMethod, c.ExpiresAt, now)
	if err != nil {
		return fmt.Errorf("insert authorization code: %w", err)
	}
	return nil
}

// consumeCode marks a live, unused code of the app used and returns it; ok
// is false when there is no such code.
func (s sqlStore) consumeCode(ctx context.Context, tx *sql.Tx, hash string, appID int64, now time.Time) (c codeRow, ok bool, err error) {
	err = s.db.TxQueryRow(ctx, tx, `UPDATE oauth_codes SET used_at = ?
		WHERE code_hash = ? AND app_id = ? AND used_at IS NULL AND expires_at > ?
		RETURNING id, family_id, user_id, org_id, redirect_uri, scope, code_challenge, code_challenge_method`, now, hash, appID, now).
		Scan(&c.ID, &c.FamilyID, &c.UserID, &c.OrgID, &c.RedirectURI, &c.Scope, &c.CodeChallenge, &c.CodeChallengeMethod)
	if errors.Is(err, sql.ErrNoRows) {
		return codeRow{}, false, nil
	}
	if err != nil {
		return codeRow{}, false, fmt.Errorf("consume authorization code: %w", err)
	}
	return c, true, nil
}

// code loads a code of the app, to tell why it could not be consumed.
func (s sqlStore) code(ctx context.Context, hash string, appID int64) (codeRow, error) {
	var c codeRow
	err := s.db.QueryRow(ctx, `SELECT id, family_id, app_id, user_id, org_id, redirect_uri, scope, code_challenge,
		code_challenge_method, expires_at, used_at FROM oauth_codes WHERE code_hash = ? AND app_id = ?`, hash, appID).
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
	_, err := s.db.TxExec(ctx, tx, `INSERT INTO consents (uuid, app_id, user_id, scope, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (app_id, user_id) DO UPDATE SET scope = excluded.scope, revoked_at = NULL, updated_at = excluded.updated_at`,
		uuid, appID, userID, scope, now, now)
	if err != nil {
		return fmt.Errorf("record consent of user %d for app %d: %w", userID, appID, err)
	}
	return nil
}

func (s sqlStore) consentScope(ctx context.Context, appID, userID int64) (string, bool, error) {
	var scope string
	err := s.db.QueryRow(ctx, `SELECT scope FROM consents WHERE app_id = ? AND user_id = ? AND revoked_at IS NULL`,
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
	ExpiresAt time.Time
}

func (s sqlStore) insertChallenge(ctx context.Context, session string, c challengeRow, now time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO auth_challenges (session, app_id, user_id, code_hash, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, session, c.AppID, c.UserID, c.CodeHash, c.ExpiresAt, now)
	if err != nil {
		return fmt.Errorf("insert auth challenge: %w", err)
	}
	return nil
}

// attemptChallenge spends one attempt of a live, unused challenge of the
// app for the user with this email and returns it; ok is false when there
// is no such challenge or its attempts are used up.
func (s sqlStore) attemptChallenge(ctx context.Context, session string, appID int64, email string, maxTries int, now time.Time) (c challengeRow, ok bool, err error) {
	err = s.db.ExecRow(ctx, `UPDATE auth_challenges SET attempts = attempts + 1
		WHERE session = ? AND app_id = ? AND user_id = (SELECT id FROM users WHERE email = ?)
			AND used_at IS NULL AND attempts < ? AND expires_at > ?
		RETURNING id, user_id, code_hash`, session, appID, email, maxTries, now).Scan(&c.ID, &c.UserID, &c.CodeHash)
	if errors.Is(err, sql.ErrNoRows) {
		return challengeRow{}, false, nil
	}
	if err != nil {
		return challengeRow{}, false, fmt.Errorf("attempt auth challenge: %w", err)
	}
	return c, true, nil
}

// useChallenge marks a challenge used; it reports false when another
// request already did.
func (s sqlStore) useChallenge(ctx context.Context, id int64, now time.Time) (bool, error) {
	res, err := s.db.Exec(ctx, `UPDATE auth_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL`, now, id)
	if err != nil {
		return false, fmt.Errorf("use auth challenge %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("use auth challenge %d: %w", id, err)
	}
	return n == 1, nil
}

// hit counts one attempt against a counter and returns the attempts
// counted in its window, this one included. A counter whose window began
// at or before reset, and whose lock (if any) ended by then, starts again
// at 1. ok is false, and nothing is counted, while the counter is locked.
func (s sqlStore) hit(ctx context.Context, q querier, key string, now, reset time.Time) (n int, ok bool, err error) {
	err = q.QueryRowContext(ctx, s.q(`INSERT INTO rate_limits (key_hash, hits, window_start) VALUES (?, 1, ?)
		ON CONFLICT (key_hash) DO UPDATE SET
			hits = CASE WHEN rate_limits.window_start <= ? AND (rate_limits.locked_until IS NULL OR rate_limits.locked_until <= ?)
				THEN 1 ELSE rate_limits.hits + 1 END,
			window_start = CASE WHEN rate_limits.window_start <= ? AND (rate_limits.locked_until IS NULL OR rate_limits.locked_until <= ?)
				THEN excluded.window_start ELSE rate_limits.window_start END
		WHERE rate_limits.locked_until IS NULL OR rate_limits.locked_until <= ?
		RETURNING hits`), key, now, reset, reset, reset, reset, now).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("count attempt: %w", err)
	}
	return n, true, nil
}

// lock locks a counter until a time, unless it is already locked longer.
func (s sqlStore) lock(ctx context.Context, q querier, key string, until time.Time) error {
	_, err := q.ExecContext(ctx, s.q(`UPDATE rate_limits SET locked_until = ?
		WHERE key_hash = ? AND (locked_until IS NULL OR locked_until < ?)`), until, key, until)
	if err != nil {
		return fmt.Errorf("lock attempt counter: %w", err)
	}
	return nil
}

// lockedUntil returns the end of a counter's lock (zero when unlocked).
func (s sqlStore) lockedUntil(ctx context.Context, q querier, key string) (time.Time, error) {
	var until sql.NullTime
	err := q.QueryRowContext(ctx, s.q(`SELECT locked_until FROM rate_limits WHERE key_hash = ?`), key).Scan(&until)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("load attempt counter: %w", err)
	}
	return until.Time, nil
}

// clearLimit forgets a counter.
func (s sqlStore) clearLimit(ctx context.Context, key string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM rate_limits WHERE key_hash = ?`, key); err != nil {
		return fmt.Errorf("clear attempt counter: %w", err)
	}
	return nil
}

// refundLimit takes one attempt back from a counter.
func (s sqlStore) refundLimit(ctx context.Context, key string) error {
	_, err := s.db.Exec(ctx, `UPDATE rate_limits SET hits = hits - 1 WHERE key_hash = ? AND hits > 0`, key)
	if err != nil {
		return fmt.Errorf("refund attempt: %w", err)
	}
	return nil
}

// purgeLimits deletes counters that would start again at their next hit.
func (s sqlStore) purgeLimits(ctx context.Context, reset time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM rate_limits WHERE window_start <= ? AND (locked_until IS NULL OR locked_until <= ?)`,
		reset, reset)
	if err != nil {
		return 0, fmt.Errorf("purge attempt counters: %w", err)
	}
	return res.RowsAffected()
}
