package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

func openSQLiteForTest(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "quorum.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func (c *stmtCache) cached(query string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.byText[query]
	return ok
}

// TestStmtCacheEviction checks that the cache stays within its bound and
// that a statement evicted while in use is closed only after its last use.
func TestStmtCacheEviction(t *testing.T) {
	ctx := context.Background()
	db := openSQLiteForTest(t)
	c := newStmtCache(db.R, db.Rebind)
	c.max = 2
	defer c.close()

	q1, q2, q3 := "SELECT 1 WHERE ? = 1", "SELECT 2 WHERE ? = 1", "SELECT 3 WHERE ? = 1"
	held, err := c.acquire(ctx, q1)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{q2, q3} {
		cs, err := c.acquire(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		c.release(cs)
	}
	if c.cached(q1) || !c.cached(q2) || !c.cached(q3) || c.lru.Len() != 2 {
		t.Fatalf("cache holds q1=%v q2=%v q3=%v (%d), want only q2 and q3", c.cached(q1), c.cached(q2), c.cached(q3), c.lru.Len())
	}
	var n int
	if err := held.stmt.QueryRowContext(ctx, 1).Scan(&n); err != nil {
		t.Fatalf("evicted statement in use: %v", err)
	}
	c.release(held)
	if err := held.stmt.QueryRowContext(ctx, 1).Scan(&n); err == nil {
		t.Fatal("evicted statement still open after its last use")
	}
}

// TestTxPreparesMissedQueries checks that a query first run inside a
// transaction, where SQLite's writer has no connection to spare for
// preparing it, is prepared once the transaction ends.
func TestTxPreparesMissedQueries(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := openSQLiteForTest(t)
	const insert = `INSERT INTO organizations (uuid, name, created_at) VALUES (?, ?, ?)`
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := db.TxExec(ctx, tx, insert, "a", "A", time.Now().UTC())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !db.writeStmts.cached(insert) {
		t.Fatal("query run in a transaction was not prepared afterwards")
	}
}
