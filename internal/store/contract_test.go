package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// TestContract checks the behaviour every store relies on, on every backend.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()

		t.Run("migrations are idempotent", func(t *testing.T) {
			require.NoError(t, db.Migrate(ctx))
			n, err := db.Pending(ctx)
			require.NoError(t, err)
			require.Zero(t, n)
		})

		t.Run("a failed transaction leaves nothing behind", func(t *testing.T) {
			boom := errors.New("boom")
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO organizations (uuid, name, created_at) VALUES (?, ?, ?)`),
					"rolled-back", "Ghost", time.Now().UTC()); err != nil {
					return err
				}
				return boom
			})
			require.ErrorIs(t, err, boom)
			var n int
			require.NoError(t, db.R.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM organizations WHERE uuid = ?`), "rolled-back").Scan(&n))
			require.Zero(t, n)
		})

		t.Run("unique violations are recognised by error code", func(t *testing.T) {
			now := time.Now().UTC()
			_, err := db.W.ExecContext(ctx, db.Rebind(`INSERT INTO organizations (uuid, name, created_at) VALUES (?, ?, ?)`), "same-uuid", "Acme", now)
			require.NoError(t, err)
			var orgID int64
			require.NoError(t, db.R.QueryRowContext(ctx, db.Rebind(`SELECT id FROM organizations WHERE uuid = ?`), "same-uuid").Scan(&orgID))
			_, err = db.W.ExecContext(ctx, db.Rebind(`INSERT INTO users (uuid, email, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`),
				"u-1", "u1@example.com", "U", now, now)
			require.NoError(t, err)
			var userID int64
			require.NoError(t, db.R.QueryRowContext(ctx, db.Rebind(`SELECT id FROM users WHERE uuid = ?`), "u-1").Scan(&userID))
			membership := func() error {
				_, err := db.W.ExecContext(ctx, db.Rebind(`INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`),
					orgID, userID, "admin", now)
				return err
			}
			require.NoError(t, membership())
			_, err = db.W.ExecContext(ctx, db.Rebind(`INSERT INTO meetings (uuid, org_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`),
				"m-1", orgID, "M", now, now)
			require.NoError(t, err)
			var meetingID int64
			require.NoError(t, db.R.QueryRowContext(ctx, db.Rebind(`SELECT id FROM meetings WHERE uuid = ?`), "m-1").Scan(&meetingID))
			summary := func() error {
				_, err := db.W.ExecContext(ctx, db.Rebind(`INSERT INTO meeting_summaries (meeting_id, transcript_version, body, created_at) VALUES (?, ?, ?, ?)`),
					meetingID, 0, "", now)
				return err
			}
			require.NoError(t, summary())

			tests := []struct {
				name   string
				err    error
				unique bool
			}{
				{"UNIQUE column", execErr(db.W.ExecContext(ctx, db.Rebind(`INSERT INTO organizations (uuid, name, created_at) VALUES (?, ?, ?)`), "same-uuid", "Acme", now)), true},
				{"composite primary key", membership(), true},
				{"integer primary key", summary(), true},
				{"NOT NULL", execErr(db.W.ExecContext(ctx, db.Rebind(`INSERT INTO organizations (uuid, name, created_at) VALUES (?, NULL, ?)`), "no-name", now)), false},
				{"foreign key", execErr(db.W.ExecContext(ctx, db.Rebind(`INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`), orgID, userID+1000, "admin", now)), false},
				{"message alone", errors.New("UNIQUE constraint failed: organizations.uuid (SQLSTATE 23505)"), false},
				{"nil", nil, false},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if tt.unique {
						require.Error(t, tt.err)
					}
					require.Equal(t, tt.unique, store.IsUniqueViolation(tt.err), "%v", tt.err)
					require.Equal(t, tt.unique, store.IsUniqueViolation(fmt.Errorf("wrapped: %w", tt.err)), "%v", tt.err)
				})
			}
		})

		t.Run("timestamps round-trip in UTC", func(t *testing.T) {
			at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
			var got time.Time
			_, err := db.W.ExecContext(ctx, db.Rebind(`INSERT INTO organizations (uuid, name, created_at) VALUES (?, ?, ?)`), "ts", "TS", at)
			require.NoError(t, err)
			require.NoError(t, db.R.QueryRowContext(ctx, db.Rebind(`SELECT created_at FROM organizations WHERE uuid = ?`), "ts").Scan(&got))
			require.True(t, at.Equal(got), "%v != %v", at, got)
		})
	})
}

// execErr keeps the error of an Exec call.
func execErr(_ sql.Result, err error) error { return err }
