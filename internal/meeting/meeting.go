// Package meeting holds meetings and their transcripts: the timed,
// speaker-labelled segments every intelligence feature reads.
package meeting

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/transcript"
)

// Limits on imported meetings; they bound memory and indexing time.
const (
	MaxSegments     = 50000
	MaxSegmentRunes = 20000
	MaxTitleRunes   = 500
	// MaxSeconds bounds segment times: a meeting longer than 115 days is
	// not one, and bounded times keep every duration computed from them
	// finite.
	MaxSeconds = 1e7
)

// Meeting is a meeting of an organization: planned through the Partner API
// or imported with its transcript through the Cloud API; both are one row.
type Meeting struct {
	ID                int64
	UUID              string
	OrgID             int64
	Title             string
	Language          string
	RoomName          string
	StartTime         time.Time // zero when unknown
	EndTime           time.Time // zero when unknown
	Status            Status
	DetailLevel       DetailLevel
	IsInstant         bool
	TemplateID        string
	CreatedBy         string
	TranscriptVersion int64
	SegmentCount      int
	CompletedAt       time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time

	// Read from related rows: the organization's and the creating user's
	// public ids (CreatorUUID is empty when no Quorum user created it), the
	// meeting this one was merged into, and the linked calendar event.
	OrgUUID         string
	CreatorUUID     string
	MergedInto      string
	CopiedFrom      string
	CalendarEventID string
}

// Status is a meeting's progress, in the Partner API's words.
type Status string

// The statuses.
const (
	StatusDraft      Status = "draft"
	StatusScheduled  Status = "scheduled"
	StatusInProgress Status = "in_progress"
	StatusEnded      Status = "ended"
	StatusCompleted  Status = "completed"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusScheduled, StatusInProgress, StatusEnded, StatusCompleted:
		return true
	}
	return false
}

// DetailLevel is how detailed a meeting's notes are.
type DetailLevel string

// The detail levels.
const (
	DetailBulletPoints DetailLevel = "BULLET_POINTS"
	DetailStandard     DetailLevel = "STANDARD"
	DetailVerbatim     DetailLevel = "VERBATIM"
)

// Valid reports whether d is a known detail level.
func (d DetailLevel) Valid() bool {
	return d == DetailBulletPoints || d == DetailStandard || d == DetailVerbatim
}

// New is the input for creating a meeting.
type New struct {
	Title     string
	StartTime time.Time
	Language  string
	RoomName  string
	Segments  []transcript.Segment
}

func (n *New) validate() error {
	for _, f := range []struct{ name, value string }{
		{"title", n.Title}, {"language", n.Language}, {"roomName", n.RoomName},
	} {
		if err := ValidText(f.name, f.value); err != nil {
			return err
		}
	}
	n.Title = strings.TrimSpace(n.Title)
	if n.Title == "" {
		return fault.Invalid("title", "validation_error", "title is required")
	}
	if utf8.RuneCountInString(n.Title) > MaxTitleRunes {
		return fault.Invalid("title", "validation_error", "title is longer than %d characters", MaxTitleRunes)
	}
	if len(n.Language) > 35 {
		return fault.Invalid("language", "validation_error", "language must be a BCP 47 tag")
	}
	return ValidateSegments(n.Segments, true)
}

// ValidateSegments checks a transcript before it is stored. allowEmpty lets
// a meeting be created before its transcript exists.
func ValidateSegments(segs []transcript.Segment, allowEmpty bool) error {
	if len(segs) == 0 && !allowEmpty {
		return fault.Invalid("segments", "empty_transcript", "the transcript has no segments")
	}
	if len(segs) > MaxSegments {
		return &fault.Error{Kind: fault.KindTooLarge, Code: "transcript_too_large", Field: "segments",
			Message: "a transcript may have at most 50000 segments"}
	}
	// A turn may have no recognized words (speech transcripts have them);
	// it keeps its position so that citations stay aligned, but a transcript
	// must say something.
	spoken := false
	for i, s := range segs {
		if !validText(s.Text) || !validText(s.Speaker) {
			return fault.Invalid("segments", "invalid_encoding", "segment %d is not valid UTF-8 text or contains a NUL character", i)
		}
		spoken = spoken || strings.TrimSpace(s.Text) != ""
		if utf8.RuneCountInString(s.Text) > MaxSegmentRunes {
			return fault.Invalid("segments", "validation_error", "segment %d is longer than %d characters", i, MaxSegmentRunes)
		}
		if !validSeconds(s.Start) || !validSeconds(s.End) || (s.End > 0 && s.End < s.Start) {
			return fault.Invalid("segments", "validation_error", "segment %d has invalid times: want 0 <= start <= end <= %g seconds", i, float64(MaxSeconds))
		}
		if len(s.Speaker) > 200 {
			return fault.Invalid("segments", "validation_error", "segment %d has a speaker name longer than 200 bytes", i)
		}
	}
	if len(segs) > 0 && !spoken {
		return fault.Invalid("segments", "empty_transcript", "the transcript has no text")
	}
	return nil
}

// validSeconds reports whether x is a time within a meeting; NaN fails
// both comparisons.
func validSeconds(x float64) bool {
	return x >= 0 && x <= MaxSeconds
}

// ValidText checks that a text field is UTF-8 without NUL characters, which
// PostgreSQL cannot store in TEXT columns; both databases reject the same
// input with the same error.
func ValidText(field, s string) error {
	if !validText(s) {
		return fault.Invalid(field, "invalid_encoding", "%s must be UTF-8 text without NUL characters", field)
	}
	return nil
}

func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
