package actionitem

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

// insert adds the item to its meeting; the meeting is named again with the
// item's organization, so a foreign meeting inserts nothing.
func (s sqlStore) insert(ctx context.Context, tx *sql.Tx, a *ActionItem, creatorID int64) error {
	var creator any
	if creatorID != 0 {
		creator = creatorID
	}
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO action_items (uuid, org_id, meeting_id, title, description, owner, due_date,
		status, source, completed_at, created_by_user_id, created_at, updated_at)
		SELECT ?, org_id, id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM meetings WHERE org_id = ? AND id = ?
		RETURNING id`,
		a.UUID, a.Title, a.Description, a.Owner, a.DueDate, string(a.Status), a.Source, nullTime(a.CompletedAt), creator,
		a.CreatedAt, a.UpdatedAt, a.OrgID, a.MeetingID).Scan(&a.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.NotFound("meeting")
	}
	if err != nil {
		return fmt.Errorf("insert action item in meeting %s: %w", a.MeetingUUID, err)
	}
	return nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// setContext stores an app's partner context on an item, replacing the
// app's previous one.
func (s sqlStore) setContext(ctx context.Context, tx *sql.Tx, itemID, appID int64, raw json.RawMessage, now time.Time) error {
	_, err := s.db.TxExec(ctx, tx, `INSERT INTO action_item_contexts (action_item_id, app_id, context, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (action_item_id, app_id) DO UPDATE SET context = excluded.context, updated_at = excluded.updated_at`,
		itemID, appID, string(raw), now)
	if err != nil {
		return fmt.Errorf("store the partner context of action item %d: %w", itemID, err)
	}
	return nil
}

// columns read an item with its meeting's public id and one app's partner
// context: every query joins action_item_contexts on the calling app only.
const columns = `a.id, a.uuid, a.org_id, a.meeting_id, m.uuid, a.title, a.description, a.owner, a.due_date, a.status, a.source,
	a.completed_at, a.created_at, a.updated_at, x.context`

const from = ` FROM action_items a JOIN meetings m ON m.id = a.meeting_id
	LEFT JOIN action_item_contexts x ON x.action_item_id = a.id AND x.app_id = ?`

func scan(row interface{ Scan(...any) error }) (ActionItem, error) {
	var a ActionItem
	var status string
	var completed sql.NullTime
	var context sql.NullString
	err := row.Scan(&a.ID, &a.UUID, &a.OrgID, &a.MeetingID, &a.MeetingUUID, &a.Title, &a.Description, &a.Owner, &a.DueDate,
		&status, &a.Source, &completed, &a.CreatedAt, &a.UpdatedAt, &context)
	a.Status, a.CompletedAt = Status(status), completed.Time
	if context.Valid {
		a.PartnerContext = json.RawMessage(context.String)
	}
	return a, err
}

func (s sqlStore) byUUID(ctx context.Context, orgID, appID int64, id string) (ActionItem, error) {
	a, err := scan(s.db.QueryRow(ctx, `SELECT `+columns+from+` WHERE a.org_id = ? AND a.uuid = ?`, appID, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ActionItem{}, fault.NotFound("action item")
	}
	if err != nil {
		return ActionItem{}, fmt.Errorf("load action item %s: %w", id, err)
	}
	return a, nil
}

// lock takes an item's row for the rest of the transaction and reads it.
func (s sqlStore) lock(ctx context.Context, tx *sql.Tx, orgID, appID int64, id string, now time.Time) (ActionItem, error) {
	res, err := s.db.TxExec(ctx, tx, `UPDATE action_items SET updated_at = ? WHERE org_id = ? AND uuid = ?`, now, orgID, id)
	if err != nil {
		return ActionItem{}, fmt.Errorf("lock action item %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ActionItem{}, fault.NotFound("action item")
	}
	a, err := scan(s.db.TxQueryRow(ctx, tx, `SELECT `+columns+from+` WHERE a.org_id = ? AND a.uuid = ?`, appID, orgID, id))
	if err != nil {
		return ActionItem{}, fmt.Errorf("load action item %s: %w", id, err)
	}
	return a, nil
}

func (s sqlStore) update(ctx context.Context, tx *sql.Tx, a ActionItem) error {
	_, err := s.db.TxExec(ctx, tx, `UPDATE action_items SET title = ?, description = ?, due_date = ?, status = ?, completed_at = ?,
		updated_at = ? WHERE org_id = ? AND id = ?`,
		a.Title, a.Description, a.DueDate, string(a.Status), nullTime(a.CompletedAt), a.UpdatedAt, a.OrgID, a.ID)
	if err != nil {
		return fmt.Errorf("update action item %s: %w", a.UUID, err)
	}
	return nil
}

func (s sqlStore) delete(ctx context.Context, orgID int64, id string) error {
	res, err := s.db.Exec(ctx, `DELETE FROM action_items WHERE org_id = ? AND uuid = ?`, orgID, id)
	if err != nil {
		return fmt.Errorf("delete action item %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFound("action item")
	}
	return nil
}

// userUUID is the public id of a user, empty for none.
func (s sqlStore) userUUID(ctx context.Context, tx *sql.Tx, userID int64) (string, error) {
	if userID == 0 {
		return "", nil
	}
	var id string
	if err := s.db.TxQueryRow(ctx, tx, `SELECT uuid FROM users WHERE id = ?`, userID).Scan(&id); err != nil {
		return "", fmt.Errorf("load user %d: %w", userID, err)
	}
	return id, nil
}

type listQuery struct {
	orgID, appID        int64
	meeting             string
	completed, assigned *bool
	from, to            time.Time
}

// list is one offset page of an organization's items, newest first, with
// the exact total counted under the same conditions.
func (s sqlStore) list(ctx context.Context, q listQuery, r page.Request) (page.Page[ActionItem], error) {
	where := ` WHERE a.org_id = ?`
	args := []any{q.appID, q.orgID}
	if q.meeting != "" {
		where += ` AND m.uuid = ?`
		args = append(args, q.meeting)
	}
	if q.completed != nil {
		if *q.completed {
			where += ` AND a.status = 'completed'`
		} else {
			where += ` AND a.status <> 'completed'`
		}
	}
	if q.assigned != nil {
		if *q.assigned {
			where += ` AND x.action_item_id IS NOT NULL`
		} else {
			where += ` AND x.action_item_id IS NULL`
		}
	}
	if !q.from.IsZero() {
		where += ` AND a.created_at >= ?`
		args = append(args, q.from)
	}
	if !q.to.IsZero() {
		where += ` AND a.created_at <= ?`
		args = append(args, q.to)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+from+where, args...).Scan(&total); err != nil {
		return page.Page[ActionItem]{}, fmt.Errorf("count action items of org %d: %w", q.orgID, err)
	}
	items := make([]ActionItem, 0, r.Limit)
	if r.Offset < total {
		rows, err := s.db.Query(ctx, `SELECT `+columns+from+where+` ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?`,
			append(args, r.Limit, r.Offset)...)
		if err != nil {
			return page.Page[ActionItem]{}, fmt.Errorf("list action items of org %d: %w", q.orgID, err)
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scan(rows)
			if err != nil {
				return page.Page[ActionItem]{}, fmt.Errorf("scan action item: %w", err)
			}
			items = append(items, a)
		}
		if err := rows.Err(); err != nil {
			return page.Page[ActionItem]{}, fmt.Errorf("list action items of org %d: %w", q.orgID, err)
		}
	}
	return page.Page[ActionItem]{Items: items, Total: total, Limit: r.Limit, Offset: r.Offset, Next: page.OffsetNext(r, total)}, nil
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
	// The Cloud list shows no partner context (app 0 has none).
	query := `SELECT ` + columns + from + ` WHERE a.org_id = ? AND a.meeting_id = ?`
	args := []any{0, orgID, meetingID}
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
