package connection

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// sqlStore reads connections from the OAuth host's consents and tokens.
type sqlStore struct{ db *store.DB }

// connectionSelect is one row per consent of an app with its user, its
// last live token's expiry and its status, as of the first parameter (the
// time, given twice). It is wrapped so that the status can be filtered on.
const connectionSelect = `SELECT * FROM (SELECT c.id, c.uuid, u.uuid AS user_uuid, u.name, u.email, c.scope, c.revoked_at,
		c.created_at, c.updated_at, c.app_id,
		(SELECT MAX(t.expires_at) FROM oauth_tokens t WHERE t.app_id = c.app_id AND t.user_id = c.user_id
			AND t.revoked_at IS NULL AND t.rotated_at IS NULL AND t.expires_at > ?) AS live_until,
		CASE WHEN c.revoked_at IS NOT NULL THEN 'revoked'
			WHEN NOT EXISTS (SELECT 1 FROM oauth_tokens t WHERE t.app_id = c.app_id AND t.user_id = c.user_id) THEN 'active'
			WHEN EXISTS (SELECT 1 FROM oauth_tokens t WHERE t.app_id = c.app_id AND t.user_id = c.user_id
				AND t.revoked_at IS NULL AND t.rotated_at IS NULL AND t.expires_at > ?) THEN 'active'
			ELSE 'expired' END AS status
	FROM consents c JOIN users u ON u.id = c.user_id) x`

const connectionColumns = `x.id, x.uuid, x.user_uuid, x.name, x.email, x.scope, x.revoked_at, x.created_at, x.updated_at,
	x.live_until, x.status`

func scanConnection(row interface{ Scan(...any) error }) (Connection, error) {
	var c Connection
	var scope, status string
	var revoked sql.NullTime
	var live nullTime
	err := row.Scan(&c.ID, &c.UUID, &c.UserUUID, &c.UserName, &c.UserEmail, &scope, &revoked, &c.CreatedAt, &c.UpdatedAt,
		&live, &status)
	if err != nil {
		return c, err
	}
	c.Scopes, c.RevokedAt, c.ExpiresAt, c.Status = scopes(scope), revoked.Time, live.Time, Status(status)
	return c, nil
}

func (s sqlStore) list(ctx context.Context, appID int64, f Filter, r page.Request, now time.Time) (page.Page[Connection], error) {
	where := ` WHERE x.app_id = ?`
	args := []any{now, now, appID}
	if f.UserUUID != "" {
		where += ` AND x.user_uuid = ?`
		args = append(args, f.UserUUID)
	}
	if f.Status != "" {
		where += ` AND x.status = ?`
		args = append(args, string(f.Status))
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM (`+connectionSelect+where+`) n`, args...).Scan(&total); err != nil {
		return page.Page[Connection]{}, fmt.Errorf("count connections of app %d: %w", appID, err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+connectionColumns+` FROM (`+connectionSelect+where+
		` ORDER BY x.created_at DESC, x.id DESC LIMIT ? OFFSET ?) x`, append(args, r.Limit, r.Offset)...)
	if err != nil {
		return page.Page[Connection]{}, fmt.Errorf("list connections of app %d: %w", appID, err)
	}
	defer rows.Close()
	var items []Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return page.Page[Connection]{}, fmt.Errorf("scan connection: %w", err)
		}
		items = append(items, c)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Connection]{}, err
	}
	return page.Of(items, r, total, nil), nil
}

func (s sqlStore) get(ctx context.Context, appID int64, id string, now time.Time) (Connection, error) {
	c, err := scanConnection(s.db.QueryRow(ctx, `SELECT `+connectionColumns+` FROM (`+connectionSelect+
		` WHERE x.app_id = ? AND x.uuid = ?) x`, now, now, appID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Connection{}, fault.NotFound("connection")
	}
	if err != nil {
		return Connection{}, fmt.Errorf("load connection %s: %w", id, err)
	}
	return c, nil
}

// revokeConsent marks a live consent of the app revoked and returns its
// user; revoked is false when it already was. A consent of another app is
// not found.
func (s sqlStore) revokeConsent(ctx context.Context, tx *sql.Tx, appID int64, id string, now time.Time) (int64, bool, error) {
	var userID int64
	err := s.db.TxQueryRow(ctx, tx, `UPDATE consents SET revoked_at = ?, updated_at = ?
		WHERE app_id = ? AND uuid = ? AND revoked_at IS NULL RETURNING user_id`, now, now, appID, id).Scan(&userID)
	if err == nil {
		return userID, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("revoke connection %s: %w", id, err)
	}
	// Nothing was written: tell "already revoked" from "not found".
	var n int
	if err := s.db.TxQueryRow(ctx, tx, `SELECT COUNT(*) FROM consents WHERE app_id = ? AND uuid = ?`, appID, id).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("load connection %s: %w", id, err)
	}
	if n == 0 {
		return 0, false, fault.NotFound("connection")
	}
	return 0, false, nil
}

// revokeTokens revokes every token and spends every unused authorization
// code of a user for an app.
func (s sqlStore) revokeTokens(ctx context.Context, tx *sql.Tx, appID, userID int64, now time.Time) error {
	if _, err := s.db.TxExec(ctx, tx, `UPDATE oauth_tokens SET revoked_at = ? WHERE app_id = ? AND user_id = ? AND revoked_at IS NULL`,
		now, appID, userID); err != nil {
		return fmt.Errorf("revoke tokens of user %d for app %d: %w", userID, appID, err)
	}
	if _, err := s.db.TxExec(ctx, tx, `UPDATE oauth_codes SET used_at = ? WHERE app_id = ? AND user_id = ? AND used_at IS NULL`,
		now, appID, userID); err != nil {
		return fmt.Errorf("spend codes of user %d for app %d: %w", userID, appID, err)
	}
	return nil
}

// nullTime scans a timestamp that SQLite returns as text when it comes out
// of an expression (an aggregate has no declared type to convert by).
type nullTime struct{ time.Time }

// Scan implements sql.Scanner.
func (n *nullTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		n.Time = time.Time{}
	case time.Time:
		n.Time = v
	case string:
		return n.parse(v)
	case []byte:
		return n.parse(string(v))
	default:
		return fmt.Errorf("scan %T as a time", v)
	}
	return nil
}

func (n *nullTime) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			n.Time = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("parse time %q", s)
}
