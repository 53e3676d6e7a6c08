package event

import "time"

// Event types of the Meetings API and its media pipeline (meeting.created
// is declared in event.go).
const (
	MeetingDeleted                = "meeting.deleted"
	MeetingTranscriptionCompleted = "meeting.transcription_completed"
	MeetingTranscriptionFailed    = "meeting.transcription_failed"
	MeetingSummarizationCompleted = "meeting.summarization_completed"
)

// MeetingsAPIEvents are the event types a Meetings API webhook may
// subscribe to.
var MeetingsAPIEvents = []string{MeetingCreated, MeetingDeleted, MeetingTranscriptionCompleted,
	MeetingTranscriptionFailed, MeetingSummarizationCompleted}

// MeetingWork is the data of meeting.deleted: the meeting by its integer
// id (the Meetings API's) and public id.
type MeetingWork struct {
	MeetingID      int64     `json:"meeting_id"`
	MeetingUUID    string    `json:"meeting_uuid"`
	OrganizationID int64     `json:"organization_id"`
	Title          string    `json:"title"`
	Status         string    `json:"status"`
	Error          string    `json:"error,omitempty"`
	OccurredAt     time.Time `json:"occurred_at"`
}

// Transcription is the data of meeting.transcription_completed and
// meeting.transcription_failed (Error set on the second).
type Transcription struct {
	MeetingID   string    `json:"meeting_id"`
	WorkspaceID string    `json:"workspace_id"`
	Status      string    `json:"status"`
	Segments    int       `json:"segments,omitempty"`
	Error       string    `json:"error,omitempty"`
	OccurredAt  time.Time `json:"occurred_at"`
}

// Summarization is the data of meeting.summarization_completed.
type Summarization struct {
	MeetingID   string    `json:"meeting_id"`
	WorkspaceID string    `json:"workspace_id"`
	Status      string    `json:"status"`
	OccurredAt  time.Time `json:"occurred_at"`
}

// SetWorkspaceID implements Workspaced.
func (p *Transcription) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }

// SetWorkspaceID implements Workspaced.
func (p *Summarization) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }
