package event

import "time"

// Event types of the media pipeline (the Meetings API's transcription and
// summarization events).
const (
	MeetingTranscriptionCompleted = "meeting.transcription_completed"
	MeetingTranscriptionFailed    = "meeting.transcription_failed"
	MeetingSummarizationCompleted = "meeting.summarization_completed"
)

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
