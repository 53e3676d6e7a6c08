package chat

import "time"

// Event types of chat sessions (Partner webhook catalogue).
const (
	TurnCompletedEvent = "session.turn.completed"
	TurnFailedEvent    = "session.turn.failed"
	ExpiredEvent       = "session.expired"
)

// TurnCompletedData is the payload of session.turn.completed: the agent's
// answer turn.
type TurnCompletedData struct {
	SessionID      string    `json:"session_id"`
	TurnID         string    `json:"turn_id"`
	SequenceNumber int       `json:"sequence_number"`
	MeetingID      *string   `json:"meeting_id"`
	CompletedAt    time.Time `json:"completed_at"`
}

// TurnFailedData is the payload of session.turn.failed: the user turn that
// could not be answered.
type TurnFailedData struct {
	SessionID      string    `json:"session_id"`
	TurnID         string    `json:"turn_id"`
	SequenceNumber int       `json:"sequence_number"`
	MeetingID      *string   `json:"meeting_id"`
	ErrorCode      string    `json:"error_code"`
	ErrorMessage   string    `json:"error_message"`
	FailedAt       time.Time `json:"failed_at"`
}

// ExpiredData is the payload of session.expired.
type ExpiredData struct {
	SessionID      string    `json:"session_id"`
	MeetingID      *string   `json:"meeting_id"`
	TurnCount      int       `json:"turn_count"`
	LastActivityAt time.Time `json:"last_activity_at"`
	ExpiredAt      time.Time `json:"expired_at"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
