package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/identity"
)

func TestPartnerActionItems(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		w := e.workspace("ann@example.com")
		ann := w.owner(t)
		m1, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "One"})
		require.NoError(t, err)
		m2, err := ann.CreatePartnerMeeting(ctx, client.NewPartnerMeeting{Title: "Two"})
		require.NoError(t, err)

		a, err := ann.CreatePartnerActionItem(ctx, client.NewPartnerActionItem{MeetingID: m1.ID, Title: "Write the brief",
			DueDate: "2026-04-01T17:00:00-07:00", PartnerContext: map[string]any{"crm_id": "deal-7"}})
		require.NoError(t, err)
		require.Equal(t, "needs_review", a.Status)
		require.False(t, a.IsCompleted)
		require.Equal(t, "2026-04-01", *a.DueDate, "a date-time keeps its date")
		require.True(t, a.HasPartnerAssignment)
		require.Equal(t, "deal-7", a.PartnerContext["crm_id"])
		b, err := ann.CreatePartnerActionItem(ctx, client.NewPartnerActionItem{MeetingID: m2.ID, Title: "Ship", Status: "completed"})
		require.NoError(t, err)
		require.True(t, b.IsCompleted)
		require.NotNil(t, b.CompletedAt)

		// status, is_completed and completed_at move together.
		up, err := ann.UpdatePartnerActionItem(ctx, a.ID, client.ActionItemUpdate{IsCompleted: ptr(true)})
		require.NoError(t, err)
		require.Equal(t, "completed", up.Status)
		require.NotNil(t, up.CompletedAt)
		require.Equal(t, "Write the brief", up.Title, "PUT is partial")
		up, err = ann.UpdatePartnerActionItem(ctx, a.ID, client.ActionItemUpdate{Status: ptr("blocked")})
		require.NoError(t, err)
		require.False(t, up.IsCompleted)
		require.Nil(t, up.CompletedAt)
		up, err = ann.UpdatePartnerActionItem(ctx, b.ID, client.ActionItemUpdate{IsCompleted: ptr(false)})
		require.NoError(t, err)
		require.Equal(t, "in_progress", up.Status)
		_, err = ann.UpdatePartnerActionItem(ctx, a.ID, client.ActionItemUpdate{Status: ptr("accepted"), IsCompleted: ptr(true)})
		apiErr(t, err, 400, "invalid_request")
		up, err = ann.UpdatePartnerActionItem(ctx, b.ID, client.ActionItemUpdate{Status: ptr("completed"), DueDate: ptr("2026-05-02")})
		require.NoError(t, err)
		require.True(t, up.IsCompleted)
		require.Equal(t, "2026-05-02", *up.DueDate)

		// A partner context belongs to the app that stored it.
		otherApp := w.otherApp(t)
		seen, err := otherApp.PartnerActionItem(ctx, a.ID)
		require.NoError(t, err)
		require.False(t, seen.HasPartnerAssignment)
		require.Nil(t, seen.PartnerContext)
		_, err = otherApp.UpdatePartnerActionItem(ctx, a.ID, client.ActionItemUpdate{PartnerContext: map[string]any{"ticket": 42.0}})
		require.NoError(t, err)
		mine, err := ann.PartnerActionItem(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, map[string]any{"crm_id": "deal-7"}, mine.PartnerContext)

		// Every filter of the list.
		count := func(q client.ActionItemQuery) int {
			t.Helper()
			p, err := ann.PartnerActionItems(ctx, q)
			require.NoError(t, err)
			require.Len(t, p.Items, p.Total)
			return p.Total
		}
		require.Equal(t, 2, count(client.ActionItemQuery{}))
		require.Equal(t, 1, count(client.ActionItemQuery{MeetingID: m1.ID}))
		require.Equal(t, 0, count(client.ActionItemQuery{MeetingID: "nonexistent"}))
		require.Equal(t, 1, count(client.ActionItemQuery{IsCompleted: ptr(true)}))
		require.Equal(t, 1, count(client.ActionItemQuery{IsCompleted: ptr(false)}))
		require.Equal(t, 1, count(client.ActionItemQuery{HasPartnerAssignment: ptr(true)}))
		require.Equal(t, 1, count(client.ActionItemQuery{HasPartnerAssignment: ptr(false)}))
		require.Equal(t, 2, count(client.ActionItemQuery{StartDate: "2000-01-01", EndDate: "2999-12-31T00:00:00Z"}))
		require.Equal(t, 0, count(client.ActionItemQuery{EndDate: "2000-01-01"}))
		p, err := otherApp.PartnerActionItems(ctx, client.ActionItemQuery{HasPartnerAssignment: ptr(true)})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		require.Equal(t, 42.0, p.Items[0].PartnerContext["ticket"])

		for _, q := range []struct {
			q    client.ActionItemQuery
			code string
		}{
			{client.ActionItemQuery{StartDate: "soon"}, "invalid_start_date"},
			{client.ActionItemQuery{EndDate: "2026-02-30"}, "invalid_end_date"},
		} {
			_, err := ann.PartnerActionItems(ctx, q.q)
			apiErr(t, err, 400, q.code)
		}
		resp, body := raw(t, "GET", e.srv.URL+"/v1/partner/user/action-items?is_completed=maybe", "", "",
			map[string]string{"Authorization": "Bearer " + userBearer(t, w, w.f.user)})
		require.Equal(t, 400, resp.StatusCode)
		require.Equal(t, "invalid_query_parameters", body["code"])

		for _, tt := range []struct {
			in   client.NewPartnerActionItem
			code string
		}{
			{client.NewPartnerActionItem{MeetingID: m1.ID, Title: ""}, "validation_error"},
			{client.NewPartnerActionItem{MeetingID: m1.ID, Title: strings.Repeat("t", 1001)}, "validation_error"},
			{client.NewPartnerActionItem{MeetingID: m1.ID, Title: "t", DueDate: "next week"}, "invalid_due_date"},
			{client.NewPartnerActionItem{MeetingID: m1.ID, Title: "t", Status: "pending"}, "invalid_status"},
		} {
			_, err := ann.CreatePartnerActionItem(ctx, tt.in)
			apiErr(t, err, 400, tt.code)
		}
		_, err = ann.UpdatePartnerActionItem(ctx, a.ID, client.ActionItemUpdate{DueDate: ptr("31/12/2026")})
		apiErr(t, err, 400, "invalid_due_date")
		_, err = ann.UpdatePartnerActionItem(ctx, a.ID, client.ActionItemUpdate{Status: ptr("done")})
		apiErr(t, err, 400, "invalid_status")
		_, err = ann.CreatePartnerActionItem(ctx, client.NewPartnerActionItem{MeetingID: m1.ID, Title: "t",
			PartnerContext: map[string]any{"blob": strings.Repeat("x", 17<<10)}})
		apiErr(t, err, 413, "payload_too_large")

		// Unknown and foreign ids; viewers; scopes; app tokens.
		theirs := e.workspace("eve@example.com").owner(t)
		for _, id := range []string{"nonexistent", b.ID} {
			_, err := theirs.PartnerActionItem(ctx, id)
			apiErr(t, err, 404, "not_found")
			_, err = theirs.UpdatePartnerActionItem(ctx, id, client.ActionItemUpdate{Title: ptr("x")})
			apiErr(t, err, 404, "not_found")
			apiErr(t, theirs.DeletePartnerActionItem(ctx, id), 404, "not_found")
		}
		_, err = theirs.CreatePartnerActionItem(ctx, client.NewPartnerActionItem{MeetingID: m1.ID, Title: "sneak"})
		apiErr(t, err, 404, "not_found")
		tp, err := theirs.PartnerActionItems(ctx, client.ActionItemQuery{})
		require.NoError(t, err)
		require.Zero(t, tp.Total)
		viewer := w.as(t, w.member(t, "vic@example.com", identity.RoleMember), "")
		_, err = viewer.PartnerActionItem(ctx, a.ID)
		require.NoError(t, err)
		_, err = viewer.CreatePartnerActionItem(ctx, client.NewPartnerActionItem{MeetingID: m1.ID, Title: "t"})
		apiErr(t, err, 403, "forbidden")
		_, err = viewer.UpdatePartnerActionItem(ctx, a.ID, client.ActionItemUpdate{Title: ptr("t")})
		apiErr(t, err, 403, "forbidden")
		apiErr(t, viewer.DeletePartnerActionItem(ctx, a.ID), 403, "forbidden")
		meetingsOnly := w.as(t, w.f.user, "openid profile meetings:read meetings:write")
		_, err = meetingsOnly.PartnerActionItems(ctx, client.ActionItemQuery{})
		apiErr(t, err, 403, "insufficient_scope")
		_, err = w.as(t, w.f.user, "action-items:read").CreatePartnerActionItem(ctx, client.NewPartnerActionItem{MeetingID: m1.ID, Title: "t"})
		apiErr(t, err, 403, "insufficient_scope")
		_, err = w.appClient(t).CreatePartnerActionItem(ctx, client.NewPartnerActionItem{MeetingID: m1.ID, Title: "t"})
		apiErr(t, err, 403, "forbidden")

		require.NoError(t, ann.DeletePartnerActionItem(ctx, b.ID))
		_, err = ann.PartnerActionItem(ctx, b.ID)
		apiErr(t, err, 404, "not_found")

		// The Cloud surface and the agent write the same rows.
		cloud := cloudClient(t, e, w.f, "ann@example.com")
		run, err := cloud.AskAgent(ctx, m1.ID, "Create an action item: Raj will update the docs by Friday")
		require.NoError(t, err)
		require.NotEmpty(t, run.ID)
		all, err := ann.PartnerActionItems(ctx, client.ActionItemQuery{MeetingID: m1.ID})
		require.NoError(t, err)
		cloudItems, err := cloud.MeetingActionItems(ctx, m1.ID)
		require.NoError(t, err)
		require.Equal(t, len(cloudItems), all.Total)
	})
}

// otherApp is a second app linked to the workspace, acting for its first
// user.
func (w workspace) otherApp(t *testing.T) *client.Client {
	t.Helper()
	ctx := context.Background()
	a, _, err := w.e.app.Identities.CreateApp(ctx, identity.NewApp{OrgID: w.f.org.ID, Name: "Second app",
		RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
	require.NoError(t, err)
	tok, err := w.e.app.OAuth.IssueForUser(ctx, a, w.f.user, coreScopes)
	require.NoError(t, err)
	return w.e.client(client.WithBearer(tok.AccessToken))
}
