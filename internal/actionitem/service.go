package actionitem

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// Service holds the rules for action items. Every call is scoped to the
// caller's organization inside its store query.
type Service struct {
	store  sqlStore
	queue  *jobs.Queue
	events event.Emitter
	now    func() time.Time
}

// NewService returns a Service; events may be nil. Creating an item emits
// action_item.created in the transaction that stores it.
func NewService(db *store.DB, queue *jobs.Queue, events event.Emitter) *Service {
	return &Service{store: sqlStore{db: db}, queue: queue, events: events, now: func() time.Time { return time.Now().UTC() }}
}

// Create adds an action item to a meeting of the caller's organization.
func (s *Service) Create(ctx context.Context, c caller.Caller, meetingUUID string, n New) (ActionItem, error) {
	if err := n.validate(); err != nil {
		return ActionItem{}, err
	}
	now := s.now()
	a := ActionItem{UUID: uuid.NewString(), OrgID: c.OrgID, Title: n.Title, Description: n.Description,
		Owner: n.Owner, DueDate: n.DueDate, Status: StatusPending, Source: n.Source, CreatedAt: now, UpdatedAt: now}
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.insert(ctx, tx.Tx, meetingUUID, &a); err != nil {
			return err
		}
		// The owner is a free-text name, not a user, so there is no
		// assignee id to report.
		e := event.From(c, event.ActionItemCreated, &event.ActionItem{ActionItemID: a.UUID, MeetingID: meetingUUID,
			Title: a.Title, CreatedAt: a.CreatedAt})
		e.OccurredAt = a.CreatedAt
		return event.Emit(ctx, s.events, tx, e)
	})
	if err != nil {
		return ActionItem{}, err
	}
	return a, nil
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

// SetStatus moves an item of a meeting of the caller's organization to a
// status; completing it records when, reopening it clears that.
func (s *Service) SetStatus(ctx context.Context, c caller.Caller, meetingUUID, id string, st Status) (ActionItem, error) {
	switch st {
	case StatusPending, StatusInProgress, StatusCompleted:
	default:
		return ActionItem{}, fault.Invalid("status", "invalid_status", "status must be pending, in_progress or completed")
	}
	return s.store.setStatus(ctx, c.OrgID, meetingUUID, id, st, s.now())
}
