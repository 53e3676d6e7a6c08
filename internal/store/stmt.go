package store

import (
	"container/list"
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxCachedStmts bounds each statement cache. Quorum's queries are constant
// strings, a few hundred at most; the bound only stops a caller that builds
// query text on the fly from growing the cache without end.
const maxCachedStmts = 512

// stmtCache keeps prepared statements of one *sql.DB by query text (as
// callers write it, with "?"), least recently used first out. database/sql
// prepares a Stmt again, lazily, on each connection it runs on, so one Stmt
// serves the whole pool.
type stmtCache struct {
	db  *sql.DB
	max int
	// rebind turns a query as callers write it into the dialect's text.
	rebind func(string) string

	mu     sync.Mutex
	byText map[string]*list.Element // of *cachedStmt
	lru    list.List                // front is most recently used
	// wanted holds queries that missed inside a transaction, to prepare
	// once the transaction has given its connection back.
	wanted map[string]bool
	closed bool
}

// cachedStmt counts its users so that a statement evicted while in use is
// closed by its last user rather than under it.
type cachedStmt struct {
	query   string
	stmt    *sql.Stmt
	users   int
	evicted bool
}

var errCacheClosed = errors.New("statement cache closed")

func newStmtCache(db *sql.DB, rebind func(string) string) *stmtCache {
	return &stmtCache{db: db, max: maxCachedStmts, rebind: rebind, byText: map[string]*list.Element{}, wanted: map[string]bool{}}
}

// get returns the cached statement for query, or nil. A non-nil result must
// be released once the statement's call has returned.
func (c *stmtCache) get(query string) *cachedStmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byText[query]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(e)
	cs := e.Value.(*cachedStmt)
	cs.users++
	return cs
}

// acquire returns the statement for query, preparing it on first use. It
// needs a free connection of c.db, so it must not be called while the
// caller holds a transaction on a pool that has no other (SQLite's writer).
// The result must be released once the statement's call has returned.
func (c *stmtCache) acquire(ctx context.Context, query string) (*cachedStmt, error) {
	if cs := c.get(query); cs != nil {
		return cs, nil
	}
	// Prepare outside the lock: it talks to the database.
	stmt, err := c.db.PrepareContext(ctx, c.rebind(query))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		_ = stmt.Close()
		return nil, errCacheClosed
	}
	if e, ok := c.byText[query]; ok {
		// Another caller prepared the same query meanwhile; keep theirs.
		cs := e.Value.(*cachedStmt)
		cs.users++
		c.mu.Unlock()
		_ = stmt.Close()
		return cs, nil
	}
	cs := &cachedStmt{query: query, stmt: stmt, users: 1}
	c.byText[query] = c.lru.PushFront(cs)
	var idle []*sql.Stmt
	for c.lru.Len() > c.max {
		old := c.lru.Remove(c.lru.Back()).(*cachedStmt)
		delete(c.byText, old.query)
		old.evicted = true
		if old.users == 0 {
			idle = append(idle, old.stmt)
		}
	}
	c.mu.Unlock()
	for _, s := range idle {
		_ = s.Close()
	}
	return cs, nil
}

// release ends one use of cs. Rows or a Row still open on the statement stay
// valid after it is closed: database/sql defers the real close until they
// are done.
func (c *stmtCache) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.users--
	closeIt := cs.evicted && cs.users == 0
	c.mu.Unlock()
	if closeIt {
		_ = cs.stmt.Close()
	}
}

// want notes a query that missed inside a transaction.
func (c *stmtCache) want(query string) {
	c.mu.Lock()
	if len(c.wanted) < c.max {
		c.wanted[query] = true
	}
	c.mu.Unlock()
}

// prepareWanted prepares the queries that missed inside transactions. A
// query that fails to prepare is dropped: it fails the same way when run.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	if len(c.wanted) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.wanted))
	for q := range c.wanted {
		queries = append(queries, q)
	}
	clear(c.wanted)
	c.mu.Unlock()
	for _, q := range queries {
		if cs, err := c.acquire(ctx, q); err == nil {
			c.release(cs)
		}
	}
}

// close closes every cached statement not in use (the rest close when
// their last user releases them); later prepares fail.
func (c *stmtCache) close() error {
	c.mu.Lock()
	c.closed = true
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		cs := e.Value.(*cachedStmt)
		cs.evicted = true
		if cs.users == 0 {
			errs = append(errs, cs.stmt.Close())
		}
	}
	clear(c.byText)
	c.lru.Init()
	c.mu.Unlock()
	return errors.Join(errs...)
}

// QueryRow runs a query expected to return at most one row on the reader,
// with a cached prepared statement. Write the query with "?" placeholders.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if db.direct {
		return db.R.QueryRowContext(ctx, db.Rebind(query), args...)
	}
	cs, err := db.readStmts.acquire(ctx, query)
	if err != nil {
		// The plain call reports the same failure through the Row.
		return db.R.QueryRowContext(ctx, db.Rebind(query), args...)
	}
	defer db.readStmts.release(cs)
	return cs.stmt.QueryRowContext(ctx, args...)
}

// Query runs a query on the reader with a cached prepared statement. Write
// the query with "?" placeholders.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.direct {
		return db.R.QueryContext(ctx, db.Rebind(query), args...)
	}
	cs, err := db.readStmts.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	defer db.readStmts.release(cs)
	return cs.stmt.QueryContext(ctx, args...)
}

// Exec runs a statement on the writer with a cached prepared statement.
// Write the query with "?" placeholders.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if db.direct {
		return db.W.ExecContext(ctx, db.Rebind(query), args...)
	}
	cs, err := db.writeStmts.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	defer db.writeStmts.release(cs)
	return cs.stmt.ExecContext(ctx, args...)
}

// ExecRow runs a write that returns one row (INSERT or UPDATE ...
// RETURNING) on the writer with a cached prepared statement. Write the
// query with "?" placeholders.
func (db *DB) ExecRow(ctx context.Context, query string, args ...any) *sql.Row {
	if db.direct {
		return db.W.QueryRowContext(ctx, db.Rebind(query), args...)
	}
	cs, err := db.writeStmts.acquire(ctx, query)
	if err != nil {
		return db.W.QueryRowContext(ctx, db.Rebind(query), args...)
	}
	defer db.writeStmts.release(cs)
	return cs.stmt.QueryRowContext(ctx, args...)
}

// txStmt returns the cached writer statement for query bound to tx, a
// transaction of db.W, or nil when query has not been prepared yet: preparing
// needs a free writer connection, and on SQLite the transaction holds the
// only one. [DB.Tx] prepares such queries once the transaction has ended.
// database/sql reuses the statement already prepared on the transaction's
// connection.
func (db *DB) txStmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	if db.direct {
		return nil
	}
	cs := db.writeStmts.get(query)
	if cs == nil {
		db.writeStmts.want(query)
		return nil
	}
	defer db.writeStmts.release(cs)
	return tx.StmtContext(ctx, cs.stmt)
}

// TxExec is [DB.Exec] inside tx, a transaction begun on db.W (as [DB.Tx]
// gives).
func (db *DB) TxExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if stmt := db.txStmt(ctx, tx, query); stmt != nil {
		return stmt.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, db.Rebind(query), args...)
}

// TxQuery is [DB.Query] inside tx, a transaction begun on db.W (as [DB.Tx]
// gives).
func (db *DB) TxQuery(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if stmt := db.txStmt(ctx, tx, query); stmt != nil {
		return stmt.QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, db.Rebind(query), args...)
}

// TxQueryRow is [DB.QueryRow] inside tx, a transaction begun on db.W (as
// [DB.Tx] gives).
func (db *DB) TxQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if stmt := db.txStmt(ctx, tx, query); stmt != nil {
		return stmt.QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, db.Rebind(query), args...)
}
