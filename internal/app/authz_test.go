package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

// TestTenantIsolationMatrix calls every Cloud endpoint that names a
// meeting, run or response of one organization with another
// organization's token, and with no token: each must answer as if the
// resource did not exist (404) or refuse the caller (401).
func TestTenantIsolationMatrix(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		owner := cloudClient(t, e, e.fixture("owner@example.com"), "owner@example.com")
		m, err := owner.ImportMeeting(ctx, client.NewMeeting{Title: "Secret plans", Segments: []client.Segment{
			{Speaker: "Ann", Text: "The acquisition closes in May."},
		}})
		require.NoError(t, err)
		waitForHits(t, owner, "", client.SearchRequest{Query: "acquisition", MeetingIDs: []string{m.ID}})
		run, err := owner.AskAgent(ctx, m.ID, "When does the acquisition close?")
		require.NoError(t, err)
		_, err = owner.PushMood(ctx, "resp-secret", []client.MoodSample{{ParticipantID: "ann", Mood: "calm", Sentiment: 0.2}})
		require.NoError(t, err)

		_, err = owner.SendMessage(ctx, "war-room", "The acquisition closes in May.", "")
		require.NoError(t, err)
		require.NoError(t, owner.Heartbeat(ctx))
		_, err = owner.PutProfile(ctx, "p-owner", map[string]any{"team": "m&a"})
		require.NoError(t, err)
		_, err = owner.AdvertiseRoom(ctx, client.ActiveRoom{Name: "war-room", TargetUserIDs: []string{"owner@example.com"}})
		require.NoError(t, err)

		tok, err := e.client().CreateCloudToken(ctx, e.fixture("intruder@example.com").cloudKey, "intruder@example.com")
		require.NoError(t, err)
		id := m.ID
		calls := []struct {
			method, path, body string
		}{
			{"GET", "/cloud/v1/meetings/" + id, ""},
			{"POST", "/cloud/v1/meetings/" + id + "/transcript", "Eve: overwritten"},
			{"GET", "/cloud/v1/meetings/" + id + "/summary", ""},
			{"POST", "/cloud/v1/meetings/" + id + "/agent", `{"message":"When does the acquisition close?"}`},
			{"GET", "/cloud/v1/meetings/" + id + "/agent/runs/" + run.ID, ""},
			{"GET", "/cloud/v1/meetings/" + id + "/action-items", ""},
			{"POST", "/cloud/v1/search", `{"query":"acquisition","meetingIds":["` + id + `"]}`},
			{"POST", "/cloud/v1/search/transcriptions", `{"query":"acquisition","meetingIds":["` + id + `"]}`},
			{"POST", "/cloud/v1/ask", `{"question":"When does the acquisition close?","meetingIds":["` + id + `"]}`},
			{"POST", "/cloud/v1/documents", `{"title":"t","content":"c","meetingId":"` + id + `"}`},
			{"POST", "/cloud/v1/responses/resp-secret/query", `{}`},
			{"PATCH", "/cloud/v1/active-rooms/war-room", `{"ownerDisplayName":"Eve"}`},
			{"DELETE", "/cloud/v1/active-rooms/war-room", ""},
			{"GET", "/cloud/v1/profiles/p-owner", ""},
			{"POST", "/cloud/v1/presence/relationships", `{"profileId":"p-owner","userField":"team","callerField":"team"}`},
		}
		for _, c := range calls {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				ctype := "application/json"
				if strings.HasSuffix(c.path, "/transcript") {
					ctype = "text/plain"
				}
				resp, body := raw(t, c.method, e.srv.URL+c.path, ctype, c.body, map[string]string{"Authorization": "Bearer " + tok.CloudToken})
				require.Equal(t, http.StatusNotFound, resp.StatusCode, "foreign caller: %v", body)
				resp, _ = raw(t, c.method, e.srv.URL+c.path, ctype, c.body, nil)
				require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "anonymous caller")
			})
		}
		// Searching everything never reaches across organizations either.
		resp, body := raw(t, "POST", e.srv.URL+"/cloud/v1/search", "application/json", `{"query":"acquisition closes May"}`,
			map[string]string{"Authorization": "Bearer " + tok.CloudToken})
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Empty(t, body["results"])

		// Listing shows only the caller's own meetings.
		resp, body = raw(t, "GET", e.srv.URL+"/cloud/v1/meetings", "", "", map[string]string{"Authorization": "Bearer " + tok.CloudToken})
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Empty(t, body["meetings"])

		// Nor do the real-time lists: rooms are per organization, so the
		// same room name is another room.
		bearer := map[string]string{"Authorization": "Bearer " + tok.CloudToken}
		for path, field := range map[string]string{
			"/cloud/v1/rooms/war-room/messages": "messages",
			"/cloud/v1/conversations":           "conversations",
			"/cloud/v1/active-rooms":            "rooms",
			"/cloud/v1/presence/online":         "userIds",
		} {
			resp, body = raw(t, "GET", e.srv.URL+path, "", "", bearer)
			require.Equal(t, http.StatusOK, resp.StatusCode, path)
			require.Empty(t, body[field], path)
			resp, _ = raw(t, "GET", e.srv.URL+path, "", "", nil)
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode, path)
		}

		// And the owner's data is untouched.
		got, err := owner.Meeting(ctx, id)
		require.NoError(t, err)
		require.Equal(t, 1, got.SegmentCount)
		rooms, err := owner.ActiveRooms(ctx, "")
		require.NoError(t, err)
		require.Len(t, rooms, 1)
		require.Empty(t, rooms[0].OwnerDisplayName)
	})
}
