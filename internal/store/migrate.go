package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var embedded embed.FS

// Migrations returns Quorum's migration sources: each migration once, in
// PostgreSQL types, plus the per-dialect overrides described in the package
// comment.
func Migrations() fs.FS {
	sub, err := fs.Sub(embedded, "migrations")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}

// MigrationsFor returns the files goose applies on dialect d, built from the
// sources in src: for each migration, its override for d when there is one,
// else the shared file, mapped to SQLite types on SQLite. Files that are not
// migrations (such as a README) are ignored; an override without a shared
// file of the same name, or for an unknown dialect, is an error.
func MigrationsFor(d Dialect, src fs.FS) (fs.FS, error) {
	names, err := fs.Glob(src, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	shared := map[string]bool{}
	overrides := map[string]string{} // base name -> override file for d
	for _, name := range names {
		base, dialect, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), ".")
		switch {
		case !ok:
			shared[base] = true
		case dialect != string(SQLite) && dialect != string(Postgres):
			return nil, fmt.Errorf("migration %s: unknown dialect %q (want %s or %s)", name, dialect, SQLite, Postgres)
		case dialect == string(d):
			overrides[base] = name
		}
	}
	// Every dialect's overrides are checked, so a stray file fails on both.
	for _, name := range names {
		if base, _, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "."); ok && !shared[base] {
			return nil, fmt.Errorf("migration override %s has no shared %s.sql beside it", name, base)
		}
	}
	out := fstest.MapFS{}
	for base := range shared {
		name, mapped := base+".sql", d == SQLite
		if o, ok := overrides[base]; ok {
			// An override is written in its dialect's own SQL.
			name, mapped = o, false
		}
		body, err := fs.ReadFile(src, name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		text := string(body)
		if mapped {
			text = toSQLite(text)
		}
		out[base+".sql"] = &fstest.MapFile{Data: []byte(text), Mode: 0o444}
	}
	return out, nil
}

func (db *DB) provider(src fs.FS) (*goose.Provider, error) {
	fsys, err := MigrationsFor(db.Dialect, src)
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	return goose.NewProvider(dialect, db.W, fsys, goose.WithDisableGlobalRegistry(true))
}

// Migrate applies every pending schema migration.
func (db *DB) Migrate(ctx context.Context) error {
	return db.MigrateFrom(ctx, Migrations())
}

// MigrateFrom applies the pending migrations found in src, laid out like
// Migrations(), instead of Quorum's own; tests use it to try a changed
// migration set.
func (db *DB) MigrateFrom(ctx context.Context, src fs.FS) error {
	p, err := db.provider(src)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// Pending reports how many migrations have not been applied yet.
func (db *DB) Pending(ctx context.Context) (int, error) {
	p, err := db.provider(Migrations())
	if err != nil {
		return 0, fmt.Errorf("load migrations: %w", err)
	}
	statuses, err := p.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration status: %w", err)
	}
	n := 0
	for _, s := range statuses {
		if s.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}
