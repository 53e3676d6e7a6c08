package automation

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

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/transcript"
	"github.com/quorumhq/quorum/internal/webhook"
)

// testEnv is the outbox, automations, meetings and action items on one
// database, with running workers.
type testEnv struct {
	t       *testing.T
	db      *store.DB
	q       *jobs.Queue
	ids     *identity.Service
	svc     *Service
	meets   *meeting.Service
	actions *actionitem.Service
}

func newTestEnv(t *testing.T, db *store.DB) *testEnv {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	workers := river.NewWorkers()
	hooks := webhook.AddWorkers(workers)
	autos := AddWorkers(workers)
	q, err := jobs.New(db, logger, jobs.Config{Workers: workers, MaxWorkers: 5,
		FetchPollInterval: 50 * time.Millisecond, FetchCooldown: 10 * time.Millisecond})
	require.NoError(t, err)
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, secret.KeySize))
	require.NoError(t, err)
	outbox := webhook.NewService(webhook.Config{DB: db, Queue: q, Box: box, Logger: logger, AllowPrivateURLs: true})
	hooks.Bind(outbox)
	e := &testEnv{t: t, db: db, q: q, ids: identity.NewService(db, true)}
	e.ids.SetWebhookSecrets(outbox)
	e.meets = meeting.NewService(db, q, func(ctx context.Context, tx *jobs.Tx, orgID, meetingID int64) error {
		return e.svc.TranscriptChanged(ctx, tx, orgID, meetingID)
	}, outbox)
	e.actions = actionitem.NewService(db, q, outbox, e.meets)
	e.svc = NewService(Config{DB: db, Queue: q, Events: outbox, Meetings: e.meets, ActionItems: e.actions, Logger: logger,
		AllowPrivateURLs: true})
	outbox.AddConsumer(e.svc)
	autos.Bind(e.svc)
	require.NoError(t, q.Start(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
	})
	return e
}

type tenant struct {
	org   identity.Org
	app   identity.App
	admin caller.Caller
	user  caller.Caller
}

func (e *testEnv) tenant(name string) tenant {
	e.t.Helper()
	ctx := context.Background()
	org, err := e.ids.CreateOrg(ctx, name)
	require.NoError(e.t, err)
	a, _, err := e.ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: name, RedirectURIs: []string{"https://x.test/cb"}})
	require.NoError(e.t, err)
	return tenant{org: org, app: a, admin: caller.Caller{Credential: caller.AdminKey, OrgID: org.ID, AppID: a.ID},
		user: caller.Caller{Credential: caller.CloudToken, OrgID: org.ID, AppID: a.ID, UserRef: "ann@" + name + ".test"}}
}

// receiver records the automation calls it gets.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	calls  []webhookCall
	keys   []string
	status int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: http.StatusOK}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var c webhookCall
		_ = json.Unmarshal(body, &c)
		r.mu.Lock()
		r.calls = append(r.calls, c)
		r.keys = append(r.keys, req.Header.Get("Idempotency-Key"))
		st := r.status
		r.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) got() []webhookCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]webhookCall(nil), r.calls...)
}

func (r *receiver) setStatus(s int) {
	r.mu.Lock()
	r.status = s
	r.mu.Unlock()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitRun waits for the automation's only run to finish and returns it.
func (e *testEnv) waitRun(tn tenant, a Automation) Run {
	e.t.Helper()
	var run Run
	waitFor(e.t, "run of "+a.Name, func() bool {
		runs, err := e.svc.Runs(context.Background(), tn.admin, a.UUID)
		require.NoError(e.t, err)
		if len(runs) == 0 || runs[0].Status == RunPending {
			return false
		}
		run = runs[0]
		return true
	})
	return run
}

// outboxEvents lists the types and payloads of the organization's events
// of one type.
func (e *testEnv) outboxEvents(orgID int64, typ string) []map[string]any {
	e.t.Helper()
	rows, err := e.db.R.Query(e.db.Rebind(`SELECT payload FROM events WHERE org_id = ? AND type = ? ORDER BY id`), orgID, typ)
	require.NoError(e.t, err)
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var p string
		require.NoError(e.t, rows.Scan(&p))
		var m map[string]any
		require.NoError(e.t, json.Unmarshal([]byte(p), &m))
		out = append(out, m)
	}
	return out
}

func TestCRUDAndTenancy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newTestEnv(t, db)
		a, b := e.tenant("a"), e.tenant("b")
		hook := newReceiver(t)
		n := New{Name: "CRM sync", TriggerType: TriggerActionItemCreated,
			Actions: []Action{{Type: ActionWebhook, Config: map[string]any{"url": hook.URL, "nested": map[string]any{"k": []any{1.0, "x"}}}}}}
		au, err := e.svc.Create(ctx, a.admin, n)
		require.NoError(t, err)
		require.Equal(t, Active, au.Status)
		require.Equal(t, a.app.UUID, au.AppUUID)
		require.Equal(t, map[string]any{"k": []any{1.0, "x"}}, au.Actions[0].Config["nested"], "any JSON object is kept")

		for _, bad := range []New{
			{Name: "", TriggerType: TriggerActionItemCreated, Actions: n.Actions},
			{Name: "x", TriggerType: "meeting_exploded", Actions: n.Actions},
			{Name: "x", TriggerType: TriggerActionItemCreated},
			{Name: "x", TriggerType: TriggerActionItemCreated, Actions: []Action{{Type: "teleport"}}},
			{Name: "x", TriggerType: TriggerActionItemCreated, Actions: []Action{{Type: ActionWebhook}}},
			{Name: "x", TriggerType: TriggerPhraseMatch, Actions: n.Actions},
		} {
			_, err := e.svc.Create(ctx, a.admin, bad)
			require.ErrorIs(t, err, fault.ErrInvalid, "%+v", bad)
		}

		p, err := e.svc.List(ctx, a.admin, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		require.Equal(t, DefaultPage, p.Limit)
		p, err = e.svc.List(ctx, b.admin, page.Request{})
		require.NoError(t, err)
		require.Zero(t, p.Total)
		_, err = e.svc.Get(ctx, b.admin, au.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = e.svc.Update(ctx, b.admin, au.UUID, Patch{Name: ptr("stolen")})
		require.ErrorIs(t, err, fault.ErrNotFound)
		require.ErrorIs(t, e.svc.Delete(ctx, b.admin, au.UUID), fault.ErrNotFound)
		_, err = e.svc.Get(ctx, a.admin, "nonexistent")
		require.ErrorIs(t, err, fault.ErrNotFound)

		// status and is_active are one switch.
		off := false
		got, err := e.svc.Update(ctx, a.admin, au.UUID, Patch{IsActive: &off})
		require.NoError(t, err)
		require.Equal(t, Inactive, got.Status)
		on := Active
		got, err = e.svc.Update(ctx, a.admin, au.UUID, Patch{Status: &on})
		require.NoError(t, err)
		require.Equal(t, Active, got.Status)
		_, err = e.svc.Update(ctx, a.admin, au.UUID, Patch{Status: &on, IsActive: &off})
		require.ErrorIs(t, err, fault.ErrInvalid)

		require.NoError(t, e.svc.Delete(ctx, a.admin, au.UUID))
		_, err = e.svc.Get(ctx, a.admin, au.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
	})
}

func ptr[T any](v T) *T { return &v }

func TestActionItemTriggerRunsOnceWithWebhookAndAssignment(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newTestEnv(t, db)
		a, b := e.tenant("a"), e.tenant("b")
		hookA, hookB := newReceiver(t), newReceiver(t)
		auto, err := e.svc.Create(ctx, a.admin, New{Name: "Contracts", TriggerType: TriggerActionItemCreated, Actions: []Action{
			{Type: ActionPhraseMatch, Config: map[string]any{"phrases": []any{"contract"}}},
			{Type: ActionWebhook, Config: map[string]any{"url": hookA.URL}},
			{Type: ActionAssign, Config: map[string]any{"owner": "Legal"}},
		}})
		require.NoError(t, err)
		other, err := e.svc.Create(ctx, b.admin, New{Name: "B's", TriggerType: TriggerActionItemCreated,
			Actions: []Action{{Type: ActionWebhook, Config: map[string]any{"url": hookB.URL}}}})
		require.NoError(t, err)

		m, err := e.meets.Create(ctx, a.user, meeting.New{Title: "Deal review"})
		require.NoError(t, err)
		hookA.setStatus(http.StatusServiceUnavailable) // the first call fails and the job retries
		item, err := e.actions.Create(ctx, a.user, m.UUID, actionitem.New{Title: "Send the contract to Acme"})
		require.NoError(t, err)
		waitFor(t, "a failed call", func() bool { return len(hookA.got()) > 0 })
		hookA.setStatus(http.StatusOK)
		run := e.waitRun(a, auto)
		require.Equal(t, RunSucceeded, run.Status, run.ErrorMessage)
		require.Equal(t, 3, run.Step)
		require.Equal(t, "contract", run.Matches[0].Phrase)

		calls := hookA.got()
		last := calls[len(calls)-1]
		require.Equal(t, auto.UUID, last.AutomationID)
		require.Equal(t, run.UUID, last.RunID)
		require.Equal(t, event.ActionItemCreated, last.EventType)
		require.Equal(t, m.UUID, last.MeetingID)
		require.Equal(t, a.org.UUID, last.WorkspaceID)
		require.Len(t, last.Matches, 1)
		hookA.mu.Lock()
		require.Equal(t, run.UUID+":1", hookA.keys[len(hookA.keys)-1])
		hookA.mu.Unlock()

		assigned := e.outboxEvents(a.org.ID, event.AutomationAssignmentCreated)
		require.Len(t, assigned, 1)
		require.Equal(t, item.UUID, assigned[0]["action_item_id"])
		require.Equal(t, auto.UUID, assigned[0]["automation_id"])
		require.Equal(t, m.UUID, assigned[0]["meeting_id"])
		require.Equal(t, a.org.UUID, assigned[0]["workspace_id"])
		require.Equal(t, AssignmentStatus, assigned[0]["status"])

		// Dispatching the same event again adds no run.
		var eventID int64
		require.NoError(t, db.R.QueryRow(db.Rebind(`SELECT event_id FROM automation_runs WHERE uuid = ?`), run.UUID).Scan(&eventID))
		require.NoError(t, e.svc.dispatch(ctx, eventID))
		runs, err := e.svc.Runs(ctx, a.admin, auto.UUID)
		require.NoError(t, err)
		require.Len(t, runs, 1)

		// An item without the phrase is skipped; app B's automation never
		// saw org A's events.
		_, err = e.actions.Create(ctx, a.user, m.UUID, actionitem.New{Title: "Book the venue"})
		require.NoError(t, err)
		waitFor(t, "second run", func() bool {
			runs, err := e.svc.Runs(ctx, a.admin, auto.UUID)
			require.NoError(t, err)
			return len(runs) == 2 && runs[0].Status == RunSkipped
		})
		runs, err = e.svc.Runs(ctx, b.admin, other.UUID)
		require.NoError(t, err)
		require.Empty(t, runs)
		require.Empty(t, hookB.got())
	})
}

func TestPhraseMatchOnTranscriptCreatesAssignedItem(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newTestEnv(t, db)
		a := e.tenant("a")
		auto, err := e.svc.Create(ctx, a.admin, New{Name: "Follow-ups", TriggerType: TriggerActionItemMatch, Actions: []Action{
			{Type: ActionPhraseMatch, Config: map[string]any{"phrases": []any{"send the deck"}}},
			{Type: ActionAssign, Config: map[string]any{"assignee": "Priya"}},
		}})
		require.NoError(t, err)
		idle, err := e.svc.Create(ctx, a.admin, New{Name: "Idle", TriggerType: TriggerPhraseMatch, Actions: []Action{
			{Type: ActionPhraseMatch, Config: map[string]any{"phrases": []any{"deck"}}}}})
		require.NoError(t, err)
		off := false
		_, err = e.svc.Update(ctx, a.admin, idle.UUID, Patch{IsActive: &off})
		require.NoError(t, err)

		m, err := e.meets.Create(ctx, a.user, meeting.New{Title: "Sales sync", Segments: []transcript.Segment{
			{Speaker: "Ann", Text: "Welcome everyone.", Start: 0, End: 2},
			{Speaker: "Raj", Text: "I will Send the Deck to the client on Friday.", Start: 2, End: 6},
		}})
		require.NoError(t, err)
		run := e.waitRun(a, auto)
		require.Equal(t, RunSucceeded, run.Status, run.ErrorMessage)
		require.Equal(t, 1, run.Matches[0].SegmentIndex)
		require.Equal(t, "Raj", run.Matches[0].Speaker)

		items, err := e.actions.ListByMeeting(ctx, a.user, m.UUID, page.Request{})
		require.NoError(t, err)
		require.Len(t, items.Items, 1)
		require.Equal(t, "I will Send the Deck to the client on Friday.", items.Items[0].Title)
		require.Equal(t, "Priya", items.Items[0].Owner)
		assigned := e.outboxEvents(a.org.ID, event.AutomationAssignmentCreated)
		require.Len(t, assigned, 1)
		require.Equal(t, items.Items[0].UUID, assigned[0]["action_item_id"])

		// A re-run of the finished run, or of its assignment step, creates
		// nothing more.
		require.NoError(t, e.svc.run(ctx, run.ID))
		_, err = db.W.ExecContext(ctx, db.Rebind(`UPDATE automation_runs SET status = ?, step = 1 WHERE id = ?`), RunPending, run.ID)
		require.NoError(t, err)
		require.NoError(t, e.svc.run(ctx, run.ID))
		items, err = e.actions.ListByMeeting(ctx, a.user, m.UUID, page.Request{})
		require.NoError(t, err)
		require.Len(t, items.Items, 1)

		runs, err := e.svc.Runs(ctx, a.admin, idle.UUID)
		require.NoError(t, err)
		require.Empty(t, runs, "an inactive automation does not run")
	})
}
