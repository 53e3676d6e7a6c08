package agenda

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store"
)

type sqlStore struct{ db *store.DB }

// columns read an item with the talking points of one user (the caller):
// every query joins agenda_talking_points on that user only.
const columns = `a.id, a.uuid, a.meeting_id, a.sequence, a.item_type, a.title, a.description, a.status,
	a.time_allocation_minutes, a.presenters, a.restricted_to_leads, tp.text, a.created_at, a.updated_at`

const from = ` FROM agenda_items a LEFT JOIN agenda_talking_points tp ON tp.agenda_item_id = a.id AND tp.user_id = ?`

func scan(row interface{ Scan(...any) error }, meetingUUID string) (Item, error) {
	var it Item
	var typ, status, presenters string
	var points sql.NullString
	err := row.Scan(&it.ID, &it.UUID, &it.MeetingID, &it.Sequence, &typ, &it.Title, &it.Description, &status,
		&it.TimeAllocationMinutes, &presenters, &it.RestrictedToLeads, &points, &it.CreatedAt, &it.UpdatedAt)
	if err != nil {
		return Item{}, err
	}
	it.MeetingUUID, it.Type, it.Status = meetingUUID, Type(typ), Status(status)
	it.TalkingPoints, it.HasTalkingPoints = points.String, points.Valid && points.String != ""
	if err := json.Unmarshal([]byte(presenters), &it.Presenters); err != nil {
		return Item{}, fmt.Errorf("decode presenters of agenda item %s: %w", it.UUID, err)
	}
	return it, nil
}

// list reads a meeting's agenda; items restricted to leads only for
// editors.
func (s sqlStore) list(ctx context.Context, m meeting.Access, userID int64) ([]Item, error) {
	rows, err := s.db.Query(ctx, `SELECT `+columns+from+` WHERE a.org_id = ? AND a.meeting_id = ?
		AND (a.restricted_to_leads = FALSE OR ?) ORDER BY a.sequence, a.id LIMIT ?`, userID, m.OrgID, m.ID, m.CanEdit(), MaxItems)
	if err != nil {
		return nil, fmt.Errorf("list agenda of meeting %s: %w", m.UUID, err)
	}
	defer rows.Close()
	out := []Item{}
	for rows.Next() {
		it, err := scan(rows, m.UUID)
		if err != nil {
			return nil, fmt.Errorf("scan agenda item: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// insert appends it to its meeting's agenda. Taking the meeting's row
// first serializes writers, so two items never get one sequence number.
func (s sqlStore) insert(ctx context.Context, tx *sql.Tx, orgID int64, it *Item) error {
	if _, err := s.db.TxExec(ctx, tx, `UPDATE meetings SET updated_at = updated_at WHERE org_id = ? AND id = ?`, orgID, it.MeetingID); err != nil {
		return fmt.Errorf("lock meeting %s: %w", it.MeetingUUID, err)
	}
	var n int
	if err := s.db.TxQueryRow(ctx, tx, `SELECT COUNT(*), COALESCE(MAX(sequence), 0) + 1 FROM agenda_items WHERE meeting_id = ?`,
		it.MeetingID).Scan(&n, &it.Sequence); err != nil {
		return fmt.Errorf("number agenda item of meeting %s: %w", it.MeetingUUID, err)
	}
	if n >= MaxItems {
		return fault.Invalid("agenda", "validation_error", "a meeting has at most %d agenda items", MaxItems)
	}
	presenters, err := json.Marshal(it.Presenters)
	if err != nil {
		return fmt.Errorf("encode presenters: %w", err)
	}
	err = s.db.TxQueryRow(ctx, tx, `INSERT INTO agenda_items (uuid, org_id, meeting_id, sequence, item_type, title, description,
		status, time_allocation_minutes, presenters, restricted_to_leads, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		it.UUID, orgID, it.MeetingID, it.Sequence, string(it.Type), it.Title, it.Description, string(it.Status),
		it.TimeAllocationMinutes, string(presenters), it.RestrictedToLeads, it.CreatedAt, it.UpdatedAt).Scan(&it.ID)
	if err != nil {
		return fmt.Errorf("insert agenda item in meeting %s: %w", it.MeetingUUID, err)
	}
	return nil
}

func (s sqlStore) setTalkingPoints(ctx context.Context, tx *sql.Tx, itemID, userID int64, text string, now time.Time) error {
	var err error
	if text == "" {
		_, err = s.db.TxExec(ctx, tx, `DELETE FROM agenda_talking_points WHERE agenda_item_id = ? AND user_id = ?`, itemID, userID)
	} else {
		_, err = s.db.TxExec(ctx, tx, `INSERT INTO agenda_talking_points (agenda_item_id, user_id, text, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (agenda_item_id, user_id) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at`,
			itemID, userID, text, now)
	}
	if err != nil {
		return fmt.Errorf("store talking points of agenda item %d: %w", itemID, err)
	}
	return nil
}

// lock takes an item's row for the transaction and reads it with the
// user's talking points.
func (s sqlStore) lock(ctx context.Context, tx *sql.Tx, m meeting.Access, userID int64, id string, now time.Time) (Item, error) {
	res, err := s.db.TxExec(ctx, tx, `UPDATE agenda_items SET updated_at = ? WHERE org_id = ? AND meeting_id = ? AND uuid = ?`,
		now, m.OrgID, m.ID, id)
	if err != nil {
		return Item{}, fmt.Errorf("lock agenda item %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Item{}, fault.NotFound("agenda item")
	}
	it, err := scan(s.db.TxQueryRow(ctx, tx, `SELECT `+columns+from+` WHERE a.org_id = ? AND a.meeting_id = ? AND a.uuid = ?`,
		userID, m.OrgID, m.ID, id), m.UUID)
	if err != nil {
		return Item{}, fmt.Errorf("load agenda item %s: %w", id, err)
	}
	return it, nil
}

func (s sqlStore) update(ctx context.Context, tx *sql.Tx, orgID int64, it Item) error {
	presenters, err := json.Marshal(it.Presenters)
	if err != nil {
		return fmt.Errorf("encode presenters: %w", err)
	}
	_, err = s.db.TxExec(ctx, tx, `UPDATE agenda_items SET item_type = ?, title = ?, description = ?, status = ?,
		time_allocation_minutes = ?, presenters = ?, restricted_to_leads = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		string(it.Type), it.Title, it.Description, string(it.Status), it.TimeAllocationMinutes, string(presenters),
		it.RestrictedToLeads, it.UpdatedAt, orgID, it.ID)
	if err != nil {
		return fmt.Errorf("update agenda item %s: %w", it.UUID, err)
	}
	return nil
}

func (s sqlStore) delete(ctx context.Context, tx *sql.Tx, m meeting.Access, id string) error {
	res, err := s.db.TxExec(ctx, tx, `DELETE FROM agenda_items WHERE org_id = ? AND meeting_id = ? AND uuid = ?`, m.OrgID, m.ID, id)
	if err != nil {
		return fmt.Errorf("delete agenda item %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFound("agenda item")
	}
	return nil
}
