// Package store opens Quorum's database (SQLite or PostgreSQL), applies its
// migrations and hides the few dialect differences behind one type.
//
// # Migrations
//
// Each migration is written once, in PostgreSQL types, as
// migrations/NNNNN_name.sql. Before SQLite runs it, these type names are
// replaced, in this order, as whole words (any whitespace between words,
// any case), never inside string literals, quoted identifiers or comments:
//
//	BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY -> INTEGER PRIMARY KEY
//	TIMESTAMPTZ                                     -> TIMESTAMP
//	BYTEA                                           -> BLOB
//	DOUBLE PRECISION                                -> REAL
//	BIGINT                                          -> INTEGER
//
// Where the SQL truly differs, an override beside the shared file,
// NNNNN_name.sqlite.sql or NNNNN_name.postgres.sql, replaces it for that
// dialect (as in Ory Hydra). An override is used as written, without the
// mapping, and needs the shared file beside it, so every version exists on
// both dialects. Goose sees one NNNNN_name.sql per version either way, so
// the version history of existing databases is unchanged. A schema-drift
// test migrates both dialects and compares the resulting schemas.
//
// # Queries
//
// Quorum's SQL uses "?" placeholders; [Rebind] turns them into "$n" on
// PostgreSQL. [DB.QueryRow], [DB.Query], [DB.Exec], [DB.ExecRow] and the
// Tx* helpers rebind themselves and reuse prepared statements.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite" // also registers the pure-Go "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL flavour of a database.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open Quorum database. Writes go through W; reads may use R.
// On SQLite, W holds a single connection so writers queue in Go instead of
// failing with SQLITE_BUSY, and R is a pool of read-only connections.
// On PostgreSQL both are the same pool. Get one from Open: the statement
// cache behind QueryRow, Exec and the other helpers is set up there.
type DB struct {
	Dialect Dialect
	W       *sql.DB
	R       *sql.DB
	// Pool is the native pgx pool on PostgreSQL (nil on SQLite); the job
	// queue needs it.
	Pool *pgxpool.Pool
	// Path is the SQLite file (empty on PostgreSQL).
	Path string

	// Prepared statements of R and W; one cache when they are one pool.
	readStmts, writeStmts *stmtCache
	// direct skips the caches: pgx already keeps each connection's prepared
	// statements, and database/sql's Stmt over the pgx pool measured four
	// times slower than a plain query (bench/api, GET meeting, PostgreSQL).
	direct bool
}

func newDB(d Dialect, w, r *sql.DB) *DB {
	db := &DB{Dialect: d, W: w, R: r, direct: d == Postgres}
	rebind := func(q string) string { return Rebind(d, q) }
	db.writeStmts = newStmtCache(w, rebind)
	db.readStmts = db.writeStmts
	if r != w {
		db.readStmts = newStmtCache(r, rebind)
	}
	return db
}

// Open connects to the database named by rawURL: "postgres://..." or
// "postgresql://..." for PostgreSQL, "sqlite://path" or a bare path for SQLite.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	case strings.HasPrefix(rawURL, "sqlite://"):
		return openSQLite(ctx, strings.TrimPrefix(rawURL, "sqlite://"))
	case strings.Contains(rawURL, "://"):
		return nil, fmt.Errorf("unsupported database URL scheme in %q (want sqlite:// or postgres://)", redact(rawURL))
	default:
		return openSQLite(ctx, rawURL)
	}
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse postgres url: %w", err)
	}
	// pgx defaults to max(4, CPUs) connections, which queues a busy API
	// server behind a few round trips; pool_max_conns in the URL still wins.
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = 20
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping postgres: %w", err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	db := newDB(Postgres, sqlDB, sqlDB)
	db.Pool = pool
	return db, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("empty sqlite path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	// _txlock=immediate makes every transaction take the write lock up
	// front, so two read-then-write transactions cannot deadlock.
	pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_pragma=synchronous(NORMAL)"
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(ON)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite reader %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	db := newDB(SQLite, w, r)
	db.Path = path
	return db, nil
}

// Close releases every cached statement and connection.
func (db *DB) Close() error {
	err := db.writeStmts.close()
	if db.readStmts != db.writeStmts {
		err = errors.Join(err, db.readStmts.close())
	}
	err = errors.Join(err, db.W.Close())
	if db.R != db.W {
		err = errors.Join(err, db.R.Close())
	}
	if db.Pool != nil {
		db.Pool.Close()
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.R.PingContext(ctx)
}

// Rebind turns the "?" placeholders used throughout Quorum's SQL into the
// dialect's own ("$1", "$2", ... on PostgreSQL).
func (db *DB) Rebind(query string) string {
	return Rebind(db.Dialect, query)
}

// Tx runs fn in one write transaction, committing when fn returns nil.
// Afterwards it prepares the queries that fn ran through the Tx* helpers for
// the first time, so that later transactions reuse them.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer db.writeStmts.prepareWanted(ctx)
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err (or an error it wraps) is a unique
// or primary-key constraint failure, judged by the driver's error code:
// SQLite's extended result codes SQLITE_CONSTRAINT_UNIQUE and
// SQLITE_CONSTRAINT_PRIMARYKEY, PostgreSQL's SQLSTATE 23505.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

// Now returns the current time in UTC to the microsecond, the precision
// both databases keep, so that a time a service returns equals what a later
// read of it gives. Services use it as their clock.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
