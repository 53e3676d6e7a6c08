package event

import "time"

// Event types of the Meetings API (meeting.created is declared in event.go).
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

// MeetingWork is the data of meeting.deleted and of the transcription and
// summarization events: the meeting by its integer id (the Meetings API's)
// and public id, and, for a failure, why.
type MeetingWork struct {
	MeetingID      int64     `json:"meeting_id"`
	MeetingUUID    string    `json:"meeting_uuid"`
	OrganizationID int64     `json:"organization_id"`
	Title          string    `json:"title"`
	Status         string    `json:"status"`
	Error          string    `json:"error,omitempty"`
	OccurredAt     time.Time `json:"occurred_at"`
}
