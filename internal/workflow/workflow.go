package workflow

import (
	"context"
	"encoding/json"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/nextstep"
)

// Status is a run's or a step's state.
type Status string

// The run statuses of the Partner API, and the states of a step.
const (
	StatusPending   Status = "pending"
	StatusActive    Status = "active"
	StatusCompleted Status = "completed"
	StatusFailed    Status = "failed"
	StatusCancelled Status = "cancelled"
	StatusFrozen    Status = "frozen"
	// StepQueued and StepRunning are step states: its job is queued, or
	// running.
	StepQueued  Status = "queued"
	StepRunning Status = "running"
)

// ValidRunStatus reports whether s is a run status.
func ValidRunStatus(s Status) bool {
	switch s {
	case StatusPending, StatusActive, StatusCompleted, StatusFailed, StatusCancelled, StatusFrozen:
		return true
	}
	return false
}

// The originating types of a run.
const (
	OriginMeeting = "meeting"
	OriginCanvas  = "canvas"
)

// Template is a workflow template.
type Template struct {
	ID            int64
	UUID          string
	OrgID         int64
	WorkspaceUUID string
	AppID         int64
	Slug          string
	Name          string
	Description   string
	IsActive      bool
	Spec          json.RawMessage
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// NewTemplate is the input for creating a workflow template directly (the
// admin CLI; toolkits create theirs from manifests).
type NewTemplate struct {
	Name        string
	Slug        string
	Description string
	Spec        json.RawMessage
}

// Run is one run of a workflow template.
type Run struct {
	ID              int64
	UUID            string
	OrgID           int64
	WorkspaceUUID   string
	TemplateUUID    string
	OriginatingID   string
	OriginatingType string
	Status          Status
	TriggerType     string
	TriggeredBy     string // the user's public id
	Name            string
	ErrorMessage    string
	Steps           []Step
	StartedAt       time.Time
	CompletedAt     time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// CurrentStepIDs are the nodes whose steps are queued or running.
func (r Run) CurrentStepIDs() []string {
	out := []string{}
	for _, s := range r.Steps {
		if s.Status == StepQueued || s.Status == StepRunning {
			out = append(out, s.NodeID)
		}
	}
	return out
}

// Context is the run's context: what it started from and every completed
// step's output.
func (r Run) Context() map[string]any {
	outputs := map[string]any{}
	for _, s := range r.Steps {
		if s.Status == StatusCompleted {
			outputs[s.NodeID] = s.Output
		}
	}
	return map[string]any{"originating_id": r.OriginatingID, "originating_type": r.OriginatingType, "outputs": outputs}
}

// Step is one node's step within a run.
type Step struct {
	ID           int64
	UUID         string
	NodeID       string
	NodeType     string
	Status       Status
	DependsOn    []string
	Config       map[string]any
	Output       json.RawMessage
	ErrorMessage string
	StartedAt    time.Time
	CompletedAt  time.Time
}

// NewRun is the input for starting a run.
type NewRun struct {
	TemplateID      string
	OriginatingID   string
	OriginatingType string
}

// RunFilter narrows a list of runs; empty fields match all.
type RunFilter struct {
	Status          Status
	TemplateID      string
	OriginatingType string
}

// Meetings is what runs need of meetings.
type Meetings interface {
	Get(ctx context.Context, c caller.Caller, id string) (meeting.Meeting, error)
}

// NextSteps runs prompts; nextstep.Service is one.
type NextSteps interface {
	Get(ctx context.Context, c caller.Caller, id string) (nextstep.NextStep, error)
	RunPrompt(ctx context.Context, m meeting.Meeting, prompt string) (string, error)
}

// The events of runs.
const (
	EventRunStarted    = "workflow.run.started"
	EventRunCompleted  = "workflow.run.completed"
	EventRunFailed     = "workflow.run.failed"
	EventStepCompleted = "workflow.step.completed"
)

// RunStarted is the data of workflow.run.started.
type RunStarted struct {
	OriginatingID   string    `json:"originating_id"`
	OriginatingType string    `json:"originating_type"`
	RunID           string    `json:"run_id"`
	StartedAt       time.Time `json:"started_at"`
	TemplateID      string    `json:"template_id"`
	TriggerType     string    `json:"trigger_type"`
	WorkspaceID     string    `json:"workspace_id"`
	TriggeredBy     *string   `json:"triggered_by"`
}

// StepCompleted is the data of workflow.step.completed.
type StepCompleted struct {
	CompletedAt   time.Time       `json:"completed_at"`
	NodeID        string          `json:"node_id"`
	NodeType      string          `json:"node_type"`
	RunID         string          `json:"run_id"`
	Status        Status          `json:"status"`
	StepID        string          `json:"step_id"`
	OutputSummary json.RawMessage `json:"output_summary,omitempty"`
}

// RunCompleted is the data of workflow.run.completed.
type RunCompleted struct {
	CompletedAt time.Time `json:"completed_at"`
	DurationMS  int64     `json:"duration_ms"`
	FinalStatus Status    `json:"final_status"`
	RunID       string    `json:"run_id"`
	TemplateID  string    `json:"template_id"`
	TotalSteps  int       `json:"total_steps"`
	WorkspaceID string    `json:"workspace_id"`
}

// RunFailed is the data of workflow.run.failed.
type RunFailed struct {
	ErrorMessage string    `json:"error_message"`
	FailedAt     time.Time `json:"failed_at"`
	FinalStatus  Status    `json:"final_status"`
	RunID        string    `json:"run_id"`
	TemplateID   string    `json:"template_id"`
	WorkspaceID  string    `json:"workspace_id"`
	NodeID       *string   `json:"node_id"`
	StepID       *string   `json:"step_id"`
}
