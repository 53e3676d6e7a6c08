package meeting

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/transcript"
)

// ChangeHook is called inside the transaction that changed a meeting's
// transcript, so derived work (search indexing) is queued atomically with
// the change and cannot be lost to a crash.
type ChangeHook func(ctx context.Context, tx *jobs.Tx, orgID, meetingID int64) error

// Service holds the rules for meetings and transcripts. Every method takes
// the caller's organization and never reaches another's rows.
type Service struct {
	queue     *jobs.Queue
	store     sqlStore
	onChange  ChangeHook
	events    event.Emitter
	templates TemplateApplier
	now       func() time.Time
}

// NewService returns a Service; onChange and events may be nil. Creating a
// meeting emits meeting.created and replacing its transcript
// meeting.updated, each in the transaction of the change.
func NewService(db *store.DB, queue *jobs.Queue, onChange ChangeHook, events event.Emitter) *Service {
	return &Service{queue: queue, store: sqlStore{db: db}, onChange: onChange, events: events,
		now: store.Now}
}

// Create stores a meeting with its transcript in the caller's organization.
func (s *Service) Create(ctx context.Context, c caller.Caller, n New) (Meeting, error) {
	if err := n.validate(); err != nil {
		return Meeting{}, err
	}
	now := s.now()
	m := Meeting{UUID: uuid.NewString(), OrgID: c.OrgID, Title: n.Title, Language: n.Language, RoomName: n.RoomName,
		StartTime: n.StartTime.UTC(), Status: StatusDraft, DetailLevel: DetailStandard, CreatedBy: c.UserRef,
		CreatedAt: now, UpdatedAt: now, SegmentCount: len(n.Segments)}
	if len(n.Segments) > 0 {
		// An imported transcript means the meeting took place.
		m.TranscriptVersion, m.Status, m.CompletedAt = 1, StatusCompleted, now
	}
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.insert(ctx, tx.Tx, &m, c.UserID); err != nil {
			return err
		}
		if err := s.store.insertSegments(ctx, tx.Tx, m.ID, n.Segments); err != nil {
			return err
		}
		if err := s.changed(ctx, tx, m); err != nil {
			return err
		}
		var err error
		if m, err = s.store.txByID(ctx, tx.Tx, m.OrgID, m.ID); err != nil {
			return err
		}
		return s.emitCreated(ctx, tx, c, m)
	})
	return m, err
}

func (s *Service) emitCreated(ctx context.Context, tx *jobs.Tx, c caller.Caller, m Meeting) error {
	by := m.CreatorUUID
	if by == "" {
		by = m.CreatedBy
	}
	e := event.From(c, event.MeetingCreated, &event.Meeting{MeetingID: m.UUID, Title: m.Title,
		CreatedByUserID: by, CreatedAt: m.CreatedAt})
	e.OccurredAt = m.CreatedAt
	return event.Emit(ctx, s.events, tx, e)
}

func (s *Service) emitUpdated(ctx context.Context, tx *jobs.Tx, c caller.Caller, m Meeting) error {
	change := &event.MeetingChange{MeetingID: m.UUID, Title: m.Title, UpdatedAt: m.UpdatedAt}
	if !m.StartTime.IsZero() {
		change.ScheduledStart = &m.StartTime
	}
	e := event.From(c, event.MeetingUpdated, change)
	e.OccurredAt = m.UpdatedAt
	return event.Emit(ctx, s.events, tx, e)
}

// ReplaceTranscript swaps a meeting's transcript for a new one. Writers to
// one meeting serialize on its row: the version bump comes first and locks
// it, so two uploads never interleave their deletes and inserts.
func (s *Service) ReplaceTranscript(ctx context.Context, c caller.Caller, id string, segs []transcript.Segment) (Meeting, error) {
	if err := ValidateSegments(segs, false); err != nil {
		return Meeting{}, err
	}
	var m Meeting
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		var err error
		if m, err = s.store.bumpTranscript(ctx, tx.Tx, c.OrgID, id, len(segs), s.now()); err != nil {
			return err
		}
		if err := s.store.replaceSegments(ctx, tx.Tx, m.ID, segs); err != nil {
			return err
		}
		if err := s.changed(ctx, tx, m); err != nil {
			return err
		}
		return s.emitUpdated(ctx, tx, c, m)
	})
	return m, err
}

func (s *Service) changed(ctx context.Context, tx *jobs.Tx, m Meeting) error {
	if s.onChange == nil {
		return nil
	}
	return s.onChange(ctx, tx, m.OrgID, m.ID)
}

// Get loads a meeting of the caller's organization by its public id.
func (s *Service) Get(ctx context.Context, c caller.Caller, id string) (Meeting, error) {
	return s.store.byUUID(ctx, c.OrgID, id)
}

// GetByID loads a meeting of the caller's organization by its internal id.
func (s *Service) GetByID(ctx context.Context, c caller.Caller, id int64) (Meeting, error) {
	return s.store.byID(ctx, c.OrgID, id)
}

// Resolve maps public meeting ids of the caller's organization to internal
// ids in one query; an unknown or foreign id is not found.
func (s *Service) Resolve(ctx context.Context, c caller.Caller, uuids []string) (map[string]int64, error) {
	return s.store.idsByUUID(ctx, c.OrgID, uuids)
}

// List pages through the caller's organization's meetings, newest first.
func (s *Service) List(ctx context.Context, c caller.Caller, r page.Request) (page.Page[Meeting], error) {
	r, err := r.Normalize(page.MaxLimit)
	if err != nil {
		return page.Page[Meeting]{}, err
	}
	return s.store.list(ctx, c.OrgID, r)
}

// Segments returns a meeting's transcript in imported order, in the type
// the intelligence engines read.
func (s *Service) Segments(ctx context.Context, m Meeting) ([]ai.Segment, error) {
	return s.store.segments(ctx, m.ID)
}

// InRoom lists the public ids of every meeting of the caller's
// organization held in a room, newest first.
func (s *Service) InRoom(ctx context.Context, c caller.Caller, room string) ([]string, error) {
	return s.store.inRoom(ctx, c.OrgID, room)
}
