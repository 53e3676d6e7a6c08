package store_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// TestSearchIndexMigrationQueuesSources: the migration that moved the
// search index into the database lists every source indexed before it
// (transcripts with segments, documents) in search_pending, for the index
// job to rebuild in the background.
func TestSearchIndexMigrationQueuesSources(t *testing.T) {
	for name := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			url := sqliteURL(t)
			if name == "postgres" {
				url = storetest.PostgresURL(t) // a fresh, unmigrated database
			}
			db := migrated(t, url, before(t, store.Migrations(), "00017"))
			now := time.Now()
			var org, withText, empty, doc int64
			require.NoError(t, db.W.QueryRowContext(ctx, db.Rebind(`INSERT INTO organizations (uuid, name, created_at) VALUES ('o', 'Acme', ?) RETURNING id`), now).Scan(&org))
			for _, m := range []struct {
				id       *int64
				segments int
			}{{&withText, 3}, {&empty, 0}} {
				require.NoError(t, db.W.QueryRowContext(ctx, db.Rebind(`INSERT INTO meetings (uuid, org_id, title, segment_count, created_at, updated_at)
					VALUES (?, ?, 'Standup', ?, ?, ?) RETURNING id`), strings.Repeat("m", m.segments+1), org, m.segments, now, now).Scan(m.id))
			}
			require.NoError(t, db.W.QueryRowContext(ctx, db.Rebind(`INSERT INTO documents (uuid, org_id, meeting_id, title, content, created_at, updated_at)
				VALUES ('d', ?, ?, 'Plan', 'Budget.', ?, ?) RETURNING id`), org, withText, now, now).Scan(&doc))

			require.NoError(t, db.Migrate(ctx))
			rows, err := db.R.QueryContext(ctx, `SELECT org_id, source, source_id FROM search_pending ORDER BY source`)
			require.NoError(t, err)
			defer rows.Close()
			var got [][3]any
			for rows.Next() {
				var o, id int64
				var source string
				require.NoError(t, rows.Scan(&o, &source, &id))
				got = append(got, [3]any{o, source, id})
			}
			require.NoError(t, rows.Err())
			require.Equal(t, [][3]any{{org, "document", doc}, {org, "transcript", withText}}, got)
		})
	}
}

// before returns the migration sources older than version.
func before(t *testing.T, src fs.FS, version string) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	names, err := fs.Glob(src, "*.sql")
	require.NoError(t, err)
	for _, name := range names {
		if name < version {
			data, err := fs.ReadFile(src, name)
			require.NoError(t, err)
			out[name] = &fstest.MapFile{Data: data}
		}
	}
	return out
}
