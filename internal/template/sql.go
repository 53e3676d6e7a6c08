package template

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/nextstep"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

type sqlStore struct{ db *store.DB }

type scanner interface{ Scan(...any) error }

const columns = `t.id, t.uuid, t.org_id, o.uuid, COALESCE(t.app_id, 0), t.name, t.description, COALESCE(bm.uuid, ''), t.title,
	t.detail_level, t.duration_seconds, t.start_offset_seconds, t.ownership_type, t.is_active, t.agenda, t.participants,
	t.created_at, t.updated_at`

const from = ` FROM templates t JOIN organizations o ON o.id = t.org_id LEFT JOIN meetings bm ON bm.id = t.backing_meeting_id`

// scope is the tenancy condition of a caller: an admin key reaches its
// app's templates, anyone else its workspace's.
func scope(c caller.Caller) (string, any) {
	if byApp(c) {
		return `t.app_id = ?`, c.AppID
	}
	return `t.org_id = ?`, c.OrgID
}

func scan(row scanner) (Template, error) {
	var t Template
	var agenda, participants string
	err := row.Scan(&t.ID, &t.UUID, &t.OrgID, &t.WorkspaceUUID, &t.AppID, &t.Name, &t.Description, &t.BackingMeetingUUID, &t.Title,
		&t.DetailLevel, &t.DurationSeconds, &t.StartOffsetSeconds, &t.Ownership, &t.IsActive, &agenda, &participants,
		&t.CreatedAt, &t.UpdatedAt)
	if err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(agenda), &t.Agenda); err != nil {
		return t, fmt.Errorf("decode agenda of template %s: %w", t.UUID, err)
	}
	if err := json.Unmarshal([]byte(participants), &t.Participants); err != nil {
		return t, fmt.Errorf("decode participants of template %s: %w", t.UUID, err)
	}
	return t, nil
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fault.NotFound("template")
	}
	return fmt.Errorf("%s: %w", what, err)
}

type backing struct {
	id, orgID   int64
	uuid, title string
}

// backingMeeting finds a meeting the caller reaches: for an admin key, in
// any workspace linked to its app.
func (s sqlStore) backingMeeting(ctx context.Context, c caller.Caller, id string) (backing, error) {
	var row *sql.Row
	if byApp(c) {
		row = s.db.QueryRow(ctx, `SELECT m.id, m.org_id, m.uuid, m.title FROM meetings m JOIN app_orgs ao ON ao.org_id = m.org_id
			WHERE ao.app_id = ? AND m.uuid = ?`, c.AppID, id)
	} else {
		row = s.db.QueryRow(ctx, `SELECT m.id, m.org_id, m.uuid, m.title FROM meetings m WHERE m.org_id = ? AND m.uuid = ?`, c.OrgID, id)
	}
	var b backing
	err := row.Scan(&b.id, &b.orgID, &b.uuid, &b.title)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fault.NotFound("meeting")
	}
	if err != nil {
		return b, fmt.Errorf("load backing meeting %s: %w", id, err)
	}
	return b, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s sqlStore) insert(ctx context.Context, t *Template, backingID int64) error {
	agenda, err := json.Marshal(nonNil(t.Agenda))
	if err != nil {
		return err
	}
	participants, err := json.Marshal(nonNil(t.Participants))
	if err != nil {
		return err
	}
	err = s.db.ExecRow(ctx, `INSERT INTO templates (uuid, org_id, app_id, name, description, backing_meeting_id, title,
		detail_level, duration_seconds, start_offset_seconds, ownership_type, is_active, agenda, participants, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.UUID, t.OrgID, nullID(t.AppID), t.Name, t.Description, nullID(backingID), t.Title, t.DetailLevel, t.DurationSeconds,
		t.StartOffsetSeconds, t.Ownership, t.IsActive, string(agenda), string(participants), t.CreatedAt, t.UpdatedAt).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("insert template: %w", err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s sqlStore) get(ctx context.Context, c caller.Caller, id string) (Template, error) {
	where, arg := scope(c)
	t, err := scan(s.db.QueryRow(ctx, `SELECT `+columns+from+` WHERE `+where+` AND t.uuid = ?`, arg, id))
	if err != nil {
		return Template{}, notFound(err, "load template "+id)
	}
	return t, nil
}

func (s sqlStore) getTx(ctx context.Context, tx *jobs.Tx, orgID int64, id string) (Template, error) {
	t, err := scan(s.db.TxQueryRow(ctx, tx.Tx, `SELECT `+columns+from+` WHERE t.org_id = ? AND t.uuid = ? AND t.is_active`, orgID, id))
	if err != nil {
		return Template{}, notFound(err, "load template "+id)
	}
	return t, nil
}

func (s sqlStore) list(ctx context.Context, c caller.Caller, r page.Request) (page.Page[Template], error) {
	where, arg := scope(c)
	if !byApp(c) {
		where += ` AND t.is_active`
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM templates t WHERE `+where, arg).Scan(&total); err != nil {
		return page.Page[Template]{}, fmt.Errorf("count templates: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+columns+from+` WHERE `+where+` ORDER BY t.created_at, t.id LIMIT ? OFFSET ?`,
		arg, r.Limit, r.Offset)
	if err != nil {
		return page.Page[Template]{}, fmt.Errorf("list templates: %w", err)
	}
	defer rows.Close()
	var items []Template
	for rows.Next() {
		t, err := scan(rows)
		if err != nil {
			return page.Page[Template]{}, fmt.Errorf("scan template: %w", err)
		}
		items = append(items, t)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Template]{}, fmt.Errorf("list templates: %w", err)
	}
	return page.Of(items, r, total, nil), nil
}

func (s sqlStore) update(ctx context.Context, c caller.Caller, id string, p Patch, now time.Time) error {
	where, arg := scope(c)
	var n int64
	err := s.db.ExecRow(ctx, `UPDATE templates AS t SET name = COALESCE(?, name), description = COALESCE(?, description), updated_at = ?
		WHERE `+where+` AND t.uuid = ? RETURNING id`, p.Name, p.Description, now, arg, id).Scan(&n)
	if err != nil {
		return notFound(err, "update template "+id)
	}
	return nil
}

func (s sqlStore) delete(ctx context.Context, c caller.Caller, id string) error {
	where, arg := scope(c)
	res, err := s.db.Exec(ctx, `DELETE FROM templates AS t WHERE `+where+` AND t.uuid = ?`, arg, id)
	if err != nil {
		return fmt.Errorf("delete template %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, fault.NotFound("template"))
	}
	return nil
}

const linkColumns = `n.id, n.uuid, n.org_id, n.name, n.description, n.step_type, n.ai_prompt, n.color, n.icon_name, n.redirect_url,
	n.sort_order, n.created_at, n.updated_at, l.autopilot, l.sort_order, l.created_at, l.updated_at`

// links pages through a template's next steps; stepUUID, when set, picks
// one.
func (s sqlStore) links(ctx context.Context, t Template, stepUUID string, r page.Request) (page.Page[StepLink], error) {
	where, args := `l.template_id = ?`, []any{t.ID}
	if stepUUID != "" {
		where, args = where+` AND n.uuid = ?`, append(args, stepUUID)
	}
	const join = ` FROM template_next_steps l JOIN next_steps n ON n.id = l.next_step_id WHERE `
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+join+where, args...).Scan(&total); err != nil {
		return page.Page[StepLink]{}, fmt.Errorf("count next steps of template %s: %w", t.UUID, err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+linkColumns+join+where+` ORDER BY l.sort_order, n.id LIMIT ? OFFSET ?`,
		append(args, r.Limit, r.Offset)...)
	if err != nil {
		return page.Page[StepLink]{}, fmt.Errorf("list next steps of template %s: %w", t.UUID, err)
	}
	defer rows.Close()
	var items []StepLink
	for rows.Next() {
		var l StepLink
		var typ string
		if err := rows.Scan(&l.ID, &l.UUID, &l.OrgID, &l.Name, &l.Description, &typ, &l.AIPrompt, &l.Color, &l.IconName,
			&l.RedirectURL, &l.SortOrder, &l.CreatedAt, &l.NextStep.UpdatedAt, &l.Autopilot, &l.Order, &l.LinkedAt, &l.UpdatedAt); err != nil {
			return page.Page[StepLink]{}, fmt.Errorf("scan template next step: %w", err)
		}
		l.Type = nextstep.Type(typ)
		items = append(items, l)
	}
	if err := rows.Err(); err != nil {
		return page.Page[StepLink]{}, fmt.Errorf("list next steps of template %s: %w", t.UUID, err)
	}
	return page.Of(items, r, total, nil), nil
}

// link adds a next step of the template's workspace (and, for an admin
// key, of its app) to the template; the checks are part of the insert.
func (s sqlStore) link(ctx context.Context, c caller.Caller, t Template, stepUUID string, autopilot bool, order *int, now time.Time) error {
	query := `INSERT INTO template_next_steps (template_id, next_step_id, autopilot, sort_order, created_at, updated_at)
		SELECT ?, n.id, ?, COALESCE(?, (SELECT COUNT(*) FROM template_next_steps WHERE template_id = ?)), ?, ?
		FROM next_steps n WHERE n.org_id = ? AND n.uuid = ?`
	args := []any{t.ID, autopilot, order, t.ID, now, now, t.OrgID, stepUUID}
	if byApp(c) {
		query, args = query+` AND n.app_id = ?`, append(args, c.AppID)
	}
	res, err := s.db.Exec(ctx, query, args...)
	if store.IsUniqueViolation(err) {
		return fault.Conflict("resource_already_exists", "the next step is already on the template")
	}
	if err != nil {
		return fmt.Errorf("add next step %s to template %s: %w", stepUUID, t.UUID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, fault.NotFound("next step"))
	}
	return nil
}

func (s sqlStore) updateLink(ctx context.Context, t Template, stepUUID string, autopilot *bool, now time.Time) error {
	res, err := s.db.Exec(ctx, `UPDATE template_next_steps SET autopilot = COALESCE(?, autopilot), updated_at = ?
		WHERE template_id = ? AND next_step_id = (SELECT id FROM next_steps WHERE org_id = ? AND uuid = ?)`,
		autopilot, now, t.ID, t.OrgID, stepUUID)
	if err != nil {
		return fmt.Errorf("update next step %s of template %s: %w", stepUUID, t.UUID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, fault.NotFound("next step"))
	}
	return nil
}

func (s sqlStore) unlink(ctx context.Context, t Template, stepUUID string) error {
	res, err := s.db.Exec(ctx, `DELETE FROM template_next_steps
		WHERE template_id = ? AND next_step_id = (SELECT id FROM next_steps WHERE org_id = ? AND uuid = ?)`, t.ID, t.OrgID, stepUUID)
	if err != nil {
		return fmt.Errorf("remove next step %s from template %s: %w", stepUUID, t.UUID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, fault.NotFound("next step"))
	}
	return nil
}

func (s sqlStore) meetingTx(ctx context.Context, tx *jobs.Tx, orgID int64, id string) (int64, error) {
	var mid int64
	err := s.db.TxQueryRow(ctx, tx.Tx, `SELECT id FROM meetings WHERE org_id = ? AND uuid = ?`, orgID, id).Scan(&mid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.NotFound("meeting")
	}
	if err != nil {
		return 0, fmt.Errorf("load meeting %s: %w", id, err)
	}
	return mid, nil
}

func (s sqlStore) stepIDsTx(ctx context.Context, tx *jobs.Tx, templateID int64) ([]nextstep.Attach, error) {
	rows, err := s.db.TxQuery(ctx, tx.Tx, `SELECT next_step_id, autopilot, sort_order FROM template_next_steps WHERE template_id = ?
		ORDER BY sort_order, next_step_id`, templateID)
	if err != nil {
		return nil, fmt.Errorf("list next steps of template %d: %w", templateID, err)
	}
	defer rows.Close()
	var out []nextstep.Attach
	for rows.Next() {
		var a nextstep.Attach
		if err := rows.Scan(&a.NextStepID, &a.Autopilot, &a.Order); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// insertApplication records an application and returns the public id of
// the user who applied it ("" for none).
func (s sqlStore) insertApplication(ctx context.Context, tx *jobs.Tx, c caller.Caller, templateID, meetingID int64, a Application) (string, error) {
	_, err := s.db.TxExec(ctx, tx.Tx, `INSERT INTO template_applications (uuid, org_id, template_id, meeting_id, agenda_items,
		participants, next_steps, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.UUID, c.OrgID, templateID, meetingID, a.AgendaItems, a.Participants, a.NextSteps, a.AppliedAt)
	if err != nil {
		return "", fmt.Errorf("record template application: %w", err)
	}
	if c.UserID == 0 {
		return "", nil
	}
	var by string
	if err := s.db.TxQueryRow(ctx, tx.Tx, `SELECT uuid FROM users WHERE id = ?`, c.UserID).Scan(&by); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("load user %d: %w", c.UserID, err)
	}
	return by, nil
}
