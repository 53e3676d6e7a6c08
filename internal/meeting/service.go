package meeting

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/jobs"
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
	queue    *jobs.Queue
	store    sqlStore
	onChange ChangeHook
	now      func() time.Time
}

// NewService returns a Service; onChange may be nil.
func NewService(db *store.DB, queue *jobs.Queue, onChange ChangeHook) *Service {
	return &Service{queue: queue, store: sqlStore{db: db}, onChange: onChange, now: func() time.Time { return time.Now().UTC() }}
}

// Create stores a meeting with its transcript.
func (s *Service) Create(ctx context.Context, orgID int64, n New) (Meeting, error) {
	if err := n.validate(); err != nil {
		return Meeting{}, err
	}
	now := s.now()
	m := Meeting{UUID: uuid.NewString(), OrgID: orgID, Title: n.Title, Language: n.Language, RoomName: n.RoomName,
		StartTime: n.StartTime.UTC(), CreatedBy: n.CreatedBy, CreatedAt: now, UpdatedAt: now, SegmentCount: len(n.Segments)}
	if len(n.Segments) > 0 {
		m.TranscriptVersion = 1
	}
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.insert(ctx, tx.Tx, &m); err != nil {
			return err
		}
		if err := s.store.insertSegments(ctx, tx.Tx, m.ID, n.Segments); err != nil {
			return err
		}
		return s.changed(ctx, tx, m)
	})
	return m, err
}

// ReplaceTranscript swaps a meeting's transcript for a new one.
func (s *Service) ReplaceTranscript(ctx context.Context, orgID int64, id string, segs []transcript.Segment) (Meeting, error) {
	if err := ValidateSegments(segs, false); err != nil {
		return Meeting{}, err
	}
	m, err := s.store.byUUID(ctx, orgID, id)
	if err != nil {
		return Meeting{}, err
	}
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if _, err := tx.ExecContext(ctx, s.store.q(`DELETE FROM transcript_segments WHERE meeting_id = ?`), m.ID); err != nil {
			return fmt.Errorf("clear transcript of meeting %s: %w", id, err)
		}
		if err := s.store.insertSegments(ctx, tx.Tx, m.ID, segs); err != nil {
			return err
		}
		m.UpdatedAt = s.now()
		if err := tx.QueryRowContext(ctx, s.store.q(`UPDATE meetings SET transcript_version = transcript_version + 1, updated_at = ?
			WHERE id = ? RETURNING transcript_version`), m.UpdatedAt, m.ID).Scan(&m.TranscriptVersion); err != nil {
			return fmt.Errorf("bump transcript version of meeting %s: %w", id, err)
		}
		return s.changed(ctx, tx, m)
	})
	m.SegmentCount = len(segs)
	return m, err
}

func (s *Service) changed(ctx context.Context, tx *jobs.Tx, m Meeting) error {
	if s.onChange == nil {
		return nil
	}
	return s.onChange(ctx, tx, m.OrgID, m.ID)
}

// Get loads a meeting by its public id.
func (s *Service) Get(ctx context.Context, orgID int64, id string) (Meeting, error) {
	return s.store.byUUID(ctx, orgID, id)
}

// GetByID loads a meeting by its internal id.
func (s *Service) GetByID(ctx context.Context, orgID, id int64) (Meeting, error) {
	return s.store.byID(ctx, orgID, id)
}

// Resolve maps public meeting ids of the organization to internal ids.
func (s *Service) Resolve(ctx context.Context, orgID int64, uuids []string) (map[string]int64, error) {
	return s.store.idsByUUID(ctx, orgID, uuids)
}

// Segments returns a meeting's transcript in imported order, in the type
// the intelligence engines read.
func (s *Service) Segments(ctx context.Context, m Meeting) ([]ai.Segment, error) {
	return s.store.segments(ctx, m.ID)
}

// InRoom lists the public ids of the organization's meetings held in a
// room, newest first.
func (s *Service) InRoom(ctx context.Context, orgID int64, room string) ([]string, error) {
	return s.store.inRoom(ctx, orgID, room)
}
