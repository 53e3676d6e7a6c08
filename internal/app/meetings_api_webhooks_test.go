package app_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

type received struct {
	header http.Header
	body   []byte
}

func TestMeetingsAPIWebhooks(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		got := make(chan received, 16)
		target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			got <- received{header: r.Header.Clone(), body: b}
		}))
		defer target.Close()

		a := e.fixture("hooks@a.example")
		b := e.fixture("hooks@b.example")
		apiA, _ := meetingsAPI(t, e, a)
		apiB, _ := meetingsAPI(t, e, b)

		orgs, err := apiA.WebhookOrganizations(ctx)
		require.NoError(t, err)
		require.Equal(t, []client.APIOrganization{{ID: a.org.ID, Name: a.org.Name}}, orgs)

		for _, tc := range []struct {
			name  string
			in    client.APICreateWebhook
			field string
		}{
			{"not a web URL", client.APICreateWebhook{TargetURL: "ftp://x.example/h", Events: []string{"meeting.created"}, OrganizationIDs: []any{a.org.ID}}, "target_url"},
			{"no events", client.APICreateWebhook{TargetURL: "https://x.example/h", OrganizationIDs: []any{a.org.ID}}, "events"},
			{"unknown event", client.APICreateWebhook{TargetURL: "https://x.example/h", Events: []string{"meeting.exploded"}, OrganizationIDs: []any{a.org.ID}}, "events"},
			{"no organizations", client.APICreateWebhook{TargetURL: "https://x.example/h", Events: []string{"meeting.created"}}, "organization_ids"},
			{"organization not an integer", client.APICreateWebhook{TargetURL: "https://x.example/h", Events: []string{"meeting.created"}, OrganizationIDs: []any{"x"}}, "organization_ids"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := apiA.CreateWebhooks(ctx, tc.in)
				fieldErr(t, err, tc.field)
			})
		}
		_, err = apiA.CreateWebhooks(ctx, client.APICreateWebhook{TargetURL: "https://x.example/h", Events: []string{"meeting.created"},
			OrganizationIDs: []any{b.org.ID}})
		detailErr(t, err, http.StatusForbidden)

		hooks, err := apiA.CreateWebhooks(ctx, client.APICreateWebhook{TargetURL: target.URL + "/hook",
			Events: []string{"meeting.created", "meeting.transcription_completed"}, OrganizationIDs: []any{a.org.ID}, Description: "ours"})
		require.NoError(t, err)
		require.Len(t, hooks, 1)
		hook := hooks[0]
		require.Regexp(t, `^whsec_`, hook.SecretKey)
		require.Equal(t, a.org.ID, hook.OrganizationID)
		require.True(t, hook.IsActive)

		_, err = apiA.CreateMeeting(ctx, client.APICreateMeeting{OrganizationID: a.org.ID, Title: "Hooked"})
		require.NoError(t, err)
		select {
		case r := <-got:
			require.NoError(t, client.VerifyStandardWebhook(hook.SecretKey, r.header, r.body, 5*time.Minute))
			require.Contains(t, string(r.body), `"meeting.created"`)
		case <-time.After(20 * time.Second):
			t.Fatal("no webhook delivery")
		}
		var log client.APIPage[client.APIWebhookEvent]
		deadline := time.Now().Add(20 * time.Second)
		for {
			log, err = apiA.WebhookEvents(ctx, hook.ID, 0, 0)
			require.NoError(t, err)
			if len(log.Results) == 1 && log.Results[0].Status == "SUCCESS" {
				break
			}
			require.True(t, time.Now().Before(deadline), "delivery not logged as SUCCESS: %+v", log)
			time.Sleep(50 * time.Millisecond)
		}
		ev := log.Results[0]
		require.Equal(t, hook.ID, ev.WebhookID)
		require.Equal(t, "meeting.created", ev.EventType)
		require.Equal(t, http.StatusOK, *ev.ResponseStatus)
		require.Regexp(t, `^evt_`, ev.EventUUID)
		one, err := apiA.WebhookEvent(ctx, ev.ID)
		require.NoError(t, err)
		require.Equal(t, ev, one)

		detail, err := apiA.GetWebhook(ctx, hook.ID)
		require.NoError(t, err)
		require.Zero(t, *detail.FailureCount)
		require.Empty(t, *detail.LastFailureReason)
		list, err := apiA.ListWebhooks(ctx, 0, 0)
		require.NoError(t, err)
		require.Equal(t, 1, list.Count)

		// Another tenant sees none of it.
		_, err = apiB.GetWebhook(ctx, hook.ID)
		detailErr(t, err, http.StatusNotFound)
		require.Error(t, apiB.DeleteWebhook(ctx, hook.ID))
		_, err = apiB.WebhookEvent(ctx, ev.ID)
		detailErr(t, err, http.StatusNotFound)
		_, err = apiB.WebhookEvents(ctx, hook.ID, 0, 0)
		detailErr(t, err, http.StatusNotFound)
		logB, err := apiB.WebhookEvents(ctx, 0, 0, 0)
		require.NoError(t, err)
		require.Zero(t, logB.Count)
		listB, err := apiB.ListWebhooks(ctx, 0, 0)
		require.NoError(t, err)
		require.Zero(t, listB.Count)

		require.NoError(t, apiA.DeleteWebhook(ctx, hook.ID))
		_, err = apiA.GetWebhook(ctx, hook.ID)
		detailErr(t, err, http.StatusNotFound)
	}, "--allow-private-urls")
}

// TestMeetingsAPIWebhookHTTPS checks that a plain-http target is refused
// unless private URLs are allowed.
func TestMeetingsAPIWebhookHTTPS(t *testing.T) {
	e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db")
	a := e.fixture("https@a.example")
	api, _ := meetingsAPI(t, e, a)
	_, err := api.CreateWebhooks(context.Background(), client.APICreateWebhook{TargetURL: "http://hooks.example/h",
		Events: []string{"meeting.created"}, OrganizationIDs: []any{a.org.ID}})
	fieldErr(t, err, "target_url")
}
