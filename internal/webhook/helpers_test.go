package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/store"
)

// testEnv is a running delivery pipeline on one database.
type testEnv struct {
	t   *testing.T
	db  *store.DB
	q   *jobs.Queue
	svc *Service
	ids *identity.Service
}

func newTestEnv(t *testing.T, db *store.DB, cfg Config) *testEnv {
	t.Helper()
	ctx := context.Background()
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	ws := AddWorkers(workers)
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	q, err := jobs.New(db, logger, jobs.Config{Workers: workers, MaxWorkers: 10,
		FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	box, err := secret.NewBox(bytes.Repeat([]byte{42}, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DB, cfg.Queue, cfg.Box, cfg.Logger = db, q, box, logger
	if cfg.Client == nil && cfg.resolver == nil {
		cfg.AllowPrivateURLs = true // receivers run on 127.0.0.1
	}
	svc := NewService(cfg)
	ws.Bind(svc)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	ids := identity.NewService(db, true)
	ids.SetWebhookSecrets(svc)
	return &testEnv{t: t, db: db, q: q, svc: svc, ids: ids}
}

// tenant is an organization with one app whose webhook points at url.
type tenant struct {
	org    identity.Org
	app    identity.App
	secret string
	admin  caller.Caller
}

func (e *testEnv) tenant(name, url string) tenant {
	e.t.Helper()
	ctx := context.Background()
	org, err := e.ids.CreateOrg(ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	a, creds, err := e.ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "App of " + name, RedirectURIs: []string{"https://example.com/cb"}})
	if err != nil {
		e.t.Fatal(err)
	}
	if creds.WebhookSecret == "" {
		e.t.Fatal("CreateApp issued no webhook secret")
	}
	if url != "" {
		if a, err = e.ids.UpdateApp(ctx, a.ID, identity.AppPatch{WebhookURL: &url}); err != nil {
			e.t.Fatal(err)
		}
	}
	return tenant{org: org, app: a, secret: creds.WebhookSecret,
		admin: caller.Caller{Credential: caller.AdminKey, OrgID: org.ID, AppID: a.ID}}
}

// emit stores one event of the tenant's organization and returns its id.
func (e *testEnv) emit(tn tenant, typ string, data any) string {
	e.t.Helper()
	ev := event.Event{ID: uuid.NewString(), Type: typ, OrgID: tn.org.ID, AppID: tn.app.ID, Data: data}
	err := e.q.Tx(context.Background(), func(tx *jobs.Tx) error { return e.svc.Emit(context.Background(), tx, ev) })
	if err != nil {
		e.t.Fatal(err)
	}
	return ev.ID
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver is a local webhook endpoint that records what it gets and
// answers with status (200 by default).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status int
	// hold, when set, blocks each request until it is closed.
	hold     chan struct{}
	inFlight int
	maxIn    int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: http.StatusOK}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.inFlight++
		r.maxIn = max(r.maxIn, r.inFlight)
		hold, status := r.hold, r.status
		r.mu.Unlock()
		if hold != nil {
			<-hold
		}
		r.mu.Lock()
		r.inFlight--
		r.got = append(r.got, received{header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) setStatus(s int) {
	r.mu.Lock()
	r.status = s
	r.mu.Unlock()
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) count() int { return len(r.requests()) }

// eventIDs returns the event_id of every Contio body received.
func (r *receiver) eventIDs() []string {
	var out []string
	for _, g := range r.requests() {
		var env struct {
			EventID string `json:"event_id"`
		}
		_ = json.Unmarshal(g.body, &env)
		out = append(out, env.EventID)
	}
	return out
}

// deliveryStatus reads a delivery's status by event id.
func (e *testEnv) deliveryStatus(tn tenant, eventID string) Status {
	e.t.Helper()
	var st string
	err := e.db.R.QueryRow(e.db.Rebind(`SELECT d.status FROM webhook_deliveries d JOIN events ev ON ev.id = d.event_id
		WHERE ev.uuid = ? AND d.app_id = ?`), eventID, tn.app.ID).Scan(&st)
	if err != nil {
		return ""
	}
	return Status(st)
}

func (e *testEnv) appEnabled(tn tenant) bool {
	e.t.Helper()
	a, err := e.ids.App(context.Background(), tn.admin)
	if err != nil {
		e.t.Fatal(err)
	}
	return a.WebhookEnabled
}
