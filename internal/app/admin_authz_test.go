package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

// TestAdminTenantMatrix calls every Partner admin route with app B's key
// on app A's resources: each id of A answers 404, each list shows nothing
// of A, each change B makes to itself leaves A as it was; and every route
// refuses a request without a key.
func TestAdminTenantMatrix(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		h := newHook(t)
		a, adminA := webhookFixture(t, e, "alpha@example.com", h)
		b := e.fixture("beta@example.com")
		keyB := map[string]string{"X-API-Key": b.apiKey}

		// App A's resources: a delivery, an automation, a connection, a
		// rollback token.
		e.systemMeeting(t, a, "Alpha board meeting")
		waitUntil(t, 20*time.Second, "a delivery to app A", func() bool { return len(h.deliveries()) > 0 })
		deliveries, err := adminA.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{})
		require.NoError(t, err)
		require.NotEmpty(t, deliveries.Deliveries)
		deliveryID := deliveries.Deliveries[0].ID
		auto, err := adminA.CreateAutomation(ctx, client.NewAutomation{Name: "Alpha's", TriggerType: "action_item_created",
			Actions: []client.AutomationAction{{Type: "webhook", Config: map[string]any{"url": h.URL + "/auto"}}}})
		require.NoError(t, err)
		c := e.client()
		tok, err := c.ExchangeCode(ctx, a.app, login(t, c, a, client.AuthorizeParams{State: "s"}), "")
		require.NoError(t, err)
		conns, err := adminA.UserConnections(ctx, client.UserConnectionQuery{})
		require.NoError(t, err)
		require.Equal(t, 1, conns.Total)
		connID := conns.Items[0].ID
		rot, err := adminA.RotateClientSecret(ctx, client.CredentialRotationRequest{ConfirmationToken: "x"})
		require.NoError(t, err)
		before, err := adminA.App(ctx)
		require.NoError(t, err)

		foreign := []struct{ method, path, body string }{
			{"GET", "/webhook-deliveries/" + deliveryID, ""},
			{"POST", "/webhook-deliveries/" + deliveryID + "/retry", ""},
			{"GET", "/automations/" + auto.ID, ""},
			{"PUT", "/automations/" + auto.ID, `{"name":"stolen","is_active":false}`},
			{"DELETE", "/automations/" + auto.ID, ""},
			{"GET", "/automation/" + auto.ID, ""},
			{"PUT", "/automation/" + auto.ID, `{"name":"stolen"}`},
			{"DELETE", "/automation/" + auto.ID, ""},
			{"GET", "/connections/" + connID, ""},
			{"DELETE", "/connections/" + connID, ""},
		}
		for _, call := range foreign {
			t.Run("foreign "+call.method+" "+call.path, func(t *testing.T) {
				resp, body := raw(t, call.method, e.srv.URL+"/v1/partner/admin"+call.path, "application/json", call.body, keyB)
				require.Equal(t, http.StatusNotFound, resp.StatusCode, "%v", body)
			})
		}
		resp, _ := raw(t, "POST", e.srv.URL+"/v1/partner/admin/credentials/client-secret/rollback", "application/json",
			`{"rollback_token":"`+rot.RollbackToken+`"}`, keyB)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "another app's rollback token is no token")

		// Lists and self-scoped calls reach only B's own data.
		lists := []struct{ path, field string }{
			{"/webhook-deliveries", "deliveries"}, {"/automations", "items"}, {"/automation", "items"},
			{"/connections", "items"}, {"/credentials/history", "events"},
		}
		for _, l := range lists {
			resp, body := raw(t, "GET", e.srv.URL+"/v1/partner/admin"+l.path, "", "", keyB)
			require.Equal(t, http.StatusOK, resp.StatusCode, l.path)
			require.Empty(t, body[l.field], "%s shows another app's rows", l.path)
		}
		self := []struct{ method, path, body string }{
			{"GET", "/app", ""},
			{"PUT", "/app", `{"name":"Beta renamed","description":"beta"}`},
			{"PUT", "/app/status", `{"status":"active"}`},
			{"PUT", "/app/webhook-status", `{"enabled":false}`},
			{"PUT", "/webhook-status", `{"enabled":false}`},
			{"PUT", "/app/webhook-filter", `{"type":"include","events":["meeting.created"]}`},
			{"PUT", "/webhook-filter", `{"type":"include","events":["meeting.created"]}`},
			{"DELETE", "/app/webhook-filter", ""},
			{"DELETE", "/webhook-filter", ""},
			{"POST", "/automations", `{"name":"Beta's","trigger_type":"meeting_ended","actions":[{"type":"assign_action_item"}]}`},
			{"POST", "/automation", `{"name":"Beta's too","trigger_type":"meeting_ended","actions":[{"type":"assign_action_item"}]}`},
			{"GET", "/credentials", ""},
			{"POST", "/credentials/webhook-secret/rotate", `{"confirmation_token":"x"}`},
			{"POST", "/credentials/client-secret/rotate", `{"confirmation_token":"x"}`},
			{"POST", "/credentials/api-key/rotate", `{"confirmation_token":"x","grace_period_hours":1}`},
		}
		for _, call := range self {
			resp, body := raw(t, call.method, e.srv.URL+"/v1/partner/admin"+call.path, "application/json", call.body, keyB)
			require.Less(t, resp.StatusCode, 300, "%s %s: %v", call.method, call.path, body)
			if id, ok := body["id"].(string); ok && call.path == "/app" {
				require.NotEqual(t, before.ID, id)
			}
		}

		// App A is as it was: its settings, automation, connection, token,
		// client secrets and key.
		after, err := adminA.App(ctx)
		require.NoError(t, err)
		require.Equal(t, before, after)
		got, err := adminA.Automation(ctx, auto.ID)
		require.NoError(t, err)
		require.Equal(t, "Alpha's", got.Name)
		require.Equal(t, "active", got.Status)
		conn, err := adminA.UserConnection(ctx, connID)
		require.NoError(t, err)
		require.Equal(t, "active", conn.Status)
		_, err = c.With(client.WithBearer(tok.AccessToken)).Profile(ctx)
		require.NoError(t, err)
		_, err = c.ClientCredentials(ctx, a.app, "")
		require.NoError(t, err, "app A's old client secret is in its grace period")
		hist, err := adminA.CredentialHistory(ctx, client.CredentialHistoryQuery{})
		require.NoError(t, err)
		require.Len(t, hist.Events, 1)

		// No key, no access; a rotated-away or foreign client id neither.
		routes := append(append([]struct{ method, path, body string }{}, foreign...), self...)
		routes = append(routes, struct{ method, path, body string }{"GET", "/credentials/history", ""},
			struct{ method, path, body string }{"POST", "/credentials/api-key/rollback", `{"rollback_token":"x"}`},
			struct{ method, path, body string }{"POST", "/credentials/client-secret/rollback", `{"rollback_token":"x"}`})
		for _, l := range lists {
			routes = append(routes, struct{ method, path, body string }{"GET", l.path, ""})
		}

		// Every admin operation the server serves is in this matrix, in
		// TestToolkitTenantMatrix for toolkits, templates and workflows, or in
		// TestSSOAdminTenantMatrix for the identity provider.
		covered := map[string]bool{}
		for _, r := range routes {
			covered[r.method+" "+templated(r.path, auto.ID, connID, deliveryID)] = true
		}
		for path, item := range e.app.Server().OpenAPI().Paths {
			rel, ok := strings.CutPrefix(path, "/v1/partner/admin")
			if !ok || strings.HasPrefix(rel, "/toolkits") || strings.HasPrefix(rel, "/templates") ||
				strings.HasPrefix(rel, "/workflow-templates") || rel == "/workspaces" || strings.HasPrefix(rel, "/idp") {
				continue
			}
			for method, op := range map[string]any{"GET": item.Get, "PUT": item.Put, "POST": item.Post, "DELETE": item.Delete, "PATCH": item.Patch} {
				if op != (*huma.Operation)(nil) && op != nil {
					require.True(t, covered[method+" "+rel], "%s %s is not in the admin tenant matrix", method, rel)
				}
			}
		}
		for _, call := range routes {
			resp, _ := raw(t, call.method, e.srv.URL+"/v1/partner/admin"+call.path, "application/json", call.body, nil)
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%s %s without a key", call.method, call.path)
			resp, _ = raw(t, call.method, e.srv.URL+"/v1/partner/admin"+call.path, "application/json", call.body,
				map[string]string{"X-API-Key": a.apiKey, "X-Client-ID": b.app.ClientID})
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%s %s with another app's client id", call.method, call.path)
		}
	}, "--allow-private-urls")
}

// templated turns the concrete ids of a path back into the OpenAPI path
// parameters.
func templated(path, automationID, connectionID, deliveryID string) string {
	return strings.NewReplacer(automationID, "{automationId}", connectionID, "{connectionId}", deliveryID, "{deliveryId}").Replace(path)
}
