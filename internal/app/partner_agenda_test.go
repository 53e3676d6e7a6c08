package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/identity"
)

func TestPartnerParticipants(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workspace("ann@example.com")
		ann := w.owner(t)
		bob := w.member(t, "bob@example.com", identity.RoleMember)
		m, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Plan"})
		require.NoError(t, err)

		p, err := ann.AddMeetingParticipant(ctx, m.ID, client.NewParticipant{Email: "Bob@Example.com", Name: "Bob", Role: "EDITOR"})
		require.NoError(t, err)
		require.Equal(t, bob.UUID, *p.UserID, "a workspace member's email names the user")
		require.Equal(t, "bob@example.com", p.Email)
		guest, err := ann.AddMeetingParticipant(ctx, m.ID, client.NewParticipant{Email: "guest@elsewhere.test", Name: "Gus", Role: "VIEWER"})
		require.NoError(t, err)
		require.Nil(t, guest.UserID, "anyone else is a guest")
		// A user of another workspace is a guest here too.
		e.workspace("eve@example.com")
		eve, err := ann.AddMeetingParticipant(ctx, m.ID, client.NewParticipant{Email: "eve@example.com", Name: "Eve", Role: "VIEWER"})
		require.NoError(t, err)
		require.Nil(t, eve.UserID)

		_, err = ann.AddMeetingParticipant(ctx, m.ID, client.NewParticipant{Email: "guest@elsewhere.test", Name: "Gus again", Role: "EDITOR"})
		apiErr(t, err, 409, "resource_already_exists")
		for _, bad := range []client.NewParticipant{
			{Email: "not-an-email", Name: "x", Role: "VIEWER"},
			{Email: "x@y.test", Name: " ", Role: "VIEWER"},
			{Email: "x@y.test", Name: strings.Repeat("n", 256), Role: "VIEWER"},
			{Email: "x@y.test", Name: "x", Role: "OWNER"},
		} {
			_, err := ann.AddMeetingParticipant(ctx, m.ID, bad)
			apiErr(t, err, 400, "validation_error")
		}

		list, err := ann.MeetingParticipants(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, 4, list.Total)

		// Bob, now an editor, manages participants; a viewer does not.
		asBob := w.as(t, bob, "")
		require.NoError(t, asBob.RemoveMeetingParticipant(ctx, m.ID, eve.ID))
		asGuestViewer := w.as(t, w.member(t, "vera@example.com", identity.RoleMember), "")
		_, err = asGuestViewer.AddMeetingParticipant(ctx, m.ID, client.NewParticipant{Email: "v2@x.test", Name: "V", Role: "VIEWER"})
		apiErr(t, err, 403, "forbidden")
		err = asGuestViewer.RemoveMeetingParticipant(ctx, m.ID, guest.ID)
		apiErr(t, err, 403, "forbidden")

		err = ann.RemoveMeetingParticipant(ctx, m.ID, eve.ID)
		apiErr(t, err, 404, "not_found")
		err = ann.RemoveMeetingParticipant(ctx, m.ID, "nonexistent")
		apiErr(t, err, 404, "not_found")
		other := e.workspace("oz@example.com").owner(t)
		_, err = other.MeetingParticipants(ctx, m.ID)
		apiErr(t, err, 404, "not_found")
		_, err = other.AddMeetingParticipant(ctx, m.ID, client.NewParticipant{Email: "oz@x.test", Name: "Oz", Role: "EDITOR"})
		apiErr(t, err, 404, "not_found")
		err = other.RemoveMeetingParticipant(ctx, m.ID, guest.ID)
		apiErr(t, err, 404, "not_found")
		_, err = w.as(t, w.f.user, "openid meetings:read").AddMeetingParticipant(ctx, m.ID,
			client.NewParticipant{Email: "s@x.test", Name: "S", Role: "VIEWER"})
		apiErr(t, err, 403, "insufficient_scope")
	})
}

func TestPartnerAgenda(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workspace("ann@example.com")
		ann := w.owner(t)
		m, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Plan"})
		require.NoError(t, err)
		bob := w.member(t, "bob@example.com", identity.RoleMember)
		_, err = ann.AddMeetingParticipant(ctx, m.ID, client.NewParticipant{Email: bob.Email, Name: "Bob", Role: "VIEWER"})
		require.NoError(t, err)
		cal := w.member(t, "cal@example.com", identity.RoleMember)
		_, err = ann.AddMeetingParticipant(ctx, m.ID, client.NewParticipant{Email: cal.Email, Name: "Cal", Role: "EDITOR"})
		require.NoError(t, err)

		first, err := ann.CreateAgendaItem(ctx, m.ID, client.AgendaItemFields{ItemType: ptr("DISCUSSION"), Title: ptr("Roadmap"),
			TimeAllocationMinutes: ptr(15.5), Presenters: []string{bob.UUID}, TalkingPoints: ptr("ask about Q3")})
		require.NoError(t, err)
		require.Equal(t, "1", first.Sequence)
		require.Equal(t, "pending", first.Status)
		require.Equal(t, 15.5, first.TimeAllocationMinutes)
		require.Equal(t, []string{bob.UUID}, first.Presenters)
		require.Equal(t, "ask about Q3", *first.TalkingPoints)
		secret, err := ann.CreateAgendaItem(ctx, m.ID, client.AgendaItemFields{ItemType: ptr("DECISION"), Title: ptr("Salaries"),
			RestrictedToLeads: ptr(true)})
		require.NoError(t, err)
		require.Equal(t, "2", secret.Sequence)

		// Restricted items are hidden from viewers; talking points from
		// everyone but their author.
		asBob, asCal := w.as(t, bob, ""), w.as(t, cal, "")
		items, err := asBob.AgendaItems(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, 1, items.Total)
		require.Equal(t, first.ID, items.Items[0].ID)
		require.Nil(t, items.Items[0].TalkingPoints)
		items, err = asCal.AgendaItems(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, 2, items.Total)
		require.Nil(t, items.Items[0].TalkingPoints)
		up, err := asCal.UpdateAgendaItem(ctx, m.ID, first.ID, client.AgendaItemFields{Status: ptr("in_progress"), TalkingPoints: ptr("cal's own")})
		require.NoError(t, err)
		require.Equal(t, "in_progress", up.Status)
		require.Equal(t, "Roadmap", up.Title, "PUT is partial")
		require.Equal(t, "cal's own", *up.TalkingPoints)
		items, err = ann.AgendaItems(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, "ask about Q3", *items.Items[0].TalkingPoints, "each author keeps their own")

		for _, tt := range []struct {
			f    client.AgendaItemFields
			code string
		}{
			{client.AgendaItemFields{Title: ptr("no type")}, "validation_error"},
			{client.AgendaItemFields{ItemType: ptr("DISCUSSION")}, "validation_error"},
			{client.AgendaItemFields{ItemType: ptr("PARTY"), Title: ptr("t")}, "validation_error"},
			{client.AgendaItemFields{ItemType: ptr("DISCUSSION"), Title: ptr(strings.Repeat("t", 256))}, "validation_error"},
			{client.AgendaItemFields{ItemType: ptr("DISCUSSION"), Title: ptr("t"), TimeAllocationMinutes: ptr(1441.0)}, "validation_error"},
			{client.AgendaItemFields{ItemType: ptr("DISCUSSION"), Title: ptr("t"), TimeAllocationMinutes: ptr(-1.0)}, "validation_error"},
			{client.AgendaItemFields{ItemType: ptr("DISCUSSION"), Title: ptr("t"), Description: ptr(strings.Repeat("d", 5001))}, "validation_error"},
			{client.AgendaItemFields{ItemType: ptr("DISCUSSION"), Title: ptr("t"), TalkingPoints: ptr(strings.Repeat("p", 10001))}, "validation_error"},
		} {
			_, err := ann.CreateAgendaItem(ctx, m.ID, tt.f)
			apiErr(t, err, 400, tt.code)
		}
		_, err = ann.UpdateAgendaItem(ctx, m.ID, first.ID, client.AgendaItemFields{Status: ptr("done")})
		apiErr(t, err, 400, "invalid_status")

		// Viewers and other workspaces may not write; unknown ids are 404.
		_, err = asBob.CreateAgendaItem(ctx, m.ID, client.AgendaItemFields{ItemType: ptr("DISCUSSION"), Title: ptr("t")})
		apiErr(t, err, 403, "forbidden")
		_, err = asBob.UpdateAgendaItem(ctx, m.ID, first.ID, client.AgendaItemFields{Title: ptr("t")})
		apiErr(t, err, 403, "forbidden")
		apiErr(t, asBob.DeleteAgendaItem(ctx, m.ID, first.ID), 403, "forbidden")
		other := e.workspace("oz@example.com").owner(t)
		_, err = other.AgendaItems(ctx, m.ID)
		apiErr(t, err, 404, "not_found")
		_, err = other.UpdateAgendaItem(ctx, m.ID, first.ID, client.AgendaItemFields{Title: ptr("t")})
		apiErr(t, err, 404, "not_found")
		apiErr(t, other.DeleteAgendaItem(ctx, m.ID, first.ID), 404, "not_found")
		_, err = ann.UpdateAgendaItem(ctx, m.ID, "nonexistent", client.AgendaItemFields{Title: ptr("t")})
		apiErr(t, err, 404, "not_found")

		require.NoError(t, ann.DeleteAgendaItem(ctx, m.ID, secret.ID))
		apiErr(t, ann.DeleteAgendaItem(ctx, m.ID, secret.ID), 404, "not_found")
		items, err = ann.AgendaItems(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, 1, items.Total)
	})
}
