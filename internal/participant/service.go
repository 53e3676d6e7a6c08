package participant

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

// Service holds the rules for participants: every workspace member reads
// them, only an editor of the meeting changes them, and an email appears
// once per meeting.
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

// List returns a meeting's participants in the order they were added.
func (s *Service) List(ctx context.Context, c caller.Caller, meetingID string) ([]Participant, error) {
	m, err := s.meetings.Access(ctx, c, meetingID)
	if err != nil {
		return nil, err
	}
	return s.store.list(ctx, m.OrgID, m.ID)
}

// Add invites a person to a meeting the caller edits and emits
// participant.added. An email already on the meeting is a conflict.
func (s *Service) Add(ctx context.Context, c caller.Caller, meetingID string, n New) (Participant, error) {
	if err := n.validate(); err != nil {
		return Participant{}, err
	}
	m, err := s.meetings.Access(ctx, c, meetingID)
	if err != nil {
		return Participant{}, err
	}
	if err := m.RequireEditor(); err != nil {
		return Participant{}, err
	}
	now := s.now()
	p := Participant{UUID: uuid.NewString(), MeetingID: m.ID, MeetingUUID: m.UUID, Email: n.Email, Name: n.Name,
		Role: meeting.Role(n.Role), CreatedAt: now, UpdatedAt: now}
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.insert(ctx, tx.Tx, m.OrgID, &p); err != nil {
			if store.IsUniqueViolation(err) {
				return fault.Conflict("resource_already_exists", "%s is already a participant of this meeting", n.Email)
			}
			return err
		}
		ref := event.ParticipantRef{ParticipantID: p.UUID, Role: string(p.Role)}
		ref.UserID, ref.GuestEmail = who(p)
		e := event.From(c, event.ParticipantAdded, &event.Participants{MeetingID: m.UUID, AddedAt: now,
			Participants: []event.ParticipantRef{ref}})
		e.OccurredAt = now
		return event.Emit(ctx, s.events, tx, e)
	})
	if err != nil {
		return Participant{}, err
	}
	return p, nil
}

// Remove takes a participant off a meeting the caller edits and emits
// participant.removed.
func (s *Service) Remove(ctx context.Context, c caller.Caller, meetingID, participantID string) error {
	m, err := s.meetings.Access(ctx, c, meetingID)
	if err != nil {
		return err
	}
	if err := m.RequireEditor(); err != nil {
		return err
	}
	now := s.now()
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		p, err := s.store.delete(ctx, tx.Tx, m.OrgID, m.ID, participantID)
		if err != nil {
			return err
		}
		gone := &event.ParticipantGone{MeetingID: m.UUID, ParticipantID: p.UUID, RemovedAt: now}
		gone.UserID, gone.GuestEmail = who(p)
		e := event.From(c, event.ParticipantRemoved, gone)
		e.OccurredAt = now
		return event.Emit(ctx, s.events, tx, e)
	})
}

// who names a participant in an event: a user by id, a guest by email.
func who(p Participant) (userID, guestEmail *string) {
	if p.UserUUID != "" {
		id := p.UserUUID
		return &id, nil
	}
	email := p.Email
	return nil, &email
}
