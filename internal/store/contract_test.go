package store_test

import (
	"context"
	"database/sql"
	"errors"
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

		t.Run("unique violations are recognised", func(t *testing.T) {
			insert := func() error {
				_, err := db.W.ExecContext(ctx, db.Rebind(`INSERT INTO organizations (uuid, name, created_at) VALUES (?, ?, ?)`),
					"same-uuid", "Acme", time.Now().UTC())
				return err
			}
			require.NoError(t, insert())
			err := insert()
			require.Error(t, err)
			require.True(t, store.IsUniqueViolation(err), "%v", err)
			require.False(t, store.IsUniqueViolation(errors.New("other")))
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
