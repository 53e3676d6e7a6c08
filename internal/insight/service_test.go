package insight_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/ai/offline"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/insight"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/transcript"
)

type fixture struct {
	svc      *insight.Service
	meetings *meeting.Service
	idx      *index.Service
	a, b     caller.Caller
	m        meeting.Meeting
}

// newFixture builds the service with no job workers: indexing runs inline
// through Reindex so the test controls when a meeting becomes searchable.
func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q, err := jobs.New(db, logger, jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	meetings := meeting.NewService(db, q, nil, nil)
	idx := index.NewService(db, meetings, logger)
	ids := identity.NewService(db, false)
	orgA, err := ids.CreateOrg(ctx, "A")
	require.NoError(t, err)
	orgB, err := ids.CreateOrg(ctx, "B")
	require.NoError(t, err)
	f := fixture{meetings: meetings, idx: idx,
		svc: insight.NewService(insight.Config{DB: db, Queue: q, Meetings: meetings, Index: idx, Engine: offline.Engine{}, Model: "offline", Logger: logger}),
		a:   caller.Caller{Credential: caller.CloudToken, OrgID: orgA.ID, UserRef: "ann@a.test"},
		b:   caller.Caller{Credential: caller.CloudToken, OrgID: orgB.ID, UserRef: "bob@b.test"}}
	f.m, err = meetings.Create(ctx, f.a, meeting.New{Title: "Launch", RoomName: "ops", Segments: []transcript.Segment{
		{Speaker: "Ann", Text: "We decided the launch moves to March."},
		{Speaker: "Raj", Text: "I will update the launch plan by Friday."},
		{Speaker: "Ann", Text: "Do we need a new press release?"},
	}})
	require.NoError(t, err)
	require.NoError(t, idx.Reindex(ctx, index.Args{OrgID: f.a.OrgID, Source: index.SourceTranscript, SourceID: f.m.ID}))
	return f
}

func TestSummaryAndSearch(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		sum, err := f.svc.Summary(ctx, f.a, f.m.UUID)
		require.NoError(t, err)
		require.NotEmpty(t, sum.Summary)
		require.NotEmpty(t, sum.ActionItems)

		hits, err := f.svc.Search(ctx, f.a, insight.SearchRequest{Query: "launch plan"})
		require.NoError(t, err)
		require.NotEmpty(t, hits)
		require.Equal(t, f.m.UUID, hits[0].MeetingID)

		res, err := f.svc.Ask(ctx, f.a, insight.AskRequest{Question: "When does the launch happen?"})
		require.NoError(t, err)
		require.NotEmpty(t, res.Sources)

		_, err = f.svc.Search(ctx, f.a, insight.SearchRequest{Query: " "})
		require.ErrorIs(t, err, fault.ErrInvalid)
		_, err = f.svc.Search(ctx, f.a, insight.SearchRequest{Query: "x", Limit: insight.MaxLimit + 1})
		require.ErrorIs(t, err, fault.ErrInvalid)
	})
}

// TestTenantIsolation: every method that takes a caller keeps to the
// caller's organization.
func TestTenantIsolation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)

		_, err := f.svc.Summary(ctx, f.b, f.m.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = f.svc.Search(ctx, f.b, insight.SearchRequest{Query: "launch", MeetingIDs: []string{f.m.UUID}})
		require.ErrorIs(t, err, fault.ErrNotFound)
		hits, err := f.svc.Search(ctx, f.b, insight.SearchRequest{Query: "launch plan"})
		require.NoError(t, err)
		require.Empty(t, hits, "an unscoped search never reaches another organization")
		hits, err = f.svc.Search(ctx, f.b, insight.SearchRequest{Query: "launch", RoomName: "ops"})
		require.NoError(t, err)
		require.Empty(t, hits)
		_, err = f.svc.Ask(ctx, f.b, insight.AskRequest{Question: "When is the launch?", MeetingIDs: []string{f.m.UUID}})
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = f.svc.AddDocument(ctx, f.b, f.m.UUID, "notes", "launch notes")
		require.ErrorIs(t, err, fault.ErrNotFound)

		_, err = f.svc.AddMood(ctx, f.a, "resp-1", []insight.MoodSample{{ParticipantID: "ann", Mood: "calm", Sentiment: 0.4}})
		require.NoError(t, err)
		_, err = f.svc.QueryResponse(ctx, f.b, "resp-1", "", "summary", "")
		require.ErrorIs(t, err, fault.ErrNotFound)
		got, err := f.svc.QueryResponse(ctx, f.a, "resp-1", "", "summary", "")
		require.NoError(t, err)
		require.NotEmpty(t, got.Content)
	})
}
