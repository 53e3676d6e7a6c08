package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/offline"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/contextdoc"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/insight"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store"
)

// MaxMessageRunes caps a message to the agent.
const MaxMessageRunes = 4000

// MaxChatRunes caps a message of a chat session (the Partner API's limit).
const MaxChatRunes = 10000

// Documents gives the agent the context documents of a meeting that the
// caller's app may read (contextdoc.Service implements it).
type Documents interface {
	// Texts returns the meeting's documents, only those of ids when given.
	Texts(ctx context.Context, c caller.Caller, meetingID int64, ids []string) ([]contextdoc.Text, error)
	// Foreign names the ids of documents the caller may not read.
	Foreign(ctx context.Context, c caller.Caller, ids []string) (map[string]bool, error)
}

// Service runs and records agent exchanges.
type Service struct {
	store    sqlStore
	meetings *meeting.Service
	insight  *insight.Service
	actions  *actionitem.Service
	docs     Documents
	engine   ai.Engine
	chat     Chat // nil: plan offline
	model    string
	maxSteps int
	timeout  time.Duration
	logger   *slog.Logger
	now      func() time.Time
}

// Config assembles a Service. Chat is optional.
type Config struct {
	DB       *store.DB
	Meetings *meeting.Service
	Insight  *insight.Service
	Actions  *actionitem.Service
	// Documents is optional: without it the agent reads no context
	// documents.
	Documents Documents
	Engine    ai.Engine
	Chat      Chat
	Model     string
	MaxSteps  int
	Logger    *slog.Logger
	// Timeout is the time budget of one run (see ai.Budget); 0 means none.
	Timeout time.Duration
}

// NewService returns a Service.
func NewService(c Config) *Service {
	if c.MaxSteps <= 0 {
		c.MaxSteps = DefaultMaxSteps
	}
	return &Service{store: sqlStore{db: c.DB}, meetings: c.Meetings, insight: c.Insight, actions: c.Actions, docs: c.Documents, engine: c.Engine, chat: c.Chat,
		model: c.Model, maxSteps: c.MaxSteps, timeout: c.Timeout, logger: c.Logger, now: func() time.Time { return time.Now().UTC() }}
}

// offlineItems extracts action items from one segment with the offline
// engine, which parses owners and due dates. One segment is too little work
// to be worth cancelling, so the error is only ever the context's.
func offlineItems(ctx context.Context, seg ai.Segment, ref time.Time) ([]ai.ActionItem, error) {
	return offline.ActionItems(ctx, []ai.Segment{seg}, ai.ItemOptions{Reference: ref})
}

// Run answers a message about a meeting and records the exchange, within
// the service's time budget: a run past it is not recorded.
func (s *Service) Run(ctx context.Context, c caller.Caller, meetingUUID, message string) (Run, error) {
	message = strings.TrimSpace(message)
	if message == "" || utf8.RuneCountInString(message) > MaxMessageRunes {
		return Run{}, fault.Invalid("message", "validation_error", "message must be 1 to %d characters", MaxMessageRunes)
	}
	return ai.Budget(ctx, s.timeout, func(ctx context.Context) (Run, error) {
		return s.run(ctx, c, ChatRequest{MeetingUUID: meetingUUID, Message: message})
	})
}

// ChatRequest is one message of a chat session about a meeting.
type ChatRequest struct {
	MeetingUUID string
	Message     string
	// DocumentIDs are context documents the session was primed with: the
	// agent reads them first.
	DocumentIDs []string
	// History is the conversation so far, oldest first (user and
	// assistant messages), which a chat model sees before Message.
	History []Message
}

// Chat answers a chat session's message about a meeting and records the
// exchange like Run. The caller's time budget (its context) applies, not
// the service's, since chat turns run as background jobs with their own.
func (s *Service) Chat(ctx context.Context, c caller.Caller, r ChatRequest) (Run, error) {
	r.Message = strings.TrimSpace(r.Message)
	if r.Message == "" || utf8.RuneCountInString(r.Message) > MaxChatRunes {
		return Run{}, fault.Invalid("message", "validation_error", "message must be 1 to %d characters", MaxChatRunes)
	}
	return s.run(ctx, c, r)
}

func (s *Service) run(ctx context.Context, c caller.Caller, r ChatRequest) (Run, error) {
	m, err := s.meetings.Get(ctx, c, r.MeetingUUID)
	if err != nil {
		return Run{}, err
	}
	segs, err := s.meetings.Segments(ctx, m)
	if err != nil {
		return Run{}, err
	}
	tb := &toolbox{caller: c, meeting: m, insight: s.insight, actions: s.actions, docs: s.docs, segs: segs,
		primed: r.DocumentIDs, referenced: map[string]bool{}}
	message := r.Message
	run := Run{ID: uuid.NewString(), MeetingID: m.UUID, Message: message, Model: s.model, CreatedAt: s.now()}
	ref := m.StartTime
	if ref.IsZero() {
		ref = run.CreatedAt
	}
	if s.chat == nil {
		run.Reply, run.ToolCalls = s.planOffline(ctx, tb, message, ref)
		run.Steps = 1
	} else if run.Reply, run.ToolCalls, run.Steps, run.Model, err = s.loop(ctx, tb, message, r.History); err != nil {
		return Run{}, err
	}
	if run.ToolCalls == nil {
		run.ToolCalls = []CallRecord{}
	}
	run.ReferencedDocuments = tb.referencedDocuments()
	return run, s.store.save(ctx, c.OrgID, m.ID, c.UserRef, run)
}

// loop lets the chat model call tools until it answers or runs out of
// steps.
func (s *Service) loop(ctx context.Context, tb *toolbox, message string, history []Message) (reply string, calls []CallRecord, steps int, model string, err error) {
	specs := make([]ToolSpec, len(tools))
	for i, t := range tools {
		specs[i] = t.spec
	}
	msgs := []Message{
		{Role: "system", Content: fmt.Sprintf("You are Quorum's meeting assistant for the meeting %q (%d transcript segments). "+
			"Use the tools to look things up before answering; cite segment numbers and document titles. "+
			"Only create or change action items when asked.", tb.meeting.Title, len(tb.segs))},
	}
	if len(tb.primed) > 0 {
		msgs = append(msgs, Message{Role: "system", Content: "The user attached these context documents; read them with read_document: " +
			strings.Join(tb.primed, ", ")})
	}
	msgs = append(msgs, history...)
	msgs = append(msgs, Message{Role: "user", Content: message})
	model = s.model
	for step := 1; step <= s.maxSteps; step++ {
		r, err := s.chat.Chat(ctx, msgs, specs)
		if err != nil {
			return "", calls, step, model, fmt.Errorf("agent step %d: %w", step, err)
		}
		if r.Model != "" {
			model = r.Model
		}
		if len(r.ToolCalls) == 0 {
			return r.Content, calls, step, model, nil
		}
		msgs = append(msgs, Message{Role: "assistant", Content: r.Content, ToolCalls: r.ToolCalls})
		for _, tc := range r.ToolCalls {
			rec := tb.call(ctx, tc.Name, json.RawMessage(tc.Arguments))
			calls = append(calls, rec)
			msgs = append(msgs, Message{Role: "tool", ToolCallID: tc.ID, Content: rec.Result})
		}
	}
	return fmt.Sprintf("I stopped after %d steps without a final answer.", s.maxSteps), calls, s.maxSteps, model, nil
}

// Get loads a recorded run of a meeting of the caller's organization.
func (s *Service) Get(ctx context.Context, c caller.Caller, meetingUUID, runUUID string) (Run, error) {
	m, err := s.meetings.Get(ctx, c, meetingUUID)
	if err != nil {
		return Run{}, err
	}
	return s.store.run(ctx, c.OrgID, m, runUUID)
}
