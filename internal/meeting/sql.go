package meeting

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/transcript"
)

type sqlStore struct{ db *store.DB }

func (s sqlStore) insert(ctx context.Context, tx *sql.Tx, m *Meeting) error {
	var start any
	if !m.StartTime.IsZero() {
		start = m.StartTime
	}
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO meetings (uuid, org_id, title, language, room_name, start_time, created_by,
		transcript_version, segment_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.UUID, m.OrgID, m.Title, m.Language, m.RoomName, start, m.CreatedBy, m.TranscriptVersion, m.SegmentCount, m.CreatedAt, m.UpdatedAt).Scan(&m.ID)
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
		if _, err := s.db.TxExec(ctx, tx, b.String(), args...); err != nil {
			return fmt.Errorf("insert segments of meeting %d: %w", meetingID, err)
		}
	}
	return nil
}

// bumpTranscript takes the next transcript version of a meeting of the
// organization. As an UPDATE it locks the row until the transaction ends, so
// concurrent writers to one meeting queue here.
func (s sqlStore) bumpTranscript(ctx context.Context, tx *sql.Tx, orgID int64, id string, segments int, now time.Time) (Meeting, error) {
	m, err := scanMeeting(s.db.TxQueryRow(ctx, tx, `UPDATE meetings SET transcript_version = transcript_version + 1,
		segment_count = ?, updated_at = ? WHERE org_id = ? AND uuid = ? RETURNING `+meetingColumns, segments, now, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, fault.NotFound("meeting")
	}
	if err != nil {
		return Meeting{}, fmt.Errorf("bump transcript version of meeting %s: %w", id, err)
	}
	return m, nil
}

func (s sqlStore) replaceSegments(ctx context.Context, tx *sql.Tx, meetingID int64, segs []transcript.Segment) error {
	if _, err := s.db.TxExec(ctx, tx, `DELETE FROM transcript_segments WHERE meeting_id = ?`, meetingID); err != nil {
		return fmt.Errorf("clear transcript of meeting %d: %w", meetingID, err)
	}
	return s.insertSegments(ctx, tx, meetingID, segs)
}

const meetingColumns = `id, uuid, org_id, title, language, room_name, start_time, created_by, transcript_version,
	created_at, updated_at, segment_count`

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
	m, err := scanMeeting(s.db.QueryRow(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE org_id = ? AND uuid = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, fault.NotFound("meeting")
	}
	if err != nil {
		return Meeting{}, fmt.Errorf("load meeting %s: %w", id, err)
	}
	return m, nil
}

func (s sqlStore) byID(ctx context.Context, orgID, id int64) (Meeting, error) {
	m, err := scanMeeting(s.db.QueryRow(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE org_id = ? AND id = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, fault.NotFound("meeting")
	}
	if err != nil {
		return Meeting{}, fmt.Errorf("load meeting %d: %w", id, err)
	}
	return m, nil
}

// idsByUUID resolves meeting uuids of one organization in one query;
// unknown or foreign ones are reported as not found.
func (s sqlStore) idsByUUID(ctx context.Context, orgID int64, uuids []string) (map[string]int64, error) {
	out := make(map[string]int64, len(uuids))
	if len(uuids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(uuids)+1)
	args = append(args, orgID)
	for _, u := range uuids {
		args = append(args, u)
	}
	rows, err := s.db.Query(ctx, `SELECT uuid, id FROM meetings WHERE org_id = ? AND uuid IN (`+placeholders(len(uuids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("resolve %d meetings: %w", len(uuids), err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var id int64
		if err := rows.Scan(&u, &id); err != nil {
			return nil, fmt.Errorf("scan meeting id: %w", err)
		}
		out[u] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("resolve %d meetings: %w", len(uuids), err)
	}
	for _, u := range uuids {
		if _, ok := out[u]; !ok {
			return nil, fault.NotFound("meeting " + u)
		}
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// list returns one page of the organization's meetings, newest first. The
// cursor is the (created_at, id) of the last meeting of the previous page.
func (s sqlStore) list(ctx context.Context, orgID int64, r page.Request) (page.Page[Meeting], error) {
	query := `SELECT ` + meetingColumns + ` FROM meetings WHERE org_id = ?`
	args := []any{orgID}
	if r.After != "" {
		at, id, err := page.ParseKeyCursor(r.After)
		if err != nil {
			return page.Page[Meeting]{}, err
		}
		query += ` AND (created_at < ? OR created_at = ? AND id < ?)`
		args = append(args, at, at, id)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, r.Limit+1)
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return page.Page[Meeting]{}, fmt.Errorf("list meetings of org %d: %w", orgID, err)
	}
	defer rows.Close()
	var items []Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return page.Page[Meeting]{}, fmt.Errorf("scan meeting: %w", err)
		}
		items = append(items, m)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Meeting]{}, fmt.Errorf("list meetings of org %d: %w", orgID, err)
	}
	return page.Of(items, r, -1, func(last Meeting) string {
		return page.KeyCursor(last.CreatedAt, last.ID)
	}), nil
}

func (s sqlStore) segments(ctx context.Context, meetingID int64) ([]ai.Segment, error) {
	rows, err := s.db.Query(ctx, `SELECT speaker, text, start_sec, end_sec FROM transcript_segments
		WHERE meeting_id = ? ORDER BY position`, meetingID)
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
	rows, err := s.db.Query(ctx, `SELECT uuid FROM meetings WHERE org_id = ? AND room_name = ? ORDER BY created_at DESC, id DESC`, orgID, room)
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
