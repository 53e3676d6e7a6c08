package nextstep

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

type sqlStore struct{ db *store.DB }

// errFinal tells a job that its row is already completed or failed.
var errFinal = errors.New("already final")

type scanner interface{ Scan(...any) error }

const stepColumns = `n.id, n.uuid, n.org_id, n.name, n.description, n.step_type, n.ai_prompt, n.color, n.icon_name,
	n.redirect_url, n.sort_order, n.created_at, n.updated_at`

func scanStep(row scanner, extra ...any) (NextStep, error) {
	var n NextStep
	var typ string
	err := row.Scan(append([]any{&n.ID, &n.UUID, &n.OrgID, &n.Name, &n.Description, &typ, &n.AIPrompt, &n.Color, &n.IconName,
		&n.RedirectURL, &n.SortOrder, &n.CreatedAt, &n.UpdatedAt}, extra...)...)
	n.Type = Type(typ)
	return n, err
}

const buttonColumns = `b.id, b.uuid, b.org_id, b.name, b.description, b.content_format, b.delivery_mechanism, b.icon_name,
	b.redirect_url, b.webhook_url, b.email_subject, b.sort_order`

func scanButton(row scanner, extra ...any) (Button, error) {
	var b Button
	err := row.Scan(append([]any{&b.ID, &b.UUID, &b.OrgID, &b.Name, &b.Description, &b.ContentFormat, &b.DeliveryMechanism,
		&b.IconName, &b.RedirectURL, &b.WebhookURL, &b.EmailSubject, &b.SortOrder}, extra...)...)
	return b, err
}

func (s sqlStore) step(ctx context.Context, orgID int64, id string) (NextStep, error) {
	n, err := scanStep(s.db.QueryRow(ctx, `SELECT `+stepColumns+` FROM next_steps n WHERE n.org_id = ? AND n.uuid = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return NextStep{}, fault.NotFound("next step")
	}
	if err != nil {
		return NextStep{}, fmt.Errorf("load next step %s: %w", id, err)
	}
	return n, nil
}

func (s sqlStore) button(ctx context.Context, orgID int64, id string) (Button, error) {
	b, err := scanButton(s.db.QueryRow(ctx, `SELECT `+buttonColumns+` FROM action_buttons b WHERE b.org_id = ? AND b.uuid = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Button{}, fault.NotFound("action button")
	}
	if err != nil {
		return Button{}, fmt.Errorf("load action button %s: %w", id, err)
	}
	return b, nil
}

func (s sqlStore) meetingSteps(ctx context.Context, orgID, meetingID int64, r page.Request) (page.Page[MeetingStep], error) {
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM meeting_next_steps mn JOIN next_steps n ON n.id = mn.next_step_id
		WHERE mn.meeting_id = ? AND n.org_id = ?`, meetingID, orgID).Scan(&total); err != nil {
		return page.Page[MeetingStep]{}, fmt.Errorf("count next steps of meeting %d: %w", meetingID, err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+stepColumns+`, mn.autopilot, mn.sort_order FROM meeting_next_steps mn
		JOIN next_steps n ON n.id = mn.next_step_id WHERE mn.meeting_id = ? AND n.org_id = ?
		ORDER BY mn.sort_order, n.sort_order, n.id LIMIT ? OFFSET ?`, meetingID, orgID, r.Limit, r.Offset)
	if err != nil {
		return page.Page[MeetingStep]{}, fmt.Errorf("list next steps of meeting %d: %w", meetingID, err)
	}
	defer rows.Close()
	var items []MeetingStep
	for rows.Next() {
		var ms MeetingStep
		if ms.NextStep, err = scanStep(rows, &ms.Autopilot, &ms.Order); err != nil {
			return page.Page[MeetingStep]{}, fmt.Errorf("scan next step: %w", err)
		}
		items = append(items, ms)
	}
	if err := rows.Err(); err != nil {
		return page.Page[MeetingStep]{}, fmt.Errorf("list next steps of meeting %d: %w", meetingID, err)
	}
	return page.Of(items, r, total, nil), nil
}

// buttonsOfSteps loads the buttons of several next steps in one query.
func (s sqlStore) buttonsOfSteps(ctx context.Context, orgID int64, stepIDs []int64) (map[int64][]Button, error) {
	out := map[int64][]Button{}
	if len(stepIDs) == 0 {
		return out, nil
	}
	args := []any{orgID}
	for _, id := range stepIDs {
		args = append(args, id)
	}
	rows, err := s.db.Query(ctx, `SELECT `+buttonColumns+`, l.is_default, l.next_step_id FROM next_step_buttons l
		JOIN action_buttons b ON b.id = l.action_button_id
		WHERE b.org_id = ? AND l.next_step_id IN (`+store.Placeholders(len(stepIDs))+`) ORDER BY l.sort_order, b.sort_order, b.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list buttons of next steps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var stepID int64
		var def bool
		b, err := scanButton(rows, &def, &stepID)
		if err != nil {
			return nil, fmt.Errorf("scan action button: %w", err)
		}
		b.IsDefault = def
		out[stepID] = append(out[stepID], b)
	}
	return out, rows.Err()
}

func (s sqlStore) meetingButtons(ctx context.Context, orgID, meetingID int64, r page.Request) (page.Page[Button], error) {
	const from = ` FROM action_buttons b JOIN next_step_buttons l ON l.action_button_id = b.id
		JOIN meeting_next_steps mn ON mn.next_step_id = l.next_step_id WHERE mn.meeting_id = ? AND b.org_id = ?`
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(DISTINCT b.id)`+from, meetingID, orgID).Scan(&total); err != nil {
		return page.Page[Button]{}, fmt.Errorf("count buttons of meeting %d: %w", meetingID, err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+buttonColumns+`, MAX(CASE WHEN l.is_default THEN 1 ELSE 0 END)`+from+`
		GROUP BY `+buttonColumns+` ORDER BY b.sort_order, b.id LIMIT ? OFFSET ?`, meetingID, orgID, r.Limit, r.Offset)
	if err != nil {
		return page.Page[Button]{}, fmt.Errorf("list buttons of meeting %d: %w", meetingID, err)
	}
	defer rows.Close()
	var items []Button
	for rows.Next() {
		var def int
		b, err := scanButton(rows, &def)
		if err != nil {
			return page.Page[Button]{}, fmt.Errorf("scan action button: %w", err)
		}
		b.IsDefault = def == 1
		items = append(items, b)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Button]{}, fmt.Errorf("list buttons of meeting %d: %w", meetingID, err)
	}
	return page.Of(items, r, total, nil), nil
}

// attach links a next step of the organization to a meeting; the step is
// checked against the organization in the same statement.
func (s sqlStore) attach(ctx context.Context, tx *jobs.Tx, orgID, meetingID int64, a Attach, now time.Time) (bool, error) {
	res, err := s.db.TxExec(ctx, tx.Tx, `INSERT INTO meeting_next_steps (meeting_id, next_step_id, autopilot, sort_order, created_at)
		SELECT ?, id, ?, ?, ? FROM next_steps WHERE id = ? AND org_id = ? ON CONFLICT DO NOTHING`,
		meetingID, a.Autopilot, a.Order, now, a.NextStepID, orgID)
	if err != nil {
		return false, fmt.Errorf("attach next step %d to meeting %d: %w", a.NextStepID, meetingID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// user returns the public id and email of a user; a caller without a user
// has neither.
func (s sqlStore) user(ctx context.Context, tx *jobs.Tx, userID int64) (string, string, error) {
	if userID == 0 {
		return "", "", nil
	}
	var id, email string
	err := s.db.TxQueryRow(ctx, tx.Tx, `SELECT uuid, email FROM users WHERE id = ?`, userID).Scan(&id, &email)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("load user %d: %w", userID, err)
	}
	return id, email, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func (s sqlStore) insertResult(ctx context.Context, tx *jobs.Tx, r *Result, stepID int64, c caller.Caller) error {
	r.AppID, r.UserID = c.AppID, c.UserID
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO next_step_results (uuid, org_id, meeting_id, next_step_id, next_step_uuid,
		app_id, user_id, status, content, content_format, redirect_url, expires_at, completed_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.UUID, r.OrgID, r.MeetingID, stepID, r.NextStepUUID, nullID(c.AppID), nullID(c.UserID), string(r.Status), r.Content,
		r.ContentFormat, r.RedirectURL, r.ExpiresAt, nullTime(r.CompletedAt), r.CreatedAt, r.UpdatedAt).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("insert next step result: %w", err)
	}
	return nil
}

const resultColumns = `r.id, r.uuid, r.org_id, r.meeting_id, m.uuid, r.next_step_uuid, COALESCE(r.app_id, 0), COALESCE(r.user_id, 0),
	r.status, r.content, r.content_format, r.redirect_url, r.error_message, r.expires_at, r.completed_at, r.created_at, r.updated_at`

func scanResult(row scanner) (Result, error) {
	var r Result
	var status string
	var completed sql.NullTime
	err := row.Scan(&r.ID, &r.UUID, &r.OrgID, &r.MeetingID, &r.MeetingUUID, &r.NextStepUUID, &r.AppID, &r.UserID, &status,
		&r.Content, &r.ContentFormat, &r.RedirectURL, &r.ErrorMessage, &r.ExpiresAt, &completed, &r.CreatedAt, &r.UpdatedAt)
	r.Status, r.CompletedAt = Status(status), completed.Time
	return r, err
}

func (s sqlStore) result(ctx context.Context, orgID int64, id string, now time.Time) (Result, error) {
	r, err := scanResult(s.db.QueryRow(ctx, `SELECT `+resultColumns+` FROM next_step_results r JOIN meetings m ON m.id = r.meeting_id
		WHERE r.org_id = ? AND r.uuid = ? AND r.expires_at > ?`, orgID, id, now))
	if errors.Is(err, sql.ErrNoRows) {
		return Result{}, fault.NotFound("next step result")
	}
	if err != nil {
		return Result{}, fmt.Errorf("load next step result %s: %w", id, err)
	}
	return r, nil
}

// resultFor finds the result an action button delivers: the one named, or
// else the newest completed result of the meeting for the named next step
// or for any next step the button belongs to. No result is no error.
func (s sqlStore) resultFor(ctx context.Context, orgID, meetingID, buttonID int64, resultUUID, stepUUID string, now time.Time) (Result, error) {
	var row *sql.Row
	switch {
	case resultUUID != "":
		row = s.db.QueryRow(ctx, `SELECT `+resultColumns+` FROM next_step_results r JOIN meetings m ON m.id = r.meeting_id
			WHERE r.org_id = ? AND r.uuid = ? AND r.meeting_id = ? AND r.expires_at > ?`, orgID, resultUUID, meetingID, now)
	case stepUUID != "":
		row = s.db.QueryRow(ctx, `SELECT `+resultColumns+` FROM next_step_results r JOIN meetings m ON m.id = r.meeting_id
			WHERE r.org_id = ? AND r.meeting_id = ? AND r.next_step_uuid = ? AND r.status = 'completed' AND r.expires_at > ?
			ORDER BY r.created_at DESC, r.id DESC LIMIT 1`, orgID, meetingID, stepUUID, now)
	default:
		row = s.db.QueryRow(ctx, `SELECT `+resultColumns+` FROM next_step_results r JOIN meetings m ON m.id = r.meeting_id
			WHERE r.org_id = ? AND r.meeting_id = ? AND r.status = 'completed' AND r.expires_at > ?
			AND r.next_step_id IN (SELECT next_step_id FROM next_step_buttons WHERE action_button_id = ?)
			ORDER BY r.created_at DESC, r.id DESC LIMIT 1`, orgID, meetingID, now, buttonID)
	}
	r, err := scanResult(row)
	if errors.Is(err, sql.ErrNoRows) {
		if resultUUID != "" {
			return Result{}, fault.NotFound("next step result")
		}
		return Result{}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("find result for action button %d: %w", buttonID, err)
	}
	return r, nil
}

// pendingResult loads a result its job must still run, with its step and
// meeting.
func (s sqlStore) pendingResult(ctx context.Context, id int64) (Result, NextStep, meeting.Meeting, error) {
	var step NextStep
	var m meeting.Meeting
	var status, typ string
	var r Result
	err := s.db.QueryRow(ctx, `SELECT r.id, r.uuid, r.org_id, r.meeting_id, m.uuid, m.title, m.segment_count, r.next_step_uuid,
		COALESCE(r.app_id, 0), COALESCE(r.user_id, 0), r.status, r.expires_at, r.created_at,
		COALESCE(n.id, 0), COALESCE(n.name, ''), COALESCE(n.step_type, ''), COALESCE(n.ai_prompt, '')
		FROM next_step_results r JOIN meetings m ON m.id = r.meeting_id LEFT JOIN next_steps n ON n.id = r.next_step_id
		WHERE r.id = ?`, id).Scan(&r.ID, &r.UUID, &r.OrgID, &r.MeetingID, &r.MeetingUUID, &m.Title, &m.SegmentCount, &r.NextStepUUID,
		&r.AppID, &r.UserID, &status, &r.ExpiresAt, &r.CreatedAt, &step.ID, &step.Name, &typ, &step.AIPrompt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, step, m, errFinal
	}
	if err != nil {
		return r, step, m, fmt.Errorf("load next step result %d: %w", id, err)
	}
	if Status(status) == StatusCompleted || Status(status) == StatusFailed {
		return r, step, m, errFinal
	}
	r.Status, step.UUID, step.Type, step.OrgID = Status(status), r.NextStepUUID, Type(typ), r.OrgID
	m.ID, m.UUID, m.OrgID = r.MeetingID, r.MeetingUUID, r.OrgID
	return r, step, m, nil
}

// finishResult makes a pending result final; it reports false when the
// result was final already.
func (s sqlStore) finishResult(ctx context.Context, tx *jobs.Tx, id int64, st Status, content, errMsg string, now time.Time) (bool, error) {
	res, err := s.db.TxExec(ctx, tx.Tx, `UPDATE next_step_results SET status = ?, content = ?, error_message = ?, completed_at = ?,
		updated_at = ? WHERE id = ? AND status IN ('pending', 'processing')`, string(st), content, errMsg, now, now, id)
	if err != nil {
		return false, fmt.Errorf("finish next step result %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (s sqlStore) insertInvocation(ctx context.Context, tx *jobs.Tx, inv *Invocation, meetingID, buttonID int64, c caller.Caller,
	subject, content, format string) error {
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO action_button_invocations (uuid, org_id, meeting_id, action_button_id,
		next_step_uuid, result_uuid, app_id, user_id, delivery_mechanism, target, subject, content, content_format, status,
		message, redirect_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		inv.UUID, inv.OrgID, meetingID, buttonID, inv.NextStepUUID, inv.ResultUUID, nullID(c.AppID), nullID(c.UserID),
		inv.DeliveryMechanism, inv.Target, subject, content, format, string(inv.Status), inv.Message, inv.RedirectURL,
		inv.CreatedAt, inv.UpdatedAt).Scan(&inv.ID)
	if err != nil {
		return fmt.Errorf("insert action button invocation: %w", err)
	}
	return nil
}

const invocationColumns = `i.id, i.uuid, i.org_id, m.uuid, COALESCE(b.uuid, ''), i.next_step_uuid, i.result_uuid,
	i.delivery_mechanism, i.target, i.status, i.message, i.redirect_url, i.document_uuid, i.error_message, i.created_at, i.updated_at`

const invocationFrom = ` FROM action_button_invocations i JOIN meetings m ON m.id = i.meeting_id
	LEFT JOIN action_buttons b ON b.id = i.action_button_id`

func scanInvocation(row scanner, extra ...any) (Invocation, error) {
	var i Invocation
	var status string
	err := row.Scan(append([]any{&i.ID, &i.UUID, &i.OrgID, &i.MeetingUUID, &i.ButtonUUID, &i.NextStepUUID, &i.ResultUUID,
		&i.DeliveryMechanism, &i.Target, &status, &i.Message, &i.RedirectURL, &i.DocumentUUID, &i.ErrorMessage, &i.CreatedAt,
		&i.UpdatedAt}, extra...)...)
	i.Status = Status(status)
	return i, err
}

func (s sqlStore) invocation(ctx context.Context, orgID int64, id string) (Invocation, error) {
	i, err := scanInvocation(s.db.QueryRow(ctx, `SELECT `+invocationColumns+invocationFrom+` WHERE i.org_id = ? AND i.uuid = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Invocation{}, fault.NotFound("action button invocation")
	}
	if err != nil {
		return Invocation{}, fmt.Errorf("load invocation %s: %w", id, err)
	}
	return i, nil
}

func (s sqlStore) pendingDelivery(ctx context.Context, id int64) (delivery, error) {
	var d delivery
	var err error
	d.Invocation, err = scanInvocation(s.db.QueryRow(ctx, `SELECT `+invocationColumns+`, COALESCE(i.app_id, 0),
		COALESCE(i.user_id, 0), COALESCE(b.name, ''), m.title, i.subject, i.content, i.content_format`+invocationFrom+` WHERE i.id = ?`, id),
		&d.AppID, &d.UserID, &d.ButtonName, &d.MeetingTitle, &d.Subject, &d.Content, &d.ContentFormat)
	if errors.Is(err, sql.ErrNoRows) {
		return d, errFinal
	}
	if err != nil {
		return d, fmt.Errorf("load invocation %d: %w", id, err)
	}
	if d.Status == StatusCompleted || d.Status == StatusFailed {
		return d, errFinal
	}
	return d, nil
}

func (s sqlStore) finishInvocation(ctx context.Context, id int64, st Status, docUUID, errMsg string, now time.Time) error {
	msg := "delivered"
	if st == StatusFailed {
		msg = "delivery failed"
	}
	_, err := s.db.Exec(ctx, `UPDATE action_button_invocations SET status = ?, document_uuid = ?, error_message = ?, message = ?,
		updated_at = ? WHERE id = ? AND status IN ('pending', 'processing')`, string(st), docUUID, errMsg, msg, now, id)
	if err != nil {
		return fmt.Errorf("finish invocation %d: %w", id, err)
	}
	return nil
}
