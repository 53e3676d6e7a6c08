package store_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// TestSchemasAgree migrates a fresh SQLite and a fresh PostgreSQL database
// and fails on any difference between their schemas.
func TestSchemasAgree(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skip(storetest.PostgresEnv + " not set")
	}
	lite := inspect(t, storetest.SQLite(t))
	pg := inspect(t, storetest.Postgres(t))
	require.Contains(t, lite.Tables, "meetings")
	if diff := storetest.DiffSchemas(lite, pg); len(diff) > 0 {
		t.Errorf("the SQLite and PostgreSQL schemas differ:\n%s", strings.Join(diff, "\n"))
	}
}

// TestDriftIsDetected shows that a migration changed for one dialect alone
// fails the comparison: an override adds a column on SQLite only.
func TestDriftIsDetected(t *testing.T) {
	shared := withFiles(t, store.Migrations(), map[string]string{
		"00099_drift.sql": "-- +goose Up\nALTER TABLE meetings ADD COLUMN drift_probe TEXT;\n",
	})
	drifted := withFiles(t, shared, map[string]string{
		"00099_drift.sqlite.sql": "-- +goose Up\nALTER TABLE meetings ADD COLUMN drift_probe TEXT;\nALTER TABLE meetings ADD COLUMN drift_extra TEXT;\n",
	})
	want := []string{"table meetings: column drift_extra only in sqlite"}

	t.Run("sqlite with and without the override", func(t *testing.T) {
		got := storetest.DiffSchemas(
			inspect(t, migrated(t, sqliteURL(t), drifted)),
			renamed(inspect(t, migrated(t, sqliteURL(t), shared)), "sqlite without override"))
		require.Equal(t, want, got)
	})
	t.Run("sqlite against postgres", func(t *testing.T) {
		if os.Getenv(storetest.PostgresEnv) == "" {
			t.Skip(storetest.PostgresEnv + " not set")
		}
		got := storetest.DiffSchemas(
			inspect(t, migrated(t, sqliteURL(t), drifted)),
			inspect(t, migrated(t, storetest.PostgresURL(t), drifted)))
		require.Equal(t, want, got)
	})
}

// TestMeetingCounts checks that migration 00004 backfills segment_count and
// that it can be rolled back and applied again.
func TestMeetingCounts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := provider(t, db)
		_, err := p.DownTo(ctx, 3)
		require.NoError(t, err)

		_, err = db.W.ExecContext(ctx, db.Rebind(`INSERT INTO organizations (uuid, name, created_at) VALUES ('o', 'O', CURRENT_TIMESTAMP)`))
		require.NoError(t, err)
		_, err = db.W.ExecContext(ctx, db.Rebind(`INSERT INTO meetings (uuid, org_id, title, created_at, updated_at)
			SELECT m.uuid, o.id, 'M', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM organizations o, (SELECT 'a' AS uuid UNION ALL SELECT 'b') m`))
		require.NoError(t, err)
		_, err = db.W.ExecContext(ctx, db.Rebind(`INSERT INTO transcript_segments (meeting_id, position, speaker, text)
			SELECT id, p.n, 'S', 'T' FROM meetings, (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) p WHERE uuid = 'a'`))
		require.NoError(t, err)

		_, err = p.Up(ctx)
		require.NoError(t, err)
		counts := map[string]int{}
		rows, err := db.R.QueryContext(ctx, `SELECT uuid, segment_count FROM meetings`)
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var uuid string
			var n int
			require.NoError(t, rows.Scan(&uuid, &n))
			counts[uuid] = n
		}
		require.NoError(t, rows.Err())
		require.Equal(t, map[string]int{"a": 3, "b": 0}, counts)

		_, err = p.DownTo(ctx, 3)
		require.NoError(t, err)
		_, err = db.R.ExecContext(ctx, `SELECT segment_count FROM meetings`)
		require.Error(t, err, "segment_count survived the down migration")
		_, err = p.Up(ctx)
		require.NoError(t, err)
	})
}

func inspect(t *testing.T, db *store.DB) storetest.Schema {
	t.Helper()
	s, err := storetest.Inspect(context.Background(), db)
	require.NoError(t, err)
	return s
}

func renamed(s storetest.Schema, name string) storetest.Schema {
	s.Name = name
	return s
}

func sqliteURL(t *testing.T) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "quorum.db")
}

// migrated opens the database at rawURL and applies the migrations in src.
func migrated(t *testing.T, rawURL string, src fs.FS) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, rawURL)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, db.MigrateFrom(ctx, src))
	return db
}

// withFiles copies the migration sources in base and adds files.
func withFiles(t *testing.T, base fs.FS, files map[string]string) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	names, err := fs.Glob(base, "*")
	require.NoError(t, err)
	for _, name := range names {
		data, err := fs.ReadFile(base, name)
		require.NoError(t, err)
		out[name] = &fstest.MapFile{Data: data}
	}
	for name, body := range files {
		out[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return out
}

func provider(t *testing.T, db *store.DB) *goose.Provider {
	t.Helper()
	fsys, err := store.MigrationsFor(db.Dialect, store.Migrations())
	require.NoError(t, err)
	dialect := goose.DialectSQLite3
	if db.Dialect == store.Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, db.W, fsys, goose.WithDisableGlobalRegistry(true))
	require.NoError(t, err)
	return p
}
