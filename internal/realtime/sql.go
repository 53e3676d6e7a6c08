package realtime

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
	"github.com/quorumhq/quorum/internal/store"
)

// sqlStore holds every query of the package. Each one names the
// organization in its WHERE clause.
type sqlStore struct{ db *store.DB }

// insertMessage numbers and stores m. The first statement bumps the room's
// counter, which holds the room's row until commit, so a room's messages
// commit in the order of their numbers.
func (s sqlStore) insertMessage(ctx context.Context, orgID int64, m *Message) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var roomID int64
		err := s.db.TxQueryRow(ctx, tx, `INSERT INTO chat_rooms (org_id, name, last_seq, last_message_at, created_at)
			VALUES (?, ?, 1, ?, ?)
			ON CONFLICT (org_id, name) DO UPDATE SET last_seq = chat_rooms.last_seq + 1, last_message_at = excluded.last_message_at
			RETURNING id, last_seq`, orgID, m.RoomName, m.CreatedAt, m.CreatedAt).Scan(&roomID, &m.Seq)
		if err != nil {
			return fmt.Errorf("number message in room %q: %w", m.RoomName, err)
		}
		if _, err := s.db.TxExec(ctx, tx, `INSERT INTO chat_messages (uuid, org_id, room_id, seq, sender_id, sender_name, text, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, orgID, roomID, m.Seq, m.SenderID, m.SenderName, m.Text, m.CreatedAt); err != nil {
			return fmt.Errorf("insert message in room %q: %w", m.RoomName, err)
		}
		if _, err := s.db.TxExec(ctx, tx, `INSERT INTO chat_room_members (room_id, org_id, user_ref, last_sent_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (room_id, user_ref) DO UPDATE SET last_sent_at = excluded.last_sent_at`,
			roomID, orgID, m.SenderID, m.CreatedAt); err != nil {
			return fmt.Errorf("record member of room %q: %w", m.RoomName, err)
		}
		return nil
	})
	return err
}

const messageColumns = `m.uuid, m.seq, r.name, m.sender_id, m.sender_name, m.text, m.created_at`

func scanMessages(rows *sql.Rows, err error, what string) ([]Message, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		var m Message
		if err := rows.Scan(&m.ID, &m.Seq, &m.RoomName, &m.SenderID, &m.SenderName, &m.Text, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// lastSeq is the number of the room's newest message, 0 for a room
// without messages.
func (s sqlStore) lastSeq(ctx context.Context, orgID int64, room string) (int64, error) {
	var seq int64
	err := s.db.QueryRow(ctx, `SELECT last_seq FROM chat_rooms WHERE org_id = ? AND name = ?`, orgID, room).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("load room %q: %w", room, err)
	}
	return seq, nil
}

// messagesAfter returns up to limit messages numbered after seq, oldest
// first: what a stream replays.
func (s sqlStore) messagesAfter(ctx context.Context, orgID int64, room string, seq int64, limit int) ([]Message, error) {
	rows, err := s.db.Query(ctx, `SELECT `+messageColumns+` FROM chat_messages m JOIN chat_rooms r ON r.id = m.room_id
		WHERE r.org_id = ? AND r.name = ? AND m.org_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`, orgID, room, orgID, seq, limit)
	return scanMessages(rows, err, fmt.Sprintf("replay room %q", room))
}

// history returns up to limit messages numbered below before (all when
// before < 0), newest first.
func (s sqlStore) history(ctx context.Context, orgID int64, room string, before int64, limit int) ([]Message, error) {
	query := `SELECT ` + messageColumns + ` FROM chat_messages m JOIN chat_rooms r ON r.id = m.room_id
		WHERE r.org_id = ? AND r.name = ? AND m.org_id = ?`
	args := []any{orgID, room, orgID}
	if before >= 0 {
		query += ` AND m.seq < ?`
		args = append(args, before)
	}
	query += ` ORDER BY m.seq DESC LIMIT ?`
	rows, err := s.db.Query(ctx, query, append(args, limit)...)
	return scanMessages(rows, err, fmt.Sprintf("history of room %q", room))
}

// conversations lists the rooms user has written in, most recent first,
// after the (at, id) position when id > 0.
func (s sqlStore) conversations(ctx context.Context, orgID int64, user string, at time.Time, id int64, limit int) ([]Conversation, error) {
	query := `SELECT r.id, r.name, r.last_seq, r.last_message_at, ` + messageColumns + `
		FROM chat_room_members cm
		JOIN chat_rooms r ON r.id = cm.room_id
		JOIN chat_messages m ON m.room_id = r.id AND m.seq = r.last_seq
		WHERE cm.org_id = ? AND cm.user_ref = ? AND r.org_id = ?`
	args := []any{orgID, user, orgID}
	if id > 0 {
		query += ` AND (r.last_message_at < ? OR r.last_message_at = ? AND r.id < ?)`
		args = append(args, at, at, id)
	}
	query += ` ORDER BY r.last_message_at DESC, r.id DESC LIMIT ?`
	rows, err := s.db.Query(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list conversations of %s: %w", user, err)
	}
	defer rows.Close()
	out := []Conversation{}
	for rows.Next() {
		var c Conversation
		m := &c.LastMessage
		if err := rows.Scan(&c.roomID, &c.RoomName, &c.MessageCount, &c.UpdatedAt,
			&m.ID, &m.Seq, &m.RoomName, &m.SenderID, &m.SenderName, &m.Text, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("list conversations of %s: %w", user, err)
		}
		c.UpdatedAt, m.CreatedAt = c.UpdatedAt.UTC(), m.CreatedAt.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list conversations of %s: %w", user, err)
	}
	return out, nil
}

func (s sqlStore) insertTicket(ctx context.Context, c caller.Caller, hash, scope, target string, now, expires time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO stream_tickets (ticket_hash, org_id, app_id, user_ref, scope, target, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, hash, c.OrgID, c.AppID, c.UserRef, scope, target, expires, now)
	if err != nil {
		return fmt.Errorf("store stream ticket: %w", err)
	}
	return nil
}

// consumeTicket spends a ticket with one conditional write: of two
// concurrent uses, exactly one gets the row.
func (s sqlStore) consumeTicket(ctx context.Context, hash string, now time.Time) (ticketGrant, error) {
	g := ticketGrant{caller: caller.Caller{Credential: caller.CloudToken}}
	err := s.db.ExecRow(ctx, `UPDATE stream_tickets SET used_at = ?
		WHERE ticket_hash = ? AND used_at IS NULL AND expires_at > ?
		RETURNING org_id, app_id, user_ref, scope, target`, now, hash, now).
		Scan(&g.caller.OrgID, &g.caller.AppID, &g.caller.UserRef, &g.scope, &g.target)
	if errors.Is(err, sql.ErrNoRows) {
		return ticketGrant{}, errBadTicket
	}
	if err != nil {
		return ticketGrant{}, fmt.Errorf("consume stream ticket: %w", err)
	}
	return g, nil
}

func (s sqlStore) purgeTickets(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM stream_tickets WHERE expires_at <= ?`, now)
	if err != nil {
		return 0, fmt.Errorf("purge stream tickets: %w", err)
	}
	return res.RowsAffected()
}

// putProfile creates the profile or replaces its metadata; a profile id
// that another user of the organization holds is refused.
func (s sqlStore) putProfile(ctx context.Context, orgID int64, p Profile, meta string) error {
	var id int64
	err := s.db.ExecRow(ctx, `INSERT INTO cloud_profiles (org_id, profile_id, user_ref, metadata, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (org_id, profile_id) DO UPDATE SET metadata = excluded.metadata, updated_at = excluded.updated_at
		WHERE cloud_profiles.user_ref = excluded.user_ref
		RETURNING id`, orgID, p.ID, p.UserID, meta, p.UpdatedAt).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.Forbidden("forbidden", "profile %s belongs to another user", p.ID)
	}
	if err != nil {
		return fmt.Errorf("store profile %s: %w", p.ID, err)
	}
	return nil
}

func scanProfile(row interface{ Scan(...any) error }) (Profile, error) {
	var p Profile
	var meta string
	if err := row.Scan(&p.ID, &p.UserID, &meta, &p.UpdatedAt); err != nil {
		return Profile{}, err
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(meta), &p.Metadata); err != nil || p.Metadata == nil {
		p.Metadata = map[string]any{}
	}
	return p, nil
}

func (s sqlStore) profile(ctx context.Context, orgID int64, profileID string) (Profile, error) {
	p, err := scanProfile(s.db.QueryRow(ctx, `SELECT profile_id, user_ref, metadata, updated_at FROM cloud_profiles
		WHERE org_id = ? AND profile_id = ?`, orgID, profileID))
	if errors.Is(err, sql.ErrNoRows) {
		return Profile{}, fault.NotFound("profile")
	}
	if err != nil {
		return Profile{}, fmt.Errorf("load profile %s: %w", profileID, err)
	}
	return p, nil
}

// profilesOf loads the profiles of users, in chunks of one IN list each.
func (s sqlStore) profilesOf(ctx context.Context, orgID int64, users []string) ([]Profile, error) {
	var out []Profile
	for len(users) > 0 {
		n := min(len(users), 500)
		chunk := users[:n]
		users = users[n:]
		args := []any{orgID}
		for _, u := range chunk {
			args = append(args, u)
		}
		rows, err := s.db.R.QueryContext(ctx, s.db.Rebind(`SELECT profile_id, user_ref, metadata, updated_at FROM cloud_profiles
			WHERE org_id = ? AND user_ref IN (?`+strings.Repeat(", ?", n-1)+`) ORDER BY profile_id`), args...)
		if err != nil {
			return nil, fmt.Errorf("load profiles: %w", err)
		}
		for rows.Next() {
			p, err := scanProfile(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("load profiles: %w", err)
			}
			out = append(out, p)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("load profiles: %w", err)
		}
	}
	return out, nil
}

var errNotOwner = fault.Forbidden("not_owner", "only the user who advertised this room may change it")

// upsertActiveRoom stores r, or replaces the room of the same name when
// the caller owns it, and returns the targets it had before.
func (s sqlStore) upsertActiveRoom(ctx context.Context, orgID int64, r *ActiveRoom, meta string) ([]string, error) {
	var prev []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := s.db.TxQueryRow(ctx, tx, `INSERT INTO active_rooms (org_id, name, owner_id, owner_display_name, metadata, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, name) DO UPDATE SET owner_display_name = excluded.owner_display_name,
				metadata = excluded.metadata, updated_at = excluded.updated_at
			WHERE active_rooms.owner_id = excluded.owner_id
			RETURNING id, created_at`, orgID, r.Name, r.OwnerID, r.OwnerDisplayName, meta, r.CreatedAt, r.UpdatedAt).Scan(&r.id, &r.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotOwner
		}
		if err != nil {
			return fmt.Errorf("advertise room %q: %w", r.Name, err)
		}
		r.CreatedAt = r.CreatedAt.UTC()
		if prev, err = s.targets(ctx, tx, orgID, r.id); err != nil {
			return err
		}
		return s.setTargets(ctx, tx, orgID, r.id, r.TargetUserIDs)
	})
	return prev, err
}

func (s sqlStore) targets(ctx context.Context, tx *sql.Tx, orgID, roomID int64) ([]string, error) {
	rows, err := s.db.TxQuery(ctx, tx, `SELECT user_ref FROM active_room_targets WHERE org_id = ? AND room_id = ? ORDER BY user_ref`, orgID, roomID)
	if err != nil {
		return nil, fmt.Errorf("load room targets: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, fmt.Errorf("load room targets: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (s sqlStore) setTargets(ctx context.Context, tx *sql.Tx, orgID, roomID int64, users []string) error {
	if _, err := s.db.TxExec(ctx, tx, `DELETE FROM active_room_targets WHERE org_id = ? AND room_id = ?`, orgID, roomID); err != nil {
		return fmt.Errorf("replace room targets: %w", err)
	}
	for _, u := range users {
		if _, err := s.db.TxExec(ctx, tx, `INSERT INTO active_room_targets (room_id, org_id, user_ref) VALUES (?, ?, ?)`, roomID, orgID, u); err != nil {
			return fmt.Errorf("replace room targets: %w", err)
		}
	}
	return nil
}

// lockActiveRoom takes the room's row for the transaction (its first
// statement writes it) and loads it with its targets.
func (s sqlStore) lockActiveRoom(ctx context.Context, tx *sql.Tx, orgID int64, name string) (ActiveRoom, error) {
	r := ActiveRoom{Name: name}
	var meta string
	err := s.db.TxQueryRow(ctx, tx, `UPDATE active_rooms SET updated_at = updated_at WHERE org_id = ? AND name = ?
		RETURNING id, owner_id, owner_display_name, metadata, created_at, updated_at`, orgID, name).
		Scan(&r.id, &r.OwnerID, &r.OwnerDisplayName, &meta, &r.CreatedAt, &r.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return ActiveRoom{}, fault.NotFound("active room")
	}
	if err != nil {
		return ActiveRoom{}, fmt.Errorf("load active room %q: %w", name, err)
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(meta), &r.Metadata); err != nil || r.Metadata == nil {
		r.Metadata = map[string]any{}
	}
	r.TargetUserIDs, err = s.targets(ctx, tx, orgID, r.id)
	return r, err
}

// updateActiveRoom lets change edit the room (returning its metadata as
// JSON) when owner owns it.
func (s sqlStore) updateActiveRoom(ctx context.Context, orgID int64, name, owner string, change func(*ActiveRoom) (string, error)) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := s.lockActiveRoom(ctx, tx, orgID, name)
		if err != nil {
			return err
		}
		if r.OwnerID != owner {
			return errNotOwner
		}
		prev := r.TargetUserIDs
		meta, err := change(&r)
		if err != nil {
			return err
		}
		if _, err := s.db.TxExec(ctx, tx, `UPDATE active_rooms SET owner_display_name = ?, metadata = ?, updated_at = ?
			WHERE org_id = ? AND id = ?`, r.OwnerDisplayName, meta, r.UpdatedAt, orgID, r.id); err != nil {
			return fmt.Errorf("update active room %q: %w", name, err)
		}
		if strings.Join(prev, "\x00") == strings.Join(r.TargetUserIDs, "\x00") {
			return nil
		}
		return s.setTargets(ctx, tx, orgID, r.id, r.TargetUserIDs)
	})
}

// deleteActiveRoom removes the room when owner owns it and returns it as
// it was.
func (s sqlStore) deleteActiveRoom(ctx context.Context, orgID int64, name, owner string) (ActiveRoom, error) {
	var r ActiveRoom
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if r, err = s.lockActiveRoom(ctx, tx, orgID, name); err != nil {
			return err
		}
		if r.OwnerID != owner {
			return errNotOwner
		}
		if _, err := s.db.TxExec(ctx, tx, `DELETE FROM active_room_targets WHERE org_id = ? AND room_id = ?`, orgID, r.id); err != nil {
			return fmt.Errorf("remove active room %q: %w", name, err)
		}
		if _, err := s.db.TxExec(ctx, tx, `DELETE FROM active_rooms WHERE org_id = ? AND id = ?`, orgID, r.id); err != nil {
			return fmt.Errorf("remove active room %q: %w", name, err)
		}
		return nil
	})
	return r, err
}

// activeRooms lists advertised rooms newest first (targeting user when it
// is not empty), after the (at, id) position when id > 0.
func (s sqlStore) activeRooms(ctx context.Context, orgID int64, user string, at time.Time, id int64, limit int) ([]ActiveRoom, error) {
	query := `SELECT a.id, a.name, a.owner_id, a.owner_display_name, a.metadata, a.created_at, a.updated_at FROM active_rooms a
		WHERE a.org_id = ?`
	args := []any{orgID}
	if user != "" {
		query += ` AND EXISTS (SELECT 1 FROM active_room_targets t WHERE t.org_id = ? AND t.room_id = a.id AND t.user_ref = ?)`
		args = append(args, orgID, user)
	}
	if id > 0 {
		query += ` AND (a.created_at < ? OR a.created_at = ? AND a.id < ?)`
		args = append(args, at, at, id)
	}
	query += ` ORDER BY a.created_at DESC, a.id DESC LIMIT ?`
	rows, err := s.db.Query(ctx, query, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list active rooms: %w", err)
	}
	out := []ActiveRoom{}
	byID := map[int64]int{}
	for rows.Next() {
		var r ActiveRoom
		var meta string
		if err := rows.Scan(&r.id, &r.Name, &r.OwnerID, &r.OwnerDisplayName, &meta, &r.CreatedAt, &r.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list active rooms: %w", err)
		}
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		if err := json.Unmarshal([]byte(meta), &r.Metadata); err != nil || r.Metadata == nil {
			r.Metadata = map[string]any{}
		}
		r.TargetUserIDs = []string{}
		byID[r.id] = len(out)
		out = append(out, r)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("list active rooms: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	args = []any{orgID}
	for _, r := range out {
		args = append(args, r.id)
	}
	trows, err := s.db.R.QueryContext(ctx, s.db.Rebind(`SELECT room_id, user_ref FROM active_room_targets
		WHERE org_id = ? AND room_id IN (?`+strings.Repeat(", ?", len(out)-1)+`) ORDER BY user_ref`), args...)
	if err != nil {
		return nil, fmt.Errorf("list active room targets: %w", err)
	}
	defer trows.Close()
	for trows.Next() {
		var roomID int64
		var u string
		if err := trows.Scan(&roomID, &u); err != nil {
			return nil, fmt.Errorf("list active room targets: %w", err)
		}
		r := &out[byID[roomID]]
		r.TargetUserIDs = append(r.TargetUserIDs, u)
	}
	if err := trows.Err(); err != nil {
		return nil, fmt.Errorf("list active room targets: %w", err)
	}
	return out, nil
}
