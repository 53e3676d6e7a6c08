package index_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/search"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/transcript"
)

// fixture is an index service over a migrated database, with the meeting
// service it reads and one organization.
type fixture struct {
	db       *store.DB
	queue    *jobs.Queue
	meetings *meeting.Service
	svc      *index.Service
	org      identity.Org
	logger   *slog.Logger
}

func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q, err := jobs.New(db, logger, jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	meetings := meeting.NewService(db, q, nil, nil)
	org, err := identity.NewService(db, false).CreateOrg(ctx, "Acme")
	require.NoError(t, err)
	return fixture{db: db, queue: q, meetings: meetings, svc: index.NewService(db, meetings, logger), org: org, logger: logger}
}

// TestReplicasConverge runs two index services on one database, as two
// replicas would: what one indexes, the other finds, and replacements and
// removals reach both.
func TestReplicasConverge(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		meetings, org := f.meetings, f.org
		a, b := f.svc, index.NewService(db, meetings, f.logger)
		other, err := identity.NewService(db, false).CreateOrg(ctx, "Other")
		require.NoError(t, err)

		m, err := meetings.Create(ctx, caller.ForSystem(org.ID), meeting.New{Title: "Budget", Segments: []transcript.Segment{
			{Speaker: "Ann", Text: "The hardware budget doubles next quarter."},
			{Speaker: "Bob", Text: "Then we can buy the wireless microphones."},
		}})
		require.NoError(t, err)
		args := index.Args{OrgID: org.ID, Source: index.SourceTranscript, SourceID: m.ID}
		require.NoError(t, a.Reindex(ctx, args))

		hits, err := b.Search(ctx, index.Query{OrgID: org.ID, Text: "wireless microphones"})
		require.NoError(t, err)
		require.NotEmpty(t, hits)
		require.Equal(t, m.UUID, hits[0].MeetingID)
		require.True(t, hits[0].SegmentStart <= 1 && hits[0].SegmentEnd >= 1, "the hit must cover Bob's turn: %+v", hits[0].Chunk)

		hits, err = b.Search(ctx, index.Query{OrgID: other.ID, Text: "wireless microphones"})
		require.NoError(t, err)
		require.Empty(t, hits, "another organization must not see the meeting")

		_, err = meetings.ReplaceTranscript(ctx, caller.ForSystem(org.ID), m.UUID, []transcript.Segment{{Speaker: "Cy", Text: "We cancelled the microphone order."}})
		require.NoError(t, err)
		require.NoError(t, b.Reindex(ctx, args))
		hits, err = a.Search(ctx, index.Query{OrgID: org.ID, Text: "wireless"})
		require.NoError(t, err)
		for _, h := range hits {
			require.NotContains(t, h.Text, "wireless", "replaced text must disappear from every replica")
		}
		hits, err = a.Search(ctx, index.Query{OrgID: org.ID, Text: "microphone order"})
		require.NoError(t, err)
		require.NotEmpty(t, hits)
		require.Equal(t, "Cy", hits[0].Speaker)
	})
}

// TestReindexRepeatable runs the index job of one transcript again and
// again, and many times at once, as a rescue after a crash or a timeout may:
// the stored chunks are those of a single run, and a run that read a
// replaced transcript leaves the newer chunks alone.
func TestReindexRepeatable(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		meetings, svc, org := f.meetings, f.svc, f.org

		var segs []transcript.Segment
		for i := range 300 {
			segs = append(segs, transcript.Segment{Speaker: "Ann", Text: fmt.Sprintf("Turn %d covers the quarterly hardware budget and the microphones.", i)})
		}
		m, err := meetings.Create(ctx, caller.ForSystem(org.ID), meeting.New{Title: "Budget", Segments: segs})
		require.NoError(t, err)
		args := index.Args{OrgID: org.ID, Source: index.SourceTranscript, SourceID: m.ID}
		require.NoError(t, svc.Reindex(ctx, args))
		once := chunkRows(t, db, m.ID)
		require.Equal(t, 1, once.groups)
		require.Greater(t, once.chunks, 1)

		require.NoError(t, svc.Reindex(ctx, args))
		require.Equal(t, once, chunkRows(t, db, m.ID), "a second run must replace the chunks, not add to them")

		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() { assert.NoError(t, svc.Reindex(ctx, args)) })
		}
		wg.Wait()
		require.Equal(t, once, chunkRows(t, db, m.ID), "concurrent runs must leave the chunks of one run")

		// A run that read version 1 of a transcript, now replaced by
		// version 2, must not write: the change queued a job of its own.
		stale := index.NewService(db, meetings, f.logger)
		_, err = meetings.ReplaceTranscript(ctx, caller.ForSystem(org.ID), m.UUID, []transcript.Segment{{Speaker: "Cy", Text: "We cancelled the microphone order."}})
		require.NoError(t, err)
		require.NoError(t, svc.Reindex(ctx, args))
		replaced := chunkRows(t, db, m.ID)
		require.Equal(t, chunkCount{groups: 1, chunks: 1}, replaced)
		require.NoError(t, index.ReindexRead(ctx, stale, args, segs, 1))
		require.Equal(t, replaced, chunkRows(t, db, m.ID), "a run that read a replaced transcript must write nothing")
	})
}

type chunkCount struct{ groups, chunks int }

// chunkRows counts a transcript's stored groups and their chunks, and
// checks that the organization's statistics add up.
func chunkRows(t *testing.T, db *store.DB, meetingID int64) chunkCount {
	t.Helper()
	var c chunkCount
	var orgID int64
	err := db.R.QueryRowContext(context.Background(), db.Rebind(`SELECT COUNT(*), COALESCE(SUM(chunks), 0), COALESCE(MAX(org_id), 0) FROM search_groups
		WHERE source = 'transcript' AND source_id = ?`), meetingID).Scan(&c.groups, &c.chunks, &orgID)
	require.NoError(t, err)
	if orgID != 0 {
		requireConsistent(t, db, orgID)
	}
	return c
}

// requireConsistent recomputes an organization's index statistics and
// postings from its stored groups and compares them with the stored ones.
func requireConsistent(t *testing.T, db *store.DB, orgID int64) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.R.QueryContext(ctx, db.Rebind(`SELECT body FROM search_groups WHERE org_id = ?`), orgID)
	require.NoError(t, err)
	var groups, chunks, terms int64
	want := map[string][2]int64{}
	postings := 0
	for rows.Next() {
		var body []byte
		require.NoError(t, rows.Scan(&body))
		g, err := search.DecodeGroup(body)
		require.NoError(t, err)
		groups++
		chunks += int64(g.Len())
		terms += int64(g.Terms())
		g.EachTerm(func(term string, _, n int) {
			w := want[term]
			want[term] = [2]int64{w[0] + 1, w[1] + int64(n)}
			postings++
		})
	}
	require.NoError(t, rows.Err())
	rows.Close()

	var st [3]int64
	err = db.R.QueryRowContext(ctx, db.Rebind(`SELECT n_groups, n_chunks, n_terms FROM search_stats WHERE org_id = ?`), orgID).Scan(&st[0], &st[1], &st[2])
	require.NoError(t, err)
	require.Equal(t, [3]int64{groups, chunks, terms}, st, "organization totals")

	got := map[string][2]int64{}
	rows, err = db.R.QueryContext(ctx, db.Rebind(`SELECT term, n_groups, n_chunks FROM search_terms WHERE org_id = ? AND n_groups <> 0`), orgID)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var term string
		var n [2]int64
		require.NoError(t, rows.Scan(&term, &n[0], &n[1]))
		got[term] = n
	}
	require.NoError(t, rows.Err())
	require.Equal(t, want, got, "term statistics")

	var stored int
	require.NoError(t, db.R.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM search_postings WHERE org_id = ?`), orgID).Scan(&stored))
	require.Equal(t, postings, stored, "postings")
}

// TestStatisticsFollowSources indexes transcripts and documents of one
// organization concurrently, replaces and removes some, and checks after
// each step that the stored statistics and postings are exactly those of
// the groups stored; a search scoped to a document's meeting finds it, and
// the removed document's text is no longer found.
func TestStatisticsFollowSources(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		meetings, svc, org := f.meetings, f.svc, f.org
		sys := caller.ForSystem(org.ID)

		var sources []index.Args
		var first meeting.Meeting
		for i := range 6 {
			m, err := meetings.Create(ctx, sys, meeting.New{Title: "Standup", Segments: []transcript.Segment{
				{Speaker: "Ann", Text: fmt.Sprintf("Item %d: the hardware budget for the wireless microphones.", i)},
				{Speaker: "Bob", Text: fmt.Sprintf("Sprint %d review moves to Friday.", i)},
			}})
			require.NoError(t, err)
			if i == 0 {
				first = m
			}
			sources = append(sources, index.Args{OrgID: org.ID, Source: index.SourceTranscript, SourceID: m.ID})
		}
		var docID int64
		err := db.W.QueryRowContext(ctx, db.Rebind(`INSERT INTO documents (uuid, org_id, meeting_id, title, content, created_at, updated_at)
			VALUES ('doc-1', ?, ?, 'Plan', 'The zephyr checklist covers microphones and cables.', ?, ?) RETURNING id`),
			org.ID, first.ID, time.Now(), time.Now()).Scan(&docID)
		require.NoError(t, err)
		doc := index.Args{OrgID: org.ID, Source: index.SourceDocument, SourceID: docID}
		sources = append(sources, doc)

		var wg sync.WaitGroup
		for _, a := range sources {
			wg.Go(func() { assert.NoError(t, svc.Reindex(ctx, a)) })
		}
		wg.Wait()
		requireConsistent(t, db, org.ID)
		hits, err := svc.Search(ctx, index.Query{OrgID: org.ID, Text: "zephyr checklist", MeetingUUIDs: []string{first.UUID}})
		require.NoError(t, err)
		require.NotEmpty(t, hits)
		require.Equal(t, "doc-1", hits[0].DocumentID)
		require.Equal(t, first.UUID, hits[0].MeetingID)

		_, err = meetings.ReplaceTranscript(ctx, sys, first.UUID, []transcript.Segment{{Speaker: "Cy", Text: "Cancelled."}})
		require.NoError(t, err)
		_, err = db.W.ExecContext(ctx, db.Rebind(`DELETE FROM documents WHERE id = ?`), docID)
		require.NoError(t, err)
		for _, a := range []index.Args{sources[0], doc} {
			wg.Go(func() { assert.NoError(t, svc.Reindex(ctx, a)) })
		}
		wg.Wait()
		requireConsistent(t, db, org.ID)
		hits, err = svc.Search(ctx, index.Query{OrgID: org.ID, Text: "zephyr checklist"})
		require.NoError(t, err)
		require.Empty(t, hits, "a removed document must not be found")
	})
}

// TestPendingSourcesAreQueued: the sources the migration listed in
// search_pending are handed to the index job, in batches, and the list
// empties.
func TestPendingSourcesAreQueued(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		svc, org, q := f.svc, f.org, f.queue
		const n = 1234 // more than one batch
		for i := range n {
			_, err := db.W.ExecContext(ctx, db.Rebind(`INSERT INTO search_pending (org_id, source, source_id) VALUES (?, 'transcript', ?)`), org.ID, i+1)
			require.NoError(t, err)
		}
		require.NoError(t, (&index.PendingWorker{Service: svc, Queue: q}).Work(ctx, nil))
		var pending, queued int
		require.NoError(t, db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_pending`).Scan(&pending))
		require.NoError(t, db.R.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(DISTINCT args) FROM river_job WHERE kind = ?`), index.Args{}.Kind()).Scan(&queued))
		require.Zero(t, pending)
		require.Equal(t, n, queued)
	})
}
