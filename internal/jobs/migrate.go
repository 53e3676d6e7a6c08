package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/quorumhq/quorum/internal/store"
)

// migrateLockKey is the PostgreSQL advisory lock taken while River's schema
// is migrated, so replicas starting together apply it once, one at a time.
// The value is arbitrary but fixed: "quorumjb" in ASCII.
const migrateLockKey int64 = 0x71756f72756d6a62

// Migrate applies River's own migrations (its job, leader and queue tables)
// to db. It is safe to run on every start and from several replicas at once.
func Migrate(ctx context.Context, db *store.DB) error {
	switch db.Dialect {
	case store.Postgres:
		m, err := rivermigrate.New(riverpgxv5.New(db.Pool), &rivermigrate.Config{Logger: quietLogger()})
		if err != nil {
			return fmt.Errorf("river migrator: %w", err)
		}
		// River's migrations cannot share one transaction (one adds an enum
		// value that the next uses), so replicas starting together are
		// serialized by a session advisory lock on a connection of its own:
		// the second waits, then finds nothing left to do.
		conn, err := db.Pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("acquire connection: %w", err)
		}
		defer conn.Release()
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
			return fmt.Errorf("lock river migrations: %w", err)
		}
		defer func() {
			// Unlock even when ctx is done; a failed unlock ends with the
			// connection, which pgx discards on error.
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if _, err := conn.Exec(uctx, "SELECT pg_advisory_unlock($1)", migrateLockKey); err != nil {
				_ = conn.Conn().Close(uctx)
			}
		}()
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("apply river migrations: %w", err)
		}
		return nil
	case store.SQLite:
		// SQLite has a single writer connection, so concurrent runs queue up
		// on it and need no extra lock.
		m, err := rivermigrate.New(riversqlite.New(db.W), &rivermigrate.Config{Logger: quietLogger()})
		if err != nil {
			return fmt.Errorf("river migrator: %w", err)
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("apply river migrations: %w", err)
		}
		return nil
	default:
		return fmt.Errorf("jobs: unsupported dialect %q", db.Dialect)
	}
}

// Pending reports how many of River's migrations are not applied yet; a
// readiness check should fail while it is above zero.
func Pending(ctx context.Context, db *store.DB) (int, error) {
	var (
		all, applied int
		err          error
	)
	switch db.Dialect {
	case store.Postgres:
		all, applied, err = counts(ctx, riverpgxv5.New(db.Pool))
	case store.SQLite:
		all, applied, err = counts(ctx, riversqlite.New(db.W))
	default:
		return 0, fmt.Errorf("jobs: unsupported dialect %q", db.Dialect)
	}
	if err != nil {
		return 0, fmt.Errorf("river migration status: %w", err)
	}
	return all - applied, nil
}

// counts returns how many migrations River ships and how many of them the
// database has; it is generic because the driver's transaction type differs.
func counts[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) (all, applied int, err error) {
	m, err := rivermigrate.New[TTx](driver, &rivermigrate.Config{Logger: quietLogger()})
	if err != nil {
		return 0, 0, err
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return 0, 0, err
	}
	return len(m.AllVersions()), len(existing), nil
}

// quietLogger drops River's informational migrator output: a readiness probe
// runs often and has nothing worth logging when it succeeds.
func quietLogger() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}
