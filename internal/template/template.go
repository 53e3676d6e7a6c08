// Package template holds meeting templates: a name, the agenda items and
// participants a meeting made from it starts with, and the next steps it
// brings. A partner app manages its templates through the admin API; users
// list their workspace's templates and apply one to a meeting.
//
// Templates are scoped by who asks: an admin key reaches the templates its
// app owns (in any workspace), every other caller those of its workspace.
package template

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/nextstep"
)

// The ownership types of templates.
const (
	OwnedBySystem    = "SYSTEM"
	OwnedByVertical  = "VERTICAL"
	OwnedByWorkspace = "WORKSPACE"
	OwnedByUser      = "USER"
	OwnedByPartner   = "PARTNER"
)

// Limits of template fields.
const (
	MaxNameRunes        = 255
	MaxDescriptionRunes = 1000
)

// AgendaItem is an agenda item a template gives a meeting.
type AgendaItem struct {
	ItemType              string  `json:"item_type"`
	Title                 string  `json:"title"`
	Description           string  `json:"description,omitempty"`
	Content               string  `json:"content,omitempty"`
	Sequence              int     `json:"sequence,omitempty"`
	TimeAllocationMinutes float64 `json:"time_allocation_minutes,omitempty"`
	RestrictedToLeads     bool    `json:"restricted_to_leads,omitempty"`
	// TalkingPoints are copied from a backing meeting's item.
	TalkingPoints string `json:"talking_points,omitempty"`
}

// Participant is a participant a template gives a meeting.
type Participant struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// Template is a meeting template.
type Template struct {
	ID                 int64
	UUID               string
	OrgID              int64
	WorkspaceUUID      string
	AppID              int64
	Name               string
	Description        string
	BackingMeetingUUID string
	Title              string
	DetailLevel        string
	DurationSeconds    int
	StartOffsetSeconds int
	Ownership          string
	IsActive           bool
	Agenda             []AgendaItem
	Participants       []Participant
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// StepLink is a next step of a template.
type StepLink struct {
	nextstep.NextStep
	Autopilot bool
	Order     int
	Buttons   []nextstep.Button
	LinkedAt  time.Time
	UpdatedAt time.Time
}

// New is the input for creating a template.
type New struct {
	Name             string
	Description      string
	BackingMeetingID string
}

// Patch holds the fields of a template to change; nil fields stay.
type Patch struct {
	Name        *string
	Description *string
}

// Application is the record of a template applied to a meeting.
type Application struct {
	UUID         string
	TemplateUUID string
	TemplateName string
	MeetingUUID  string
	AgendaItems  int
	Participants int
	Documents    int
	NextSteps    int
	AppliedAt    time.Time
}

// Content reads and writes the agenda items and participants of meetings;
// the partner-core services implement it. Without it a template keeps the
// agenda and participants it was given, and applying it adds next steps
// only.
type Content interface {
	// Agenda returns a meeting's agenda items, talking points included.
	Agenda(ctx context.Context, c caller.Caller, meetingID int64) ([]AgendaItem, error)
	// Participants returns a meeting's participants.
	Participants(ctx context.Context, c caller.Caller, meetingID int64) ([]Participant, error)
	// AddAgendaTx adds agenda items to a meeting inside tx and returns how
	// many it added.
	AddAgendaTx(ctx context.Context, tx *jobs.Tx, c caller.Caller, meetingID int64, items []AgendaItem) (int, error)
	// AddParticipantsTx adds participants to a meeting inside tx, skipping
	// those already there, and returns how many it added.
	AddParticipantsTx(ctx context.Context, tx *jobs.Tx, c caller.Caller, meetingID int64, ps []Participant) (int, error)
}

// EventApplied is emitted when a template is applied to a meeting.
const EventApplied = "meeting_template.applied"

// Applied is the data of meeting_template.applied.
type Applied struct {
	AppliedAt       time.Time    `json:"applied_at"`
	AppliedByUserID string       `json:"applied_by_user_id"`
	AppliedItems    AppliedItems `json:"applied_items"`
	MeetingID       string       `json:"meeting_id"`
	TemplateID      string       `json:"template_id"`
	TemplateName    string       `json:"template_name"`
}

// AppliedItems counts what an application added.
type AppliedItems struct {
	AgendaItems  int `json:"agenda_items"`
	Documents    int `json:"documents"`
	Participants int `json:"participants"`
}

func validName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > MaxNameRunes {
		return "", fault.Invalid("name", "validation_error", "name must be 1 to %d characters", MaxNameRunes)
	}
	return s, meeting.ValidText("name", s)
}

func validDescription(s string) (string, error) {
	if utf8.RuneCountInString(s) > MaxDescriptionRunes {
		return "", fault.Invalid("description", "validation_error", "description must be at most %d characters", MaxDescriptionRunes)
	}
	return s, meeting.ValidText("description", s)
}

// byApp reports whether c reaches templates through its app (an admin key)
// rather than through its workspace.
func byApp(c caller.Caller) bool { return c.Credential == caller.AdminKey }
