package chat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// sqlStore keeps sessions and turns. Caller-facing queries name the
// session's owner: organization, app and user.
type sqlStore struct{ db *store.DB }

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s sqlStore) insertSession(ctx context.Context, tx *jobs.Tx, ses *Session) error {
	meta, err := json.Marshal(ses.Metadata)
	if err != nil {
		return fmt.Errorf("encode metadata: %w", err)
	}
	docs, err := json.Marshal(ses.DocumentIDs)
	if err != nil {
		return fmt.Errorf("encode document ids: %w", err)
	}
	err = s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO chat_sessions (uuid, org_id, app_id, user_id, user_ref, meeting_id, status, metadata,
		document_ids, turn_count, last_activity_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ses.UUID, ses.OrgID, ses.AppID, ses.UserID, ses.UserRef, nullID(ses.MeetingID), ses.Status, string(meta), string(docs), ses.TurnCount,
		ses.LastActivityAt, ses.CreatedAt, ses.UpdatedAt).Scan(&ses.ID)
	if err != nil {
		return fmt.Errorf("insert chat session: %w", err)
	}
	return nil
}

func (s sqlStore) insertTurn(ctx context.Context, tx *jobs.Tx, t *Turn) error {
	meta := ""
	if t.Agent != nil {
		b, err := json.Marshal(t.Agent)
		if err != nil {
			return fmt.Errorf("encode agent metadata: %w", err)
		}
		meta = string(b)
	}
	var completed any
	if !t.CompletedAt.IsZero() {
		completed = t.CompletedAt
	}
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO chat_turns (uuid, session_id, sequence_number, role, content, status, agent_metadata,
		created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.UUID, t.SessionID, t.Sequence, t.Role, t.Content, t.Status, meta, t.CreatedAt, completed).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("insert chat turn: %w", err)
	}
	return nil
}

const sessionColumns = `s.id, s.uuid, s.org_id, s.app_id, s.user_id, s.user_ref, COALESCE(s.meeting_id, 0), COALESCE(m.uuid, ''),
	s.status, COALESCE(s.title, ''), s.metadata, s.document_ids, s.turn_count, s.last_activity_at, s.created_at, s.updated_at
	FROM chat_sessions s LEFT JOIN meetings m ON m.id = s.meeting_id`

func scanSession(row interface{ Scan(...any) error }) (Session, error) {
	var ses Session
	var meta, docs string
	err := row.Scan(&ses.ID, &ses.UUID, &ses.OrgID, &ses.AppID, &ses.UserID, &ses.UserRef, &ses.MeetingID, &ses.MeetingUUID,
		&ses.Status, &ses.Title, &meta, &docs, &ses.TurnCount, &ses.LastActivityAt, &ses.CreatedAt, &ses.UpdatedAt)
	if err != nil {
		return Session{}, err
	}
	if err := json.Unmarshal([]byte(meta), &ses.Metadata); err != nil {
		return Session{}, fmt.Errorf("decode metadata of session %s: %w", ses.UUID, err)
	}
	if err := json.Unmarshal([]byte(docs), &ses.DocumentIDs); err != nil {
		return Session{}, fmt.Errorf("decode document ids of session %s: %w", ses.UUID, err)
	}
	return ses, nil
}

const owner = `s.org_id = ? AND s.app_id = ? AND s.user_id = ?`

// session loads one of the caller's sessions.
func (s sqlStore) session(ctx context.Context, c caller.Caller, id string) (Session, error) {
	ses, err := scanSession(s.db.QueryRow(ctx, `SELECT `+sessionColumns+` WHERE `+owner+` AND s.uuid = ?`, c.OrgID, c.AppID, c.UserID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fault.NotFound("session")
	}
	if err != nil {
		return Session{}, fmt.Errorf("load session %s: %w", id, err)
	}
	return ses, nil
}

// sessionByID loads a session for its jobs.
func (s sqlStore) sessionByID(ctx context.Context, orgID, id int64) (Session, error) {
	ses, err := scanSession(s.db.QueryRow(ctx, `SELECT `+sessionColumns+` WHERE s.org_id = ? AND s.id = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fault.NotFound("session")
	}
	if err != nil {
		return Session{}, fmt.Errorf("load session %d: %w", id, err)
	}
	return ses, nil
}

func (s sqlStore) list(ctx context.Context, c caller.Caller, f Filter, r page.Request) (page.Page[Session], error) {
	where := ` WHERE ` + owner
	args := []any{c.OrgID, c.AppID, c.UserID}
	if f.MeetingID != "" {
		where += ` AND s.meeting_id IN (SELECT id FROM meetings WHERE org_id = ? AND uuid = ?)`
		args = append(args, c.OrgID, f.MeetingID)
	}
	if f.Status != "" {
		where += ` AND s.status = ?`
		args = append(args, f.Status)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM chat_sessions s`+where, args...).Scan(&total); err != nil {
		return page.Page[Session]{}, fmt.Errorf("count sessions: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+sessionColumns+where+` ORDER BY s.created_at DESC, s.id DESC LIMIT ? OFFSET ?`,
		append(args, r.Limit, r.Offset)...)
	if err != nil {
		return page.Page[Session]{}, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var items []Session
	for rows.Next() {
		ses, err := scanSession(rows)
		if err != nil {
			return page.Page[Session]{}, fmt.Errorf("scan session: %w", err)
		}
		items = append(items, ses)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Session]{}, fmt.Errorf("list sessions: %w", err)
	}
	return page.Of(items, r, total, nil), nil
}

const turnColumns = `t.id, t.uuid, t.session_id, t.sequence_number, t.role, t.content, t.status, t.error_code, t.error_message,
	t.agent_metadata, t.created_at, t.completed_at FROM chat_turns t`

func scanTurn(row interface{ Scan(...any) error }, sessionUUID string) (Turn, error) {
	t := Turn{SessionUUID: sessionUUID}
	var meta string
	var completed sql.NullTime
	err := row.Scan(&t.ID, &t.UUID, &t.SessionID, &t.Sequence, &t.Role, &t.Content, &t.Status, &t.ErrorCode, &t.ErrorMessage,
		&meta, &t.CreatedAt, &completed)
	if err != nil {
		return Turn{}, err
	}
	t.CompletedAt = completed.Time
	if meta != "" {
		t.Agent = &AgentMetadata{}
		if err := json.Unmarshal([]byte(meta), t.Agent); err != nil {
			return Turn{}, fmt.Errorf("decode agent metadata of turn %s: %w", t.UUID, err)
		}
	}
	return t, nil
}

func (s sqlStore) turn(ctx context.Context, ses Session, id string) (Turn, error) {
	t, err := scanTurn(s.db.QueryRow(ctx, `SELECT `+turnColumns+` WHERE t.session_id = ? AND t.uuid = ?`, ses.ID, id), ses.UUID)
	if errors.Is(err, sql.ErrNoRows) {
		return Turn{}, fault.NotFound("turn")
	}
	if err != nil {
		return Turn{}, fmt.Errorf("load turn %s: %w", id, err)
	}
	return t, nil
}

// turns returns a page of a session's turns in order, all or only those
// not yet delivered to key, with the total of that view.
func (s sqlStore) turns(ctx context.Context, ses Session, key string, v View) ([]Turn, int, error) {
	where := ` WHERE t.session_id = ?`
	args := []any{ses.ID}
	if !v.AllTurns {
		where += ` AND NOT EXISTS (SELECT 1 FROM chat_turn_deliveries d WHERE d.turn_id = t.id AND d.caller_key = ?)`
		args = append(args, key)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM chat_turns t`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count turns of session %s: %w", ses.UUID, err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+turnColumns+where+` ORDER BY t.sequence_number LIMIT ? OFFSET ?`, append(args, v.Limit, v.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list turns of session %s: %w", ses.UUID, err)
	}
	defer rows.Close()
	var out []Turn
	for rows.Next() {
		t, err := scanTurn(rows, ses.UUID)
		if err != nil {
			return nil, 0, fmt.Errorf("scan turn: %w", err)
		}
		out = append(out, t)
	}
	return out, total, rows.Err()
}

// markDelivered records turns as delivered to key in one conditional
// write and returns those this call recorded (not an earlier one).
func (s sqlStore) markDelivered(ctx context.Context, key string, ids []int64, now time.Time) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(ids)), ", ")
	args := make([]any, 0, 3*len(ids))
	for _, id := range ids {
		args = append(args, id, key, now)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := s.db.TxQuery(ctx, tx, `INSERT INTO chat_turn_deliveries (turn_id, caller_key, delivered_at) VALUES `+values+`
			ON CONFLICT (turn_id, caller_key) DO NOTHING RETURNING turn_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("record delivered turns: %w", err)
	}
	return out, nil
}

// touch locks one of the caller's sessions for a new message and counts
// it; it is the transaction's first write, so messages to one
// session take turns.
func (s sqlStore) touch(ctx context.Context, tx *jobs.Tx, c caller.Caller, id string, now time.Time) (Session, error) {
	ses := Session{UUID: id}
	err := s.db.TxQueryRow(ctx, tx.Tx, `UPDATE chat_sessions SET turn_count = turn_count + 1, last_activity_at = ?, updated_at = ?
		WHERE org_id = ? AND app_id = ? AND user_id = ? AND uuid = ? RETURNING id, org_id, status, COALESCE(meeting_id, 0)`,
		now, now, c.OrgID, c.AppID, c.UserID, id).Scan(&ses.ID, &ses.OrgID, &ses.Status, &ses.MeetingID)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fault.NotFound("session")
	}
	if err != nil {
		return Session{}, fmt.Errorf("lock session %s: %w", id, err)
	}
	return ses, nil
}

func (s sqlStore) attach(ctx context.Context, tx *jobs.Tx, sessionID, meetingID int64) error {
	if _, err := s.db.TxExec(ctx, tx.Tx, `UPDATE chat_sessions SET meeting_id = ? WHERE id = ? AND meeting_id IS NULL`, meetingID, sessionID); err != nil {
		return fmt.Errorf("attach meeting to session %d: %w", sessionID, err)
	}
	return nil
}

func (s sqlStore) lastUserSequence(ctx context.Context, tx *jobs.Tx, sessionID int64) (int, error) {
	var last int
	err := s.db.TxQueryRow(ctx, tx.Tx, `SELECT COALESCE(MAX(sequence_number), -1) FROM chat_turns WHERE session_id = ? AND role = 'user'`,
		sessionID).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("last turn of session %d: %w", sessionID, err)
	}
	return last, nil
}

// queuePosition counts the unanswered user turns up to seq, and those not
// yet picked up.
func (s sqlStore) queuePosition(ctx context.Context, tx *jobs.Tx, sessionID int64, seq int) (position, queued int, err error) {
	err = s.db.TxQueryRow(ctx, tx.Tx, `SELECT
		COUNT(CASE WHEN status IN ('queued', 'processing') AND sequence_number <= ? THEN 1 END),
		COUNT(CASE WHEN status = 'queued' THEN 1 END)
		FROM chat_turns WHERE session_id = ? AND role = 'user'`, seq, sessionID).Scan(&position, &queued)
	if err != nil {
		return 0, 0, fmt.Errorf("queue position in session %d: %w", sessionID, err)
	}
	return position, queued, nil
}

type claimState int

const (
	claimGo claimState = iota
	claimWait
	claimDone
)

// claim marks a user turn as being answered, unless it is finished
// (claimDone) or an earlier turn of its session is not (claimWait). The
// session row is locked first, so two jobs of one session decide in turn.
func (s sqlStore) claim(ctx context.Context, q *jobs.Queue, a TurnArgs) (claimState, error) {
	state := claimGo
	err := q.Tx(ctx, func(tx *jobs.Tx) error {
		var id int64
		err := s.db.TxQueryRow(ctx, tx.Tx, `UPDATE chat_sessions SET updated_at = updated_at WHERE org_id = ? AND id = ? RETURNING id`,
			a.OrgID, a.SessionID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			state = claimDone
			return nil
		}
		if err != nil {
			return fmt.Errorf("lock session %d: %w", a.SessionID, err)
		}
		var status string
		var seq int
		err = s.db.TxQueryRow(ctx, tx.Tx, `SELECT status, sequence_number FROM chat_turns WHERE session_id = ? AND id = ? AND role = 'user'`,
			a.SessionID, a.TurnID).Scan(&status, &seq)
		if errors.Is(err, sql.ErrNoRows) || status == TurnCompleted || status == TurnFailed {
			state = claimDone
			return nil
		}
		if err != nil {
			return fmt.Errorf("load turn %d: %w", a.TurnID, err)
		}
		var earlier int
		err = s.db.TxQueryRow(ctx, tx.Tx, `SELECT COUNT(*) FROM chat_turns WHERE session_id = ? AND role = 'user'
			AND sequence_number < ? AND status IN ('queued', 'processing')`, a.SessionID, seq).Scan(&earlier)
		if err != nil {
			return fmt.Errorf("check earlier turns of session %d: %w", a.SessionID, err)
		}
		if earlier > 0 {
			state = claimWait
			return nil
		}
		_, err = s.db.TxExec(ctx, tx.Tx, `UPDATE chat_turns SET status = 'processing' WHERE session_id = ? AND id = ?`, a.SessionID, a.TurnID)
		if err != nil {
			return fmt.Errorf("claim turn %d: %w", a.TurnID, err)
		}
		return nil
	})
	return state, err
}

// conversation loads a turn and the finished turns before it.
func (s sqlStore) conversation(ctx context.Context, ses Session, turnID int64) (Turn, []Turn, error) {
	rows, err := s.db.Query(ctx, `SELECT `+turnColumns+` WHERE t.session_id = ? AND (t.id = ? OR t.status = 'completed')
		ORDER BY t.sequence_number`, ses.ID, turnID)
	if err != nil {
		return Turn{}, nil, fmt.Errorf("load conversation of session %s: %w", ses.UUID, err)
	}
	defer rows.Close()
	var cur Turn
	var history []Turn
	for rows.Next() {
		t, err := scanTurn(rows, ses.UUID)
		if err != nil {
			return Turn{}, nil, fmt.Errorf("scan turn: %w", err)
		}
		if t.ID == turnID {
			cur = t
			break
		}
		history = append(history, t)
	}
	if err := rows.Err(); err != nil {
		return Turn{}, nil, err
	}
	if cur.ID == 0 {
		return Turn{}, nil, fault.NotFound("turn")
	}
	return cur, history, nil
}

// complete records the answer of a turn being answered; false when it was
// not (another run settled it).
func (s sqlStore) complete(ctx context.Context, tx *jobs.Tx, ses Session, t Turn, reply *Turn, now time.Time) (bool, error) {
	if _, err := s.db.TxExec(ctx, tx.Tx, `UPDATE chat_sessions SET turn_count = turn_count + 1, last_activity_at = ?, updated_at = ?
		WHERE org_id = ? AND id = ?`, now, now, ses.OrgID, ses.ID); err != nil {
		return false, fmt.Errorf("count answer in session %s: %w", ses.UUID, err)
	}
	res, err := s.db.TxExec(ctx, tx.Tx, `UPDATE chat_turns SET status = 'completed', completed_at = ?
		WHERE session_id = ? AND id = ? AND status = 'processing'`, now, ses.ID, t.ID)
	if err != nil {
		return false, fmt.Errorf("complete turn %s: %w", t.UUID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	return true, s.insertTurn(ctx, tx, reply)
}

// fail records that a turn being answered could not be.
func (s sqlStore) fail(ctx context.Context, tx *jobs.Tx, ses Session, t Turn, code, msg string, now time.Time) (bool, error) {
	if _, err := s.db.TxExec(ctx, tx.Tx, `UPDATE chat_sessions SET last_activity_at = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		now, now, ses.OrgID, ses.ID); err != nil {
		return false, fmt.Errorf("touch session %s: %w", ses.UUID, err)
	}
	res, err := s.db.TxExec(ctx, tx.Tx, `UPDATE chat_turns SET status = 'failed', error_code = ?, error_message = ?, completed_at = ?
		WHERE session_id = ? AND id = ? AND status = 'processing'`, code, msg, now, ses.ID, t.ID)
	if err != nil {
		return false, fmt.Errorf("fail turn %s: %w", t.UUID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// expire ends the active sessions idle since before cutoff in one
// conditional write and returns them.
func (s sqlStore) expire(ctx context.Context, tx *jobs.Tx, cutoff, now time.Time) ([]Session, error) {
	rows, err := s.db.TxQuery(ctx, tx.Tx, `UPDATE chat_sessions SET status = 'expired', updated_at = ?
		WHERE status = 'active' AND last_activity_at < ?
		RETURNING id, uuid, org_id, app_id, user_id, user_ref, COALESCE(meeting_id, 0), turn_count, last_activity_at`, now, cutoff)
	if err != nil {
		return nil, fmt.Errorf("expire sessions: %w", err)
	}
	var out []Session
	for rows.Next() {
		var ses Session
		if err := rows.Scan(&ses.ID, &ses.UUID, &ses.OrgID, &ses.AppID, &ses.UserID, &ses.UserRef, &ses.MeetingID, &ses.TurnCount,
			&ses.LastActivityAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan expired session: %w", err)
		}
		out = append(out, ses)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("expire sessions: %w", err)
	}
	for i, ses := range out {
		if ses.MeetingID == 0 {
			continue
		}
		err := s.db.TxQueryRow(ctx, tx.Tx, `SELECT uuid FROM meetings WHERE org_id = ? AND id = ?`, ses.OrgID, ses.MeetingID).Scan(&out[i].MeetingUUID)
		if err != nil {
			return nil, fmt.Errorf("load meeting of session %s: %w", ses.UUID, err)
		}
	}
	return out, nil
}
