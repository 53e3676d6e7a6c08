package meeting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/transcript"
)

type sqlStore struct{ db *store.DB }

func (s sqlStore) q(query string) string { return s.db.Rebind(query) }

func (s sqlStore) insert(ctx context.Context, tx *sql.Tx, m *Meeting) error {
	var start any
	if !m.StartTime.IsZero() {
		start = m.StartTime
	}
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO meetings (uuid, org_id, title, language, room_name, start_time, created_by,
		transcript_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		m.UUID, m.OrgID, m.Title, m.Language, m.RoomName, start, m.CreatedBy, m.TranscriptVersion, m.CreatedAt, m.UpdatedAt).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("insert meeting: %w", err)
	}
	return nil
}

// segmentBatch keeps multi-row inserts under every driver's parameter cap.
const segmentBatch = 200

func (s sqlStore) insertSegments(ctx context.Context, tx *sql.Tx, meetingID int64, segs []transcript.Segment) error {
	for from := 0; from < len(segs); from += segmentBatch {
		to := min(from+segmentBatch, len(segs))
		var b strings.Builder
		b.WriteString(`INSERT INTO transcript_segments (meeting_id, position, speaker, text, start_sec, end_sec) VALUES `)
		args := make([]any, 0, 6*(to-from))
		for i := from; i < to; i++ {
			if i > from {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, meetingID, i, segs[i].Speaker, segs[i].Text, segs[i].Start, segs[i].End)
		}
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return fmt.Errorf("insert segments of meeting %d: %w", meetingID, err)
		}
	}
	return nil
}

const meetingColumns = `m.id, m.uuid, m.org_id, m.title, m.language, m.room_name, m.start_time, m.created_by, m.transcript_version,
	m.created_at, m.updated_at, (SELECT COUNT(*) FROM transcript_segments t WHERE t.meeting_id = m.id)`

func scanMeeting(row interface{ Scan(...any) error }) (Meeting, error) {
	var m Meeting
	var start sql.NullTime
	err := row.Scan(&m.ID, &m.UUID, &m.OrgID, &m.Title, &m.Language, &m.RoomName, &start, &m.CreatedBy, &m.TranscriptVersion,
		&m.CreatedAt, &m.UpdatedAt, &m.SegmentCount)
	m.StartTime = start.Time
	return m, err
}

// byUUID loads a meeting of the organization; other tenants' meetings are
// not found.
func (s sqlStore) byUUID(ctx context.Context, orgID int64, id string) (Meeting, error) {
	m, err := scanMeeting(s.db.R.QueryRowContext(ctx, s.q(`SELECT `+meetingColumns+` FROM meetings m WHERE m.org_id = ? AND m.uuid = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, fault.NotFound("meeting")
	}
	if err != nil {
		return Meeting{}, fmt.Errorf("load meeting %s: %w", id, err)
	}
	return m, nil
}

func (s sqlStore) byID(ctx context.Context, orgID, id int64) (Meeting, error) {
	m, err := scanMeeting(s.db.R.QueryRowContext(ctx, s.q(`SELECT `+meetingColumns+` FROM meetings m WHERE m.org_id = ? AND m.id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, fault.NotFound("meeting")
	}
	if err != nil {
		return Meeting{}, fmt.Errorf("load meeting %d: %w", id, err)
	}
	return m, nil
}

// idsByUUID resolves meeting uuids of one organization; unknown or foreign
// ones are reported as not found.
func (s sqlStore) idsByUUID(ctx context.Context, orgID int64, uuids []string) (map[string]int64, error) {
	out := make(map[string]int64, len(uuids))
	for _, u := range uuids {
		var id int64
		err := s.db.R.QueryRowContext(ctx, s.q(`SELECT id FROM meetings WHERE org_id = ? AND uuid = ?`), orgID, u).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fault.NotFound("meeting " + u)
		}
		if err != nil {
			return nil, fmt.Errorf("resolve meeting %s: %w", u, err)
		}
		out[u] = id
	}
	return out, nil
}

func (s sqlStore) segments(ctx context.Context, meetingID int64) ([]ai.Segment, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q(`SELECT speaker, text, start_sec, end_sec FROM transcript_segments
		WHERE meeting_id = ? ORDER BY position`), meetingID)
	if err != nil {
		return nil, fmt.Errorf("load segments of meeting %d: %w", meetingID, err)
	}
	defer rows.Close()
	var out []ai.Segment
	for rows.Next() {
		var seg ai.Segment
		if err := rows.Scan(&seg.Speaker, &seg.Text, &seg.Start, &seg.End); err != nil {
			return nil, fmt.Errorf("scan segment: %w", err)
		}
		out = append(out, seg)
	}
	return out, rows.Err()
}

func (s sqlStore) inRoom(ctx context.Context, orgID int64, room string) ([]string, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q(`SELECT uuid FROM meetings WHERE org_id = ? AND room_name = ? ORDER BY created_at DESC LIMIT 100`), orgID, room)
	if err != nil {
		return nil, fmt.Errorf("list meetings in room %q: %w", room, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan meeting id: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
