package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

// TestPartnerTenantMatrix calls every Partner user route of meetings,
// participants, agenda items, the transcript export, action items and
// calendars that names a resource of one workspace with another
// workspace's token, and with no token: each must answer as if the
// resource did not exist (404) or refuse the caller (401); the lists show
// the intruder nothing.
func TestPartnerTenantMatrix(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workspace("owner@example.com")
		owner := w.owner(t)
		m, err := owner.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Secret plans"})
		require.NoError(t, err)
		p, err := owner.AddMeetingParticipant(ctx, m.ID, client.NewParticipant{Email: "g@x.test", Name: "G", Role: "VIEWER"})
		require.NoError(t, err)
		it, err := owner.CreateAgendaItem(ctx, m.ID, client.AgendaItemFields{ItemType: ptr("DECISION"), Title: ptr("Acquire")})
		require.NoError(t, err)
		a, err := owner.CreatePartnerActionItem(ctx, client.NewPartnerActionItem{MeetingID: m.ID, Title: "Sign"})
		require.NoError(t, err)
		feed, err := owner.AddCalendarFeed(ctx, client.NewCalendarFeed{ICS: weeklyICS(time.Now().UTC(), "Board")})
		require.NoError(t, err)
		evs, err := owner.CalendarEvents(ctx, client.CalendarQuery{})
		require.NoError(t, err)
		ev := evs.Items[0].ID
		_, err = owner.LinkCalendarEvent(ctx, m.ID, ev)
		require.NoError(t, err)

		iw := e.workspace("eve@example.com")
		intruder := userBearer(t, iw, iw.f.user)
		const base = "/v1/partner/user"
		id := m.ID
		calls := []struct{ method, path, body string }{
			{"GET", "/meetings/" + id, ""},
			{"PATCH", "/meetings/" + id, `{"title":"mine"}`},
			{"GET", "/meetings/" + id + "/transcript/export", ""},
			{"GET", "/meetings/" + id + "/participants", ""},
			{"POST", "/meetings/" + id + "/participants", `{"email":"e@x.test","name":"E","role":"EDITOR"}`},
			{"DELETE", "/meetings/" + id + "/participants/" + p.ID, ""},
			{"GET", "/meetings/" + id + "/agenda-items", ""},
			{"POST", "/meetings/" + id + "/agenda-items", `{"item_type":"DISCUSSION","title":"t"}`},
			{"PUT", "/meetings/" + id + "/agenda-items/" + it.ID, `{"title":"t"}`},
			{"DELETE", "/meetings/" + id + "/agenda-items/" + it.ID, ""},
			{"POST", "/action-items", `{"meeting_id":"` + id + `","title":"t"}`},
			{"GET", "/action-items/" + a.ID, ""},
			{"PUT", "/action-items/" + a.ID, `{"title":"t"}`},
			{"DELETE", "/action-items/" + a.ID, ""},
			{"GET", "/calendar/events/" + ev, ""},
			{"POST", "/calendar/events/" + ev + "/meeting", ""},
			{"POST", "/meetings/" + id + "/calendar/link", `{"calendar_event_id":"` + ev + `"}`},
			{"DELETE", "/meetings/" + id + "/calendar/unlink", ""},
			{"POST", "/calendar/feeds/" + feed.ID + "/refresh", ""},
			{"DELETE", "/calendar/feeds/" + feed.ID, ""},
		}
		for _, c := range calls {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				resp, body := raw(t, c.method, e.srv.URL+base+c.path, "application/json", c.body, map[string]string{"Authorization": "Bearer " + intruder})
				require.Equal(t, http.StatusNotFound, resp.StatusCode, "foreign caller: %v", body)
				resp, _ = raw(t, c.method, e.srv.URL+base+c.path, "application/json", c.body, nil)
				require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "anonymous caller")
			})
		}
		for _, path := range []string{"/meetings", "/action-items", "/calendar/events", "/calendar/feeds"} {
			resp, body := raw(t, "GET", e.srv.URL+base+path, "", "", map[string]string{"Authorization": "Bearer " + intruder})
			require.Equal(t, http.StatusOK, resp.StatusCode, path)
			require.Empty(t, body["items"], path)
			require.EqualValues(t, 0, body["total"], path)
			resp, _ = raw(t, "GET", e.srv.URL+base+path, "", "", nil)
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode, path)
		}
		for _, path := range []string{"/meetings", "/calendar/feeds"} {
			resp, _ := raw(t, "POST", e.srv.URL+base+path, "application/json", `{"title":"t"}`, nil)
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode, path)
		}

		// The owner's data is untouched.
		got, err := owner.PartnerMeeting(ctx, id)
		require.NoError(t, err)
		require.Equal(t, "Secret plans", got.Title)
		require.Equal(t, ev, *got.CalendarEventID)
		ps, err := owner.MeetingParticipants(ctx, id)
		require.NoError(t, err)
		require.Equal(t, 2, ps.Total)
		items, err := owner.AgendaItems(ctx, id)
		require.NoError(t, err)
		require.Equal(t, "Acquire", items.Items[0].Title)
		ai, err := owner.PartnerActionItem(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, "Sign", ai.Title)
		feeds, err := owner.CalendarFeeds(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, feeds.Total)
	})
}
