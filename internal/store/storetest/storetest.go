// Package storetest gives tests fresh, migrated databases on every backend
// that is available: SQLite always, PostgreSQL when QUORUM_TEST_POSTGRES_URL
// is set. Each PostgreSQL database gets its own name and is dropped when the
// test ends, so parallel runs never collide.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/quorumhq/quorum/internal/store"
)

// PostgresEnv names the variable holding an admin DSN for test databases.
const PostgresEnv = "QUORUM_TEST_POSTGRES_URL"

// OnlyPostgresEnv, when set to 1 together with PostgresEnv, skips the
// SQLite runs of Run and URLs: CI has already run them in a pass of its own.
const OnlyPostgresEnv = "QUORUM_TEST_ONLY_POSTGRES"

func withSQLite() bool {
	return os.Getenv(PostgresEnv) == "" || os.Getenv(OnlyPostgresEnv) != "1"
}

// Run calls fn once per available backend, as a subtest named after it,
// with a fresh migrated database.
func Run(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	if withSQLite() {
		t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	}
	if os.Getenv(PostgresEnv) == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// URLs returns a fresh database URL per available backend, unmigrated, for
// tests that start the whole server.
func URLs(t testing.TB) map[string]string {
	t.Helper()
	urls := map[string]string{}
	if withSQLite() {
		urls["sqlite"] = "sqlite://" + filepath.Join(t.TempDir(), "quorum.db")
	}
	if os.Getenv(PostgresEnv) != "" {
		urls["postgres"] = PostgresURL(t)
	}
	return urls
}

// SQLite opens a migrated SQLite database in the test's temp dir.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, "sqlite://"+filepath.Join(t.TempDir(), "quorum.db"))
}

// Postgres creates, migrates and (at cleanup) drops a PostgreSQL database.
// It skips the test when QUORUM_TEST_POSTGRES_URL is unset.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	if os.Getenv(PostgresEnv) == "" {
		t.Skip(PostgresEnv + " not set")
	}
	return open(t, PostgresURL(t))
}

// PostgresURL creates an empty database and returns its URL; it is dropped
// when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(PostgresEnv)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect %s: %v", PostgresEnv, err)
	}
	defer conn.Close(ctx)
	name := "quorum_test_" + randomSuffix()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Logf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

func open(t testing.TB, rawURL string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, rawURL)
	if err != nil {
		t.Fatalf("open %s: %v", rawURL, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%d_%s", time.Now().Unix(), hex.EncodeToString(b))
}
