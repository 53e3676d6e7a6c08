package credential

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/store"
)

// sqlStore holds every query of rotations, rollbacks and the audit history.
// The credentials themselves are identity's app_credentials rows.
type sqlStore struct{ db *store.DB }

// lockApp makes the transaction the app's only writer until it ends.
func (s sqlStore) lockApp(ctx context.Context, tx *sql.Tx, appID int64) error {
	res, err := s.db.TxExec(ctx, tx, `UPDATE apps SET updated_at = updated_at WHERE id = ?`, appID)
	if err != nil {
		return fmt.Errorf("lock app %d: %w", appID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fault.NotFound("app")
	}
	return nil
}

// rotationsSince reports whether an app rotated a credential limit times
// since a moment, and when the oldest of the last limit rotations was.
func (s sqlStore) rotationsSince(ctx context.Context, tx *sql.Tx, appID int64, t Type, since time.Time, limit int) (time.Time, bool, error) {
	var at time.Time
	err := s.db.TxQueryRow(ctx, tx, `SELECT created_at FROM credential_events
		WHERE app_id = ? AND kind = ? AND action = ? AND created_at > ? ORDER BY created_at DESC LIMIT 1 OFFSET ?`,
		appID, string(t), ActionRotated, since, limit-1).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("count rotations of app %d: %w", appID, err)
	}
	return at, true, nil
}

// retireCurrent sets the expiry of the app's current credentials of a kind
// (those without one) and returns the newest one's id, 0 if there is none.
func (s sqlStore) retireCurrent(ctx context.Context, tx *sql.Tx, appID int64, kind identity.CredentialKind, until time.Time) (int64, error) {
	rows, err := s.db.TxQuery(ctx, tx, `UPDATE app_credentials SET expires_at = ? WHERE app_id = ? AND kind = ? AND expires_at IS NULL
		RETURNING id`, until, appID, string(kind))
	if err != nil {
		return 0, fmt.Errorf("retire %s of app %d: %w", kind, appID, err)
	}
	defer rows.Close()
	var newest int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, fmt.Errorf("scan credential: %w", err)
		}
		newest = max(newest, id)
	}
	return newest, rows.Err()
}

func (s sqlStore) insertCredential(ctx context.Context, tx *sql.Tx, appID int64, kind identity.CredentialKind, value string, now time.Time) (int64, error) {
	var id int64
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO app_credentials (app_id, kind, secret_hash, hint, created_at) VALUES (?, ?, ?, ?, ?)
		RETURNING id`, appID, string(kind), secret.Hash(value), secret.Hint(value), now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert %s of app %d: %w", kind, appID, err)
	}
	return id, nil
}

// insertRollback stores a rollback token's hash; earlier unused tokens of
// the same credential stop working, since what they would restore is no
// longer the credential just replaced.
func (s sqlStore) insertRollback(ctx context.Context, tx *sql.Tx, appID int64, kind identity.CredentialKind, hash string,
	oldID, newID int64, expires, now time.Time) error {
	if _, err := s.db.TxExec(ctx, tx, `UPDATE credential_rollbacks SET expires_at = ?
		WHERE app_id = ? AND kind = ? AND used_at IS NULL AND expires_at > ?`, now, appID, string(kind), now); err != nil {
		return fmt.Errorf("supersede rollbacks of app %d: %w", appID, err)
	}
	_, err := s.db.TxExec(ctx, tx, `INSERT INTO credential_rollbacks (token_hash, app_id, kind, old_credential_id, new_credential_id,
		expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, hash, appID, string(kind), oldID, newID, expires, now)
	if err != nil {
		return fmt.Errorf("insert rollback of app %d: %w", appID, err)
	}
	return nil
}

// spendRollback consumes a live rollback token of the app and kind; ok is
// false when there is none (unknown, another app's or kind's, expired or
// used).
func (s sqlStore) spendRollback(ctx context.Context, tx *sql.Tx, appID int64, kind identity.CredentialKind, hash string, now time.Time) (oldID, newID int64, ok bool, err error) {
	err = s.db.TxQueryRow(ctx, tx, `UPDATE credential_rollbacks SET used_at = ?
		WHERE token_hash = ? AND app_id = ? AND kind = ? AND used_at IS NULL AND expires_at > ?
		RETURNING old_credential_id, new_credential_id`, now, hash, appID, string(kind), now).Scan(&oldID, &newID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("spend rollback token of app %d: %w", appID, err)
	}
	return oldID, newID, true, nil
}

// restore makes the old credential current again and retires the new one.
func (s sqlStore) restore(ctx context.Context, tx *sql.Tx, appID, oldID, newID int64, now time.Time) error {
	if _, err := s.db.TxExec(ctx, tx, `UPDATE app_credentials SET expires_at = NULL WHERE id = ? AND app_id = ?`, oldID, appID); err != nil {
		return fmt.Errorf("restore credential %d: %w", oldID, err)
	}
	if _, err := s.db.TxExec(ctx, tx, `UPDATE app_credentials SET expires_at = ? WHERE id = ? AND app_id = ?`, now, newID, appID); err != nil {
		return fmt.Errorf("retire credential %d: %w", newID, err)
	}
	return nil
}

func (s sqlStore) insertEvent(ctx context.Context, tx *sql.Tx, appID int64, e Event) error {
	meta := []byte("{}")
	if e.Metadata != nil {
		meta, _ = json.Marshal(e.Metadata)
	}
	_, err := s.db.TxExec(ctx, tx, `INSERT INTO credential_events (uuid, app_id, kind, action, initiated_by, user_agent, ip_address,
		reason, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.UUID, appID, string(e.Type), e.Action, e.InitiatedBy,
		e.UserAgent, e.IPAddress, e.Reason, string(meta), e.CreatedAt)
	if err != nil {
		return fmt.Errorf("record %s %s of app %d: %w", e.Type, e.Action, appID, err)
	}
	return nil
}

func (s sqlStore) history(ctx context.Context, appID int64, f Filter, r page.Request) (page.Page[Event], error) {
	where := ` WHERE e.app_id = ?`
	args := []any{appID}
	if f.Type != "" {
		where += ` AND e.kind = ?`
		args = append(args, string(f.Type))
	}
	if f.Action != "" {
		where += ` AND e.action = ?`
		args = append(args, f.Action)
	}
	rows, err := s.db.Query(ctx, `SELECT e.uuid, a.uuid, e.kind, e.action, e.initiated_by, e.user_agent, e.ip_address, e.reason,
		e.metadata, e.created_at FROM credential_events e JOIN apps a ON a.id = e.app_id`+where+
		` ORDER BY e.created_at DESC, e.id DESC LIMIT ? OFFSET ?`, append(args, r.Limit, r.Offset)...)
	if err != nil {
		return page.Page[Event]{}, fmt.Errorf("list credential history of app %d: %w", appID, err)
	}
	defer rows.Close()
	var items []Event
	for rows.Next() {
		var e Event
		var kind, meta string
		if err := rows.Scan(&e.UUID, &e.AppUUID, &kind, &e.Action, &e.InitiatedBy, &e.UserAgent, &e.IPAddress, &e.Reason,
			&meta, &e.CreatedAt); err != nil {
			return page.Page[Event]{}, fmt.Errorf("scan credential event: %w", err)
		}
		e.Type = Type(kind)
		if err := json.Unmarshal([]byte(meta), &e.Metadata); err != nil {
			return page.Page[Event]{}, fmt.Errorf("decode metadata of credential event %s: %w", e.UUID, err)
		}
		items = append(items, e)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Event]{}, err
	}
	return page.Of(items, r, -1, nil), nil
}

// info reads the state of one credential of an app (all but the age and
// recommendation).
func (s sqlStore) info(ctx context.Context, appID int64, t Type, now time.Time) (Info, error) {
	info := Info{Type: t, Status: Expired}
	err := s.db.QueryRow(ctx, `SELECT created_at FROM credential_events WHERE app_id = ? AND kind = ? AND action IN (?, ?)
		ORDER BY created_at DESC LIMIT 1`, appID, string(t), ActionRotated, ActionRollback).Scan(&info.LastRotatedAt)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return info, fmt.Errorf("load last rotation of %s of app %d: %w", t, appID, err)
	}
	if t == WebhookSecret {
		var created time.Time
		err := s.db.QueryRow(ctx, `SELECT created_at FROM webhook_subscriptions WHERE app_id = ? AND org_id IS NULL`, appID).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return info, nil
		}
		if err != nil {
			return info, fmt.Errorf("load webhook secret of app %d: %w", appID, err)
		}
		info.Status, info.CreatedAt = Active, created
		if !info.LastRotatedAt.IsZero() {
			info.CreatedAt = info.LastRotatedAt
		}
		return info, nil
	}
	var used sql.NullTime
	err = s.db.QueryRow(ctx, `SELECT created_at, last_used_at FROM app_credentials WHERE app_id = ? AND kind = ? AND expires_at IS NULL
		ORDER BY created_at DESC, id DESC LIMIT 1`, appID, string(t.kind())).Scan(&info.CreatedAt, &used)
	switch {
	case err == nil:
		info.Status, info.LastUsedAt = Active, used.Time
	case !errors.Is(err, sql.ErrNoRows):
		return info, fmt.Errorf("load %s of app %d: %w", t, appID, err)
	}
	err = s.db.QueryRow(ctx, `SELECT expires_at FROM app_credentials WHERE app_id = ? AND kind = ? AND expires_at > ?
		ORDER BY expires_at DESC LIMIT 1`, appID, string(t.kind()), now).Scan(&info.GraceEndsAt)
	switch {
	case err == nil:
		info.Status = PendingRotation
	case !errors.Is(err, sql.ErrNoRows):
		return info, fmt.Errorf("load grace period of %s of app %d: %w", t, appID, err)
	}
	return info, nil
}
