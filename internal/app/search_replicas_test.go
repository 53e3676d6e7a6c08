package app_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

// TestSearchAcrossReplicas runs two servers on one database: right after a
// meeting imported on either is indexed, both return the same hits for the
// same queries, across all meetings and scoped to one. Neither replica
// holds index state of its own, so there is nothing to catch up on.
func TestSearchAcrossReplicas(t *testing.T) {
	for dbName, dbURL := range sharedDBURLs(t) {
		t.Run(dbName, func(t *testing.T) {
			ctx := context.Background()
			a, b := newEnv(t, dbURL), newEnv(t, dbURL)
			f := a.fixture("ann@example.com")
			tok, err := a.client().CreateCloudToken(ctx, f.cloudKey, "ann@example.com")
			require.NoError(t, err)
			onA, onB := a.client(client.WithBearer(tok.CloudToken)), b.client(client.WithBearer(tok.CloudToken))
			segs, queries := qmsumMeeting(t)
			rotated := append(append([]client.Segment{}, segs[len(segs)/2:]...), segs[:len(segs)/2]...)

			same := func(meetingIDs ...string) {
				t.Helper()
				for _, q := range queries {
					r := client.SearchRequest{Query: q.query, MeetingIDs: meetingIDs, Limit: 10}
					fromA, err := onA.Search(ctx, "", r)
					require.NoError(t, err)
					fromB, err := onB.Search(ctx, "", r)
					require.NoError(t, err)
					require.NotEmpty(t, fromA, q.query)
					require.Equal(t, fromA, fromB, "replicas disagree on %q", q.query)
				}
			}
			// The probe is the first two turns: a meeting is
			// searchable once its own job has committed.
			probe := client.SearchRequest{Query: segs[0].Text + " " + segs[1].Text, Limit: 1}

			first, err := onA.ImportMeeting(ctx, client.NewMeeting{Title: "On A", Segments: segs})
			require.NoError(t, err)
			probe.MeetingIDs = []string{first.ID}
			waitForHits(t, onA, "transcriptions", probe)
			same()
			same(first.ID)

			second, err := onB.ImportMeeting(ctx, client.NewMeeting{Title: "On B", Segments: rotated})
			require.NoError(t, err)
			probe.MeetingIDs = []string{second.ID}
			waitForHits(t, onB, "transcriptions", probe)
			same()
			same(second.ID)
			same(first.ID, second.ID)
		})
	}
}
