package workflow_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/ai/offline"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/nextstep"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/transcript"
	"github.com/quorumhq/quorum/internal/workflow"
)

func TestParseSpec(t *testing.T) {
	cases := []struct {
		name, spec string
		code       string // first error code; "" for a valid spec
		warning    string
	}{
		{"valid with edges", `{"nodes":[{"id":"a","type":"start"},{"id":"b","type":"end"}],"edges":[{"from":"a","to":"b"}]}`, "", ""},
		{"not an object", `[1]`, "invalid_spec", ""},
		{"no nodes", `{"nodes":[]}`, "required", ""},
		{"duplicate id", `{"nodes":[{"id":"a","type":"noop"},{"id":"a","type":"noop"}]}`, "duplicate_id", ""},
		{"unknown dependency", `{"nodes":[{"id":"a","type":"noop","depends_on":["z"]}]}`, "unknown_node", ""},
		{"unknown edge end", `{"nodes":[{"id":"a","type":"noop"}],"edges":[{"from":"a","to":"q"}]}`, "unknown_node", ""},
		{"cycle", `{"nodes":[{"id":"a","type":"noop","depends_on":["b"]},{"id":"b","type":"noop","depends_on":["a"]}]}`, "cycle", ""},
		{"webhook without url", `{"nodes":[{"id":"a","type":"webhook"}]}`, "required", ""},
		{"prompt without prompt", `{"nodes":[{"id":"a","type":"ai_prompt","config":{}}]}`, "required", ""},
		{"unknown type warns", `{"nodes":[{"id":"a","type":"human_review"}]}`, "", "unknown_node_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, errs, warnings := workflow.ParseSpec(json.RawMessage(c.spec))
			if c.code == "" {
				require.Empty(t, errs)
				require.NotEmpty(t, g.Nodes)
			} else {
				require.NotEmpty(t, errs)
				require.Equal(t, c.code, errs[0].Code)
			}
			if c.warning != "" {
				require.Equal(t, c.warning, warnings[0].Code)
			}
		})
	}
	g, _, _ := workflow.ParseSpec(json.RawMessage(`{"nodes":[{"id":"b","type":"noop","depends_on":["a"]},{"id":"a","type":"noop"}]}`))
	require.Equal(t, "a", g.Nodes[0].ID, "a node comes after what it depends on")
}

type recorded struct {
	typ   string
	orgID int64
	data  any
}

type recorder struct {
	mu     sync.Mutex
	events []recorded
}

func (r *recorder) Emit(_ context.Context, _ *jobs.Tx, e event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, recorded{e.Type, e.OrgID, e.Data})
	return nil
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = e.typ
	}
	return out
}

type fixture struct {
	svc    *workflow.Service
	worker *workflow.StepWorker
	events *recorder
	a, b   caller.Caller
	mA, mB meeting.Meeting
}

func newFixture(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	q, err := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	ids := identity.NewService(db, false)
	meetings := meeting.NewService(db, q, nil, nil)
	steps := nextstep.NewService(nextstep.Config{DB: db, Queue: q, Meetings: meetings, Engine: offline.Engine{}})
	events := &recorder{}
	svc := workflow.NewService(workflow.Config{DB: db, Queue: q, Meetings: meetings, NextSteps: steps, Events: events})
	f := fixture{svc: svc, worker: &workflow.StepWorker{Service: svc}, events: events}
	for i, name := range []string{"A", "B"} {
		org, err := ids.CreateOrg(ctx, name)
		require.NoError(t, err)
		c := caller.Caller{Credential: caller.UserToken, OrgID: org.ID, UserRef: name}
		m, err := meetings.Create(ctx, c, meeting.New{Title: "Launch", Segments: []transcript.Segment{
			{Speaker: "Ann", Text: "We decided to launch on Monday.", End: 3},
			{Speaker: "Bob", Text: "The launch budget is ten thousand.", Start: 3, End: 6}}})
		require.NoError(t, err)
		if i == 0 {
			f.a, f.mA = c, m
		} else {
			f.b, f.mB = c, m
		}
	}
	return f
}

// drive works every queued step until the run is over.
func (f fixture) drive(t *testing.T, c caller.Caller, runUUID string) workflow.Run {
	t.Helper()
	ctx := context.Background()
	for range 50 {
		run, err := f.svc.Run(ctx, c, runUUID)
		require.NoError(t, err)
		queued := false
		for _, st := range run.Steps {
			if st.Status == workflow.StepQueued {
				queued = true
				job := &river.Job[workflow.StepArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 3},
					Args: workflow.StepArgs{RunID: run.ID, NodeID: st.NodeID}}
				require.NoError(t, f.worker.Work(ctx, job))
				// A second run of the same job changes nothing.
				require.NoError(t, f.worker.Work(ctx, job))
			}
		}
		if !queued {
			return run
		}
	}
	t.Fatal("the run never ended")
	return workflow.Run{}
}

func TestRunWalksTheDAG(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tpl, err := f.svc.CreateTemplate(ctx, f.a, workflow.NewTemplate{Name: "Follow-up", Spec: json.RawMessage(`{"nodes":[
			{"id":"decide","type":"ai_prompt","config":{"prompt":"What was decided about the launch?"}},
			{"id":"l","type":"noop","depends_on":["decide"]},{"id":"r","type":"noop","depends_on":["decide"]},
			{"id":"done","type":"end","depends_on":["l","r"]}]}`)})
		require.NoError(t, err)

		// Another workspace reaches neither the template nor, later, the run.
		_, err = f.svc.StartRun(ctx, f.b, workflow.NewRun{TemplateID: tpl.UUID, OriginatingID: f.mB.UUID, OriginatingType: "meeting"})
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = f.svc.StartRun(ctx, f.a, workflow.NewRun{TemplateID: tpl.UUID, OriginatingID: f.mB.UUID, OriginatingType: "meeting"})
		require.ErrorIs(t, err, fault.ErrNotFound, "a meeting of another workspace")

		run, err := f.svc.StartRun(ctx, f.a, workflow.NewRun{TemplateID: tpl.UUID, OriginatingID: f.mA.UUID, OriginatingType: "meeting"})
		require.NoError(t, err)
		require.Equal(t, workflow.StatusPending, run.Status)
		require.Equal(t, []string{"decide"}, run.CurrentStepIDs())
		_, err = f.svc.Run(ctx, f.b, run.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)

		run = f.drive(t, f.a, run.UUID)
		require.Equal(t, workflow.StatusCompleted, run.Status)
		for _, st := range run.Steps {
			require.Equal(t, workflow.StatusCompleted, st.Status, st.NodeID)
		}
		var out map[string]string
		require.NoError(t, json.Unmarshal(run.Steps[0].Output, &out))
		require.Contains(t, out["text"], "launch")
		types := f.events.types()
		require.Equal(t, "workflow.run.started", types[0])
		require.Equal(t, "workflow.run.completed", types[len(types)-1])
		require.Len(t, types, 6, "started, four steps, completed")
		for _, e := range f.events.events {
			require.Equal(t, f.a.OrgID, e.orgID)
		}

		p, err := f.svc.Runs(ctx, f.a, workflow.RunFilter{Status: workflow.StatusCompleted}, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		p, err = f.svc.Runs(ctx, f.b, workflow.RunFilter{}, page.Request{})
		require.NoError(t, err)
		require.Zero(t, p.Total)
		_, err = f.svc.Runs(ctx, f.a, workflow.RunFilter{Status: "sleeping"}, page.Request{})
		require.ErrorIs(t, err, fault.ErrInvalid)
	})
}

func TestRunFails(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tpl, err := f.svc.CreateTemplate(ctx, f.a, workflow.NewTemplate{Name: "Broken", Spec: json.RawMessage(`{"nodes":[
			{"id":"s","type":"start"},{"id":"x","type":"fail","depends_on":["s"],"config":{"message":"stop"}},
			{"id":"after","type":"noop","depends_on":["x"]}]}`)})
		require.NoError(t, err)
		_, err = f.svc.CreateTemplate(ctx, f.a, workflow.NewTemplate{Name: "Cyclic", Spec: json.RawMessage(`{"nodes":[
			{"id":"a","type":"noop","depends_on":["a"]}]}`)})
		require.ErrorIs(t, err, fault.ErrInvalid)

		run, err := f.svc.StartRun(ctx, f.a, workflow.NewRun{TemplateID: tpl.UUID, OriginatingID: "canvas-7", OriginatingType: "canvas"})
		require.NoError(t, err)
		run = f.drive(t, f.a, run.UUID)
		require.Equal(t, workflow.StatusFailed, run.Status)
		require.Equal(t, "stop", run.ErrorMessage)
		require.Equal(t, workflow.StatusPending, run.Steps[2].Status, "nothing runs after a failure")
		last := f.events.events[len(f.events.events)-1]
		require.Equal(t, "workflow.run.failed", last.typ)
		require.Equal(t, "x", *last.data.(*workflow.RunFailed).NodeID)

		// A prompt node needs a meeting.
		tpl2, err := f.svc.CreateTemplate(ctx, f.a, workflow.NewTemplate{Name: "Prompt", Spec: json.RawMessage(`{"nodes":[
			{"id":"p","type":"ai_prompt","config":{"prompt":"x"}}]}`)})
		require.NoError(t, err)
		run, err = f.svc.StartRun(ctx, f.a, workflow.NewRun{TemplateID: tpl2.UUID, OriginatingID: "c", OriginatingType: "canvas"})
		require.NoError(t, err)
		run = f.drive(t, f.a, run.UUID)
		require.Equal(t, workflow.StatusFailed, run.Status)
	})
}
