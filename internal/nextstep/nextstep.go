// Package nextstep holds what a workspace can do after a meeting: next steps
// (an AI prompt run over the meeting, or a redirect) and the action buttons
// that deliver a result somewhere (a webhook, an email, a document in the
// meeting, a redirect URL). Next steps reach a meeting when a template is
// applied to it; executing one runs its prompt through the intelligence
// engine as a durable job and keeps the result for seven days.
//
// Next steps and buttons are created by toolkit installs (internal/toolkit),
// which write their rows; this package reads them and runs them.
package nextstep

import (
	"context"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/insight"
	"github.com/quorumhq/quorum/internal/meeting"
)

// ResultTTL is how long a next step's result stays readable.
const ResultTTL = 7 * 24 * time.Hour

// Type is what executing a next step does.
type Type string

// The next step types. The manifest spelling of the Partner spec is ai or
// redirect; the SDK's AI and STANDARD are read as ai and standard.
const (
	TypeAI       Type = "ai"
	TypeRedirect Type = "redirect"
	TypeStandard Type = "standard"
)

// ParseType reads a next step type in any of its spellings.
func ParseType(s string) (Type, bool) {
	switch t := Type(strings.ToLower(strings.TrimSpace(s))); t {
	case TypeAI, TypeRedirect, TypeStandard:
		return t, true
	}
	return "", false
}

// Status is the state of an execution or an invocation.
type Status string

// The execution statuses.
const (
	StatusPending    Status = "pending"
	StatusProcessing Status = "processing"
	StatusCompleted  Status = "completed"
	StatusFailed     Status = "failed"
)

// The action button delivery mechanisms.
const (
	DeliverClipboard    = "clipboard"
	DeliverEmail        = "email"
	DeliverOSEmail      = "os_email_client"
	DeliverFileDownload = "file_download"
	DeliverIntegration  = "integration"
	DeliverWebhook      = "webhook"
	DeliverRedirect     = "redirect"
)

// DeliveryMechanisms lists every delivery mechanism.
var DeliveryMechanisms = []string{DeliverClipboard, DeliverEmail, DeliverOSEmail, DeliverFileDownload, DeliverIntegration,
	DeliverWebhook, DeliverRedirect}

// ContentFormats lists every action button content format.
var ContentFormats = []string{"rich_text", "markdown", "plain_text", "html"}

// NextStep is a next step of a workspace.
type NextStep struct {
	ID          int64
	UUID        string
	OrgID       int64
	Name        string
	Description string
	Type        Type
	AIPrompt    string
	Color       string
	IconName    string
	RedirectURL string
	SortOrder   int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Button is an action button of a workspace.
type Button struct {
	ID                int64
	UUID              string
	OrgID             int64
	Name              string
	Description       string
	ContentFormat     string
	DeliveryMechanism string
	IconName          string
	RedirectURL       string
	WebhookURL        string
	EmailSubject      string
	SortOrder         int
	// IsDefault marks the default button of the next step it was read
	// through.
	IsDefault bool
}

// MeetingStep is a next step attached to a meeting, with its buttons.
type MeetingStep struct {
	NextStep
	Autopilot bool
	Order     int
	Buttons   []Button
}

// Result is one execution of a next step over a meeting.
type Result struct {
	ID           int64
	UUID         string
	OrgID        int64
	MeetingID    int64
	MeetingUUID  string
	NextStepUUID string
	// AppID and UserID are who ran it.
	AppID         int64
	UserID        int64
	Status        Status
	Content       string
	ContentFormat string
	RedirectURL   string
	ErrorMessage  string
	ExpiresAt     time.Time
	CompletedAt   time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// caller is the principal the result was run for, for its events.
func (r Result) caller() caller.Caller {
	return caller.Caller{Credential: caller.UserToken, OrgID: r.OrgID, AppID: r.AppID, UserID: r.UserID}
}

// ExecuteInput is the optional body of an execution.
type ExecuteInput struct {
	// ActionButtonID names a button to trigger with the result (spec body);
	// it is recorded, not pressed.
	ActionButtonID string
	// Parameters are extra values the SDK may send; they are appended to
	// the prompt as context.
	Parameters map[string]any
}

// TriggerInput is the optional body of a button trigger: the spec's fields
// and the SDK's parameters object, whose keys of the same names are read
// too.
type TriggerInput struct {
	NextStepID       string
	ResultID         string
	Content          string
	ContentFormat    string
	AddressingValues map[string]string
	Parameters       map[string]any
}

// Invocation is one press of an action button.
type Invocation struct {
	ID                int64
	UUID              string
	OrgID             int64
	MeetingUUID       string
	ButtonUUID        string
	NextStepUUID      string
	ResultUUID        string
	DeliveryMechanism string
	Target            string
	Status            Status
	Message           string
	RedirectURL       string
	DocumentUUID      string
	ErrorMessage      string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Meetings is what the service needs of meetings.
type Meetings interface {
	Get(ctx context.Context, c caller.Caller, id string) (meeting.Meeting, error)
	Segments(ctx context.Context, m meeting.Meeting) ([]ai.Segment, error)
}

// Engine runs prompts over a transcript; ai.Engine is one.
type Engine interface {
	Answer(ctx context.Context, segs []ai.Segment, query string, opts ai.AnswerOptions) (ai.Answer, error)
	Summarize(ctx context.Context, segs []ai.Segment, opts ai.SummaryOptions) (ai.Summary, error)
}

// Documents creates documents in meetings; insight.Service is one.
type Documents interface {
	AddDocument(ctx context.Context, c caller.Caller, meetingUUID, title, content string) (insight.Document, error)
}

// The events of this package.
const (
	EventNextStepCompleted     = "next_step.completed"
	EventActionButtonTriggered = "action_button.triggered"
)

// NextStepCompleted is the data of next_step.completed.
type NextStepCompleted struct {
	ContextID     string    `json:"context_id"`
	ContextType   string    `json:"context_type"`
	ExecutedAt    time.Time `json:"executed_at"`
	ExecutedBy    string    `json:"executed_by"`
	ExecutionMode string    `json:"execution_mode"`
	NextStepID    string    `json:"next_step_id"`
	NextStepName  string    `json:"next_step_name"`
	MeetingID     string    `json:"meeting_id"`
	ResultID      string    `json:"result_id"`
	Status        Status    `json:"status"`
}

// ActionButtonTriggered is the data of action_button.triggered.
type ActionButtonTriggered struct {
	ActionButtonID   string    `json:"action_button_id"`
	ActionButtonName string    `json:"action_button_name"`
	TriggerMode      string    `json:"trigger_mode"`
	TriggeredAt      time.Time `json:"triggered_at"`
	TriggeredBy      string    `json:"triggered_by"`
	MeetingID        string    `json:"meeting_id"`
	ContextID        *string   `json:"context_id"`
	ContextType      *string   `json:"context_type"`
	InvocationID     *string   `json:"invocation_id"`
	NextStepID       *string   `json:"next_step_id"`
	ResultID         *string   `json:"result_id"`
}
