package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/meeting"
)

// hook is a local webhook receiver that records Contio deliveries and
// answers with a settable status.
type hook struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	got    []delivered
}

// delivered is one request the receiver got.
type delivered struct {
	Signature  string
	DeliveryID string
	Body       []byte
	Envelope   struct {
		EventType    string         `json:"event_type"`
		EventID      string         `json:"event_id"`
		Timestamp    string         `json:"timestamp"`
		PartnerAppID string         `json:"partner_app_id"`
		Data         map[string]any `json:"data"`
	}
}

func newHook(t *testing.T) *hook {
	h := &hook{status: http.StatusOK}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		d := delivered{Signature: r.Header.Get("X-Contio-Signature"), DeliveryID: r.Header.Get("Quorum-Delivery-Id"), Body: body}
		_ = json.Unmarshal(body, &d.Envelope)
		h.mu.Lock()
		h.got = append(h.got, d)
		status := h.status
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hook) setStatus(s int) {
	h.mu.Lock()
	h.status = s
	h.mu.Unlock()
}

func (h *hook) deliveries() []delivered {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]delivered(nil), h.got...)
}

func (h *hook) ofType(typ string) []delivered {
	var out []delivered
	for _, d := range h.deliveries() {
		if d.Envelope.EventType == typ {
			out = append(out, d)
		}
	}
	return out
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// webhookFixture is a fixture whose app's webhook points at a receiver.
func webhookFixture(t *testing.T, e *env, email string, h *hook) (fixture, *client.Client) {
	t.Helper()
	f := e.fixture(email)
	admin := e.client(client.WithAPIKey(f.apiKey, f.app.ClientID))
	url := h.URL + "/hooks"
	a, err := admin.UpdateApp(context.Background(), client.AppUpdate{WebhookURL: &url})
	require.NoError(t, err)
	require.Equal(t, url, *a.WebhookURL)
	return f, admin
}

func (e *env) systemMeeting(t *testing.T, f fixture, title string) string {
	t.Helper()
	m, err := e.app.Meetings.Create(context.Background(), caller.ForSystem(f.org.ID), meeting.New{Title: title})
	require.NoError(t, err)
	return m.UUID
}

// TestWebhooksFromCloudCalls: a Cloud import, a transcript upload, a
// document and an action item each reach the app's webhook, signed, with
// the payload fields of the Partner catalogue; the admin API lists, reads
// and filters the deliveries and hides them from other apps.
func TestWebhooksFromCloudCalls(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		h := newHook(t)
		f, admin := webhookFixture(t, e, "ana@example.com", h)
		cloud := cloudClient(t, e, f, "end-user-7")

		m, err := cloud.ImportMeeting(ctx, client.NewMeeting{Title: "Roadmap <2026> & beyond", Segments: []client.Segment{{Speaker: "A", Text: "hello"}}})
		require.NoError(t, err)
		_, err = cloud.UploadTranscript(ctx, m.ID, "text/plain", []byte("B: a new transcript\n"))
		require.NoError(t, err)
		doc, err := cloud.AddDocument(ctx, "Brief", "some context", m.ID)
		require.NoError(t, err)
		item, err := e.app.Actions.Create(ctx, caller.ForSystem(f.org.ID), m.ID, actionitem.New{Title: "Send notes"})
		require.NoError(t, err)

		waitUntil(t, 20*time.Second, "four deliveries", func() bool { return len(h.deliveries()) >= 4 })
		for _, d := range h.deliveries() {
			require.NoError(t, client.VerifyContioSignature(f.webhookSecret, d.Body, d.Signature), d.Envelope.EventType)
			require.Equal(t, f.org.UUID, d.Envelope.Data["workspace_id"], d.Envelope.EventType)
			require.NotEmpty(t, d.Envelope.EventID)
			require.NotEmpty(t, d.Envelope.Timestamp)
		}
		created := h.ofType("meeting.created")
		require.Len(t, created, 1)
		app, err := admin.App(ctx)
		require.NoError(t, err)
		require.Equal(t, app.ID, created[0].Envelope.PartnerAppID)
		require.Equal(t, m.ID, created[0].Envelope.Data["meeting_id"])
		require.Equal(t, "Roadmap <2026> & beyond", created[0].Envelope.Data["title"])
		require.Equal(t, "end-user-7", created[0].Envelope.Data["created_by_user_id"])
		require.Len(t, h.ofType("meeting.updated"), 1)
		ctxEvents := h.ofType("meeting.context.created")
		require.Len(t, ctxEvents, 1)
		require.Equal(t, doc.ID, ctxEvents[0].Envelope.Data["context_id"])
		items := h.ofType("action_item.created")
		require.Len(t, items, 1)
		require.Equal(t, item.UUID, items[0].Envelope.Data["action_item_id"])
		require.Nil(t, items[0].Envelope.Data["assignee_id"])

		all, err := admin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{})
		require.NoError(t, err)
		require.Equal(t, 4, all.Total)
		require.Equal(t, 50, all.Limit)
		byType, err := admin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{EventType: "meeting.created", Status: "delivered"})
		require.NoError(t, err)
		require.Equal(t, 1, byType.Total)
		d := byType.Deliveries[0]
		require.Equal(t, created[0].DeliveryID, d.ID)
		require.Equal(t, created[0].Envelope.EventID, d.EventID)
		require.Equal(t, app.ID, d.PartnerAppID)
		require.Equal(t, 200, *d.HTTPStatusCode)
		require.Equal(t, "", d.ErrorMessage)
		require.NotNil(t, d.DeliveredAt)
		paged, err := admin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{Limit: 1, Offset: 3})
		require.NoError(t, err)
		require.Equal(t, 4, paged.Total)
		require.Len(t, paged.Deliveries, 1)

		one, err := admin.WebhookDelivery(ctx, d.ID)
		require.NoError(t, err)
		require.Equal(t, d, *one)
		_, err = admin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{Status: "lost"})
		apiErr(t, err, 400, "")
		_, err = admin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{Limit: 101})
		apiErr(t, err, 400, "")

		other := e.fixture("other@example.com")
		otherAdmin := e.client(client.WithAPIKey(other.apiKey, other.app.ClientID))
		_, err = otherAdmin.WebhookDelivery(ctx, d.ID)
		apiErr(t, err, 404, "not_found")
		_, err = otherAdmin.RetryWebhookDelivery(ctx, d.ID)
		apiErr(t, err, 404, "not_found")
		list, err := otherAdmin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{})
		require.NoError(t, err)
		require.Equal(t, 0, list.Total)
		require.NotNil(t, list.Deliveries)
		_, err = admin.WebhookDelivery(ctx, "nonexistent")
		apiErr(t, err, 404, "not_found")
	}, "--allow-private-urls")
}

// TestWebhookFilter: an include filter delivers only its events, an
// exclude filter all but its events.
func TestWebhookFilter(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		h := newHook(t)
		f, admin := webhookFixture(t, e, "ana@example.com", h)

		_, err := admin.SetWebhookFilter(ctx, client.WebhookFilter{Type: "include", Events: []string{"action_item.created"}})
		require.NoError(t, err)
		m := e.systemMeeting(t, f, "Included?")
		_, err = e.app.Actions.Create(ctx, caller.ForSystem(f.org.ID), m, actionitem.New{Title: "Included"})
		require.NoError(t, err)
		waitUntil(t, 20*time.Second, "the action item", func() bool { return len(h.ofType("action_item.created")) == 1 })

		_, err = admin.SetWebhookFilter(ctx, client.WebhookFilter{Type: "exclude", Events: []string{"action_item.created"}})
		require.NoError(t, err)
		m2 := e.systemMeeting(t, f, "Excluded?")
		_, err = e.app.Actions.Create(ctx, caller.ForSystem(f.org.ID), m2, actionitem.New{Title: "Excluded"})
		require.NoError(t, err)
		waitUntil(t, 20*time.Second, "the second meeting", func() bool { return len(h.ofType("meeting.created")) == 1 })

		// Filtered events make no delivery at all; once every event is
		// fanned out, nothing more can arrive.
		waitUntil(t, 20*time.Second, "every event fanned out", func() bool {
			var n int
			require.NoError(t, e.app.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE fanned_out_at IS NULL`).Scan(&n))
			return n == 0
		})
		all, err := admin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{})
		require.NoError(t, err)
		require.Equal(t, 2, all.Total)
		require.Len(t, h.ofType("action_item.created"), 1)
		require.Equal(t, "Included", h.ofType("action_item.created")[0].Envelope.Data["title"])
		require.Equal(t, m2, h.ofType("meeting.created")[0].Envelope.Data["meeting_id"])
	}, "--allow-private-urls")
}

// TestWebhookAutoDisable: after 50 abandoned deliveries the webhook is
// off, and a later event waits as pending without being sent.
func TestWebhookAutoDisable(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		h := newHook(t)
		h.setStatus(http.StatusInternalServerError)
		f, admin := webhookFixture(t, e, "ana@example.com", h)
		for i := range 50 {
			e.systemMeeting(t, f, fmt.Sprintf("Meeting %d", i))
		}
		waitUntil(t, 60*time.Second, "the webhook disabled", func() bool {
			a, err := admin.App(ctx)
			require.NoError(t, err)
			return !a.WebhookEnabled
		})
		abandoned, err := admin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{Status: "abandoned"})
		require.NoError(t, err)
		require.Equal(t, 50, abandoned.Total)
		require.Equal(t, 1, abandoned.Deliveries[0].RetryCount)
		require.Equal(t, "HTTP 500", abandoned.Deliveries[0].ErrorMessage)
		sent := len(h.deliveries())
		require.Equal(t, 50, sent)

		h.setStatus(http.StatusOK)
		e.systemMeeting(t, f, "After")
		waitUntil(t, 20*time.Second, "the held delivery", func() bool {
			p, err := admin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{Status: "pending"})
			require.NoError(t, err)
			return p.Total == 1 && p.Deliveries[0].NextRetryAt == nil
		})
		require.Len(t, h.deliveries(), sent, "a delivery was sent while the webhook was off")
	}, "--allow-private-urls", "--webhook-retry-schedule", "0s")
}

// TestWebhookPendingDisposition: events held while the webhook is off are
// delivered on resume with "deliver" and marked abandoned with "abandon".
func TestWebhookPendingDisposition(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		h := newHook(t)
		f, admin := webhookFixture(t, e, "ana@example.com", h)
		pending := func(n int) func() bool {
			return func() bool {
				p, err := admin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{Status: "pending"})
				require.NoError(t, err)
				return p.Total == n
			}
		}

		_, err := admin.UpdateWebhookStatus(ctx, false)
		require.NoError(t, err)
		held := map[string]bool{}
		for i := range 3 {
			held[e.systemMeeting(t, f, fmt.Sprintf("Held %d", i))] = true
		}
		waitUntil(t, 20*time.Second, "three held deliveries", pending(3))
		require.Empty(t, h.deliveries())
		_, err = admin.ResumeWebhooks(ctx, "later")
		apiErr(t, err, 400, "validation_error")
		a, err := admin.ResumeWebhooks(ctx, "deliver")
		require.NoError(t, err)
		require.True(t, a.WebhookEnabled)
		waitUntil(t, 20*time.Second, "the held events", func() bool { return len(h.deliveries()) == 3 })
		for _, d := range h.deliveries() {
			require.True(t, held[d.Envelope.Data["meeting_id"].(string)])
		}

		_, err = admin.UpdateWebhookStatus(ctx, false)
		require.NoError(t, err)
		for i := range 2 {
			e.systemMeeting(t, f, fmt.Sprintf("Dropped %d", i))
		}
		waitUntil(t, 20*time.Second, "two held deliveries", pending(2))
		_, err = admin.ResumeWebhooks(ctx, "abandon")
		require.NoError(t, err)
		abandoned, err := admin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{Status: "abandoned"})
		require.NoError(t, err)
		require.Equal(t, 2, abandoned.Total)
		require.Equal(t, 0, abandoned.Deliveries[0].RetryCount)
		require.NotEmpty(t, abandoned.Deliveries[0].ErrorMessage)
		after := e.systemMeeting(t, f, "After resume")
		waitUntil(t, 20*time.Second, "the next event", func() bool { return len(h.deliveries()) == 4 })
		last := h.deliveries()[3]
		require.Equal(t, after, last.Envelope.Data["meeting_id"], "an abandoned event was sent")
	}, "--allow-private-urls")
}

// TestWebhookManualRetry: an abandoned delivery retried by hand is sent
// again under the same delivery and event ids; a delivered one is not.
func TestWebhookManualRetry(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		h := newHook(t)
		h.setStatus(http.StatusServiceUnavailable)
		f, admin := webhookFixture(t, e, "ana@example.com", h)
		e.systemMeeting(t, f, "Retry me")
		var d client.WebhookDelivery
		waitUntil(t, 20*time.Second, "abandonment", func() bool {
			p, err := admin.WebhookDeliveries(ctx, client.WebhookDeliveryQuery{Status: "abandoned"})
			require.NoError(t, err)
			if p.Total == 1 {
				d = p.Deliveries[0]
			}
			return p.Total == 1
		})
		require.Equal(t, 2, d.RetryCount)
		require.Equal(t, 503, *d.HTTPStatusCode)

		h.setStatus(http.StatusOK)
		r, err := admin.RetryWebhookDelivery(ctx, d.ID)
		require.NoError(t, err)
		require.True(t, r.RetryScheduled)
		require.Equal(t, d.ID, r.DeliveryID)
		require.Equal(t, 2, r.RetryCount)
		require.NotNil(t, r.NextRetryAt)
		require.NotEmpty(t, r.Message)
		waitUntil(t, 20*time.Second, "the retried delivery", func() bool {
			got, err := admin.WebhookDelivery(ctx, d.ID)
			require.NoError(t, err)
			return got.DeliveryStatus == "delivered"
		})
		got := h.deliveries()
		require.Len(t, got, 3)
		for _, g := range got {
			require.Equal(t, d.ID, g.DeliveryID)
			require.Equal(t, d.EventID, g.Envelope.EventID)
		}

		again, err := admin.RetryWebhookDelivery(ctx, d.ID)
		require.NoError(t, err)
		require.False(t, again.RetryScheduled)
		require.Nil(t, again.NextRetryAt)
		_, err = admin.RetryWebhookDelivery(ctx, "00000000-0000-0000-0000-000000000000")
		apiErr(t, err, 404, "not_found")
	}, "--allow-private-urls", "--webhook-retry-schedule", "0s,10ms")
}
