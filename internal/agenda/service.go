package agenda

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store"
)

// Meetings tells what a caller may do with a meeting.
type Meetings interface {
	Access(ctx context.Context, c caller.Caller, id string) (meeting.Access, error)
}

// Service holds the rules for agenda items: editors of a meeting change
// them; everyone who reads the meeting reads them, except the items
// restricted to leads, which only editors see; talking points are read and
// written by their author alone.
type Service struct {
	store    sqlStore
	queue    *jobs.Queue
	events   event.Emitter
	meetings Meetings
	now      func() time.Time
}

// NewService returns a Service; events may be nil.
func NewService(db *store.DB, queue *jobs.Queue, events event.Emitter, meetings Meetings) *Service {
	return &Service{store: sqlStore{db: db}, queue: queue, events: events, meetings: meetings,
		now: store.Now}
}

// List returns the agenda of a meeting in order, as the caller may see it.
func (s *Service) List(ctx context.Context, c caller.Caller, meetingID string) ([]Item, error) {
	m, err := s.meetings.Access(ctx, c, meetingID)
	if err != nil {
		return nil, err
	}
	return s.store.list(ctx, m, c.UserID)
}

// Create appends an item to the agenda of a meeting the caller edits and
// emits agenda_item.created.
func (s *Service) Create(ctx context.Context, c caller.Caller, meetingID string, f Fields) (Item, error) {
	if f.Type == nil || f.Title == nil {
		field := "item_type"
		if f.Type != nil {
			field = "title"
		}
		return Item{}, fault.Invalid(field, "validation_error", "%s is required", field)
	}
	f.Status = nil // an item starts pending
	now := s.now()
	it := Item{Status: StatusPending, Presenters: []string{}}
	if err := f.apply(&it); err != nil {
		return Item{}, err
	}
	m, err := s.meetings.Access(ctx, c, meetingID)
	if err != nil {
		return Item{}, err
	}
	if err := m.RequireEditor(); err != nil {
		return Item{}, err
	}
	it.UUID, it.MeetingID, it.MeetingUUID, it.CreatedAt, it.UpdatedAt = uuid.NewString(), m.ID, m.UUID, now, now
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.insert(ctx, tx.Tx, m.OrgID, &it); err != nil {
			return err
		}
		if err := s.talkingPoints(ctx, tx, c, it, f); err != nil {
			return err
		}
		e := event.From(c, event.AgendaItemCreated, &event.AgendaItem{AgendaItemID: it.UUID, MeetingID: &m.UUID,
			ItemType: string(it.Type), Title: it.Title, CreatedAt: &now})
		e.OccurredAt = now
		return event.Emit(ctx, s.events, tx, e)
	})
	if err != nil {
		return Item{}, err
	}
	return it, nil
}

// talkingPoints stores the caller's own talking points, when the fields
// carry some and the caller is a user (only a person has private notes).
func (s *Service) talkingPoints(ctx context.Context, tx *jobs.Tx, c caller.Caller, it Item, f Fields) error {
	if f.TalkingPoints == nil || c.UserID == 0 {
		return nil
	}
	return s.store.setTalkingPoints(ctx, tx.Tx, it.ID, c.UserID, *f.TalkingPoints, it.UpdatedAt)
}

// Update changes an item of a meeting the caller edits and emits
// agenda_item.updated.
func (s *Service) Update(ctx context.Context, c caller.Caller, meetingID, itemID string, f Fields) (Item, error) {
	m, err := s.meetings.Access(ctx, c, meetingID)
	if err != nil {
		return Item{}, err
	}
	if err := m.RequireEditor(); err != nil {
		return Item{}, err
	}
	now := s.now()
	var it Item
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		var err error
		if it, err = s.store.lock(ctx, tx.Tx, m, c.UserID, itemID, now); err != nil {
			return err
		}
		if err := f.apply(&it); err != nil {
			return err
		}
		it.UpdatedAt = now
		if err := s.store.update(ctx, tx.Tx, m.OrgID, it); err != nil {
			return err
		}
		if err := s.talkingPoints(ctx, tx, c, it, f); err != nil {
			return err
		}
		e := event.From(c, event.AgendaItemUpdated, &event.AgendaItem{AgendaItemID: it.UUID, MeetingID: &m.UUID,
			ItemType: string(it.Type), Title: it.Title, Status: string(it.Status), UpdatedAt: &now})
		e.OccurredAt = now
		return event.Emit(ctx, s.events, tx, e)
	})
	if err != nil {
		return Item{}, err
	}
	return it, nil
}

// Delete removes an item of a meeting the caller edits and emits
// agenda_item.deleted.
func (s *Service) Delete(ctx context.Context, c caller.Caller, meetingID, itemID string) error {
	m, err := s.meetings.Access(ctx, c, meetingID)
	if err != nil {
		return err
	}
	if err := m.RequireEditor(); err != nil {
		return err
	}
	now := s.now()
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.delete(ctx, tx.Tx, m, itemID); err != nil {
			return err
		}
		e := event.From(c, event.AgendaItemDeleted, &event.AgendaItemGone{AgendaItemID: itemID, MeetingID: &m.UUID, DeletedAt: now})
		e.OccurredAt = now
		return event.Emit(ctx, s.events, tx, e)
	})
}
