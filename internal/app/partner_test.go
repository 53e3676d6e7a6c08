package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

func userToken(t *testing.T, e *env, f fixture, scope string) string {
	t.Helper()
	c := e.client()
	tok, err := c.ExchangeCode(context.Background(), f.app, login(t, c, f, client.AuthorizeParams{Scope: scope, State: "t"}), "")
	require.NoError(t, err)
	return tok.AccessToken
}

func TestScopeEnforcement(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		f := e.fixture("hal@example.com")
		_, err := e.client(client.WithBearer(userToken(t, e, f, "openid meetings:read"))).Profile(context.Background())
		ce := apiErr(t, err, 403, "insufficient_scope")
		require.Equal(t, "profile", ce.Body["required_scope"])
		require.NotEmpty(t, ce.RequestID)
	})
	t.Run("off", func(t *testing.T) {
		e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db", "--enforce-scopes=false")
		f := e.fixture("ida@example.com")
		_, err := e.client(client.WithBearer(userToken(t, e, f, "openid"))).Profile(context.Background())
		require.NoError(t, err)
	})
}

func TestAdminApp(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("jo@example.com")
		other := e.fixture("kim@example.com")
		admin := e.client(client.WithAPIKey(f.apiKey, ""))

		a, err := admin.App(ctx)
		require.NoError(t, err)
		require.Equal(t, f.app.ClientID, a.ClientID)
		require.Nil(t, a.WebhookFilter)

		desc, hook := "Our notes app", "https://hooks.example.com/quorum"
		a, err = admin.UpdateApp(ctx, client.AppUpdate{Description: &desc, WebhookURL: &hook})
		require.NoError(t, err)
		require.Equal(t, desc, a.Description)
		require.Equal(t, hook, *a.WebhookURL)

		a, err = admin.UpdateWebhookStatus(ctx, false)
		require.NoError(t, err)
		require.False(t, a.WebhookEnabled)
		a, err = admin.SetWebhookFilter(ctx, client.WebhookFilter{Type: "include", Events: []string{"meeting.created"}})
		require.NoError(t, err)
		require.Equal(t, []string{"meeting.created"}, a.WebhookFilter.Events)
		_, err = admin.SetWebhookFilter(ctx, client.WebhookFilter{Type: "include", Events: []string{"meeting.exploded"}})
		ce := apiErr(t, err, 400, "validation_error")
		require.Contains(t, ce.Body["valid_event_types"], "meeting.created")
		a, err = admin.RemoveWebhookFilter(ctx)
		require.NoError(t, err)
		require.Nil(t, a.WebhookFilter)
		_, err = admin.UpdateAppStatus(ctx, "paused")
		apiErr(t, err, 400, "invalid_status") // the domain rule, not a struct tag, answers

		// Keys are per app, and X-Client-ID must agree with the key.
		_, err = e.client(client.WithAPIKey("qak_wrong", "")).App(ctx)
		apiErr(t, err, 401, "unauthorized")
		_, err = e.client(client.WithAPIKey(f.apiKey, other.app.ClientID)).App(ctx)
		apiErr(t, err, 401, "unauthorized")
		b, err := e.client(client.WithAPIKey(other.apiKey, other.app.ClientID)).App(ctx)
		require.NoError(t, err)
		require.Equal(t, other.app.ClientID, b.ClientID)
		require.Empty(t, b.Description, "one app's update must not touch another")
	})
}

func TestIdempotencyKeyReplays(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("lee@example.com")
		name1, name2 := "First", "Second"
		keyed := e.client(client.WithAPIKey(f.apiKey, ""), client.WithHeader("Idempotency-Key", "rename-1"))

		a, err := keyed.UpdateApp(ctx, client.AppUpdate{Name: &name1})
		require.NoError(t, err)
		require.Equal(t, name1, a.Name)
		// The same key with the same request replays the stored answer.
		again, err := keyed.UpdateApp(ctx, client.AppUpdate{Name: &name1})
		require.NoError(t, err)
		require.Equal(t, a.UpdatedAt, again.UpdatedAt)
		// The same key with a different request is refused.
		_, err = keyed.UpdateApp(ctx, client.AppUpdate{Name: &name2})
		apiErr(t, err, 422, "idempotency_key_reused")

		bad := e.client(client.WithAPIKey(f.apiKey, ""), client.WithHeader("Idempotency-Key", strings.Repeat("k", 256)))
		_, err = bad.UpdateApp(ctx, client.AppUpdate{Name: &name2})
		apiErr(t, err, 400, "invalid_idempotency_key")
	})
}

// raw sends a hand-made request, for wire details the typed client hides.
func raw(t *testing.T, method, url, contentType, body string, header map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp, m
}

func TestHTTPConventions(t *testing.T) {
	e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db", "--max-body-bytes", "4096")
	f := e.fixture("max@example.com")
	key := map[string]string{"X-API-Key": f.apiKey}
	bearer := map[string]string{"Authorization": "Bearer " + userToken(t, e, f, "profile")}

	tests := []struct {
		name       string
		method     string
		path       string
		ctype      string
		body       string
		header     map[string]string
		wantStatus int
		wantCode   string
	}{
		{"double slashes are collapsed, not redirected", "GET", "//v1/partner//user/profile", "", "", bearer, 200, ""},
		{"empty JSON body reads as {}", "PUT", "/v1/partner/admin/app", "application/json", "", key, 200, ""},
		{"unknown query parameters are ignored", "GET", "/v1/partner/user/profile?include=undelivered&x=1", "", "", bearer, 200, ""},
		{"malformed JSON", "PUT", "/v1/partner/admin/app", "application/json", `{"name":`, key, 400, "invalid_request_body"},
		{"wrong field type", "PUT", "/v1/partner/admin/app", "application/json", `{"name": 5}`, key, 400, "validation_error"},
		{"oversized body", "PUT", "/v1/partner/admin/app", "application/json", `{"description":"` + strings.Repeat("a", 5000) + `"}`, key, 413, "payload_too_large"},
		{"missing bearer", "GET", "/v1/partner/user/profile", "", "", nil, 401, "unauthorized"},
		{"unknown endpoint", "GET", "/v1/partner/user/nothing-here", "", "", bearer, 404, "not_found"},
		{"unsupported method", "PATCH", "/v1/partner/admin/app", "application/json", "{}", key, 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := raw(t, tt.method, e.srv.URL+tt.path, tt.ctype, tt.body, tt.header)
			require.Equal(t, tt.wantStatus, resp.StatusCode, "body: %v", body)
			require.NotEmpty(t, resp.Header.Get("X-Request-Id"))
			require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
			if tt.wantCode != "" {
				require.Equal(t, tt.wantCode, body["code"], "body: %v", body)
				require.Equal(t, resp.Header.Get("X-Request-Id"), body["request_id"])
				require.NotEmpty(t, body["error"])
			}
		})
	}

	t.Run("oauth errors use RFC 6749 bodies", func(t *testing.T) {
		resp, body := raw(t, "POST", e.srv.URL+"/oauth2/token", "application/x-www-form-urlencoded", "grant_type=password", map[string]string{
			"Authorization": "Basic " + basic(f.app.ClientID, f.app.ClientSecret)})
		require.Equal(t, 400, resp.StatusCode)
		require.Equal(t, "unsupported_grant_type", body["error"])
	})
	t.Run("health, readiness and documents", func(t *testing.T) {
		for _, p := range []string{"/healthz", "/readyz", "/openapi.json", "/docs"} {
			resp, _ := raw(t, "GET", e.srv.URL+p, "", "", nil)
			require.Equal(t, 200, resp.StatusCode, p)
		}
		_, doc := raw(t, "GET", e.srv.URL+"/openapi.json", "", "", nil)
		require.Equal(t, "3.1.0", doc["openapi"])
		paths := doc["paths"].(map[string]any)
		for _, p := range []string{"/oauth2/token", "/oauth2/authorize", "/v1/partner/user/profile", "/v1/partner/admin/app"} {
			require.Contains(t, paths, p)
		}
	})
}

func basic(user, pass string) string {
	req, _ := http.NewRequest("GET", "/", nil)
	req.SetBasicAuth(user, pass)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

func TestWebhookURLMustBePublic(t *testing.T) {
	ctx := context.Background()
	for _, private := range []string{"http://127.0.0.1:9000/hook", "http://169.254.169.254/latest", "http://localhost/hook", "http://10.0.0.5/hook"} {
		e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db")
		f := e.fixture("hook@example.com")
		_, err := e.client(client.WithAPIKey(f.apiKey, "")).UpdateApp(ctx, client.AppUpdate{WebhookURL: &private})
		ce := apiErr(t, err, 400, "validation_error")
		require.Equal(t, "webhook_url", ce.Body["field"])

		// Operators running receivers on their own network can allow it.
		e = newEnv(t, "sqlite://"+t.TempDir()+"/q.db", "--allow-private-urls")
		f = e.fixture("hook@example.com")
		a, err := e.client(client.WithAPIKey(f.apiKey, "")).UpdateApp(ctx, client.AppUpdate{WebhookURL: &private})
		require.NoError(t, err)
		require.Equal(t, private, *a.WebhookURL)
	}
}
