package contextdoc

import (
	"context"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/jobs"
)

// Event types of context documents (Partner webhook catalogue).
const (
	ContextCreated   = "meeting.context.created"
	ContextDeleted   = "meeting.context.deleted"
	ContextProcessed = "meeting.context.processed"
)

// Event is a change to announce, emitted in the change's transaction.
type Event struct {
	Type   string
	Caller caller.Caller
	// AppOnly sends the event to the caller's app alone.
	AppOnly bool
	At      time.Time
	// Data is the payload; it implements SetWorkspaceID.
	Data any
}

// Emitter stores events in the caller's transaction (the webhook outbox).
type Emitter interface {
	Emit(ctx context.Context, tx *jobs.Tx, e Event) error
}

// CreatedData is the payload of meeting.context.created.
type CreatedData struct {
	ContextID   string    `json:"context_id"`
	MeetingID   string    `json:"meeting_id"`
	WorkspaceID string    `json:"workspace_id"`
	Title       string    `json:"title,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// DeletedData is the payload of meeting.context.deleted.
type DeletedData struct {
	ContextID   string    `json:"context_id"`
	MeetingID   string    `json:"meeting_id"`
	WorkspaceID string    `json:"workspace_id"`
	DeletedAt   time.Time `json:"deleted_at"`
}

// ProcessedData is the payload of meeting.context.processed.
type ProcessedData struct {
	ContextID          string    `json:"context_id"`
	MeetingID          string    `json:"meeting_id"`
	WorkspaceID        string    `json:"workspace_id"`
	ProcessedAt        time.Time `json:"processed_at"`
	SanitizationReport Report    `json:"sanitization_report"`
}

// SetWorkspaceID fills in the organization's UUID.
func (p *CreatedData) SetWorkspaceID(id string) { p.WorkspaceID = id }

// SetWorkspaceID fills in the organization's UUID.
func (p *DeletedData) SetWorkspaceID(id string) { p.WorkspaceID = id }

// SetWorkspaceID fills in the organization's UUID.
func (p *ProcessedData) SetWorkspaceID(id string) { p.WorkspaceID = id }
