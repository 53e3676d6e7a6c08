package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/transcript"
)

// TestSearchExplain: explain reports the words, the candidates and the
// ranked groups of a search across meetings and of one scoped to a
// meeting, and finds the turn that answers it.
func TestSearchExplain(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	org, err := quorum(t, dir, "admin", "org", "create", "--name", "Acme", "--json")
	require.NoError(t, err)
	orgID := int64(org["id"].(float64))

	cfg, _, err := config.Load([]string{"--data-dir", dir}, nil, io.Discard)
	require.NoError(t, err)
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	var ids []string
	for _, text := range []string{"The wireless microphones arrive on Friday.", "Lunch moves to noon on Fridays."} {
		m, err := a.Meetings.Create(ctx, caller.ForSystem(orgID), meeting.New{Title: "Standup",
			Segments: []transcript.Segment{{Speaker: "Ann", Text: "Good morning."}, {Speaker: "Bob", Text: text}}})
		require.NoError(t, err)
		require.NoError(t, a.Index.Reindex(ctx, index.Args{OrgID: orgID, Source: index.SourceTranscript, SourceID: m.ID}))
		ids = append(ids, m.UUID)
	}
	require.NoError(t, a.Close(ctx))

	out, err := quorum(t, dir, "search", "explain", "--org", org["uuid"].(string), "--query", "the wireless microphones", "--runs", "2", "--json")
	require.NoError(t, err)
	require.Equal(t, []any{"wireless", "microphon"}, out["words"])
	require.EqualValues(t, 1, out["candidates"], "only one meeting holds the words")
	require.EqualValues(t, 1, out["cached_groups"], "the second run finds the group decoded")
	hits := out["hits"].([]any)
	require.NotEmpty(t, hits)
	require.Equal(t, ids[0], hits[0].(map[string]any)["meeting_id"])

	out, err = quorum(t, dir, "search", "explain", "--org", org["uuid"].(string), "--query", "lunch", "--meeting", ids[1], "--json")
	require.NoError(t, err)
	require.EqualValues(t, 0, out["candidates"], "a scoped search reads no postings")
	require.EqualValues(t, 1, out["groups"])

	_, err = quorum(t, dir, "search", "explain", "--org", org["uuid"].(string))
	require.ErrorContains(t, err, "--query is required")
	_, err = quorum(t, dir, "search", "explain", "--org", org["uuid"].(string), "--query", "lunch", "--source", "email")
	require.ErrorContains(t, err, "--source")
}
