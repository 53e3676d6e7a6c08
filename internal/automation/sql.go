package automation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// sqlStore holds every query of automations and their runs.
type sqlStore struct{ db *store.DB }

// errGone reports a run deleted under its job (with its automation, app or
// organization); the job has nothing left to do.
var errGone = errors.New("gone")

const automationColumns = `a.id, a.uuid, a.app_id, p.uuid, a.name, a.description, a.trigger_type, a.actions, a.status,
	a.created_at, a.updated_at`

func scanAutomation(row interface{ Scan(...any) error }, extra ...any) (Automation, error) {
	var a Automation
	var actions, status string
	err := row.Scan(append([]any{&a.ID, &a.UUID, &a.AppID, &a.AppUUID, &a.Name, &a.Description, &a.TriggerType, &actions,
		&status, &a.CreatedAt, &a.UpdatedAt}, extra...)...)
	if err != nil {
		return a, err
	}
	a.Status = Status(status)
	if err := json.Unmarshal([]byte(actions), &a.Actions); err != nil {
		return a, fmt.Errorf("decode actions of automation %s: %w", a.UUID, err)
	}
	return a, nil
}

func encodeActions(actions []Action) string {
	b, _ := json.Marshal(actions)
	return string(b)
}

func (s sqlStore) insert(ctx context.Context, a *Automation) error {
	err := s.db.ExecRow(ctx, `INSERT INTO automations (uuid, app_id, name, description, trigger_type, actions, status,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.UUID, a.AppID, a.Name, a.Description, a.TriggerType, encodeActions(a.Actions), string(a.Status),
		a.CreatedAt, a.UpdatedAt).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("insert automation: %w", err)
	}
	return nil
}

func (s sqlStore) get(ctx context.Context, appID int64, id string) (Automation, error) {
	a, err := scanAutomation(s.db.QueryRow(ctx, `SELECT `+automationColumns+` FROM automations a JOIN apps p ON p.id = a.app_id
		WHERE a.app_id = ? AND a.uuid = ?`, appID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Automation{}, fault.NotFound("automation")
	}
	if err != nil {
		return Automation{}, fmt.Errorf("load automation %s: %w", id, err)
	}
	return a, nil
}

func (s sqlStore) list(ctx context.Context, appID int64, r page.Request) (page.Page[Automation], error) {
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM automations WHERE app_id = ?`, appID).Scan(&total); err != nil {
		return page.Page[Automation]{}, fmt.Errorf("count automations of app %d: %w", appID, err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+automationColumns+` FROM automations a JOIN apps p ON p.id = a.app_id
		WHERE a.app_id = ? ORDER BY a.created_at DESC, a.id DESC LIMIT ? OFFSET ?`, appID, r.Limit, r.Offset)
	if err != nil {
		return page.Page[Automation]{}, fmt.Errorf("list automations of app %d: %w", appID, err)
	}
	defer rows.Close()
	var items []Automation
	for rows.Next() {
		a, err := scanAutomation(rows)
		if err != nil {
			return page.Page[Automation]{}, fmt.Errorf("scan automation: %w", err)
		}
		items = append(items, a)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Automation]{}, err
	}
	return page.Of(items, r, total, nil), nil
}

func (s sqlStore) update(ctx context.Context, a Automation) error {
	res, err := s.db.Exec(ctx, `UPDATE automations SET name = ?, description = ?, trigger_type = ?, actions = ?, status = ?,
		updated_at = ? WHERE app_id = ? AND uuid = ?`, a.Name, a.Description, a.TriggerType, encodeActions(a.Actions),
		string(a.Status), a.UpdatedAt, a.AppID, a.UUID)
	if err != nil {
		return fmt.Errorf("update automation %s: %w", a.UUID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fault.NotFound("automation")
	}
	return nil
}

func (s sqlStore) delete(ctx context.Context, appID int64, id string) error {
	res, err := s.db.Exec(ctx, `DELETE FROM automations WHERE app_id = ? AND uuid = ?`, appID, id)
	if err != nil {
		return fmt.Errorf("delete automation %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fault.NotFound("automation")
	}
	return nil
}

// activeFrom selects the active automations, of active apps linked to an
// organization, whose trigger is in a list; the caller appends the list's
// placeholders and a closing parenthesis.
const activeFrom = ` FROM automations a JOIN apps p ON p.id = a.app_id JOIN app_orgs ao ON ao.app_id = a.app_id
	WHERE ao.org_id = ? AND a.status = 'active' AND p.status = 'active' AND (? = 0 OR a.app_id = ?) AND a.trigger_type IN (`

func activeArgs(orgID, appID int64, triggers []string) []any {
	args := []any{orgID, appID, appID}
	for _, t := range triggers {
		args = append(args, t)
	}
	return args
}

// anyActive reports whether an event of the organization could trigger an
// automation (only appID's when it is not 0).
func (s sqlStore) anyActive(ctx context.Context, tx *sql.Tx, orgID, appID int64, triggers []string) (bool, error) {
	var n int
	err := s.db.TxQueryRow(ctx, tx, `SELECT COUNT(*)`+activeFrom+store.Placeholders(len(triggers))+`)`,
		activeArgs(orgID, appID, triggers)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look for automations of organization %d: %w", orgID, err)
	}
	return n > 0, nil
}

// matching lists the automations an event of the organization triggers.
func (s sqlStore) matching(ctx context.Context, tx *sql.Tx, orgID, appID int64, triggers []string) ([]int64, error) {
	if len(triggers) == 0 {
		return nil, nil
	}
	rows, err := s.db.TxQuery(ctx, tx, `SELECT a.id`+activeFrom+store.Placeholders(len(triggers))+`) ORDER BY a.id`,
		activeArgs(orgID, appID, triggers)...)
	if err != nil {
		return nil, fmt.Errorf("list automations of organization %d: %w", orgID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan automation: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// eventRow is what runs read of an outbox event.
type eventRow struct {
	id         int64
	uuid       string
	orgID      int64
	orgUUID    string
	appID      int64
	appOnly    bool
	typ        string
	occurredAt time.Time
	payload    json.RawMessage
}

const eventColumns = `e.id, e.uuid, e.org_id, o.uuid, COALESCE(e.app_id, 0), e.app_only, e.type, e.occurred_at, e.payload`

func scanEvent(row interface{ Scan(...any) error }, e *eventRow, extra ...any) error {
	var payload string
	if err := row.Scan(append([]any{&e.id, &e.uuid, &e.orgID, &e.orgUUID, &e.appID, &e.appOnly, &e.typ, &e.occurredAt,
		&payload}, extra...)...); err != nil {
		return err
	}
	e.payload = json.RawMessage(payload)
	return nil
}

// event loads an outbox event; a deleted one (its organization removed)
// comes back with id 0.
func (s sqlStore) event(ctx context.Context, tx *sql.Tx, id int64) (eventRow, error) {
	var e eventRow
	err := scanEvent(s.db.TxQueryRow(ctx, tx, `SELECT `+eventColumns+` FROM events e JOIN organizations o ON o.id = e.org_id
		WHERE e.id = ?`, id), &e)
	if errors.Is(err, sql.ErrNoRows) {
		return eventRow{}, nil
	}
	if err != nil {
		return eventRow{}, fmt.Errorf("load event %d: %w", id, err)
	}
	return e, nil
}

// insertRun adds the run of an automation for an event unless it exists;
// inserted is false when it did.
func (s sqlStore) insertRun(ctx context.Context, tx *sql.Tx, automationID int64, e eventRow, now time.Time) (int64, bool, error) {
	var id int64
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO automation_runs (uuid, automation_id, event_id, org_id, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (automation_id, event_id) DO NOTHING RETURNING id`,
		uuid.NewString(), automationID, e.id, e.orgID, RunPending, now, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("insert run of automation %d for event %d: %w", automationID, e.id, err)
	}
	return id, true, nil
}

const runColumns = `r.id, r.uuid, r.automation_id, r.event_id, r.org_id, r.status, r.step, r.matches, r.error_message,
	r.created_at, r.finished_at`

func scanRun(row interface{ Scan(...any) error }, r *Run, extra ...any) error {
	var matches string
	var finished sql.NullTime
	if err := row.Scan(append([]any{&r.ID, &r.UUID, &r.AutomationID, &r.EventID, &r.OrgID, &r.Status, &r.Step, &matches,
		&r.ErrorMessage, &r.CreatedAt, &finished}, extra...)...); err != nil {
		return err
	}
	r.FinishedAt = finished.Time
	if err := json.Unmarshal([]byte(matches), &r.Matches); err != nil {
		return fmt.Errorf("decode matches of run %s: %w", r.UUID, err)
	}
	return nil
}

// work loads a run with its automation and event in one query.
func (s sqlStore) work(ctx context.Context, runID int64) (work, error) {
	var w work
	var actions, status, payload string
	err := scanRun(s.db.QueryRow(ctx, `SELECT `+runColumns+`, a.uuid, a.app_id, a.name, a.trigger_type, a.actions, a.status, `+eventColumns+`
		FROM automation_runs r JOIN automations a ON a.id = r.automation_id JOIN events e ON e.id = r.event_id
		JOIN organizations o ON o.id = e.org_id WHERE r.id = ?`, runID), &w.run,
		&w.auto.UUID, &w.auto.AppID, &w.auto.Name, &w.auto.TriggerType, &actions, &status,
		&w.ev.id, &w.ev.uuid, &w.ev.orgID, &w.ev.orgUUID, &w.ev.appID, &w.ev.appOnly, &w.ev.typ, &w.ev.occurredAt, &payload)
	if errors.Is(err, sql.ErrNoRows) {
		return w, errGone
	}
	if err != nil {
		return w, fmt.Errorf("load run %d: %w", runID, err)
	}
	w.auto.ID, w.auto.Status, w.ev.payload = w.run.AutomationID, Status(status), json.RawMessage(payload)
	if err := json.Unmarshal([]byte(actions), &w.auto.Actions); err != nil {
		return w, fmt.Errorf("decode actions of automation %s: %w", w.auto.UUID, err)
	}
	return w, nil
}

func (s sqlStore) runs(ctx context.Context, automationID int64) ([]Run, error) {
	rows, err := s.db.Query(ctx, `SELECT `+runColumns+` FROM automation_runs r WHERE r.automation_id = ?
		ORDER BY r.created_at DESC, r.id DESC LIMIT 100`, automationID)
	if err != nil {
		return nil, fmt.Errorf("list runs of automation %d: %w", automationID, err)
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		var r Run
		if err := scanRun(rows, &r); err != nil {
			return nil, fmt.Errorf("scan run: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// advance records that a pending run finished its action at step; it is
// false when the run is no longer at that step (another job recorded it).
// tx may be nil.
func (s sqlStore) advance(ctx context.Context, tx *jobs.Tx, runID int64, step int, matches []Match, now time.Time) (bool, error) {
	m, _ := json.Marshal(matches)
	if matches == nil {
		m = []byte("[]")
	}
	const q = `UPDATE automation_runs SET step = step + 1, matches = ?, updated_at = ? WHERE id = ? AND step = ? AND status = ?`
	args := []any{string(m), now, runID, step, RunPending}
	var res sql.Result
	var err error
	if tx != nil {
		res, err = s.db.TxExec(ctx, tx.Tx, q, args...)
	} else {
		res, err = s.db.Exec(ctx, q, args...)
	}
	if err != nil {
		return false, fmt.Errorf("advance run %d past step %d: %w", runID, step, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// finish ends a pending run.
func (s sqlStore) finish(ctx context.Context, runID int64, status, msg string, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE automation_runs SET status = ?, error_message = ?, finished_at = ?, updated_at = ?
		WHERE id = ? AND status = ?`, status, msg, now, now, runID, RunPending)
	if err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	return nil
}

// note records the last error of a run that will be tried again.
func (s sqlStore) note(ctx context.Context, runID int64, msg string, now time.Time) error {
	if len(msg) > 500 {
		msg = msg[:500]
	}
	_, err := s.db.Exec(ctx, `UPDATE automation_runs SET error_message = ?, updated_at = ? WHERE id = ?`, msg, now, runID)
	if err != nil {
		return fmt.Errorf("note error of run %d: %w", runID, err)
	}
	return nil
}

// assignmentRow is a claimed assignment.
type assignmentRow struct {
	id        int64
	uuid      string
	createdAt time.Time
}

// claimAssignment returns the assignment of a run's step, creating it on
// the first call.
func (s sqlStore) claimAssignment(ctx context.Context, r Run, step int, now time.Time) (assignmentRow, error) {
	_, err := s.db.Exec(ctx, `INSERT INTO automation_assignments (uuid, automation_id, run_id, step, org_id, status, created_at)
		VALUES (?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (run_id, step) DO NOTHING`,
		uuid.NewString(), r.AutomationID, r.ID, step, r.OrgID, now)
	if err != nil {
		return assignmentRow{}, fmt.Errorf("claim assignment of run %d: %w", r.ID, err)
	}
	var a assignmentRow
	err = s.db.QueryRow(ctx, `SELECT id, uuid, created_at FROM automation_assignments WHERE run_id = ? AND step = ?`, r.ID, step).
		Scan(&a.id, &a.uuid, &a.createdAt)
	if err != nil {
		return assignmentRow{}, fmt.Errorf("load assignment of run %d: %w", r.ID, err)
	}
	return a, nil
}

// itemBySource finds the action item an assignment created, by the source
// it was created with; empty when there is none yet.
func (s sqlStore) itemBySource(ctx context.Context, orgID int64, source string) (string, string, error) {
	var item, meetingUUID string
	err := s.db.QueryRow(ctx, `SELECT ai.uuid, m.uuid FROM action_items ai JOIN meetings m ON m.id = ai.meeting_id
		WHERE ai.org_id = ? AND ai.source = ?`, orgID, source).Scan(&item, &meetingUUID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("look up the action item of %s: %w", source, err)
	}
	return item, meetingUUID, nil
}

func (s sqlStore) completeAssignment(ctx context.Context, tx *sql.Tx, id int64, item, meetingUUID string) error {
	_, err := s.db.TxExec(ctx, tx, `UPDATE automation_assignments SET action_item_uuid = ?, meeting_uuid = ?, status = ? WHERE id = ?`,
		item, meetingUUID, AssignmentStatus, id)
	if err != nil {
		return fmt.Errorf("complete assignment %d: %w", id, err)
	}
	return nil
}
