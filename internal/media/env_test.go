package media_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/webhook"
)

// eachBackend runs fn against a fresh running app on every database.
func eachBackend(t *testing.T, fn func(t *testing.T, a *app.App), settings ...string) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) { fn(t, openApp(t, url, settings...)) })
	}
}

func openApp(t *testing.T, dbURL string, settings ...string) *app.App {
	t.Helper()
	args := append([]string{"--database-url", dbURL, "--data-dir", t.TempDir(), "--blob-url", "mem://",
		"--webhook-retry-schedule", "0s,1s,1s"}, settings...)
	cfg, _, err := config.Load(args, nil, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatalf("start app: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Close(ctx); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	return a
}

// tenant is an organization with one app, acting through its admin key.
func tenant(t *testing.T, a *app.App, name string) caller.Caller {
	t.Helper()
	ctx := context.Background()
	org, err := a.Identities.CreateOrg(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	ap, _, err := a.Identities.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "App of " + name, RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	return caller.Caller{Credential: caller.AdminKey, OrgID: org.ID, AppID: ap.ID}
}

func newMeeting(t *testing.T, a *app.App, c caller.Caller) meeting.Meeting {
	t.Helper()
	m, err := a.Meetings.Create(context.Background(), c, meeting.New{Title: "Imported meeting"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// receiver collects verified Standard Webhooks deliveries by event type.
type receiver struct {
	*httptest.Server
	t      *testing.T
	secret string
	mu     sync.Mutex
	events map[string][]json.RawMessage
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, events: map[string][]json.RawMessage{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		ts, _ := strconv.ParseInt(req.Header.Get("webhook-timestamp"), 10, 64)
		r.mu.Lock()
		defer r.mu.Unlock()
		want, err := webhook.SignStandard(r.secret, req.Header.Get("webhook-id"), time.Unix(ts, 0), body)
		if err != nil || !strings.Contains(req.Header.Get("webhook-signature"), want) {
			t.Errorf("delivery with a bad signature: %s", body)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var env struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Errorf("bad delivery body %s", body)
		}
		r.events[env.Type] = append(r.events[env.Type], env.Data)
	}))
	t.Cleanup(r.Close)
	return r
}

// subscribe makes the receiver the tenant's webhook endpoint.
func (r *receiver) subscribe(a *app.App, c caller.Caller, events ...string) {
	ep, err := a.Webhooks.CreateEndpoint(context.Background(), c, webhook.NewEndpoint{URL: r.URL, Events: events})
	if err != nil {
		r.t.Fatal(err)
	}
	r.mu.Lock()
	r.secret = ep.Secret
	r.mu.Unlock()
}

func (r *receiver) got(typ string) []json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]json.RawMessage(nil), r.events[typ]...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fileServer serves fixed files with their content types.
func fileServer(t *testing.T, files map[string]struct {
	ct   string
	data []byte
}) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.ct)
		_, _ = w.Write(f.data)
	}))
	t.Cleanup(srv.Close)
	return srv
}
