package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

// TestAutomationsRunOnDomainEvents creates automations through the admin
// API and lets real changes trigger them: a Cloud import fires a phrase
// match on its transcript (an action item assigned to the automation, with
// automation.assignment.created at the app's webhook) and, once its summary
// is stored, a summary-ready automation's webhook call. Internal events
// never reach the app's webhook.
func TestAutomationsRunOnDomainEvents(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		appHook, calls := newHook(t), newHook(t)
		f, admin := webhookFixture(t, e, "auto@example.com", appHook)

		summary, err := admin.CreateAutomation(ctx, client.NewAutomation{Name: "Summaries to CRM", TriggerType: "meeting_summary_ready",
			Actions: []client.AutomationAction{{Type: "webhook", Config: map[string]any{"url": calls.URL + "/crm", "mapping": map[string]any{"a": 1.0}}}}})
		require.NoError(t, err)
		require.Equal(t, "active", summary.Status)
		require.True(t, summary.IsActive)
		require.Equal(t, map[string]any{"a": 1.0}, summary.Actions[0].Config["mapping"])
		match, err := admin.CreateAutomation(ctx, client.NewAutomation{Name: "Deck follow-ups", TriggerType: "action_item_match",
			Actions: []client.AutomationAction{
				{Type: "phrase_match", Config: map[string]any{"phrases": []any{"send the deck"}}},
				{Type: "assign_action_item", Config: map[string]any{"owner": "Priya"}},
			}})
		require.NoError(t, err)
		_, err = admin.CreateAutomation(ctx, client.NewAutomation{Name: "bad", TriggerType: "meeting_exploded",
			Actions: []client.AutomationAction{{Type: "webhook", Config: map[string]any{"url": calls.URL}}}})
		apiErr(t, err, http.StatusBadRequest, "validation_error")

		cloud := cloudClient(t, e, f, "end-user-1")
		m, err := cloud.ImportMeeting(ctx, client.NewMeeting{Title: "Sales sync", Segments: []client.Segment{
			{Speaker: "Ann", Text: "Thanks for joining the sales sync today."},
			{Speaker: "Raj", Text: "I will send the deck to Acme tomorrow morning."},
		}})
		require.NoError(t, err)

		waitUntil(t, 30*time.Second, "the summary automation's call", func() bool { return len(calls.deliveries()) > 0 })
		var call map[string]any
		require.NoError(t, json.Unmarshal(calls.deliveries()[0].Body, &call))
		require.Equal(t, summary.ID, call["automation_id"])
		require.Equal(t, "meeting_summary_ready", call["trigger_type"])
		require.Equal(t, m.ID, call["meeting_id"])
		require.Equal(t, f.org.UUID, call["workspace_id"])

		waitUntil(t, 30*time.Second, "automation.assignment.created", func() bool {
			return len(appHook.ofType("automation.assignment.created")) > 0
		})
		asg := appHook.ofType("automation.assignment.created")[0].Envelope.Data
		require.Equal(t, match.ID, asg["automation_id"])
		require.Equal(t, "Deck follow-ups", asg["automation_name"])
		require.Equal(t, m.ID, asg["meeting_id"])
		items, err := cloud.MeetingActionItems(ctx, m.ID)
		require.NoError(t, err)
		require.Len(t, items, 1)
		require.Equal(t, asg["action_item_id"], items[0].ID)
		require.Equal(t, "Priya", items[0].Owner)
		require.Contains(t, items[0].Title, "send the deck")
		for _, d := range appHook.deliveries() {
			require.False(t, strings.HasPrefix(d.Envelope.EventType, "internal."), "internal event delivered: %s", d.Envelope.EventType)
		}

		// status and is_active are one switch; the OpenAPI alias serves the
		// same automations.
		off := false
		got, err := admin.UpdateAutomation(ctx, match.ID, client.AutomationUpdate{IsActive: &off})
		require.NoError(t, err)
		require.Equal(t, "inactive", got.Status)
		require.False(t, got.IsActive)
		on := "active"
		_, err = admin.UpdateAutomation(ctx, match.ID, client.AutomationUpdate{Status: &on, IsActive: &off})
		apiErr(t, err, http.StatusBadRequest, "validation_error")
		resp, body := raw(t, "GET", e.srv.URL+"/v1/partner/admin/automation/"+match.ID, "", "", map[string]string{"X-API-Key": f.apiKey})
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Equal(t, "inactive", body["status"])
		list, err := admin.Automations(ctx, 0, 0)
		require.NoError(t, err)
		require.Equal(t, 2, list.Total)
		require.Equal(t, 50, list.Limit)
		n := 0
		for a, err := range admin.AllAutomations(ctx) {
			require.NoError(t, err)
			require.NotEmpty(t, a.ID)
			n++
		}
		require.Equal(t, 2, n)
		require.NoError(t, admin.DeleteAutomation(ctx, match.ID))
		_, err = admin.Automation(ctx, match.ID)
		apiErr(t, err, http.StatusNotFound, "not_found")
		_, err = admin.Automation(ctx, "nonexistent")
		apiErr(t, err, http.StatusNotFound, "not_found")
	}, "--allow-private-urls")
}

// TestRevokedConnectionEvent: revoking a connection delivers
// user.connection.revoked to the app's webhook, and the connection lists
// as revoked.
func TestRevokedConnectionEvent(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		h := newHook(t)
		f, admin := webhookFixture(t, e, "conn@example.com", h)
		c := e.client()
		_, err := c.ExchangeCode(ctx, f.app, login(t, c, f, client.AuthorizeParams{State: "s"}), "")
		require.NoError(t, err)
		p, err := admin.UserConnections(ctx, client.UserConnectionQuery{Status: "active"})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		conn := p.Items[0]
		require.Equal(t, f.user.UUID, conn.UserID)
		require.Equal(t, f.user.Email, conn.UserEmail)
		require.NotEmpty(t, conn.OAuthScopes)
		require.NotNil(t, conn.OAuthExpiresAt)
		got, err := admin.UserConnection(ctx, conn.ID)
		require.NoError(t, err)
		require.Equal(t, conn.ID, got.ID)

		require.NoError(t, admin.RevokeUserConnection(ctx, conn.ID))
		waitUntil(t, 20*time.Second, "user.connection.revoked", func() bool { return len(h.ofType("user.connection.revoked")) == 1 })
		d := h.ofType("user.connection.revoked")[0].Envelope.Data
		require.Equal(t, conn.ID, d["connection_id"])
		require.NotEmpty(t, d["revoked_at"])
		got, err = admin.UserConnection(ctx, conn.ID)
		require.NoError(t, err)
		require.Equal(t, "revoked", got.Status)
		p, err = admin.UserConnections(ctx, client.UserConnectionQuery{Status: "active"})
		require.NoError(t, err)
		require.Zero(t, p.Total)
		_, err = admin.UserConnections(ctx, client.UserConnectionQuery{Status: "sleeping"})
		apiErr(t, err, http.StatusBadRequest, "invalid_query_parameters")
		_, err = admin.UserConnection(ctx, "nonexistent")
		apiErr(t, err, http.StatusNotFound, "not_found")
	}, "--allow-private-urls")
}
