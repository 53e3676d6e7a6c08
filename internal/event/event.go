// Package event declares Quorum's domain events: what happened, in which
// organization, caused by whom, with which payload. A service emits an event
// inside the transaction of the change that causes it (no event without the
// change, no change without its event); the webhook package stores it in an
// outbox and delivers it.
package event

import (
	"context"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/jobs"
)

// Event is one domain event.
type Event struct {
	// ID is the event's UUID, its idempotency key for receivers; Emit
	// assigns one when empty.
	ID string
	// Type is the event type, e.g. "meeting.created".
	Type string
	// OrgID is the organization (workspace) the event happened in.
	OrgID int64
	// AppID is the app whose credential caused the event (0 for none).
	AppID int64
	// AppOnly delivers the event to AppID's webhook alone. Otherwise it goes
	// to every app linked to the organization, as Contio delivers workspace
	// events to every connected app, whichever app caused them.
	AppOnly bool
	// ActorUserID is the Quorum user who caused the event (0 for none,
	// e.g. an end user of a Cloud app or the system).
	ActorUserID int64
	// ForUserID is the user the event is meant for (0 for none).
	ForUserID int64
	// OccurredAt is when the change happened; Emit uses the time of the
	// call when zero.
	OccurredAt time.Time
	// Data is the payload, encoded as compact JSON. If it implements
	// Workspaced, Emit first gives it the organization's UUID.
	Data any
}

// Workspaced is a payload with a workspace_id: the services that emit know
// the organization's internal id, and the emitter fills in its UUID.
type Workspaced interface {
	SetWorkspaceID(uuid string)
}

// Emitter stores events in the caller's transaction.
type Emitter interface {
	Emit(ctx context.Context, tx *jobs.Tx, e Event) error
}

// Emit sends e to em inside tx; a nil Emitter drops it (services built
// without events, in tests).
func Emit(ctx context.Context, em Emitter, tx *jobs.Tx, e Event) error {
	if em == nil {
		return nil
	}
	return em.Emit(ctx, tx, e)
}

// From fills the tenant, app and actor of an event from the caller.
func From(c caller.Caller, typ string, data any) Event {
	return Event{Type: typ, OrgID: c.OrgID, AppID: c.AppID, ActorUserID: c.UserID, Data: data}
}

// Event types emitted today; the full Partner catalogue is
// identity.WebhookEventTypes.
const (
	MeetingCreated        = "meeting.created"
	MeetingUpdated        = "meeting.updated"
	MeetingContextCreated = "meeting.context.created"
	ActionItemCreated     = "action_item.created"
	ActionItemUpdated     = "action_item.updated"
	ActionItemCompleted   = "action_item.completed"
)

// Payloads, with the fields of the Partner webhook catalogue (section 5.3 of
// the Partner API contract). Ids are UUID strings; workspace_id is the
// organization's UUID; times are RFC 3339.

// Meeting is the data of meeting.created.
type Meeting struct {
	MeetingID       string    `json:"meeting_id"`
	Title           string    `json:"title"`
	WorkspaceID     string    `json:"workspace_id"`
	CreatedByUserID string    `json:"created_by_user_id"`
	CreatedAt       time.Time `json:"created_at"`
}

// MeetingChange is the data of meeting.updated.
type MeetingChange struct {
	MeetingID      string     `json:"meeting_id"`
	Title          string     `json:"title"`
	WorkspaceID    string     `json:"workspace_id"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ScheduledStart *time.Time `json:"scheduled_start"`
}

// ActionItem is the data of action_item.created.
type ActionItem struct {
	ActionItemID string    `json:"action_item_id"`
	MeetingID    string    `json:"meeting_id"`
	Title        string    `json:"title"`
	WorkspaceID  string    `json:"workspace_id"`
	AssigneeID   *string   `json:"assignee_id"`
	CreatedAt    time.Time `json:"created_at"`
}

// Context is the data of meeting.context.created.
type Context struct {
	ContextID   string    `json:"context_id"`
	MeetingID   string    `json:"meeting_id"`
	WorkspaceID string    `json:"workspace_id"`
	Title       string    `json:"title,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// SetWorkspaceID implements Workspaced.
func (p *Meeting) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }

// SetWorkspaceID implements Workspaced.
func (p *MeetingChange) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }

// SetWorkspaceID implements Workspaced.
func (p *ActionItem) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }

// SetWorkspaceID implements Workspaced.
func (p *Context) SetWorkspaceID(uuid string) { p.WorkspaceID = uuid }
