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

func (s sqlStore) insert(ctx context.Context, tx *sql.Tx, m *Meeting, creatorID int64) error {
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO meetings (uuid, org_id, title, language, room_name, start_time, end_time, status,
		detail_level, is_instant, template_id, created_by, created_by_user_id, transcript_version, segment_count, completed_at,
		copied_from, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.UUID, m.OrgID, m.Title, m.Language, m.RoomName, nullTime(m.StartTime), nullTime(m.EndTime), string(m.Status),
		string(m.DetailLevel), m.IsInstant, m.TemplateID, m.CreatedBy, nullID(creatorID), m.TranscriptVersion, m.SegmentCount,
		nullTime(m.CompletedAt), m.CopiedFrom, m.CreatedAt, m.UpdatedAt).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("insert meeting: %w", err)
	}
	return nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
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
	var rowID int64
	err := s.db.TxQueryRow(ctx, tx, `UPDATE meetings SET transcript_version = transcript_version + 1,
		segment_count = ?, updated_at = ? WHERE org_id = ? AND uuid = ? RETURNING id`, segments, now, orgID, id).Scan(&rowID)
	if errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, fault.NotFound("meeting")
	}
	if err != nil {
		return Meeting{}, fmt.Errorf("bump transcript version of meeting %s: %w", id, err)
	}
	return s.txByID(ctx, tx, orgID, rowID)
}

// txByID reads a meeting inside the transaction that changed it.
func (s sqlStore) txByID(ctx context.Context, tx *sql.Tx, orgID, id int64) (Meeting, error) {
	m, err := scanMeeting(s.db.TxQueryRow(ctx, tx, `SELECT `+meetingColumns+meetingFrom+` WHERE m.org_id = ? AND m.id = ?`, orgID, id))
	if err != nil {
		return Meeting{}, fmt.Errorf("load meeting %d: %w", id, err)
	}
	return m, nil
}

func (s sqlStore) replaceSegments(ctx context.Context, tx *sql.Tx, meetingID int64, segs []transcript.Segment) error {
	if _, err := s.db.TxExec(ctx, tx, `DELETE FROM transcript_segments WHERE meeting_id = ?`, meetingID); err != nil {
		return fmt.Errorf("clear transcript of meeting %d: %w", meetingID, err)
	}
	return s.insertSegments(ctx, tx, meetingID, segs)
}

// meetingColumns and meetingFrom read a meeting with the public ids of the
// rows it points to; every join is on a primary key.
const meetingColumns = `m.id, m.uuid, m.org_id, m.title, m.language, m.room_name, m.start_time, m.end_time, m.status,
	m.detail_level, m.is_instant, m.template_id, m.created_by, m.transcript_version, m.segment_count, m.completed_at,
	m.copied_from, m.created_at, m.updated_at, o.uuid, COALESCE(u.uuid, ''), COALESCE(mi.uuid, ''), COALESCE(ce.uuid, '')`

const meetingFrom = ` FROM meetings m JOIN organizations o ON o.id = m.org_id
	LEFT JOIN users u ON u.id = m.created_by_user_id
	LEFT JOIN meetings mi ON mi.id = m.merged_into_id
	LEFT JOIN calendar_events ce ON ce.id = m.calendar_event_id`

func scanMeeting(row interface{ Scan(...any) error }) (Meeting, error) {
	var m Meeting
	var start, end, completed sql.NullTime
	var status, detail string
	err := row.Scan(&m.ID, &m.UUID, &m.OrgID, &m.Title, &m.Language, &m.RoomName, &start, &end, &status,
		&detail, &m.IsInstant, &m.TemplateID, &m.CreatedBy, &m.TranscriptVersion, &m.SegmentCount, &completed,
		&m.CopiedFrom, &m.CreatedAt, &m.UpdatedAt, &m.OrgUUID, &m.CreatorUUID, &m.MergedInto, &m.CalendarEventID)
	m.StartTime, m.EndTime, m.CompletedAt = start.Time, end.Time, completed.Time
	m.Status, m.DetailLevel = Status(status), DetailLevel(detail)
	return m, err
}

// byUUID loads a meeting of the organization; other tenants' meetings are
// not found.
func (s sqlStore) byUUID(ctx context.Context, orgID int64, id string) (Meeting, error) {
	m, err := scanMeeting(s.db.QueryRow(ctx, `SELECT `+meetingColumns+meetingFrom+` WHERE m.org_id = ? AND m.uuid = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, fault.NotFound("meeting")
	}
	if err != nil {
		return Meeting{}, fmt.Errorf("load meeting %s: %w", id, err)
	}
	return m, nil
}

func (s sqlStore) byID(ctx context.Context, orgID, id int64) (Meeting, error) {
	m, err := scanMeeting(s.db.QueryRow(ctx, `SELECT `+meetingColumns+meetingFrom+` WHERE m.org_id = ? AND m.id = ?`, orgID, id))
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
	rows, err := s.db.Query(ctx, `SELECT uuid, id FROM meetings WHERE org_id = ? AND uuid IN (`+store.Placeholders(len(uuids))+`)`, args...)
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

// list returns one page of the organization's meetings, newest first. The
// cursor is the (created_at, id) of the last meeting of the previous page.
func (s sqlStore) list(ctx context.Context, orgID int64, r page.Request) (page.Page[Meeting], error) {
	query := `SELECT ` + meetingColumns + meetingFrom + ` WHERE m.org_id = ?`
	args := []any{orgID}
	if r.After != "" {
		at, id, err := page.ParseKeyCursor(r.After)
		if err != nil {
			return page.Page[Meeting]{}, err
		}
		query += ` AND (m.created_at < ? OR m.created_at = ? AND m.id < ?)`
		args = append(args, at, at, id)
	}
	query += ` ORDER BY m.created_at DESC, m.id DESC LIMIT ?`
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

// insertCreator makes the creating user the meeting's first participant,
// an EDITOR.
func (s sqlStore) insertCreator(ctx context.Context, tx *sql.Tx, m Meeting, userID int64, participantUUID string) error {
	if userID == 0 {
		return nil
	}
	_, err := s.db.TxExec(ctx, tx, `INSERT INTO meeting_participants (uuid, org_id, meeting_id, user_id, email, name, role,
		created_at, updated_at) SELECT ?, ?, ?, id, email, name, ?, ?, ? FROM users WHERE id = ?`,
		participantUUID, m.OrgID, m.ID, string(RoleEditor), m.CreatedAt, m.CreatedAt, userID)
	if err != nil {
		return fmt.Errorf("add the creator of meeting %s: %w", m.UUID, err)
	}
	return nil
}

// access reads a meeting with the rows the caller's role is decided from;
// userID 0 matches none of them.
func (s sqlStore) access(ctx context.Context, orgID, userID int64, id string) (Access, roleRefs, error) {
	var a Access
	var r roleRefs
	err := s.db.QueryRow(ctx, `SELECT m.id, m.uuid, m.org_id, o.uuid, m.title, COALESCE(m.created_by_user_id = ?, FALSE),
		COALESCE(p.role, ''), COALESCE(ms.role, '')
		FROM meetings m JOIN organizations o ON o.id = m.org_id
		LEFT JOIN meeting_participants p ON p.meeting_id = m.id AND p.user_id = ?
		LEFT JOIN memberships ms ON ms.org_id = m.org_id AND ms.user_id = ?
		WHERE m.org_id = ? AND m.uuid = ?`, userID, userID, userID, orgID, id).
		Scan(&a.ID, &a.UUID, &a.OrgID, &a.OrgUUID, &a.Title, &r.creator, &r.participant, &r.orgRole)
	if errors.Is(err, sql.ErrNoRows) {
		return Access{}, roleRefs{}, fault.NotFound("meeting")
	}
	if err != nil {
		return Access{}, roleRefs{}, fmt.Errorf("load meeting %s: %w", id, err)
	}
	return a, r, nil
}

// lock takes a meeting's row for the rest of the transaction (the first
// write serializes writers to it) and reads it.
func (s sqlStore) lock(ctx context.Context, tx *sql.Tx, orgID, id int64, now time.Time) (Meeting, error) {
	res, err := s.db.TxExec(ctx, tx, `UPDATE meetings SET updated_at = ? WHERE org_id = ? AND id = ?`, now, orgID, id)
	if err != nil {
		return Meeting{}, fmt.Errorf("lock meeting %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Meeting{}, fault.NotFound("meeting")
	}
	return s.txByID(ctx, tx, orgID, id)
}

func (s sqlStore) lockByUUID(ctx context.Context, tx *sql.Tx, orgID int64, id string, now time.Time) (Meeting, error) {
	var rowID int64
	err := s.db.TxQueryRow(ctx, tx, `UPDATE meetings SET updated_at = ? WHERE org_id = ? AND uuid = ? RETURNING id`, now, orgID, id).Scan(&rowID)
	if errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, fault.NotFound("meeting " + id)
	}
	if err != nil {
		return Meeting{}, fmt.Errorf("lock meeting %s: %w", id, err)
	}
	return s.txByID(ctx, tx, orgID, rowID)
}

// update writes a meeting's planned fields.
func (s sqlStore) update(ctx context.Context, tx *sql.Tx, m Meeting) error {
	_, err := s.db.TxExec(ctx, tx, `UPDATE meetings SET title = ?, start_time = ?, end_time = ?, status = ?, detail_level = ?,
		template_id = ?, completed_at = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		m.Title, nullTime(m.StartTime), nullTime(m.EndTime), string(m.Status), string(m.DetailLevel), m.TemplateID,
		nullTime(m.CompletedAt), m.UpdatedAt, m.OrgID, m.ID)
	if err != nil {
		return fmt.Errorf("update meeting %s: %w", m.UUID, err)
	}
	return nil
}

// plannedColumns read what the Partner API shows of a meeting, and no
// more: a page of 25 reads each column 25 times, and on SQLite every column
// read is a driver call.
const plannedColumns = `m.id, m.uuid, m.org_id, m.title, m.start_time, m.end_time, m.status, m.detail_level, m.is_instant,
	m.template_id, m.completed_at, m.created_at, m.updated_at, COALESCE(u.uuid, ''), COALESCE(ce.uuid, '')`

const plannedFrom = ` FROM meetings m LEFT JOIN users u ON u.id = m.created_by_user_id
	LEFT JOIN calendar_events ce ON ce.id = m.calendar_event_id`

func scanPlanned(row interface{ Scan(...any) error }, orgUUID string) (Meeting, error) {
	var m Meeting
	var start, end, completed sql.NullTime
	var status, detail string
	err := row.Scan(&m.ID, &m.UUID, &m.OrgID, &m.Title, &start, &end, &status, &detail, &m.IsInstant, &m.TemplateID, &completed,
		&m.CreatedAt, &m.UpdatedAt, &m.CreatorUUID, &m.CalendarEventID)
	m.StartTime, m.EndTime, m.CompletedAt = start.Time, end.Time, completed.Time
	m.Status, m.DetailLevel, m.OrgUUID = Status(status), DetailLevel(detail), orgUUID
	return m, err
}

// planned reads one meeting with plannedColumns, its organization's id
// and the meeting it was merged into, for the Partner API's GET.
func (s sqlStore) planned(ctx context.Context, orgID int64, id string) (Meeting, error) {
	var orgUUID, mergedInto string
	row := s.db.QueryRow(ctx, `SELECT `+plannedColumns+`, o.uuid, COALESCE(mi.uuid, '')`+plannedFrom+`
		JOIN organizations o ON o.id = m.org_id LEFT JOIN meetings mi ON mi.id = m.merged_into_id
		WHERE m.org_id = ? AND m.uuid = ?`, orgID, id)
	m, err := scanPlanned(scanTail{row, []any{&orgUUID, &mergedInto}}, "")
	if errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, fault.NotFound("meeting")
	}
	if err != nil {
		return Meeting{}, fmt.Errorf("load meeting %s: %w", id, err)
	}
	m.OrgUUID, m.MergedInto = orgUUID, mergedInto
	return m, nil
}

// scanTail scans a row whose last columns go to tail.
type scanTail struct {
	row  interface{ Scan(...any) error }
	tail []any
}

func (t scanTail) Scan(dest ...any) error { return t.row.Scan(append(dest, t.tail...)...) }

// listPlanned is one offset page of an organization's meetings (merged ones
// left out), filtered by when they start, with the exact total counted
// under the same conditions. Items carry the planning fields (see
// plannedColumns), not the transcript's.
func (s sqlStore) listPlanned(ctx context.Context, orgID int64, from, to time.Time, r page.Request) (page.Page[Meeting], error) {
	where := ` WHERE m.org_id = ? AND m.merged_into_id IS NULL`
	args := []any{orgID}
	if !from.IsZero() {
		where += ` AND COALESCE(m.start_time, m.created_at) >= ?`
		args = append(args, from)
	}
	if !to.IsZero() {
		where += ` AND COALESCE(m.start_time, m.created_at) <= ?`
		args = append(args, to)
	}
	var total int
	var orgUUID string
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*), (SELECT uuid FROM organizations WHERE id = ?) FROM meetings m`+where,
		append([]any{orgID}, args...)...).Scan(&total, &orgUUID); err != nil {
		return page.Page[Meeting]{}, fmt.Errorf("count meetings of org %d: %w", orgID, err)
	}
	items := make([]Meeting, 0, r.Limit)
	if r.Offset < total {
		rows, err := s.db.Query(ctx, `SELECT `+plannedColumns+plannedFrom+where+` ORDER BY m.created_at DESC, m.id DESC LIMIT ? OFFSET ?`,
			append(args, r.Limit, r.Offset)...)
		if err != nil {
			return page.Page[Meeting]{}, fmt.Errorf("list meetings of org %d: %w", orgID, err)
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanPlanned(rows, orgUUID)
			if err != nil {
				return page.Page[Meeting]{}, fmt.Errorf("scan meeting: %w", err)
			}
			items = append(items, m)
		}
		if err := rows.Err(); err != nil {
			return page.Page[Meeting]{}, fmt.Errorf("list meetings of org %d: %w", orgID, err)
		}
	}
	return page.Page[Meeting]{Items: items, Total: total, Limit: r.Limit, Offset: r.Offset, Next: page.OffsetNext(r, total)}, nil
}

// copyOf finds the newest copy, held by the organization, of the meeting
// with public id original; none is not found.
func (s sqlStore) copyOf(ctx context.Context, orgID int64, original string) (string, error) {
	var id string
	err := s.db.QueryRow(ctx, `SELECT uuid FROM meetings WHERE org_id = ? AND copied_from = ? AND copied_from <> ''
		ORDER BY created_at DESC, id DESC LIMIT 1`, orgID, original).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.NotFound("meeting")
	}
	if err != nil {
		return "", fmt.Errorf("find a copy of meeting %s: %w", original, err)
	}
	return id, nil
}

// merge moves what hangs off meeting from to meeting into. A merge is an
// operation on the meeting aggregate as a whole, so it reaches the tables
// of its parts (participants, agenda items, action items) here.
func (s sqlStore) merge(ctx context.Context, tx *sql.Tx, from, into int64, now time.Time) error {
	steps := []struct {
		what, query string
		args        []any
	}{
		{"participants", `UPDATE meeting_participants SET meeting_id = ?, updated_at = ? WHERE meeting_id = ?
			AND email NOT IN (SELECT email FROM meeting_participants WHERE meeting_id = ?)
			AND (user_id IS NULL OR user_id NOT IN (SELECT user_id FROM meeting_participants WHERE meeting_id = ? AND user_id IS NOT NULL))`,
			[]any{into, now, from, into, into}},
		{"agenda items", `UPDATE agenda_items SET meeting_id = ?, updated_at = ?,
			sequence = sequence + (SELECT COALESCE(MAX(sequence), 0) FROM agenda_items WHERE meeting_id = ?) WHERE meeting_id = ?`,
			[]any{into, now, into, from}},
		{"action items", `UPDATE action_items SET meeting_id = ?, updated_at = ? WHERE meeting_id = ?`, []any{into, now, from}},
		{"earlier merges", `UPDATE meetings SET merged_into_id = ? WHERE merged_into_id = ?`, []any{into, from}},
		{"the merged meeting", `UPDATE meetings SET merged_into_id = ?, updated_at = ? WHERE id = ?`, []any{into, now, from}},
	}
	for _, st := range steps {
		if _, err := s.db.TxExec(ctx, tx, st.query, st.args...); err != nil {
			return fmt.Errorf("merge meeting %d into %d: move %s: %w", from, into, st.what, err)
		}
	}
	return nil
}

// creatorIn returns the creating user of meeting id when that user belongs
// to organization orgID, else 0.
func (s sqlStore) creatorIn(ctx context.Context, tx *sql.Tx, id, orgID int64) (int64, error) {
	var user sql.NullInt64
	err := s.db.TxQueryRow(ctx, tx, `SELECT m.created_by_user_id FROM meetings m
		JOIN memberships ms ON ms.user_id = m.created_by_user_id AND ms.org_id = ? WHERE m.id = ?`, orgID, id).Scan(&user)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("load the creator of meeting %d: %w", id, err)
	}
	return user.Int64, nil
}

// copyContent copies a meeting's transcript and participants to its copy
// cp; a participant keeps its user only when that user belongs to cp's
// organization.
func (s sqlStore) copyContent(ctx context.Context, tx *sql.Tx, from int64, cp Meeting, newUUID func() string) error {
	if _, err := s.db.TxExec(ctx, tx, `INSERT INTO transcript_segments (meeting_id, position, speaker, text, start_sec, end_sec)
		SELECT ?, position, speaker, text, start_sec, end_sec FROM transcript_segments WHERE meeting_id = ?`, cp.ID, from); err != nil {
		return fmt.Errorf("copy the transcript of meeting %d: %w", from, err)
	}
	rows, err := s.db.TxQuery(ctx, tx, `SELECT p.email, p.name, p.role, ms.user_id FROM meeting_participants p
		LEFT JOIN memberships ms ON ms.user_id = p.user_id AND ms.org_id = ? WHERE p.meeting_id = ? ORDER BY p.id`, cp.OrgID, from)
	if err != nil {
		return fmt.Errorf("read the participants of meeting %d: %w", from, err)
	}
	type participant struct {
		email, name, role string
		user              sql.NullInt64
	}
	var ps []participant
	for rows.Next() {
		var p participant
		if err := rows.Scan(&p.email, &p.name, &p.role, &p.user); err != nil {
			rows.Close()
			return fmt.Errorf("scan participant: %w", err)
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the participants of meeting %d: %w", from, err)
	}
	for _, p := range ps {
		var user any
		if p.user.Valid {
			user = p.user.Int64
		}
		if _, err := s.db.TxExec(ctx, tx, `INSERT INTO meeting_participants (uuid, org_id, meeting_id, user_id, email, name, role,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			newUUID(), cp.OrgID, cp.ID, user, p.email, p.name, p.role, cp.CreatedAt, cp.CreatedAt); err != nil {
			return fmt.Errorf("copy participant %s: %w", p.email, err)
		}
	}
	return nil
}

// invite adds a participant to a new meeting unless the email is already
// on it; the email names a user when that user belongs to the meeting's
// organization.
func (s sqlStore) invite(ctx context.Context, tx *sql.Tx, m Meeting, in Invitee, participantUUID string) error {
	_, err := s.db.TxExec(ctx, tx, `INSERT INTO meeting_participants (uuid, org_id, meeting_id, user_id, email, name, role,
		created_at, updated_at) VALUES (?, ?, ?,
		(SELECT u.id FROM users u JOIN memberships ms ON ms.user_id = u.id AND ms.org_id = ? WHERE u.email = ?),
		?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		participantUUID, m.OrgID, m.ID, m.OrgID, in.Email, in.Email, in.Name, string(in.Role), m.CreatedAt, m.CreatedAt)
	if err != nil {
		return fmt.Errorf("invite %s to meeting %s: %w", in.Email, m.UUID, err)
	}
	return nil
}

// linkEvent links a new meeting to a calendar event; the unique index on
// the link makes a second meeting for one event a conflict.
func (s sqlStore) linkEvent(ctx context.Context, tx *sql.Tx, m Meeting, eventID int64) error {
	_, err := s.db.TxExec(ctx, tx, `UPDATE meetings SET calendar_event_id = ? WHERE org_id = ? AND id = ?`, eventID, m.OrgID, m.ID)
	if store.IsUniqueViolation(err) {
		return fault.Conflict("conflict", "the calendar event is already linked to another meeting")
	}
	if err != nil {
		return fmt.Errorf("link meeting %s to calendar event %d: %w", m.UUID, eventID, err)
	}
	return nil
}

// externalColumns and externalFrom read a meeting with the figures the
// Meetings API shows; the subqueries are per meeting, on indexed keys.
const externalColumns = meetingColumns + `, m.location, m.from_calendar OR m.calendar_event_id IS NOT NULL, m.calendar_snapshot,
	COALESCE(m.topic_id, 0), m.speaker_count, m.source_url, m.bot_meeting_url, m.bot_join_at, m.recording_format,
	COALESCE(m.recording_seconds, 0),
	EXISTS (SELECT 1 FROM meeting_summaries s WHERE s.meeting_id = m.id AND s.transcript_version = m.transcript_version
		AND m.transcript_version > 0),
	COALESCE(u.id, 0), COALESCE(u.name, ''), COALESCE(u.email, ''),
	(SELECT COUNT(*) FROM meeting_participants p WHERE p.meeting_id = m.id),
	(SELECT COUNT(DISTINCT ts.speaker) FROM transcript_segments ts WHERE ts.meeting_id = m.id AND ts.speaker <> ''),
	COALESCE((SELECT MAX(ts.end_sec) FROM transcript_segments ts WHERE ts.meeting_id = m.id), 0)`

func scanExternal(row interface{ Scan(...any) error }) (External, error) {
	var e External
	var start, end, completed, joinAt sql.NullTime
	var status, detail string
	err := row.Scan(&e.ID, &e.UUID, &e.OrgID, &e.Title, &e.Language, &e.RoomName, &start, &end, &status,
		&detail, &e.IsInstant, &e.TemplateID, &e.CreatedBy, &e.TranscriptVersion, &e.SegmentCount, &completed,
		&e.CopiedFrom, &e.CreatedAt, &e.UpdatedAt, &e.OrgUUID, &e.CreatorUUID, &e.MergedInto, &e.CalendarEventID,
		&e.Location, &e.FromCalendar, &e.CalendarSnapshot, &e.TopicID, &e.SpeakerCount, &e.SourceURL, &e.BotMeetingURL,
		&joinAt, &e.RecordingFormat, &e.RecordingSeconds, &e.SummaryComplete, &e.HostID, &e.HostName, &e.HostEmail,
		&e.ParticipantCount, &e.Speakers, &e.TranscriptSeconds)
	e.StartTime, e.EndTime, e.CompletedAt, e.BotJoinAt = start.Time, end.Time, completed.Time, joinAt.Time
	e.Status, e.DetailLevel = Status(status), DetailLevel(detail)
	return e, err
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// listExternal pages by offset with an exact total over the same WHERE.
func (s sqlStore) listExternal(ctx context.Context, orgIDs []int64, f ExternalFilter, r page.Request) (page.Page[External], error) {
	where := ` WHERE m.org_id IN (` + store.Placeholders(len(orgIDs)) + `)`
	args := int64Args(orgIDs)
	if f.Title != "" {
		where += ` AND LOWER(m.title) LIKE ? ESCAPE '\'`
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(f.Title))
		args = append(args, "%"+esc+"%")
	}
	if len(f.ParticipantUserIDs) > 0 {
		where += ` AND EXISTS (SELECT 1 FROM meeting_participants p WHERE p.meeting_id = m.id AND p.user_id IN (` +
			store.Placeholders(len(f.ParticipantUserIDs)) + `))`
		args = append(args, int64Args(f.ParticipantUserIDs)...)
	}
	if !f.CreatedFrom.IsZero() {
		where += ` AND m.created_at >= ?`
		args = append(args, f.CreatedFrom)
	}
	if !f.CreatedBefore.IsZero() {
		where += ` AND m.created_at < ?`
		args = append(args, f.CreatedBefore)
	}
	if f.SummaryComplete != nil {
		cond := ` EXISTS (SELECT 1 FROM meeting_summaries s WHERE s.meeting_id = m.id AND s.transcript_version = m.transcript_version
			AND m.transcript_version > 0)`
		if !*f.SummaryComplete {
			cond = ` NOT` + cond
		}
		where += ` AND` + cond
	}
	if f.FromCalendar != nil {
		cond := ` (m.from_calendar OR m.calendar_event_id IS NOT NULL)`
		if !*f.FromCalendar {
			cond = ` NOT` + cond
		}
		where += ` AND` + cond
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM meetings m`+where, args...).Scan(&total); err != nil {
		return page.Page[External]{}, fmt.Errorf("count meetings: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+externalColumns+meetingFrom+where+
		` ORDER BY COALESCE(m.start_time, m.created_at) DESC, m.id DESC LIMIT ? OFFSET ?`, append(args, r.Limit, r.Offset)...)
	if err != nil {
		return page.Page[External]{}, fmt.Errorf("list meetings: %w", err)
	}
	defer rows.Close()
	items := []External{}
	for rows.Next() {
		e, err := scanExternal(rows)
		if err != nil {
			return page.Page[External]{}, fmt.Errorf("scan meeting: %w", err)
		}
		items = append(items, e)
	}
	if err := rows.Err(); err != nil {
		return page.Page[External]{}, fmt.Errorf("list meetings: %w", err)
	}
	return page.Page[External]{Items: items, Total: total, Limit: r.Limit, Offset: r.Offset}, nil
}

func (s sqlStore) external(ctx context.Context, orgIDs []int64, id int64) (External, error) {
	e, err := scanExternal(s.db.QueryRow(ctx, `SELECT `+externalColumns+meetingFrom+` WHERE m.org_id IN (`+
		store.Placeholders(len(orgIDs))+`) AND m.id = ?`, append(int64Args(orgIDs), id)...))
	if errors.Is(err, sql.ErrNoRows) {
		return External{}, fault.NotFound("meeting")
	}
	if err != nil {
		return External{}, fmt.Errorf("load meeting %d: %w", id, err)
	}
	return e, nil
}

func (s sqlStore) participants(ctx context.Context, orgID, meetingID int64) ([]Participant, error) {
	rows, err := s.db.Query(ctx, `SELECT p.id, COALESCE(p.user_id, 0), p.name, p.email, p.role FROM meeting_participants p
		WHERE p.org_id = ? AND p.meeting_id = ? ORDER BY p.id`, orgID, meetingID)
	if err != nil {
		return nil, fmt.Errorf("list participants of meeting %d: %w", meetingID, err)
	}
	defer rows.Close()
	out := []Participant{}
	for rows.Next() {
		var p Participant
		var role string
		if err := rows.Scan(&p.ID, &p.UserID, &p.Name, &p.Email, &role); err != nil {
			return nil, fmt.Errorf("scan participant: %w", err)
		}
		p.Role = Role(role)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s sqlStore) setExternal(ctx context.Context, tx *sql.Tx, e External) error {
	_, err := s.db.TxExec(ctx, tx, `UPDATE meetings SET location = ?, from_calendar = ?, calendar_snapshot = ?, topic_id = ?,
		speaker_count = ?, source_url = ?, bot_meeting_url = ?, bot_join_at = ? WHERE org_id = ? AND id = ?`,
		e.Location, e.FromCalendar, e.CalendarSnapshot, nullID(e.TopicID), e.SpeakerCount, e.SourceURL, e.BotMeetingURL,
		nullTime(e.BotJoinAt), e.OrgID, e.ID)
	if err != nil {
		return fmt.Errorf("store Meetings API fields of meeting %d: %w", e.ID, err)
	}
	return nil
}

func (s sqlStore) topicLanguage(ctx context.Context, tx *sql.Tx, orgID, topicID int64) (string, error) {
	var lang string
	err := s.db.TxQueryRow(ctx, tx, `SELECT language FROM meeting_topics WHERE org_id = ? AND id = ?`, orgID, topicID).Scan(&lang)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fault.Invalid("topic_id", "does_not_exist", "Invalid pk \"%d\" - object does not exist.", topicID)
	}
	if err != nil {
		return "", fmt.Errorf("load topic %d: %w", topicID, err)
	}
	return lang, nil
}

// orgAdmin picks the organization's first owner (else admin), or 0.
func (s sqlStore) orgAdmin(ctx context.Context, tx *sql.Tx, orgID int64) (int64, error) {
	var id int64
	err := s.db.TxQueryRow(ctx, tx, `SELECT user_id FROM memberships WHERE org_id = ? AND role IN ('owner', 'admin')
		ORDER BY CASE role WHEN 'owner' THEN 0 ELSE 1 END, created_at, user_id LIMIT 1`, orgID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find an admin of org %d: %w", orgID, err)
	}
	return id, nil
}

func (s sqlStore) insertTopic(ctx context.Context, t Topic, now time.Time) (Topic, error) {
	err := s.db.ExecRow(ctx, `INSERT INTO meeting_topics (org_id, name, alias, language, created_at) VALUES (?, ?, ?, ?, ?)
		RETURNING id`, t.OrgID, t.Name, t.Alias, t.Language, now).Scan(&t.ID)
	if store.IsUniqueViolation(err) {
		return Topic{}, fault.Conflict("topic_exists", "the organization already has a topic named %q", t.Name)
	}
	if err != nil {
		return Topic{}, fmt.Errorf("insert topic: %w", err)
	}
	return t, nil
}

func (s sqlStore) topics(ctx context.Context, orgIDs []int64) ([]Topic, error) {
	rows, err := s.db.Query(ctx, `SELECT id, org_id, name, alias, language FROM meeting_topics WHERE org_id IN (`+
		store.Placeholders(len(orgIDs))+`) ORDER BY org_id, id`, int64Args(orgIDs)...)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	defer rows.Close()
	out := []Topic{}
	for rows.Next() {
		var t Topic
		if err := rows.Scan(&t.ID, &t.OrgID, &t.Name, &t.Alias, &t.Language); err != nil {
			return nil, fmt.Errorf("scan topic: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (s sqlStore) setRecording(ctx context.Context, orgID, id int64, format string, seconds float64, now time.Time) error {
	res, err := s.db.Exec(ctx, `UPDATE meetings SET recording_format = ?, recording_seconds = ?, updated_at = ?
		WHERE org_id = ? AND id = ?`, format, seconds, now, orgID, id)
	if err != nil {
		return fmt.Errorf("record the recording of meeting %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFound("meeting")
	}
	return nil
}
