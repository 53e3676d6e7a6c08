package event

import (
	"strings"
	"time"
)

// Event types of the Partner admin features.
const (
	UserConnectionRevoked       = "user.connection.revoked"
	AutomationAssignmentCreated = "automation.assignment.created"
)

// Internal event types are stored in the outbox for Quorum's own
// consumers (automations) and never delivered to a webhook.
const (
	// TranscriptReady: a meeting's transcript was imported or replaced.
	TranscriptReady = "internal.meeting.transcript_ready"
	// SummaryReady: the summary of a meeting's transcript version was
	// stored for the first time.
	SummaryReady = "internal.meeting.summary_ready"
)

// Internal reports whether events of type typ stay inside Quorum.
func Internal(typ string) bool { return strings.HasPrefix(typ, "internal.") }

// ConnectionRevoked is the data of user.connection.revoked.
type ConnectionRevoked struct {
	ConnectionID string    `json:"connection_id"`
	RevokedAt    time.Time `json:"revoked_at"`
}

// Assignment is the data of automation.assignment.created.
type Assignment struct {
	ActionItemID   string         `json:"action_item_id"`
	AssignmentID   string         `json:"assignment_id"`
	AutomationID   string         `json:"automation_id"`
	AutomationName string         `json:"automation_name"`
	CreatedAt      time.Time      `json:"created_at"`
	MeetingID      string         `json:"meeting_id"`
	Status         string         `json:"status"`
	WorkspaceID    string         `json:"workspace_id"`
	Payload        map[string]any `json:"automation_data_payload,omitempty"`
	Confidence     *float64       `json:"confidence_score,omitempty"`
}

// SetWorkspaceID implements Workspaced.
func (p *Assignment) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }

// MeetingRef is the data of the internal meeting events: the meeting's
// UUID and its row id.
type MeetingRef struct {
	MeetingID string `json:"meeting_id"`
	RowID     int64  `json:"meeting_row_id"`
}
