package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// TestCachedStatements runs every cached-statement helper twice (the
// second time from the cache) on every backend.
func TestCachedStatements(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		// A deadline turns a helper waiting for SQLite's only writer
		// connection into a failure instead of a hung test.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		now := time.Now().UTC()
		for i := range 2 {
			uuid := fmt.Sprintf("org-%d", i)
			res, err := db.Exec(ctx, `INSERT INTO organizations (uuid, name, created_at) VALUES (?, ?, ?)`, uuid, "Org", now)
			require.NoError(t, err)
			n, err := res.RowsAffected()
			require.NoError(t, err)
			require.EqualValues(t, 1, n)

			var name string
			require.NoError(t, db.ExecRow(ctx, `UPDATE organizations SET name = ? WHERE uuid = ? RETURNING name`, "Renamed", uuid).Scan(&name))
			require.Equal(t, "Renamed", name)

			require.NoError(t, db.QueryRow(ctx, `SELECT name FROM organizations WHERE uuid = ?`, uuid).Scan(&name))
			require.Equal(t, "Renamed", name)

			rows, err := db.Query(ctx, `SELECT uuid FROM organizations WHERE name = ? ORDER BY uuid`, "Renamed")
			require.NoError(t, err)
			var got []string
			for rows.Next() {
				var u string
				require.NoError(t, rows.Scan(&u))
				got = append(got, u)
			}
			require.NoError(t, rows.Err())
			require.NoError(t, rows.Close())
			require.Len(t, got, i+1)

			// Inside a transaction, on a first run (not yet prepared) and a
			// second (prepared by the previous Tx).
			err = db.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := db.TxExec(ctx, tx, `UPDATE organizations SET name = ? WHERE uuid = ?`, "InTx", uuid); err != nil {
					return err
				}
				var name string
				if err := db.TxQueryRow(ctx, tx, `SELECT name FROM organizations WHERE uuid = ?`, uuid).Scan(&name); err != nil {
					return err
				}
				if name != "InTx" {
					return fmt.Errorf("name in tx = %q", name)
				}
				rows, err := db.TxQuery(ctx, tx, `SELECT uuid FROM organizations WHERE name = ?`, "InTx")
				if err != nil {
					return err
				}
				defer rows.Close()
				n := 0
				for rows.Next() {
					n++
				}
				if n != 1 {
					return fmt.Errorf("%d rows in tx, want 1", n)
				}
				return rows.Err()
			})
			require.NoError(t, err)
			require.NoError(t, db.QueryRow(ctx, `SELECT name FROM organizations WHERE uuid = ?`, uuid).Scan(&name))
			require.Equal(t, "InTx", name)
			_, err = db.Exec(ctx, `UPDATE organizations SET name = ? WHERE uuid = ?`, "Renamed", uuid)
			require.NoError(t, err)
		}

		t.Run("errors come back from the call", func(t *testing.T) {
			var n int
			require.Error(t, db.QueryRow(ctx, `SELECT nope FROM organizations WHERE uuid = ?`, "x").Scan(&n))
			_, err := db.Exec(ctx, `INSERT INTO nowhere VALUES (?)`, 1)
			require.Error(t, err)
			require.ErrorIs(t, db.QueryRow(ctx, `SELECT 1 FROM organizations WHERE uuid = ?`, "missing").Scan(&n), sql.ErrNoRows)
		})

		t.Run("concurrent readers share statements", func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Go(func() {
					for range 50 {
						var name string
						if err := db.QueryRow(ctx, `SELECT name FROM organizations WHERE uuid = ?`, "org-0").Scan(&name); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
		})
	})
}

func TestCachedStatementsAfterClose(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite://"+t.TempDir()+"/quorum.db")
	require.NoError(t, err)
	require.NoError(t, db.Migrate(ctx))
	var n int
	require.NoError(t, db.QueryRow(ctx, `SELECT COUNT(*) FROM organizations WHERE uuid = ?`, "x").Scan(&n))
	require.NoError(t, db.Close())
	require.Error(t, db.QueryRow(ctx, `SELECT COUNT(*) FROM organizations WHERE uuid = ?`, "x").Scan(&n))
	_, err = db.Exec(ctx, `DELETE FROM organizations WHERE uuid = ?`, "x")
	require.Error(t, err)
}

// BenchmarkQueryRow compares a plain QueryRowContext, which prepares the
// statement on every call, with the cached DB.QueryRow, for an indexed
// SELECT on SQLite.
func BenchmarkQueryRow(b *testing.B) {
	ctx := context.Background()
	db := storetest.SQLite(b)
	now := time.Now().UTC()
	for i := range 1000 {
		_, err := db.W.ExecContext(ctx, `INSERT INTO organizations (uuid, name, created_at) VALUES (?, ?, ?)`, fmt.Sprintf("org-%d", i), "Org", now)
		require.NoError(b, err)
	}
	const query = `SELECT id, name, created_at FROM organizations WHERE uuid = ?`
	scan := func(b *testing.B, row *sql.Row) {
		var id int64
		var name string
		var created time.Time
		if err := row.Scan(&id, &name, &created); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("QueryRowContext", func(b *testing.B) {
		i := 0
		for b.Loop() {
			scan(b, db.R.QueryRowContext(ctx, db.Rebind(query), fmt.Sprintf("org-%d", i%1000)))
			i++
		}
	})
	b.Run("cached QueryRow", func(b *testing.B) {
		i := 0
		for b.Loop() {
			scan(b, db.QueryRow(ctx, query, fmt.Sprintf("org-%d", i%1000)))
			i++
		}
	})
}
