package actionitem

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// Meetings tells what a caller may do with a meeting.
type Meetings interface {
	Access(ctx context.Context, c caller.Caller, id string) (meeting.Access, error)
}

// Service holds the rules for action items. Every call is scoped to the
// caller's organization inside its store query, and a write needs an
// editor of the item's meeting.
type Service struct {
	store    sqlStore
	queue    *jobs.Queue
	events   event.Emitter
	meetings Meetings
	now      func() time.Time
}

// NewService returns a Service; events may be nil. Every change emits its
// action_item.* event in the transaction that makes it.
func NewService(db *store.DB, queue *jobs.Queue, events event.Emitter, meetings Meetings) *Service {
	return &Service{store: sqlStore{db: db}, queue: queue, events: events, meetings: meetings,
		now: store.Now}
}

// Create adds an action item to a meeting of the caller's organization.
func (s *Service) Create(ctx context.Context, c caller.Caller, meetingUUID string, n New) (ActionItem, error) {
	if err := n.validate(); err != nil {
		return ActionItem{}, err
	}
	m, err := s.meetings.Access(ctx, c, meetingUUID)
	if err != nil {
		return ActionItem{}, err
	}
	if err := m.RequireEditor(); err != nil {
		return ActionItem{}, err
	}
	now := s.now()
	a := ActionItem{UUID: uuid.NewString(), OrgID: c.OrgID, MeetingID: m.ID, MeetingUUID: m.UUID, Title: n.Title,
		Description: n.Description, Owner: n.Owner, DueDate: n.DueDate, Status: n.Status, Source: n.Source,
		CreatedAt: now, UpdatedAt: now}
	if a.Status == StatusCompleted {
		a.CompletedAt = now
	}
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.insert(ctx, tx.Tx, &a, c.UserID); err != nil {
			return err
		}
		if n.PartnerContext != nil && c.AppID != 0 {
			if err := s.store.setContext(ctx, tx.Tx, a.ID, c.AppID, n.PartnerContext, now); err != nil {
				return err
			}
			a.PartnerContext = n.PartnerContext
		}
		// The owner is a free-text name, not a user, so there is no
		// assignee id to report.
		e := event.From(c, event.ActionItemCreated, &event.ActionItem{ActionItemID: a.UUID, MeetingID: m.UUID,
			Title: a.Title, CreatedAt: a.CreatedAt})
		e.OccurredAt = a.CreatedAt
		if err := event.Emit(ctx, s.events, tx, e); err != nil {
			return err
		}
		if a.IsCompleted() {
			return s.emitCompleted(ctx, tx, c, a)
		}
		return nil
	})
	if err != nil {
		return ActionItem{}, err
	}
	return a, nil
}

// Patch changes an action item; nil fields are left alone. Status and
// IsCompleted must agree when both are given; either alone moves the
// other (reopening a completed item puts it in progress).
type Patch struct {
	Title          *string
	Description    *string
	Status         *Status
	IsCompleted    *bool
	DueDate        *string
	PartnerContext json.RawMessage
}

// Update changes an item of a meeting the caller edits. It emits
// action_item.updated, and action_item.completed when the item becomes
// completed.
func (s *Service) Update(ctx context.Context, c caller.Caller, id string, p Patch) (ActionItem, error) {
	if err := validContext(p.PartnerContext); err != nil {
		return ActionItem{}, err
	}
	cur, err := s.Get(ctx, c, id)
	if err != nil {
		return ActionItem{}, err
	}
	if err := s.requireEditor(ctx, c, cur.MeetingUUID); err != nil {
		return ActionItem{}, err
	}
	now := s.now()
	var a ActionItem
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		var err error
		// Reading under the row lock keeps concurrent patches from
		// overwriting each other's fields.
		if a, err = s.store.lock(ctx, tx.Tx, c.OrgID, c.AppID, id, now); err != nil {
			return err
		}
		was := a.Status
		if err := applyPatch(&a, p, now); err != nil {
			return err
		}
		a.UpdatedAt = now
		if err := s.store.update(ctx, tx.Tx, a); err != nil {
			return err
		}
		if p.PartnerContext != nil && c.AppID != 0 {
			if err := s.store.setContext(ctx, tx.Tx, a.ID, c.AppID, p.PartnerContext, now); err != nil {
				return err
			}
			a.PartnerContext = p.PartnerContext
		}
		e := event.From(c, event.ActionItemUpdated, &event.ActionItemChange{ActionItemID: a.UUID, MeetingID: a.MeetingUUID,
			Status: string(PartnerStatus(a.Status)), IsCompleted: a.IsCompleted(), UpdatedAt: now})
		e.OccurredAt = now
		if err := event.Emit(ctx, s.events, tx, e); err != nil {
			return err
		}
		if a.IsCompleted() && was != StatusCompleted {
			return s.emitCompleted(ctx, tx, c, a)
		}
		return nil
	})
	if err != nil {
		return ActionItem{}, err
	}
	return a, nil
}

func applyPatch(a *ActionItem, p Patch, now time.Time) error {
	var err error
	if p.Title != nil {
		if a.Title, err = validTitle(*p.Title); err != nil {
			return err
		}
	}
	if p.Description != nil {
		if err := validDescription(*p.Description); err != nil {
			return err
		}
		a.Description = *p.Description
	}
	if p.DueDate != nil {
		if a.DueDate, err = dueDate(*p.DueDate); err != nil {
			return err
		}
	}
	next := a.Status
	if p.Status != nil {
		if !p.Status.Valid() {
			return invalidStatus()
		}
		next = *p.Status
	}
	if p.IsCompleted != nil {
		switch {
		case p.Status != nil && *p.IsCompleted != (next == StatusCompleted):
			return fault.Invalid("is_completed", "invalid_request", "is_completed contradicts status")
		case *p.IsCompleted:
			next = StatusCompleted
		case next == StatusCompleted:
			next = StatusInProgress
		}
	}
	switch {
	case next == StatusCompleted && a.Status != StatusCompleted:
		a.CompletedAt = now
	case next != StatusCompleted:
		a.CompletedAt = time.Time{}
	}
	a.Status = next
	return nil
}

func (s *Service) emitCompleted(ctx context.Context, tx *jobs.Tx, c caller.Caller, a ActionItem) error {
	by, err := s.store.userUUID(ctx, tx.Tx, c.UserID)
	if err != nil {
		return err
	}
	e := event.From(c, event.ActionItemCompleted, &event.ActionItemDone{ActionItemID: a.UUID, MeetingID: a.MeetingUUID,
		Title: a.Title, CompletedAt: a.CompletedAt, CompletedByUserID: by})
	e.OccurredAt = a.CompletedAt
	return event.Emit(ctx, s.events, tx, e)
}

func (s *Service) requireEditor(ctx context.Context, c caller.Caller, meetingUUID string) error {
	m, err := s.meetings.Access(ctx, c, meetingUUID)
	if err != nil {
		return err
	}
	return m.RequireEditor()
}

// Get loads an item of the caller's organization, with the calling app's
// partner context.
func (s *Service) Get(ctx context.Context, c caller.Caller, id string) (ActionItem, error) {
	return s.store.byUUID(ctx, c.OrgID, c.AppID, id)
}

// Delete removes an item of a meeting the caller edits.
func (s *Service) Delete(ctx context.Context, c caller.Caller, id string) error {
	cur, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	if err := s.requireEditor(ctx, c, cur.MeetingUUID); err != nil {
		return err
	}
	return s.store.delete(ctx, c.OrgID, id)
}

// Filter selects action items; zero fields select everything. Dates bound
// when an item was created (ISO 8601 dates or date-times).
type Filter struct {
	MeetingID            string
	IsCompleted          *bool
	HasPartnerAssignment *bool
	StartDate            string
	EndDate              string
}

// List pages through the caller's organization's items, newest first, with
// an exact total. has_partner_assignment means the calling app stored a
// partner context on the item.
func (s *Service) List(ctx context.Context, c caller.Caller, f Filter, r page.Request) (page.Page[ActionItem], error) {
	r, err := r.Normalize(MaxPage)
	if err != nil {
		return page.Page[ActionItem]{}, err
	}
	var q listQuery
	q.orgID, q.appID, q.meeting, q.completed, q.assigned = c.OrgID, c.AppID, f.MeetingID, f.IsCompleted, f.HasPartnerAssignment
	if f.StartDate != "" {
		if q.from, err = meeting.ParseDate("start_date", f.StartDate, false); err != nil {
			return page.Page[ActionItem]{}, err
		}
	}
	if f.EndDate != "" {
		if q.to, err = meeting.ParseDate("end_date", f.EndDate, true); err != nil {
			return page.Page[ActionItem]{}, err
		}
	}
	return s.store.list(ctx, q, r)
}

// MaxPage is the largest page of action items.
const MaxPage = 100

// ListByMeeting pages through a meeting's action items, oldest first. A
// meeting of another organization is not found.
func (s *Service) ListByMeeting(ctx context.Context, c caller.Caller, meetingUUID string, r page.Request) (page.Page[ActionItem], error) {
	r, err := r.Normalize(MaxPage)
	if err != nil {
		return page.Page[ActionItem]{}, err
	}
	return s.store.listByMeeting(ctx, c.OrgID, meetingUUID, r)
}

// SetStatus moves an item of one meeting to a status, exactly as Update
// does (status, is_completed and completed_at kept together, events
// emitted); the agent's tools act through it.
func (s *Service) SetStatus(ctx context.Context, c caller.Caller, meetingUUID, id string, st Status) (ActionItem, error) {
	cur, err := s.Get(ctx, c, id)
	if err != nil {
		return ActionItem{}, err
	}
	if cur.MeetingUUID != meetingUUID {
		return ActionItem{}, fault.NotFound("action item")
	}
	return s.Update(ctx, c, id, Patch{Status: &st})
}

// PartnerStatus is the status as the Partner API names it.
func PartnerStatus(s Status) Status {
	if s == StatusPending {
		return StatusNeedsReview
	}
	return s
}
