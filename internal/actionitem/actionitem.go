// Package actionitem holds the tasks that come out of meetings, whether a
// person, an extractor or the agent created them.
package actionitem

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/fault"
)

// Status is an action item's progress.
type Status string

// The statuses.
const (
	StatusPending    Status = "pending"
	StatusInProgress Status = "in_progress"
	StatusCompleted  Status = "completed"
)

// ActionItem is a task from a meeting.
type ActionItem struct {
	ID          int64
	UUID        string
	OrgID       int64
	MeetingID   int64
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
}

// New is the input for creating an action item.
type New struct {
	Title       string
	Description string
	Owner       string
	DueDate     string
	Source      string
}

func (n *New) validate() error {
	n.Title = strings.TrimSpace(n.Title)
	if n.Title == "" || utf8.RuneCountInString(n.Title) > 500 {
		return fault.Invalid("title", "validation_error", "title must be 1 to 500 characters")
	}
	if utf8.RuneCountInString(n.Description) > 5000 {
		return fault.Invalid("description", "validation_error", "description is longer than 5000 characters")
	}
	if len(n.Owner) > 200 {
		return fault.Invalid("owner", "validation_error", "owner is longer than 200 characters")
	}
	if n.DueDate != "" {
		if _, err := time.Parse("2006-01-02", n.DueDate); err != nil {
			return fault.Invalid("due_date", "invalid_due_date", "due_date must be YYYY-MM-DD")
		}
	}
	if n.Source == "" {
		n.Source = "user"
	}
	return nil
}
