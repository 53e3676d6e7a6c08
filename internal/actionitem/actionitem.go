// Package actionitem holds the tasks that come out of meetings, whether a
// person (through the Partner or Cloud API), an extractor or the agent
// created them: all of them are the same rows.
package actionitem

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/fault"
)

// Status is an action item's progress.
type Status string

// The statuses: the Partner API's six, and pending, which items created
// through the Cloud API and by the agent start in (the Partner API shows
// it as needs_review).
const (
	StatusPending     Status = "pending"
	StatusNeedsReview Status = "needs_review"
	StatusAccepted    Status = "accepted"
	StatusInProgress  Status = "in_progress"
	StatusBlocked     Status = "blocked"
	StatusCompleted   Status = "completed"
	StatusCancelled   Status = "cancelled"
)

// Valid reports whether s is a status a client may set.
func (s Status) Valid() bool {
	switch s {
	case StatusNeedsReview, StatusAccepted, StatusInProgress, StatusBlocked, StatusCompleted, StatusCancelled:
		return true
	}
	return false
}

// Limits of an action item's fields.
const (
	MaxTitleRunes       = 1000
	MaxDescriptionRunes = 5000
	MaxContextBytes     = 16 << 10
)

// ActionItem is a task from a meeting.
type ActionItem struct {
	ID          int64
	UUID        string
	OrgID       int64
	MeetingID   int64
	MeetingUUID string
	Title       string
	Description string
	Owner       string
	DueDate     string // YYYY-MM-DD, or empty
	Status      Status
	// Source says who created it: "user" or "agent".
	Source      string
	CompletedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// PartnerContext is the calling app's own context on the item (nil
	// when it set none); no other app's context is ever read.
	PartnerContext json.RawMessage
}

// IsCompleted reports whether the item is done; it is the status, not a
// separate flag, so the two never disagree.
func (a ActionItem) IsCompleted() bool { return a.Status == StatusCompleted }

// New is the input for creating an action item.
type New struct {
	Title       string
	Description string
	Owner       string
	// DueDate is YYYY-MM-DD or an RFC 3339 date-time, of which the date
	// is kept.
	DueDate string
	// Status defaults to pending.
	Status Status
	Source string
	// PartnerContext, a JSON object, is stored for the calling app.
	PartnerContext json.RawMessage
}

func (n *New) validate() error {
	var err error
	if n.Title, err = validTitle(n.Title); err != nil {
		return err
	}
	if err := validDescription(n.Description); err != nil {
		return err
	}
	if len(n.Owner) > 200 || !utf8.ValidString(n.Owner) {
		return fault.Invalid("owner", "validation_error", "owner is longer than 200 characters")
	}
	if n.DueDate, err = dueDate(n.DueDate); err != nil {
		return err
	}
	if n.Status == "" {
		n.Status = StatusPending
	} else if !n.Status.Valid() {
		return invalidStatus()
	}
	if n.Source == "" {
		n.Source = "user"
	}
	return validContext(n.PartnerContext)
}

func validTitle(t string) (string, error) {
	t = strings.TrimSpace(t)
	if t == "" || utf8.RuneCountInString(t) > MaxTitleRunes || !validText(t) {
		return "", fault.Invalid("title", "validation_error", "title must be 1 to %d characters", MaxTitleRunes)
	}
	return t, nil
}

func validDescription(d string) error {
	if utf8.RuneCountInString(d) > MaxDescriptionRunes || !validText(d) {
		return fault.Invalid("description", "validation_error", "description must be at most %d characters of text", MaxDescriptionRunes)
	}
	return nil
}

func validText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func invalidStatus() error {
	return fault.Invalid("status", "invalid_status", "status must be needs_review, accepted, in_progress, blocked, completed or cancelled")
}

// dueDate accepts a date or a date-time and keeps the date as written.
func dueDate(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format(time.DateOnly), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.Format(time.DateOnly), nil
	}
	return "", fault.Invalid("due_date", "invalid_due_date", "due_date must be YYYY-MM-DD or an RFC 3339 date-time")
}

// validContext checks a partner context: a JSON object of bounded size.
func validContext(raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	if len(raw) > MaxContextBytes {
		return &fault.Error{Kind: fault.KindTooLarge, Code: "payload_too_large", Field: "partner_context",
			Message: "partner_context is larger than 16 KiB"}
	}
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
		return fault.Invalid("partner_context", "invalid_request", "partner_context must be a JSON object")
	}
	return nil
}
