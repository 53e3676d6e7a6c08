package rest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/store"
)

// claim takes a key for one request in a single conditional write: a new
// key, or one whose window has passed. Of concurrent requests with the
// same key exactly one claims it; it reports false for the others.
func (m *Idempotency) claim(ctx context.Context, scope, key, hash string, now time.Time) (bool, error) {
	res, err := m.db.Exec(ctx, `INSERT INTO idempotency_keys (scope, idem_key, request_hash, status, created_at, expires_at)
		VALUES (?, ?, ?, 0, ?, ?)
		ON CONFLICT (scope, idem_key) DO UPDATE SET request_hash = excluded.request_hash, status = 0, content_type = '', body = NULL,
			created_at = excluded.created_at, expires_at = excluded.expires_at
		WHERE idempotency_keys.expires_at <= ?`, scope, key, hash, now, now.Add(IdempotencyWindow), now)
	if err != nil {
		return false, fmt.Errorf("claim idempotency key: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim idempotency key: %w", err)
	}
	return n == 1, nil
}

// load reads a key's request hash and response (status 0 while the
// request runs).
func (m *Idempotency) load(ctx context.Context, scope, key string) (*storedResponse, string, bool, error) {
	var r storedResponse
	var hash string
	err := m.db.ExecRow(ctx, `SELECT request_hash, status, content_type, body
		FROM idempotency_keys WHERE scope = ? AND idem_key = ?`, scope, key).Scan(&hash, &r.status, &r.contentType, &r.body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, fmt.Errorf("load idempotency key: %w", err)
	}
	return &r, hash, true, nil
}

// finish stores the response of the request holding the key.
func (m *Idempotency) finish(ctx context.Context, scope, key string, status int, contentType string, body []byte) {
	_, err := m.db.Exec(ctx, `UPDATE idempotency_keys SET status = ?, content_type = ?, body = ?
		WHERE scope = ? AND idem_key = ? AND status = 0`, status, contentType, body, scope, key)
	if err != nil {
		m.logger.ErrorContext(ctx, "store idempotent response", "request_id", RequestID(ctx), "error", err)
	}
}

// release gives up the key of a request that did not complete.
func (m *Idempotency) release(ctx context.Context, scope, key string) {
	_, err := m.db.Exec(ctx, `DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ? AND status = 0`, scope, key)
	if err != nil {
		m.logger.ErrorContext(ctx, "release idempotency key", "request_id", RequestID(ctx), "error", err)
	}
}

// PurgeExpiredKeys deletes idempotency keys past their window; a periodic
// job calls it.
func PurgeExpiredKeys(ctx context.Context, db *store.DB) (int64, error) {
	res, err := db.Exec(ctx, `DELETE FROM idempotency_keys WHERE expires_at <= ?`, time.Now().UTC())
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	return res.RowsAffected()
}
