// Package agenda holds a meeting's agenda items: what will be discussed,
// decided or presented, in order, with time allocations, presenters, items
// only the meeting's editors see, and talking points private to the person
// who wrote them.
package agenda

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/fault"
)

// Type is what an agenda item is for.
type Type string

// The item types.
const (
	TypeDiscussion  Type = "DISCUSSION"
	TypeDecision    Type = "DECISION"
	TypeActionItem  Type = "ACTION_ITEM"
	TypeInformation Type = "INFORMATION"
)

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	return t == TypeDiscussion || t == TypeDecision || t == TypeActionItem || t == TypeInformation
}

// Status is an agenda item's progress.
type Status string

// The statuses.
const (
	StatusPending    Status = "pending"
	StatusInProgress Status = "in_progress"
	StatusCompleted  Status = "completed"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusPending || s == StatusInProgress || s == StatusCompleted
}

// Limits of an agenda item's fields.
const (
	MaxTitleRunes         = 255
	MaxDescriptionRunes   = 5000
	MaxTalkingPointsRunes = 10000
	MaxMinutes            = 1440
	MaxPresenters         = 50
	MaxPresenterRunes     = 255
	// MaxItems bounds one meeting's agenda.
	MaxItems = 500
)

// Item is one agenda item.
type Item struct {
	ID                    int64
	UUID                  string
	MeetingID             int64
	MeetingUUID           string
	Sequence              int
	Type                  Type
	Title                 string
	Description           string
	Status                Status
	TimeAllocationMinutes float64
	Presenters            []string
	RestrictedToLeads     bool
	// TalkingPoints are the caller's own; HasTalkingPoints tells whether
	// the caller wrote any.
	TalkingPoints    string
	HasTalkingPoints bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Fields are an item's settable fields; nil means absent (on create, the
// default; on update, unchanged).
type Fields struct {
	Type                  *string
	Title                 *string
	Description           *string
	Status                *string
	TimeAllocationMinutes *float64
	Presenters            []string // nil: absent
	RestrictedToLeads     *bool
	TalkingPoints         *string
}

// apply validates f and writes it onto it.
func (f Fields) apply(it *Item) error {
	if f.Type != nil {
		if !Type(*f.Type).Valid() {
			return fault.Invalid("item_type", "validation_error", "item_type must be DISCUSSION, DECISION, ACTION_ITEM or INFORMATION")
		}
		it.Type = Type(*f.Type)
	}
	if f.Title != nil {
		t := strings.TrimSpace(*f.Title)
		if t == "" || utf8.RuneCountInString(t) > MaxTitleRunes || !validText(t) {
			return fault.Invalid("title", "validation_error", "title must be 1 to %d characters", MaxTitleRunes)
		}
		it.Title = t
	}
	if f.Description != nil {
		if utf8.RuneCountInString(*f.Description) > MaxDescriptionRunes || !validText(*f.Description) {
			return fault.Invalid("description", "validation_error", "description must be at most %d characters", MaxDescriptionRunes)
		}
		it.Description = *f.Description
	}
	if f.Status != nil {
		if !Status(*f.Status).Valid() {
			return fault.Invalid("status", "invalid_status", "status must be pending, in_progress or completed")
		}
		it.Status = Status(*f.Status)
	}
	if f.TimeAllocationMinutes != nil {
		m := *f.TimeAllocationMinutes
		if math.IsNaN(m) || m < 0 || m > MaxMinutes {
			return fault.Invalid("time_allocation_minutes", "validation_error", "time_allocation_minutes must be between 0 and %d", MaxMinutes)
		}
		it.TimeAllocationMinutes = m
	}
	if f.Presenters != nil {
		if len(f.Presenters) > MaxPresenters {
			return fault.Invalid("presenters", "validation_error", "at most %d presenters", MaxPresenters)
		}
		ps := make([]string, 0, len(f.Presenters))
		for _, p := range f.Presenters {
			p = strings.TrimSpace(p)
			if p == "" || utf8.RuneCountInString(p) > MaxPresenterRunes || !validText(p) {
				return fault.Invalid("presenters", "validation_error", "each presenter must be 1 to %d characters", MaxPresenterRunes)
			}
			ps = append(ps, p)
		}
		it.Presenters = ps
	}
	if f.RestrictedToLeads != nil {
		it.RestrictedToLeads = *f.RestrictedToLeads
	}
	if f.TalkingPoints != nil {
		if utf8.RuneCountInString(*f.TalkingPoints) > MaxTalkingPointsRunes || !validText(*f.TalkingPoints) {
			return fault.Invalid("talking_points", "validation_error", "talking_points must be at most %d characters", MaxTalkingPointsRunes)
		}
		it.TalkingPoints, it.HasTalkingPoints = *f.TalkingPoints, *f.TalkingPoints != ""
	}
	return nil
}

func validText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
