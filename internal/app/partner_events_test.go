package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

// TestPartnerCoreWebhooks: every change to meetings, participants, agenda
// items, action items and calendars reaches the app's webhook with the
// payload fields of the Partner catalogue.
func TestPartnerCoreWebhooks(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		h := newHook(t)
		w := e.workspace("ann@example.com")
		url := h.URL + "/hooks"
		_, err := e.client(client.WithAPIKey(w.f.apiKey, w.f.app.ClientID)).UpdateApp(ctx, client.AppUpdate{WebhookURL: &url})
		require.NoError(t, err)
		ann := w.owner(t)

		m, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Launch", StartTime: "2031-01-01T10:00:00Z"})
		require.NoError(t, err)
		_, err = ann.UpdatePartnerMeeting(ctx, m.ID, client.MeetingUpdate{Title: ptr("Launch v2")})
		require.NoError(t, err)
		_, err = ann.UpdatePartnerMeeting(ctx, m.ID, client.MeetingUpdate{Status: ptr("completed")})
		require.NoError(t, err)
		p, err := ann.AddMeetingParticipant(ctx, m.ID, client.NewParticipant{Email: "gus@x.test", Name: "Gus", Role: "VIEWER"})
		require.NoError(t, err)
		require.NoError(t, ann.RemoveMeetingParticipant(ctx, m.ID, p.ID))
		it, err := ann.CreateAgendaItem(ctx, m.ID, client.AgendaItemFields{ItemType: ptr("DECISION"), Title: ptr("Price")})
		require.NoError(t, err)
		_, err = ann.UpdateAgendaItem(ctx, m.ID, it.ID, client.AgendaItemFields{Status: ptr("completed")})
		require.NoError(t, err)
		require.NoError(t, ann.DeleteAgendaItem(ctx, m.ID, it.ID))
		a, err := ann.CreatePartnerActionItem(ctx, client.NewPartnerActionItem{MeetingID: m.ID, Title: "Ship"})
		require.NoError(t, err)
		_, err = ann.UpdatePartnerActionItem(ctx, a.ID, client.ActionItemUpdate{IsCompleted: ptr(true)})
		require.NoError(t, err)
		_, err = ann.AddCalendarFeed(ctx, client.NewCalendarFeed{ICS: weeklyICS(time.Now().UTC(), "Sync")})
		require.NoError(t, err)

		types := []string{"meeting.created", "meeting.updated", "meeting.completed", "participant.added", "participant.removed",
			"agenda_item.created", "agenda_item.updated", "agenda_item.deleted", "action_item.created", "action_item.updated",
			"action_item.completed", "calendar_event.created"}
		waitUntil(t, 30*time.Second, "every event type", func() bool {
			for _, typ := range types {
				if len(h.ofType(typ)) == 0 {
					return false
				}
			}
			return len(h.ofType("calendar_event.created")) >= 6
		})
		data := func(typ string) map[string]any { return h.ofType(typ)[0].Envelope.Data }
		require.Equal(t, w.f.user.UUID, data("meeting.created")["created_by_user_id"])
		require.Equal(t, w.f.org.UUID, data("meeting.created")["workspace_id"])
		require.Equal(t, m.ID, data("meeting.completed")["meeting_id"])
		require.Equal(t, "Launch v2", data("meeting.completed")["title"])
		added := data("participant.added")["participants"].([]any)[0].(map[string]any)
		require.Equal(t, p.ID, added["participant_id"])
		require.Equal(t, "gus@x.test", added["guest_email"])
		require.Equal(t, p.ID, data("participant.removed")["participant_id"])
		require.Equal(t, "completed", data("agenda_item.updated")["status"])
		require.Equal(t, it.ID, data("agenda_item.deleted")["agenda_item_id"])
		require.Equal(t, true, data("action_item.updated")["is_completed"])
		require.Equal(t, w.f.user.UUID, data("action_item.completed")["completed_by_user_id"])
		cal := h.ofType("calendar_event.created")
		require.Equal(t, 6, len(cal), "one per occurrence")
		attendees := 0
		for _, d := range cal {
			attendees = max(attendees, int(d.Envelope.Data["attendee_count"].(float64)))
		}
		require.Equal(t, 3, attendees)
	}, "--allow-private-urls")
}
