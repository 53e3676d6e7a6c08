package event

import "time"

// Event types of meetings, participants, agenda items, action items and
// calendars beyond those declared in event.go.
const (
	MeetingCompleted     = "meeting.completed"
	ParticipantAdded     = "participant.added"
	ParticipantRemoved   = "participant.removed"
	AgendaItemCreated    = "agenda_item.created"
	AgendaItemUpdated    = "agenda_item.updated"
	AgendaItemDeleted    = "agenda_item.deleted"
	CalendarEventCreated = "calendar_event.created"
	CalendarEventUpdated = "calendar_event.updated"
	CalendarEventDeleted = "calendar_event.deleted"
)

// MeetingDone is the data of meeting.completed.
type MeetingDone struct {
	MeetingID   string    `json:"meeting_id"`
	Title       string    `json:"title"`
	WorkspaceID string    `json:"workspace_id"`
	CompletedAt time.Time `json:"completed_at"`
}

// ParticipantRef is one participant of participant.added.
type ParticipantRef struct {
	ParticipantID string  `json:"participant_id"`
	Role          string  `json:"role"`
	UserID        *string `json:"user_id"`
	GuestEmail    *string `json:"guest_email"`
}

// Participants is the data of participant.added.
type Participants struct {
	MeetingID    string           `json:"meeting_id"`
	WorkspaceID  string           `json:"workspace_id"`
	AddedAt      time.Time        `json:"added_at"`
	Participants []ParticipantRef `json:"participants"`
}

// ParticipantGone is the data of participant.removed.
type ParticipantGone struct {
	MeetingID     string    `json:"meeting_id"`
	ParticipantID string    `json:"participant_id"`
	WorkspaceID   string    `json:"workspace_id"`
	RemovedAt     time.Time `json:"removed_at"`
	UserID        *string   `json:"user_id"`
	GuestEmail    *string   `json:"guest_email"`
}

// AgendaItem is the data of agenda_item.created and agenda_item.updated
// (created_at on the first, status and updated_at on the second).
type AgendaItem struct {
	AgendaItemID string     `json:"agenda_item_id"`
	MeetingID    *string    `json:"meeting_id"`
	ItemType     string     `json:"item_type"`
	Title        string     `json:"title"`
	Status       string     `json:"status,omitempty"`
	CreatedAt    *time.Time `json:"created_at,omitempty"`
	UpdatedAt    *time.Time `json:"updated_at,omitempty"`
}

// AgendaItemGone is the data of agenda_item.deleted.
type AgendaItemGone struct {
	AgendaItemID string    `json:"agenda_item_id"`
	MeetingID    *string   `json:"meeting_id"`
	DeletedAt    time.Time `json:"deleted_at"`
}

// ActionItemChange is the data of action_item.updated.
type ActionItemChange struct {
	ActionItemID string    `json:"action_item_id"`
	MeetingID    string    `json:"meeting_id"`
	WorkspaceID  string    `json:"workspace_id"`
	Status       string    `json:"status"`
	IsCompleted  bool      `json:"is_completed"`
	AssigneeID   *string   `json:"assignee_id"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// ActionItemDone is the data of action_item.completed.
type ActionItemDone struct {
	ActionItemID      string    `json:"action_item_id"`
	MeetingID         string    `json:"meeting_id"`
	WorkspaceID       string    `json:"workspace_id"`
	Title             string    `json:"title"`
	CompletedAt       time.Time `json:"completed_at"`
	CompletedByUserID string    `json:"completed_by_user_id"`
	AssigneeID        *string   `json:"assignee_id"`
}

// CalendarEvent is the data of calendar_event.created and .updated.
type CalendarEvent struct {
	CalendarEventID string    `json:"calendar_event_id"`
	Title           string    `json:"title"`
	StartTime       time.Time `json:"start_time"`
	EndTime         time.Time `json:"end_time"`
	IsAllDay        bool      `json:"is_all_day"`
	AttendeeCount   int       `json:"attendee_count"`
}

// CalendarEventGone is the data of calendar_event.deleted.
type CalendarEventGone struct {
	CalendarEventID string `json:"calendar_event_id"`
}

// SetWorkspaceID implements Workspaced.
func (p *MeetingDone) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }

// SetWorkspaceID implements Workspaced.
func (p *Participants) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }

// SetWorkspaceID implements Workspaced.
func (p *ParticipantGone) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }

// SetWorkspaceID implements Workspaced.
func (p *ActionItemChange) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }

// SetWorkspaceID implements Workspaced.
func (p *ActionItemDone) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }
