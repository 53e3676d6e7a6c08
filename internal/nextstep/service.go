package nextstep

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/mail"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// Service runs next steps and action buttons.
type Service struct {
	db       *store.DB
	store    sqlStore
	queue    *jobs.Queue
	meetings Meetings
	engine   Engine
	docs     Documents
	mail     mail.Sender
	http     *http.Client
	events   event.Emitter
	logger   *slog.Logger
	now      func() time.Time
}

// Config assembles a Service. Events, Documents and Mail may be nil: the
// events are then dropped and those deliveries fail.
type Config struct {
	DB        *store.DB
	Queue     *jobs.Queue
	Meetings  Meetings
	Engine    Engine
	Documents Documents
	Mail      mail.Sender
	// HTTP calls webhook buttons; it must be a guarded client
	// (netguard.Guard.Client), since partners choose the URLs.
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
	return &Service{db: c.DB, store: sqlStore{db: c.DB}, queue: c.Queue, meetings: c.Meetings, engine: c.Engine, docs: c.Documents,
		mail: c.Mail, http: c.HTTP, events: c.Events, logger: logger, now: func() time.Time { return time.Now().UTC() }}
}

// emit records an event of orgID caused by c in the change's transaction.
func (s *Service) emit(ctx context.Context, tx *jobs.Tx, c caller.Caller, orgID int64, typ string, data any) error {
	return event.Emit(ctx, s.events, tx, event.Event{Type: typ, OrgID: orgID, AppID: c.AppID, ActorUserID: c.UserID, Data: data})
}

// ForMeeting pages through the next steps attached to a meeting of the
// caller's workspace, each with its action buttons.
func (s *Service) ForMeeting(ctx context.Context, c caller.Caller, meetingUUID string, r page.Request) (page.Page[MeetingStep], error) {
	r, err := r.Normalize(page.MaxLimit)
	if err != nil {
		return page.Page[MeetingStep]{}, err
	}
	m, err := s.meetings.Get(ctx, c, meetingUUID)
	if err != nil {
		return page.Page[MeetingStep]{}, err
	}
	p, err := s.store.meetingSteps(ctx, c.OrgID, m.ID, r)
	if err != nil {
		return p, err
	}
	ids := make([]int64, len(p.Items))
	for i, st := range p.Items {
		ids[i] = st.ID
	}
	buttons, err := s.store.buttonsOfSteps(ctx, c.OrgID, ids)
	if err != nil {
		return p, err
	}
	for i := range p.Items {
		p.Items[i].Buttons = buttons[p.Items[i].ID]
	}
	return p, nil
}

// ButtonsForMeeting pages through the action buttons of a meeting's next
// steps, each button once.
func (s *Service) ButtonsForMeeting(ctx context.Context, c caller.Caller, meetingUUID string, r page.Request) (page.Page[Button], error) {
	r, err := r.Normalize(page.MaxLimit)
	if err != nil {
		return page.Page[Button]{}, err
	}
	m, err := s.meetings.Get(ctx, c, meetingUUID)
	if err != nil {
		return page.Page[Button]{}, err
	}
	return s.store.meetingButtons(ctx, c.OrgID, m.ID, r)
}

// Attach is a next step to attach to a meeting.
type Attach struct {
	NextStepID int64
	Autopilot  bool
	Order      int
}

// AttachTx attaches next steps to a meeting of orgID inside tx (a template
// being applied); steps already attached are left as they are. It returns
// how many were attached.
func (s *Service) AttachTx(ctx context.Context, tx *jobs.Tx, orgID, meetingID int64, steps []Attach) (int, error) {
	n := 0
	for _, a := range steps {
		added, err := s.store.attach(ctx, tx, orgID, meetingID, a, s.now())
		if err != nil {
			return n, err
		}
		if added {
			n++
		}
	}
	return n, nil
}

// Execute runs a next step over a meeting of the caller's workspace. An AI
// step is queued as a durable job and its result starts pending; a redirect
// step completes at once with its URL.
func (s *Service) Execute(ctx context.Context, c caller.Caller, meetingUUID, stepUUID string, in ExecuteInput) (Result, error) {
	m, err := s.meetings.Get(ctx, c, meetingUUID)
	if err != nil {
		return Result{}, err
	}
	step, err := s.store.step(ctx, c.OrgID, stepUUID)
	if err != nil {
		return Result{}, err
	}
	now := s.now()
	res := Result{UUID: uuid.NewString(), OrgID: c.OrgID, MeetingID: m.ID, MeetingUUID: m.UUID, NextStepUUID: step.UUID,
		ContentFormat: "markdown", ExpiresAt: now.Add(ResultTTL), CreatedAt: now, UpdatedAt: now}
	switch {
	case strings.TrimSpace(step.AIPrompt) != "":
		if m.SegmentCount == 0 {
			return Result{}, fault.Invalid("meeting_id", "next_step_no_meeting_content", "the meeting has no transcript to run the next step over")
		}
		res.Status = StatusPending
	case step.RedirectURL != "":
		res.Status, res.CompletedAt = StatusCompleted, now
		res.RedirectURL = expand(step.RedirectURL, map[string]string{"meeting_id": m.UUID, "next_step_id": step.UUID, "result_id": res.UUID})
	default:
		return Result{}, fault.Invalid("next_step_id", "next_step_prompt_rejected", "the next step has neither a prompt nor a redirect URL")
	}
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.insertResult(ctx, tx, &res, step.ID, c); err != nil {
			return err
		}
		if res.Status == StatusPending {
			_, err := tx.Insert(ctx, ExecuteArgs{ResultID: res.ID, Parameters: in.Parameters}, nil)
			return err
		}
		return s.completed(ctx, tx, c, res, step)
	})
	return res, err
}

func (s *Service) completed(ctx context.Context, tx *jobs.Tx, c caller.Caller, res Result, step NextStep) error {
	by, _, err := s.store.user(ctx, tx, c.UserID)
	if err != nil {
		return err
	}
	return s.emit(ctx, tx, c, res.OrgID, EventNextStepCompleted, &NextStepCompleted{ContextID: res.MeetingUUID, ContextType: "meeting",
		ExecutedAt: res.CompletedAt, ExecutedBy: by, ExecutionMode: "manual", NextStepID: step.UUID, NextStepName: step.Name,
		MeetingID: res.MeetingUUID, ResultID: res.UUID, Status: res.Status})
}

// Result returns a result of the caller's workspace until it expires.
func (s *Service) Result(ctx context.Context, c caller.Caller, resultUUID string) (Result, error) {
	return s.store.result(ctx, c.OrgID, resultUUID, s.now())
}

// RunPrompt runs a prompt over a meeting's transcript through the engine:
// the answer to it, or the meeting's summary when the engine finds nothing
// that answers it.
func (s *Service) RunPrompt(ctx context.Context, m meeting.Meeting, prompt string) (string, error) {
	segs, err := s.meetings.Segments(ctx, m)
	if err != nil {
		return "", err
	}
	if len(segs) == 0 {
		return "", fault.Invalid("meeting_id", "next_step_no_meeting_content", "the meeting has no transcript")
	}
	ans, err := s.engine.Answer(ctx, segs, prompt, ai.AnswerOptions{MaxWords: 300})
	if err != nil {
		return "", fmt.Errorf("answer prompt over meeting %s: %w", m.UUID, err)
	}
	if text := strings.TrimSpace(ans.Text); text != "" {
		return text, nil
	}
	sum, err := s.engine.Summarize(ctx, segs, ai.SummaryOptions{})
	if err != nil {
		return "", fmt.Errorf("summarize meeting %s: %w", m.UUID, err)
	}
	return strings.TrimSpace(sum.Markdown), nil
}

// Trigger presses an action button for a meeting of the caller's
// workspace. Redirect and clipboard buttons complete at once; webhook,
// email and document deliveries run as durable jobs. Either way
// action_button.triggered is emitted with the invocation.
func (s *Service) Trigger(ctx context.Context, c caller.Caller, meetingUUID, buttonUUID string, in TriggerInput) (Invocation, error) {
	m, err := s.meetings.Get(ctx, c, meetingUUID)
	if err != nil {
		return Invocation{}, err
	}
	b, err := s.store.button(ctx, c.OrgID, buttonUUID)
	if err != nil {
		return Invocation{}, err
	}
	in = in.merged()
	now := s.now()
	inv := Invocation{UUID: uuid.NewString(), OrgID: c.OrgID, MeetingUUID: m.UUID, ButtonUUID: b.UUID, NextStepUUID: in.NextStepID,
		DeliveryMechanism: b.DeliveryMechanism, Status: StatusPending, CreatedAt: now, UpdatedAt: now}
	content := in.Content
	if content == "" {
		res, err := s.store.resultFor(ctx, c.OrgID, m.ID, b.ID, in.ResultID, in.NextStepID, now)
		if err != nil {
			return Invocation{}, err
		}
		content, inv.ResultUUID = res.Content, res.UUID
		if inv.NextStepUUID == "" {
			inv.NextStepUUID = res.NextStepUUID
		}
	}
	if in.ResultID != "" {
		inv.ResultUUID = in.ResultID
	}
	format := in.ContentFormat
	if format == "" {
		format = b.ContentFormat
	}
	vars := map[string]string{"meeting_id": m.UUID, "result_id": inv.ResultUUID, "next_step_id": inv.NextStepUUID, "invocation_id": inv.UUID}
	for k, v := range in.AddressingValues {
		vars[k] = v
	}
	subject := expand(b.EmailSubject, vars)
	if subject == "" {
		subject = b.Name + ": " + m.Title
	}
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		byUUID, byEmail, err := s.store.user(ctx, tx, c.UserID)
		if err != nil {
			return err
		}
		if err := s.plan(&inv, b, in, vars, byEmail, subject, content); err != nil {
			return err
		}
		if err := s.store.insertInvocation(ctx, tx, &inv, m.ID, b.ID, c, subject, content, format); err != nil {
			return err
		}
		if inv.Status == StatusPending {
			if _, err := tx.Insert(ctx, TriggerArgs{InvocationID: inv.ID}, nil); err != nil {
				return err
			}
		}
		d := &ActionButtonTriggered{ActionButtonID: b.UUID, ActionButtonName: b.Name, TriggerMode: "manual", TriggeredAt: now,
			TriggeredBy: byUUID, MeetingID: m.UUID, ContextID: &m.UUID, ContextType: ptr("meeting"), InvocationID: &inv.UUID,
			NextStepID: nonEmpty(inv.NextStepUUID), ResultID: nonEmpty(inv.ResultUUID)}
		return s.emit(ctx, tx, c, c.OrgID, EventActionButtonTriggered, d)
	})
	return inv, err
}

// plan decides what an invocation does and whether a job must do it.
func (s *Service) plan(inv *Invocation, b Button, in TriggerInput, vars map[string]string, userEmail, subject, content string) error {
	switch b.DeliveryMechanism {
	case DeliverRedirect:
		if b.RedirectURL == "" {
			return fault.Invalid("action_button_id", "validation_error", "the action button has no redirect URL")
		}
		inv.Status, inv.RedirectURL, inv.Message = StatusCompleted, expand(b.RedirectURL, vars), "redirect ready"
	case DeliverClipboard:
		inv.Status, inv.Message = StatusCompleted, "content ready to copy"
	case DeliverOSEmail:
		to := recipient(in.AddressingValues, userEmail)
		q := url.Values{"subject": {subject}, "body": {content}}
		inv.Status, inv.Target, inv.Message = StatusCompleted, to, "email draft ready"
		inv.RedirectURL = "mailto:" + url.PathEscape(to) + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	case DeliverEmail:
		inv.Target = recipient(in.AddressingValues, userEmail)
		if inv.Target == "" {
			return fault.Invalid("addressing_values", "missing_recipient", "no recipient: pass addressing_values.to")
		}
		if content == "" {
			return fault.Invalid("content", "no_content", "nothing to send: execute a next step first or pass content")
		}
		inv.Message = "email queued"
	case DeliverWebhook:
		if b.WebhookURL == "" {
			return fault.Invalid("action_button_id", "validation_error", "the action button has no webhook URL")
		}
		inv.Target, inv.Message = b.WebhookURL, "webhook call queued"
	case DeliverFileDownload, DeliverIntegration:
		if content == "" {
			return fault.Invalid("content", "no_content", "nothing to deliver: execute a next step first or pass content")
		}
		inv.Message = "document creation queued"
	default:
		return fault.Invalid("action_button_id", "validation_error", "unknown delivery mechanism %q", b.DeliveryMechanism)
	}
	return nil
}

// Invocation returns an action button invocation of the caller's workspace.
func (s *Service) Invocation(ctx context.Context, c caller.Caller, invocationUUID string) (Invocation, error) {
	return s.store.invocation(ctx, c.OrgID, invocationUUID)
}

// merged reads the SDK's parameters object as the spec's fields where the
// fields themselves are absent.
func (in TriggerInput) merged() TriggerInput {
	str := func(k string) string { v, _ := in.Parameters[k].(string); return v }
	if in.NextStepID == "" {
		in.NextStepID = str("next_step_id")
	}
	if in.ResultID == "" {
		in.ResultID = str("result_id")
	}
	if in.Content == "" {
		in.Content = str("content")
	}
	if in.ContentFormat == "" {
		in.ContentFormat = str("content_format")
	}
	if len(in.AddressingValues) == 0 {
		if m, ok := in.Parameters["addressing_values"].(map[string]any); ok {
			in.AddressingValues = map[string]string{}
			for k, v := range m {
				if s, ok := v.(string); ok {
					in.AddressingValues[k] = s
				}
			}
		}
	}
	return in
}

func recipient(values map[string]string, fallback string) string {
	for _, k := range []string{"to", "email", "recipient"} {
		if v := strings.TrimSpace(values[k]); v != "" {
			return v
		}
	}
	return fallback
}

// expand fills {name} and {{name}} placeholders of a URL or subject
// template; values are query-escaped when the template is a URL.
func expand(tmpl string, vars map[string]string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	isURL := strings.Contains(tmpl, "://")
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := tmpl
	for _, k := range keys {
		v := vars[k]
		if isURL {
			v = url.QueryEscape(v)
		}
		out = strings.ReplaceAll(out, "{{"+k+"}}", v)
		out = strings.ReplaceAll(out, "{"+k+"}", v)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Buttons returns the action buttons of next steps of a workspace, by next
// step id, in one query.
func (s *Service) Buttons(ctx context.Context, orgID int64, stepIDs []int64) (map[int64][]Button, error) {
	return s.store.buttonsOfSteps(ctx, orgID, stepIDs)
}

// Get returns a next step of the caller's workspace.
func (s *Service) Get(ctx context.Context, c caller.Caller, id string) (NextStep, error) {
	return s.store.step(ctx, c.OrgID, id)
}
