package actionitem

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

type sqlStore struct{ db *store.DB }

// insert adds the item to the meeting named by its public id; the meeting
// is looked up within the item's organization in the same statement, so a
// foreign meeting inserts nothing.
func (s sqlStore) insert(ctx context.Context, tx *sql.Tx, meetingUUID string, a *ActionItem) error {
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO action_items (uuid, org_id, meeting_id, title, description, owner, due_date,
		status, source, created_at, updated_at)
		SELECT ?, org_id, id, ?, ?, ?, ?, ?, ?, ?, ? FROM meetings WHERE org_id = ? AND uuid = ?
		RETURNING id, meeting_id`,
		a.UUID, a.Title, a.Description, a.Owner, a.DueDate, string(a.Status), a.Source, a.CreatedAt, a.UpdatedAt,
		a.OrgID, meetingUUID).Scan(&a.ID, &a.MeetingID)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.NotFound("meeting")
	}
	if err != nil {
		return fmt.Errorf("insert action item in meeting %s: %w", meetingUUID, err)
	}
	return nil
}

const columns = `a.id, a.uuid, a.org_id, a.meeting_id, a.title, a.description, a.owner, a.due_date, a.status, a.source,
	a.completed_at, a.created_at, a.updated_at`

func scan(row interface{ Scan(...any) error }) (ActionItem, error) {
	var a ActionItem
	var status string
	var completed sql.NullTime
	err := row.Scan(&a.ID, &a.UUID, &a.OrgID, &a.MeetingID, &a.Title, &a.Description, &a.Owner, &a.DueDate, &status, &a.Source,
		&completed, &a.CreatedAt, &a.UpdatedAt)
	a.Status, a.CompletedAt = Status(status), completed.Time
	return a, err
}

// listByMeeting returns one page of a meeting's items, oldest first; the
// cursor is the (created_at, id) of the previous page's last item.
func (s sqlStore) listByMeeting(ctx context.Context, orgID int64, meetingUUID string, r page.Request) (page.Page[ActionItem], error) {
	var meetingID int64
	err := s.db.QueryRow(ctx, `SELECT id FROM meetings WHERE org_id = ? AND uuid = ?`, orgID, meetingUUID).Scan(&meetingID)
	if errors.Is(err, sql.ErrNoRows) {
		return page.Page[ActionItem]{}, fault.NotFound("meeting")
	}
	if err != nil {
		return page.Page[ActionItem]{}, fmt.Errorf("load meeting %s: %w", meetingUUID, err)
	}
	query := `SELECT ` + columns + ` FROM action_items a WHERE a.org_id = ? AND a.meeting_id = ?`
	args := []any{orgID, meetingID}
	if r.After != "" {
		at, id, err := page.ParseKeyCursor(r.After)
		if err != nil {
			return page.Page[ActionItem]{}, err
		}
		query += ` AND (a.created_at > ? OR a.created_at = ? AND a.id > ?)`
		args = append(args, at, at, id)
	}
	query += ` ORDER BY a.created_at, a.id LIMIT ?`
	args = append(args, r.Limit+1)
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return page.Page[ActionItem]{}, fmt.Errorf("list action items of meeting %s: %w", meetingUUID, err)
	}
	defer rows.Close()
	var items []ActionItem
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return page.Page[ActionItem]{}, fmt.Errorf("scan action item: %w", err)
		}
		items = append(items, a)
	}
	if err := rows.Err(); err != nil {
		return page.Page[ActionItem]{}, fmt.Errorf("list action items of meeting %s: %w", meetingUUID, err)
	}
	return page.Of(items, r, -1, func(last ActionItem) string {
		return page.KeyCursor(last.CreatedAt, last.ID)
	}), nil
}

// setStatus changes an item's status in one conditional write scoped to
// the organization and the meeting.
func (s sqlStore) setStatus(ctx context.Context, orgID int64, meetingUUID, id string, st Status, now time.Time) (ActionItem, error) {
	a, err := scan(s.db.ExecRow(ctx, `UPDATE action_items SET status = ?,
		completed_at = CASE WHEN ? = 'completed' THEN COALESCE(completed_at, ?) END, updated_at = ?
		WHERE org_id = ? AND uuid = ? AND meeting_id = (SELECT id FROM meetings WHERE org_id = ? AND uuid = ?)
		RETURNING id, uuid, org_id, meeting_id, title, description, owner, due_date, status, source, completed_at, created_at, updated_at`,
		string(st), string(st), now, now, orgID, id, orgID, meetingUUID))
	if errors.Is(err, sql.ErrNoRows) {
		return ActionItem{}, fault.NotFound("action item")
	}
	if err != nil {
		return ActionItem{}, fmt.Errorf("set status of action item %s: %w", id, err)
	}
	return a, nil
}
