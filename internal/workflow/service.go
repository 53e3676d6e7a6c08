package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// AdminMaxLimit is the largest page of the admin template list.
const AdminMaxLimit = 100

// Service holds workflow templates and runs them.
type Service struct {
	store     sqlStore
	queue     *jobs.Queue
	meetings  Meetings
	nextSteps NextSteps
	http      *http.Client
	events    event.Emitter
	logger    *slog.Logger
	now       func() time.Time
}

// Config assembles a Service; Events may be nil.
type Config struct {
	DB        *store.DB
	Queue     *jobs.Queue
	Meetings  Meetings
	NextSteps NextSteps
	// HTTP calls webhook nodes; it must be a guarded client.
	HTTP   *http.Client
	Events event.Emitter
	Logger *slog.Logger
}

// NewService returns a Service.
func NewService(c Config) *Service {
	logger := c.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{store: sqlStore{db: c.DB}, queue: c.Queue, meetings: c.Meetings, nextSteps: c.NextSteps, http: c.HTTP,
		events: c.Events, logger: logger, now: func() time.Time { return time.Now().UTC() }}
}

// emit records an event of orgID caused by c in the change's transaction.
func (s *Service) emit(ctx context.Context, tx *jobs.Tx, c caller.Caller, orgID int64, typ string, data any) error {
	return event.Emit(ctx, s.events, tx, event.Event{Type: typ, OrgID: orgID, AppID: c.AppID, ActorUserID: c.UserID, Data: data})
}

// SpecError turns spec problems into one validation error.
func SpecError(problems []Problem) error {
	msgs := make([]string, len(problems))
	for i, p := range problems {
		msgs[i] = strings.TrimPrefix(p.Path+": ", ": ") + p.Message
	}
	return fault.Invalid("spec", "invalid_spec", "%s", strings.Join(msgs, "; "))
}

// CreateTemplate stores a workflow template in the caller's workspace.
func (s *Service) CreateTemplate(ctx context.Context, c caller.Caller, in NewTemplate) (Template, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 255 {
		return Template{}, fault.Invalid("name", "validation_error", "name must be 1 to 255 characters")
	}
	if _, errs, _ := ParseSpec(in.Spec); len(errs) > 0 {
		return Template{}, SpecError(errs)
	}
	if c.OrgID == 0 {
		return Template{}, fault.Invalid("workspace", "workspace_not_found", "the caller has no workspace")
	}
	now := s.now()
	t := Template{UUID: uuid.NewString(), OrgID: c.OrgID, AppID: c.AppID, Slug: in.Slug, Name: name, Description: in.Description,
		IsActive: true, Spec: in.Spec, CreatedAt: now, UpdatedAt: now}
	if err := s.store.insertTemplate(ctx, &t); err != nil {
		return Template{}, err
	}
	return s.Template(ctx, c, t.UUID)
}

// Templates pages through the workflow templates the caller reaches: an
// admin key its app's, in every workspace; others their workspace's.
func (s *Service) Templates(ctx context.Context, c caller.Caller, r page.Request) (page.Page[Template], error) {
	r, err := r.Normalize(AdminMaxLimit)
	if err != nil {
		return page.Page[Template]{}, err
	}
	return s.store.templates(ctx, c, r)
}

// Template returns a workflow template the caller reaches.
func (s *Service) Template(ctx context.Context, c caller.Caller, id string) (Template, error) {
	return s.store.template(ctx, c, id)
}

// StartRun starts a run of a template of the caller's workspace from a
// meeting (of the same workspace) or a canvas. The run is pending until its
// first step's job picks it up.
func (s *Service) StartRun(ctx context.Context, c caller.Caller, in NewRun) (Run, error) {
	switch in.OriginatingType {
	case OriginMeeting, OriginCanvas:
	default:
		return Run{}, fault.Invalid("originating_type", "validation_error", "originating_type must be meeting or canvas")
	}
	if strings.TrimSpace(in.OriginatingID) == "" || len(in.OriginatingID) > 255 {
		return Run{}, fault.Invalid("originating_id", "validation_error", "originating_id is required")
	}
	if in.TemplateID == "" {
		return Run{}, fault.Invalid("workflow_template_id", "validation_error", "workflow_template_id is required")
	}
	t, err := s.store.workspaceTemplate(ctx, c.OrgID, in.TemplateID)
	if err != nil {
		return Run{}, err
	}
	if in.OriginatingType == OriginMeeting {
		if _, err := s.meetings.Get(ctx, c, in.OriginatingID); err != nil {
			return Run{}, err
		}
	}
	g, errs, _ := ParseSpec(t.Spec)
	if len(errs) > 0 {
		return Run{}, SpecError(errs)
	}
	now := s.now()
	run := Run{UUID: uuid.NewString(), OrgID: c.OrgID, WorkspaceUUID: t.WorkspaceUUID, TemplateUUID: t.UUID, OriginatingID: in.OriginatingID,
		OriginatingType: in.OriginatingType, Status: StatusPending, TriggerType: "manual", Name: t.Name, CreatedAt: now, UpdatedAt: now}
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		by, err := s.store.insertRun(ctx, tx, &run, t.ID, c)
		if err != nil {
			return err
		}
		for i, n := range g.Nodes {
			if err := s.store.insertStep(ctx, tx, run.ID, i, n); err != nil {
				return err
			}
		}
		if err := s.emit(ctx, tx, c, c.OrgID, EventRunStarted, &RunStarted{OriginatingID: run.OriginatingID,
			OriginatingType: run.OriginatingType, RunID: run.UUID, StartedAt: now, TemplateID: t.UUID, TriggerType: run.TriggerType,
			WorkspaceID: t.WorkspaceUUID, TriggeredBy: nonEmpty(by)}); err != nil {
			return err
		}
		run.TriggeredBy = by
		steps, err := s.store.stepsTx(ctx, tx, run.ID)
		if err != nil {
			return err
		}
		if err := s.queueReady(ctx, tx, run.ID, steps); err != nil {
			return err
		}
		// The run as it was created: its first steps' jobs may be running
		// by the time a fresh read would happen.
		run.Steps, err = s.store.stepsTx(ctx, tx, run.ID)
		return err
	})
	if err != nil {
		return Run{}, err
	}
	return run, nil
}

// queueReady queues every pending step whose dependencies have completed.
// The conditional update makes a step queued once, whichever completion
// finds it ready.
func (s *Service) queueReady(ctx context.Context, tx *jobs.Tx, runID int64, steps []Step) error {
	done := map[string]bool{}
	for _, st := range steps {
		done[st.NodeID] = st.Status == StatusCompleted
	}
	for _, st := range steps {
		if st.Status != StatusPending {
			continue
		}
		ready := true
		for _, d := range st.DependsOn {
			ready = ready && done[d]
		}
		if !ready {
			continue
		}
		queued, err := s.store.queueStep(ctx, tx, st.ID)
		if err != nil {
			return err
		}
		if queued {
			if _, err := tx.Insert(ctx, StepArgs{RunID: runID, NodeID: st.NodeID}, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// Runs pages through the runs of the caller's workspace, newest first.
func (s *Service) Runs(ctx context.Context, c caller.Caller, f RunFilter, r page.Request) (page.Page[Run], error) {
	r, err := r.Normalize(page.MaxLimit)
	if err != nil {
		return page.Page[Run]{}, err
	}
	if f.Status != "" && !ValidRunStatus(f.Status) {
		return page.Page[Run]{}, fault.Invalid("status", "validation_error", "unknown workflow run status %q", f.Status)
	}
	if f.OriginatingType != "" && f.OriginatingType != OriginMeeting && f.OriginatingType != OriginCanvas {
		return page.Page[Run]{}, fault.Invalid("originating_type", "validation_error", "originating_type must be meeting or canvas")
	}
	p, err := s.store.runs(ctx, c.OrgID, f, r)
	if err != nil {
		return p, err
	}
	ids := make([]int64, len(p.Items))
	for i, run := range p.Items {
		ids[i] = run.ID
	}
	steps, err := s.store.stepsOf(ctx, ids)
	if err != nil {
		return p, err
	}
	for i := range p.Items {
		p.Items[i].Steps = steps[p.Items[i].ID]
	}
	return p, nil
}

// Run returns a run of the caller's workspace with its steps.
func (s *Service) Run(ctx context.Context, c caller.Caller, id string) (Run, error) {
	run, err := s.store.run(ctx, c.OrgID, id)
	if err != nil {
		return Run{}, err
	}
	steps, err := s.store.stepsOf(ctx, []int64{run.ID})
	if err != nil {
		return Run{}, err
	}
	run.Steps = steps[run.ID]
	return run, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// summary is a short JSON rendering of a step's output for its event.
func summary(out json.RawMessage) json.RawMessage {
	if len(out) <= 2000 {
		return out
	}
	b, _ := json.Marshal(map[string]string{"truncated": fmt.Sprintf("%d bytes", len(out))})
	return b
}
