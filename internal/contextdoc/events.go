package contextdoc

import "time"

// Event types of context documents (Partner webhook catalogue).
const (
	ContextCreated   = "meeting.context.created"
	ContextDeleted   = "meeting.context.deleted"
	ContextProcessed = "meeting.context.processed"
)

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
