package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/netguard"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// TestSignStandardVector checks the signature against the example of the
// Standard Webhooks reference libraries.
func TestSignStandardVector(t *testing.T) {
	got, err := SignStandard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("SignStandard = %s, want %s", got, want)
	}
}

func TestSignContio(t *testing.T) {
	body := []byte(`{"event_type":"meeting.created"}`)
	m := hmac.New(sha256.New, []byte("whsec_abc"))
	m.Write(body)
	if got, want := SignContio("whsec_abc", body), "sha256="+hex.EncodeToString(m.Sum(nil)); got != want {
		t.Fatalf("SignContio = %s, want %s", got, want)
	}
}

// TestCompactJSON checks the body is what JSON.stringify writes after
// parsing it: no HTML escaping, raw line separators, no newline, fields in
// declared order.
func TestCompactJSON(t *testing.T) {
	body, err := compactJSON(contioEnvelope{EventType: "meeting.created", EventID: "e", Timestamp: "t", PartnerAppID: "a",
		Data: json.RawMessage(`{"title":"<b>R&D</b> \u2028 next\\u2028"}`)})
	if err != nil {
		t.Fatal(err)
	}
	want := "{\"event_type\":\"meeting.created\",\"event_id\":\"e\",\"timestamp\":\"t\",\"partner_app_id\":\"a\"," +
		"\"data\":{\"title\":\"<b>R&D</b> \u2028 next\\\\u2028\"}}"
	if string(body) != want {
		t.Fatalf("body\n got %s\nwant %s", body, want)
	}
}

// fakeResolver answers every name with fixed addresses.
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

// TestDeliveryRefusesPrivateAddresses: with private URLs off, a delivery
// to a name resolving to loopback (through a test resolver), to the
// metadata address or to [::1] is refused when connecting: the attempt
// fails with the guard's error and the loopback receiver is never reached.
// (The URLs are written to the database directly, as if DNS had changed
// since they were checked.)
func TestDeliveryRefusesPrivateAddresses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		rcv := newReceiver(t)
		_, port, _ := net.SplitHostPort(rcv.Listener.Addr().String())
		e := newTestEnv(t, db, Config{RetrySchedule: []time.Duration{0},
			resolver: fakeResolver{"hooks.partner.example": {netip.MustParseAddr("127.0.0.1")}}})
		for i, u := range []string{
			"http://hooks.partner.example:" + port + "/",
			"http://169.254.169.254/latest/meta-data/",
			"http://[::1]:" + port + "/",
			"http://127.0.0.1:" + port + "/",
		} {
			tn := e.tenant("Org "+strconv.Itoa(i), "")
			if _, err := db.Exec(context.Background(), `UPDATE apps SET webhook_url = ? WHERE id = ?`, u, tn.app.ID); err != nil {
				t.Fatal(err)
			}
			id := e.emit(tn, event.MeetingCreated, nil)
			waitFor(t, 10*time.Second, "abandonment of "+u, func() bool { return e.deliveryStatus(tn, id) == StatusAbandoned })
			p, err := e.svc.Deliveries(context.Background(), tn.admin, DeliveryFilter{}, page.Request{})
			if err != nil {
				t.Fatal(err)
			}
			if msg := p.Items[0].ErrorMessage; !strings.Contains(msg, netguard.ErrPrivate.Error()) || p.Items[0].HTTPStatus != 0 {
				t.Fatalf("%s: error %q, status %d; want the guard's refusal", u, msg, p.Items[0].HTTPStatus)
			}
		}
		if n := rcv.count(); n != 0 {
			t.Fatalf("the loopback receiver got %d requests", n)
		}
	})
}

// TestDeliveryDoesNotFollowRedirects: a receiver answering with a redirect
// to another (loopback) receiver fails the attempt; the target is not
// reached.
func TestDeliveryDoesNotFollowRedirects(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		target := newReceiver(t)
		redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/internal", http.StatusTemporaryRedirect)
		}))
		defer redirect.Close()
		e := newTestEnv(t, db, Config{RetrySchedule: []time.Duration{0}})
		tn := e.tenant("Acme", redirect.URL)
		id := e.emit(tn, event.MeetingCreated, nil)
		waitFor(t, 10*time.Second, "abandonment", func() bool { return e.deliveryStatus(tn, id) == StatusAbandoned })
		p, err := e.svc.Deliveries(context.Background(), tn.admin, DeliveryFilter{}, page.Request{})
		if err != nil {
			t.Fatal(err)
		}
		if d := p.Items[0]; d.HTTPStatus != http.StatusTemporaryRedirect || !strings.Contains(d.ErrorMessage, "redirects are not followed") {
			t.Fatalf("delivery = %+v", d)
		}
		if n := target.count(); n != 0 {
			t.Fatalf("the redirect target got %d requests", n)
		}
	})
}

// TestDeliveryIsSignedAndRecorded follows one event from the outbox to the
// receiver: Contio envelope and signature, one delivery, one attempt.
func TestDeliveryIsSignedAndRecorded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db, Config{})
		rcv := newReceiver(t)
		tn := e.tenant("Acme", rcv.URL)
		id := e.emit(tn, event.MeetingCreated, &event.Meeting{MeetingID: "m-1", Title: "Plan <Q3> & more", CreatedByUserID: "u"})
		waitFor(t, 10*time.Second, "the delivery", func() bool { return e.deliveryStatus(tn, id) == StatusDelivered })

		got := rcv.requests()
		if len(got) != 1 {
			t.Fatalf("receiver got %d requests, want 1", len(got))
		}
		body, h := got[0].body, got[0].header
		if want := SignContio(tn.secret, body); h.Get("X-Contio-Signature") != want {
			t.Fatalf("signature %q, want %q", h.Get("X-Contio-Signature"), want)
		}
		var env map[string]any
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		data := env["data"].(map[string]any)
		if env["event_type"] != event.MeetingCreated || env["event_id"] != id || env["partner_app_id"] != tn.app.UUID ||
			data["workspace_id"] != tn.org.UUID || data["title"] != "Plan <Q3> & more" {
			t.Fatalf("unexpected envelope %s", body)
		}
		if !strings.HasPrefix(string(body), `{"event_type":`) || strings.HasSuffix(string(body), "\n") {
			t.Fatalf("body is not compact in contract order: %s", body)
		}

		p, err := e.svc.Deliveries(context.Background(), tn.admin, DeliveryFilter{}, page.Request{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 1 || p.Items[0].EventUUID != id || p.Items[0].Status != StatusDelivered || p.Items[0].HTTPStatus != 200 {
			t.Fatalf("deliveries = %+v", p)
		}
		if h.Get("Quorum-Delivery-Id") != p.Items[0].UUID {
			t.Fatalf("delivery id header %q, want %q", h.Get("Quorum-Delivery-Id"), p.Items[0].UUID)
		}
		atts, err := e.svc.Attempts(context.Background(), tn.admin, p.Items[0].UUID)
		if err != nil {
			t.Fatal(err)
		}
		if len(atts) != 1 || atts[0].HTTPStatus != 200 || atts[0].Status != StatusDelivered || atts[0].ResponseSnippet != `{"ok":true}` {
			t.Fatalf("attempts = %+v", atts)
		}
	})
}

// TestRetriesThenAbandons: a failing receiver gets one attempt per entry
// of the schedule, each recorded with a bounded snippet, then the delivery
// is abandoned with stable ids.
func TestRetriesThenAbandons(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db, Config{RetrySchedule: []time.Duration{0, 10 * time.Millisecond, 20 * time.Millisecond}})
		long := strings.Repeat("x", 5000)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(long))
		}))
		defer srv.Close()
		tn := e.tenant("Acme", srv.URL)
		id := e.emit(tn, event.MeetingCreated, nil)
		waitFor(t, 10*time.Second, "abandonment", func() bool { return e.deliveryStatus(tn, id) == StatusAbandoned })
		p, err := e.svc.Deliveries(context.Background(), tn.admin, DeliveryFilter{Status: StatusAbandoned}, page.Request{})
		if err != nil || p.Total != 1 {
			t.Fatalf("abandoned deliveries = %+v, %v", p, err)
		}
		d := p.Items[0]
		if d.Failures != 3 || d.Attempts != 3 || d.HTTPStatus != 503 || d.ErrorMessage != "HTTP 503" || !d.NextAttemptAt.IsZero() {
			t.Fatalf("delivery = %+v", d)
		}
		atts, err := e.svc.Attempts(context.Background(), tn.admin, d.UUID)
		if err != nil || len(atts) != 3 {
			t.Fatalf("attempts = %+v, %v", atts, err)
		}
		for i, a := range atts {
			if len(a.ResponseSnippet) != MaxSnippet {
				t.Fatalf("attempt %d snippet is %d bytes, want %d", i+1, len(a.ResponseSnippet), MaxSnippet)
			}
			if (i < 2) == a.NextAttemptAt.IsZero() {
				t.Fatalf("attempt %d next attempt %v", i+1, a.NextAttemptAt)
			}
		}
		if atts[2].Status != StatusAbandoned {
			t.Fatalf("last attempt status %s", atts[2].Status)
		}
	})
}

// TestStandardWebhooksEndpoint delivers to an organization's endpoint and
// checks the signature with an implementation of the scheme written here.
func TestStandardWebhooksEndpoint(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db, Config{})
		rcv := newReceiver(t)
		tn := e.tenant("Acme", "")
		ep, err := e.svc.CreateEndpoint(context.Background(), tn.admin, NewEndpoint{URL: rcv.URL, Events: []string{"meeting.created"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ep.Secret, "whsec_") || ep.Scheme != SchemeStandard {
			t.Fatalf("endpoint = %+v", ep)
		}
		id := e.emit(tn, event.MeetingCreated, map[string]string{"meeting_id": "m-1"})
		e.emit(tn, event.ActionItemCreated, nil) // not in the endpoint's list
		waitFor(t, 10*time.Second, "the delivery", func() bool { return rcv.count() == 1 })

		g := rcv.requests()[0]
		msgID, ts := g.header.Get("webhook-id"), g.header.Get("webhook-timestamp")
		if msgID != id {
			t.Fatalf("webhook-id %q, want the event id %q", msgID, id)
		}
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
			t.Fatalf("webhook-timestamp %q", ts)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(ep.Secret, "whsec_"))
		if err != nil {
			t.Fatal(err)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(msgID + "." + ts + "." + string(g.body)))
		want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if !strings.Contains(" "+g.header.Get("webhook-signature")+" ", " "+want+" ") {
			t.Fatalf("webhook-signature %q, want %q", g.header.Get("webhook-signature"), want)
		}
		var body struct {
			Type string            `json:"type"`
			Data map[string]string `json:"data"`
		}
		if err := json.Unmarshal(g.body, &body); err != nil || body.Type != "meeting.created" || body.Data["meeting_id"] != "m-1" {
			t.Fatalf("body %s (%v)", g.body, err)
		}
	})
}

// TestConcurrencyCapPerSubscription: a receiver that hangs holds at most
// Concurrency attempts, and another subscription is delivered meanwhile.
func TestConcurrencyCapPerSubscription(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db, Config{Concurrency: 2})
		slow, fast := newReceiver(t), newReceiver(t)
		slow.hold = make(chan struct{})
		a, b := e.tenant("Slow", slow.URL), e.tenant("Fast", fast.URL)
		for range 6 {
			e.emit(a, event.MeetingCreated, nil)
		}
		for range 3 {
			e.emit(b, event.MeetingCreated, nil)
		}
		waitFor(t, 10*time.Second, "the fast receiver", func() bool { return fast.count() == 3 })
		slow.mu.Lock()
		inFlight := slow.inFlight
		slow.mu.Unlock()
		if inFlight != 2 {
			t.Fatalf("%d attempts in flight at the slow receiver, want the cap of 2", inFlight)
		}
		close(slow.hold)
		waitFor(t, 20*time.Second, "the slow receiver", func() bool { return slow.count() == 6 })
		if slow.maxIn > 2 {
			t.Fatalf("%d attempts were in flight at once, cap 2", slow.maxIn)
		}
	})
}

// TestSecretRotationAppliesToNextAttempt: an attempt after a rotation is
// signed with the new secret.
func TestSecretRotationAppliesToNextAttempt(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db, Config{RetrySchedule: []time.Duration{0, 200 * time.Millisecond}})
		rcv := newReceiver(t)
		rcv.setStatus(http.StatusInternalServerError)
		tn := e.tenant("Acme", rcv.URL)
		id := e.emit(tn, event.MeetingCreated, nil)
		waitFor(t, 10*time.Second, "the first attempt", func() bool { return rcv.count() == 1 })
		rotated, err := e.svc.RotateAppSecret(context.Background(), tn.admin)
		if err != nil {
			t.Fatal(err)
		}
		rcv.setStatus(http.StatusOK)
		waitFor(t, 10*time.Second, "the second attempt", func() bool { return e.deliveryStatus(tn, id) == StatusDelivered })
		got := rcv.requests()
		if got[0].header.Get("X-Contio-Signature") != SignContio(tn.secret, got[0].body) {
			t.Fatal("first attempt not signed with the original secret")
		}
		if got[1].header.Get("X-Contio-Signature") != SignContio(rotated, got[1].body) {
			t.Fatal("second attempt not signed with the rotated secret")
		}
		if string(got[0].body) != string(got[1].body) {
			t.Fatal("the body changed between attempts")
		}
	})
}

// TestDisableAfterFailingFor72Hours: a failure when the webhook has failed
// for 72 hours without a success turns it off; the next event is held.
func TestDisableAfterFailingFor72Hours(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db, Config{RetrySchedule: []time.Duration{0, time.Hour}})
		rcv := newReceiver(t)
		rcv.setStatus(http.StatusBadGateway)
		tn := e.tenant("Acme", rcv.URL)
		first := e.emit(tn, event.MeetingCreated, nil)
		waitFor(t, 10*time.Second, "a failed attempt", func() bool { return e.deliveryStatus(tn, first) == StatusFailed })
		if !e.appEnabled(tn) {
			t.Fatal("disabled after one failure")
		}
		// Backdate the start of the failures rather than wait three days.
		if _, err := db.Exec(context.Background(), `UPDATE webhook_subscriptions SET failing_since = ? WHERE app_id = ?`,
			time.Now().UTC().Add(-73*time.Hour), tn.app.ID); err != nil {
			t.Fatal(err)
		}
		second := e.emit(tn, event.MeetingCreated, nil)
		waitFor(t, 10*time.Second, "disabling", func() bool { return !e.appEnabled(tn) })
		third := e.emit(tn, event.MeetingCreated, nil)
		waitFor(t, 10*time.Second, "the held delivery", func() bool { return e.deliveryStatus(tn, third) == StatusPending })
		n := rcv.count()
		if e.deliveryStatus(tn, second) != StatusFailed || n != 2 {
			t.Fatalf("second delivery %s, %d requests; want failed and 2", e.deliveryStatus(tn, second), n)
		}
		var reason string
		if err := db.QueryRow(context.Background(), `SELECT disabled_reason FROM webhook_subscriptions WHERE app_id = ?`, tn.app.ID).Scan(&reason); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(reason, "no delivery succeeded since") {
			t.Fatalf("disabled_reason %q", reason)
		}
	})
}

// TestSweepRequeuesLostDelivery: a delivery whose job is gone (say it was
// discarded) is found by the sweep and delivered.
func TestSweepRequeuesLostDelivery(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newTestEnv(t, db, Config{StaleAfter: time.Millisecond})
		rcv := newReceiver(t)
		rcv.hold = make(chan struct{})
		tn := e.tenant("Acme", rcv.URL)
		// Take the webhook off so that fan-out holds the delivery, then
		// stage a lost job: due long ago, no job queued.
		if err := e.svc.SetAppWebhookEnabled(context.Background(), tn.admin, false, ""); err != nil {
			t.Fatal(err)
		}
		id := e.emit(tn, event.MeetingCreated, nil)
		waitFor(t, 10*time.Second, "the held delivery", func() bool { return e.deliveryStatus(tn, id) == StatusPending })
		err := e.q.Tx(context.Background(), func(tx *jobs.Tx) error {
			if _, err := tx.ExecContext(context.Background(), db.Rebind(`UPDATE apps SET webhook_enabled = TRUE WHERE id = ?`), tn.app.ID); err != nil {
				return err
			}
			_, err := tx.ExecContext(context.Background(), db.Rebind(`UPDATE webhook_deliveries SET next_attempt_at = ? WHERE app_id = ?`),
				time.Now().UTC().Add(-time.Hour), tn.app.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		close(rcv.hold)
		if err := e.svc.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 10*time.Second, "the delivery", func() bool { return e.deliveryStatus(tn, id) == StatusDelivered })
		if n := rcv.count(); n != 1 {
			t.Fatalf("receiver got %d requests, want 1", n)
		}
	})
}
