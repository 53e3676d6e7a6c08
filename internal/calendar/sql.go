package calendar

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

type sqlStore struct{ db *store.DB }

const feedColumns = `f.id, f.uuid, f.org_id, f.user_id, f.name, f.url, f.last_synced_at, f.last_error, f.created_at, f.updated_at,
	(SELECT COUNT(*) FROM calendar_events e WHERE e.feed_id = f.id)`

func scanFeed(row interface{ Scan(...any) error }) (Feed, error) {
	var f Feed
	var synced sql.NullTime
	err := row.Scan(&f.ID, &f.UUID, &f.OrgID, &f.UserID, &f.Name, &f.URL, &synced, &f.LastError, &f.CreatedAt, &f.UpdatedAt, &f.EventCount)
	f.LastSyncedAt = synced.Time
	return f, err
}

// insertFeed adds a feed and returns how many the user now has.
func (s sqlStore) insertFeed(ctx context.Context, tx *sql.Tx, f *Feed) (int, error) {
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO calendar_feeds (uuid, org_id, user_id, name, url, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.UUID, f.OrgID, f.UserID, f.Name, f.URL, f.CreatedAt, f.UpdatedAt).Scan(&f.ID)
	if err != nil {
		return 0, fmt.Errorf("insert calendar feed: %w", err)
	}
	var n int
	if err := s.db.TxQueryRow(ctx, tx, `SELECT COUNT(*) FROM calendar_feeds WHERE org_id = ? AND user_id = ?`, f.OrgID, f.UserID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count calendar feeds: %w", err)
	}
	return n, nil
}

func (s sqlStore) feed(ctx context.Context, orgID, userID int64, id string) (Feed, error) {
	f, err := scanFeed(s.db.QueryRow(ctx, `SELECT `+feedColumns+` FROM calendar_feeds f WHERE f.org_id = ? AND f.user_id = ? AND f.uuid = ?`,
		orgID, userID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Feed{}, fault.NotFound("calendar")
	}
	if err != nil {
		return Feed{}, fmt.Errorf("load calendar feed %s: %w", id, err)
	}
	return f, nil
}

func (s sqlStore) feeds(ctx context.Context, orgID, userID int64) ([]Feed, error) {
	return s.queryFeeds(ctx, `SELECT `+feedColumns+` FROM calendar_feeds f WHERE f.org_id = ? AND f.user_id = ? ORDER BY f.id`, orgID, userID)
}

// dueFeeds lists URL feeds of every organization last read before
// before, the longest waiting first: the periodic refresh is Quorum's own
// work across tenants.
func (s sqlStore) dueFeeds(ctx context.Context, before time.Time, limit int) ([]Feed, error) {
	return s.queryFeeds(ctx, `SELECT `+feedColumns+` FROM calendar_feeds f WHERE f.url <> ''
		AND (f.last_synced_at IS NULL OR f.last_synced_at < ?) ORDER BY COALESCE(f.last_synced_at, f.created_at), f.id LIMIT ?`, before, limit)
}

func (s sqlStore) queryFeeds(ctx context.Context, query string, args ...any) ([]Feed, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list calendar feeds: %w", err)
	}
	defer rows.Close()
	out := []Feed{}
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, fmt.Errorf("scan calendar feed: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (s sqlStore) markFeed(ctx context.Context, tx *sql.Tx, f *Feed, now time.Time, lastError string) error {
	f.LastSyncedAt, f.LastError, f.UpdatedAt = now, lastError, now
	if _, err := s.db.TxExec(ctx, tx, `UPDATE calendar_feeds SET last_synced_at = ?, last_error = ?, updated_at = ? WHERE id = ?`,
		now, lastError, now, f.ID); err != nil {
		return fmt.Errorf("mark calendar feed %s: %w", f.UUID, err)
	}
	return nil
}

func (s sqlStore) deleteFeed(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := s.db.TxExec(ctx, tx, `DELETE FROM calendar_feeds WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete calendar feed %d: %w", id, err)
	}
	return nil
}

type storedEvent struct {
	id         int64
	uuid, hash string
}

func (s sqlStore) feedEvents(ctx context.Context, tx *sql.Tx, feedID int64) (map[string]storedEvent, error) {
	rows, err := s.db.TxQuery(ctx, tx, `SELECT id, uuid, instance_key, content_hash FROM calendar_events WHERE feed_id = ?`, feedID)
	if err != nil {
		return nil, fmt.Errorf("load events of calendar feed %d: %w", feedID, err)
	}
	defer rows.Close()
	out := map[string]storedEvent{}
	for rows.Next() {
		var e storedEvent
		var key string
		if err := rows.Scan(&e.id, &e.uuid, &key, &e.hash); err != nil {
			return nil, fmt.Errorf("scan calendar event: %w", err)
		}
		out[key] = e
	}
	return out, rows.Err()
}

func encodePeople(o occurrence) (organizer, attendees string, err error) {
	org, err := json.Marshal(o.Organizer)
	if err != nil {
		return "", "", fmt.Errorf("encode organizer: %w", err)
	}
	att, err := json.Marshal(o.Attendees)
	if err != nil {
		return "", "", fmt.Errorf("encode attendees: %w", err)
	}
	return string(org), string(att), nil
}

func (s sqlStore) insertEvent(ctx context.Context, tx *sql.Tx, f Feed, id string, o occurrence, hash string, now time.Time) error {
	organizer, attendees, err := encodePeople(o)
	if err != nil {
		return err
	}
	_, err = s.db.TxExec(ctx, tx, `INSERT INTO calendar_events (uuid, org_id, user_id, feed_id, instance_key, content_hash, title,
		description, location, start_time, end_time, is_all_day, organizer, attendees, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, f.OrgID, f.UserID, f.ID, o.Key, hash, o.Title, o.Description, o.Location, o.Start, o.End, o.AllDay,
		organizer, attendees, now, now)
	if err != nil {
		return fmt.Errorf("insert calendar event: %w", err)
	}
	return nil
}

func (s sqlStore) updateEvent(ctx context.Context, tx *sql.Tx, id int64, o occurrence, hash string, now time.Time) error {
	organizer, attendees, err := encodePeople(o)
	if err != nil {
		return err
	}
	_, err = s.db.TxExec(ctx, tx, `UPDATE calendar_events SET content_hash = ?, title = ?, description = ?, location = ?,
		start_time = ?, end_time = ?, is_all_day = ?, organizer = ?, attendees = ?, updated_at = ? WHERE id = ?`,
		hash, o.Title, o.Description, o.Location, o.Start, o.End, o.AllDay, organizer, attendees, now, id)
	if err != nil {
		return fmt.Errorf("update calendar event %d: %w", id, err)
	}
	return nil
}

func (s sqlStore) deleteEvent(ctx context.Context, tx *sql.Tx, id int64) error {
	if _, err := s.db.TxExec(ctx, tx, `DELETE FROM calendar_events WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete calendar event %d: %w", id, err)
	}
	return nil
}

// eventColumns read an event with the meeting linked to it (at most one:
// the link is unique).
const eventColumns = `e.id, e.uuid, e.org_id, e.user_id, e.feed_id, e.title, e.description, e.location, e.start_time, e.end_time,
	e.is_all_day, e.organizer, e.attendees, COALESCE(lm.uuid, ''), e.created_at, e.updated_at`

const eventFrom = ` FROM calendar_events e LEFT JOIN meetings lm ON lm.calendar_event_id = e.id`

func scanEvent(row interface{ Scan(...any) error }) (Event, error) {
	var e Event
	var organizer, attendees string
	err := row.Scan(&e.ID, &e.UUID, &e.OrgID, &e.UserID, &e.FeedID, &e.Title, &e.Description, &e.Location, &e.StartTime, &e.EndTime,
		&e.IsAllDay, &organizer, &attendees, &e.MeetingID, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return Event{}, err
	}
	if err := json.Unmarshal([]byte(organizer), &e.Organizer); err != nil {
		return Event{}, fmt.Errorf("decode organizer of calendar event %s: %w", e.UUID, err)
	}
	if err := json.Unmarshal([]byte(attendees), &e.Attendees); err != nil {
		return Event{}, fmt.Errorf("decode attendees of calendar event %s: %w", e.UUID, err)
	}
	return e, nil
}

func (s sqlStore) event(ctx context.Context, orgID, userID int64, id string) (Event, error) {
	e, err := scanEvent(s.db.QueryRow(ctx, `SELECT `+eventColumns+eventFrom+` WHERE e.org_id = ? AND e.user_id = ? AND e.uuid = ?`,
		orgID, userID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, fault.NotFound("calendar event")
	}
	if err != nil {
		return Event{}, fmt.Errorf("load calendar event %s: %w", id, err)
	}
	return e, nil
}

// lockEvent takes an event's row for the transaction and reads it with the
// internal id of the meeting linked to it (0 for none).
func (s sqlStore) lockEvent(ctx context.Context, tx *sql.Tx, orgID, userID int64, id string) (Event, int64, error) {
	res, err := s.db.TxExec(ctx, tx, `UPDATE calendar_events SET updated_at = updated_at WHERE org_id = ? AND user_id = ? AND uuid = ?`,
		orgID, userID, id)
	if err != nil {
		return Event{}, 0, fmt.Errorf("lock calendar event %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Event{}, 0, fault.NotFound("calendar event")
	}
	e, err := scanEvent(s.db.TxQueryRow(ctx, tx, `SELECT `+eventColumns+eventFrom+` WHERE e.org_id = ? AND e.user_id = ? AND e.uuid = ?`,
		orgID, userID, id))
	if err != nil {
		return Event{}, 0, fmt.Errorf("load calendar event %s: %w", id, err)
	}
	var linked sql.NullInt64
	if err := s.db.TxQueryRow(ctx, tx, `SELECT id FROM meetings WHERE org_id = ? AND calendar_event_id = ?`, orgID, e.ID).Scan(&linked); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Event{}, 0, fmt.Errorf("find the meeting of calendar event %s: %w", id, err)
	}
	return e, linked.Int64, nil
}

// list is one offset page of a user's events overlapping [from, to], with
// the exact total.
func (s sqlStore) list(ctx context.Context, orgID, userID int64, from, to time.Time, desc bool, r page.Request) (page.Page[Event], error) {
	where := ` WHERE e.org_id = ? AND e.user_id = ?`
	args := []any{orgID, userID}
	if !from.IsZero() {
		where += ` AND e.end_time > ?`
		args = append(args, from)
	}
	if !to.IsZero() {
		where += ` AND e.start_time <= ?`
		args = append(args, to)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM calendar_events e`+where, args...).Scan(&total); err != nil {
		return page.Page[Event]{}, fmt.Errorf("count calendar events: %w", err)
	}
	order := ` ORDER BY e.start_time, e.id`
	if desc {
		order = ` ORDER BY e.start_time DESC, e.id DESC`
	}
	items := make([]Event, 0, r.Limit)
	if r.Offset < total {
		rows, err := s.db.Query(ctx, `SELECT `+eventColumns+eventFrom+where+order+` LIMIT ? OFFSET ?`, append(args, r.Limit, r.Offset)...)
		if err != nil {
			return page.Page[Event]{}, fmt.Errorf("list calendar events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				return page.Page[Event]{}, fmt.Errorf("scan calendar event: %w", err)
			}
			items = append(items, e)
		}
		if err := rows.Err(); err != nil {
			return page.Page[Event]{}, fmt.Errorf("list calendar events: %w", err)
		}
	}
	return page.Page[Event]{Items: items, Total: total, Limit: r.Limit, Offset: r.Offset, Next: page.OffsetNext(r, total)}, nil
}

// link sets a meeting's calendar event. The link lives on the meeting's
// row; the rules about it are the calendar's. The unique index on the link
// refuses an event already linked to another meeting, however the requests
// interleave.
func (s sqlStore) link(ctx context.Context, orgID, meetingID int64, ev Event) error {
	var cur sql.NullInt64
	if err := s.db.QueryRow(ctx, `SELECT calendar_event_id FROM meetings WHERE org_id = ? AND id = ?`, orgID, meetingID).Scan(&cur); err != nil {
		return fmt.Errorf("load meeting %d: %w", meetingID, err)
	}
	switch {
	case cur.Valid && cur.Int64 == ev.ID:
		return fault.Invalid("calendar_event_id", "calendar_event_already_linked", "the calendar event is already linked to this meeting")
	case cur.Valid:
		return fault.Invalid("calendar_event_id", "meeting_already_linked", "the meeting is already linked to another calendar event")
	}
	res, err := s.db.Exec(ctx, `UPDATE meetings SET calendar_event_id = ? WHERE org_id = ? AND id = ? AND calendar_event_id IS NULL`,
		ev.ID, orgID, meetingID)
	if store.IsUniqueViolation(err) {
		return fault.Conflict("conflict", "the calendar event is already linked to another meeting")
	}
	if err != nil {
		return fmt.Errorf("link meeting %d to calendar event %s: %w", meetingID, ev.UUID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.Invalid("calendar_event_id", "meeting_already_linked", "the meeting is already linked to another calendar event")
	}
	return nil
}

func (s sqlStore) unlink(ctx context.Context, orgID, meetingID int64) error {
	res, err := s.db.Exec(ctx, `UPDATE meetings SET calendar_event_id = NULL WHERE org_id = ? AND id = ? AND calendar_event_id IS NOT NULL`,
		orgID, meetingID)
	if err != nil {
		return fmt.Errorf("unlink meeting %d: %w", meetingID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFound("calendar link")
	}
	return nil
}
