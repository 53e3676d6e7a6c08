// Package chat holds chat sessions with the meeting agent: a session belongs
// to one user of one app, optionally about one meeting. A user's messages
// queue as turns and a durable job answers them one at a time, in order;
// the answer is the next turn. User turns have odd sequence numbers and the
// agent's answer to turn n is turn n+1. Sessions idle for a day expire.
package chat

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/fault"
)

// Limits of the Partner API.
const (
	MaxMessageRunes       = 10000
	MaxMetadataKeys       = 10
	MaxMetadataKeyRunes   = 256
	MaxMetadataValueRunes = 1024
	MaxDocuments          = 20
	// MaxTurns bounds a session: 100 exchanges of a message and its
	// answer. A longer conversation starts a new session.
	MaxTurns = 200
	// MaxTurnPage is the largest turn_limit.
	MaxTurnPage = 200
	// DefaultTurnPage is the default turn_limit.
	DefaultTurnPage = 50
	// IdleExpiry is how long a session may go without a message or an
	// answer before it expires.
	IdleExpiry = 24 * time.Hour
)

// Session statuses.
const (
	StatusActive  = "active"
	StatusClosed  = "closed"
	StatusExpired = "expired"
)

// Turn roles and statuses.
const (
	RoleUser  = "user"
	RoleAgent = "agent"

	TurnQueued     = "queued"
	TurnProcessing = "processing"
	TurnCompleted  = "completed"
	TurnFailed     = "failed"
)

// Turn error codes (inside a failed turn).
const (
	ErrAgent   = "agent_error"
	ErrTimeout = "timeout"
)

// Session is a conversation with the agent.
type Session struct {
	ID          int64
	UUID        string
	OrgID       int64
	AppID       int64
	UserID      int64
	UserRef     string
	MeetingID   int64  // 0 for a session about the whole organization
	MeetingUUID string // "" likewise
	Status      string
	Title       string
	Metadata    map[string]string
	DocumentIDs []string
	TurnCount   int
	// LastActivityAt is the last message or answer.
	LastActivityAt time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Turn is one message of a session.
type Turn struct {
	ID          int64
	UUID        string
	SessionID   int64
	SessionUUID string
	Sequence    int
	Role        string
	Content     string
	Status      string
	// ErrorCode and ErrorMessage are set on a failed turn.
	ErrorCode    string
	ErrorMessage string
	// Agent is set on the agent's turns.
	Agent       *AgentMetadata
	CreatedAt   time.Time
	CompletedAt time.Time // zero until completed or failed
}

// Terminal reports whether the turn is done (completed or failed).
func (t Turn) Terminal() bool { return t.Status == TurnCompleted || t.Status == TurnFailed }

// AgentMetadata describes how the agent produced an answer.
type AgentMetadata struct {
	ToolCalls           []ToolCall `json:"tool_calls"`
	ReferencedDocuments []string   `json:"referenced_documents"`
	Model               string     `json:"model"`
	TokenUsage          TokenUsage `json:"token_usage"`
}

// ToolCall is one tool the agent ran; Status is success or failure.
type ToolCall struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// TokenUsage counts model tokens, when the model reports them.
type TokenUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// NewSession starts a session with its first message.
type NewSession struct {
	Message     string
	MeetingID   string
	DocumentIDs []string
	Metadata    map[string]string
}

func validMessage(m string) (string, error) {
	if strings.TrimSpace(m) == "" {
		return "", fault.Invalid("message", "validation_error", "message must not be empty")
	}
	if utf8.RuneCountInString(m) > MaxMessageRunes {
		return "", fault.Invalid("message", "validation_error", "message is longer than %d characters", MaxMessageRunes)
	}
	if !validText(m) {
		return "", fault.Invalid("message", "invalid_encoding", "message must be UTF-8 text without NUL characters")
	}
	return m, nil
}

func validText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func (n *NewSession) validate() error {
	var err error
	if n.Message, err = validMessage(n.Message); err != nil {
		return err
	}
	if len(n.Metadata) > MaxMetadataKeys {
		return fault.Invalid("metadata", "validation_error", "metadata may have at most %d keys", MaxMetadataKeys)
	}
	for k, v := range n.Metadata {
		if k == "" || utf8.RuneCountInString(k) > MaxMetadataKeyRunes || !validText(k) {
			return fault.Invalid("metadata", "validation_error", "metadata keys must be 1 to %d characters of text", MaxMetadataKeyRunes)
		}
		if utf8.RuneCountInString(v) > MaxMetadataValueRunes || !validText(v) {
			return fault.Invalid("metadata", "validation_error", "metadata values must be at most %d characters of text", MaxMetadataValueRunes)
		}
	}
	if len(n.DocumentIDs) > MaxDocuments {
		return fault.Invalid("context_document_ids", "validation_error", "at most %d context documents", MaxDocuments)
	}
	return nil
}

// Filter narrows a list of sessions.
type Filter struct {
	MeetingID string
	Status    string
}

func (f Filter) validate() error {
	switch f.Status {
	case "", StatusActive, StatusClosed, StatusExpired:
		return nil
	}
	return fault.Invalid("status", "validation_error", "status must be active, closed or expired")
}

// View chooses the turns returned with a session.
type View struct {
	// AllTurns returns every turn; otherwise only those not yet returned to
	// this caller (a turn counts as returned once it was shown finished).
	AllTurns bool
	Limit    int
	Offset   int
}

func (v *View) normalize() error {
	if v.Limit == 0 {
		v.Limit = DefaultTurnPage
	}
	if v.Limit < 1 || v.Limit > MaxTurnPage {
		return fault.Invalid("turn_limit", "validation_error", "turn_limit must be between 1 and %d", MaxTurnPage)
	}
	if v.Offset < 0 {
		return fault.Invalid("turn_offset", "validation_error", "turn_offset must not be negative")
	}
	return nil
}

// Sent is the outcome of sending a message.
type Sent struct {
	Turn Turn
	// Position is the turn's place in its session's queue (1: next or
	// being answered).
	Position int
	// Queued is how many of the session's turns wait to be answered.
	Queued int
}
