package workflow

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

type sqlStore struct{ db *store.DB }

type scanner interface{ Scan(...any) error }

// errFinal tells a job that its run or step is already over.
var errFinal = errors.New("already final")

const templateColumns = `w.id, w.uuid, w.org_id, o.uuid, COALESCE(w.app_id, 0), w.slug, w.name, w.description, w.is_active, w.spec,
	w.created_at, w.updated_at`

const templateFrom = ` FROM workflow_templates w JOIN organizations o ON o.id = w.org_id`

func scanTemplate(row scanner) (Template, error) {
	var t Template
	var spec string
	err := row.Scan(&t.ID, &t.UUID, &t.OrgID, &t.WorkspaceUUID, &t.AppID, &t.Slug, &t.Name, &t.Description, &t.IsActive, &spec,
		&t.CreatedAt, &t.UpdatedAt)
	t.Spec = json.RawMessage(spec)
	return t, err
}

// templateScope is the tenancy condition of a caller: an admin key reaches
// its app's templates in every workspace, anyone else its workspace's.
func templateScope(c caller.Caller) (string, any) {
	if c.Credential == caller.AdminKey {
		return `w.app_id = ?`, c.AppID
	}
	return `w.org_id = ?`, c.OrgID
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s sqlStore) insertTemplate(ctx context.Context, t *Template) error {
	err := s.db.ExecRow(ctx, `INSERT INTO workflow_templates (uuid, org_id, app_id, slug, name, description, is_active, spec,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.UUID, t.OrgID, nullID(t.AppID), t.Slug, t.Name, t.Description, t.IsActive, string(t.Spec), t.CreatedAt, t.UpdatedAt).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("insert workflow template: %w", err)
	}
	return nil
}

func (s sqlStore) template(ctx context.Context, c caller.Caller, id string) (Template, error) {
	where, arg := templateScope(c)
	t, err := scanTemplate(s.db.QueryRow(ctx, `SELECT `+templateColumns+templateFrom+` WHERE `+where+` AND w.uuid = ?`, arg, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Template{}, fault.NotFound("workflow template")
	}
	if err != nil {
		return Template{}, fmt.Errorf("load workflow template %s: %w", id, err)
	}
	return t, nil
}

func (s sqlStore) workspaceTemplate(ctx context.Context, orgID int64, id string) (Template, error) {
	t, err := scanTemplate(s.db.QueryRow(ctx, `SELECT `+templateColumns+templateFrom+` WHERE w.org_id = ? AND w.uuid = ? AND w.is_active`,
		orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Template{}, fault.NotFound("workflow template")
	}
	if err != nil {
		return Template{}, fmt.Errorf("load workflow template %s: %w", id, err)
	}
	return t, nil
}

func (s sqlStore) templates(ctx context.Context, c caller.Caller, r page.Request) (page.Page[Template], error) {
	where, arg := templateScope(c)
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM workflow_templates w WHERE `+where, arg).Scan(&total); err != nil {
		return page.Page[Template]{}, fmt.Errorf("count workflow templates: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+templateColumns+templateFrom+` WHERE `+where+` ORDER BY w.created_at, w.id LIMIT ? OFFSET ?`,
		arg, r.Limit, r.Offset)
	if err != nil {
		return page.Page[Template]{}, fmt.Errorf("list workflow templates: %w", err)
	}
	defer rows.Close()
	var items []Template
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return page.Page[Template]{}, fmt.Errorf("scan workflow template: %w", err)
		}
		items = append(items, t)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Template]{}, fmt.Errorf("list workflow templates: %w", err)
	}
	return page.Of(items, r, total, nil), nil
}

// insertRun stores a run and returns the public id of the user who
// started it ("" for none).
func (s sqlStore) insertRun(ctx context.Context, tx *jobs.Tx, r *Run, templateID int64, c caller.Caller) (string, error) {
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO workflow_runs (uuid, org_id, template_id, app_id, originating_id, originating_type,
		status, trigger_type, triggered_by_user_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.UUID, r.OrgID, templateID, nullID(c.AppID), r.OriginatingID, r.OriginatingType, string(r.Status), r.TriggerType,
		nullID(c.UserID), r.Name, r.CreatedAt, r.UpdatedAt).Scan(&r.ID)
	if err != nil {
		return "", fmt.Errorf("insert workflow run: %w", err)
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

func (s sqlStore) insertStep(ctx context.Context, tx *jobs.Tx, runID int64, position int, n Node) error {
	deps, err := json.Marshal(nonNil(n.DependsOn))
	if err != nil {
		return err
	}
	cfg, err := json.Marshal(n.Config)
	if err != nil {
		return err
	}
	if n.Config == nil {
		cfg = []byte("{}")
	}
	_, err = s.db.TxExec(ctx, tx.Tx, `INSERT INTO workflow_steps (uuid, run_id, node_id, node_type, position, depends_on, config, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, uuid.NewString(), runID, n.ID, n.Type, position, string(deps), string(cfg), string(StatusPending))
	if err != nil {
		return fmt.Errorf("insert step %s of run %d: %w", n.ID, runID, err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

const stepColumns = `st.id, st.uuid, st.run_id, st.node_id, st.node_type, st.status, st.depends_on, st.config, st.output,
	st.error_message, st.started_at, st.completed_at`

func scanStep(row scanner) (Step, int64, error) {
	var st Step
	var runID int64
	var status, deps, cfg, out string
	var started, completed sql.NullTime
	if err := row.Scan(&st.ID, &st.UUID, &runID, &st.NodeID, &st.NodeType, &status, &deps, &cfg, &out, &st.ErrorMessage, &started,
		&completed); err != nil {
		return st, 0, err
	}
	st.Status, st.Output, st.StartedAt, st.CompletedAt = Status(status), json.RawMessage(out), started.Time, completed.Time
	if err := json.Unmarshal([]byte(deps), &st.DependsOn); err != nil {
		return st, 0, fmt.Errorf("decode dependencies of step %s: %w", st.UUID, err)
	}
	if err := json.Unmarshal([]byte(cfg), &st.Config); err != nil {
		return st, 0, fmt.Errorf("decode config of step %s: %w", st.UUID, err)
	}
	return st, runID, nil
}

func collectSteps(rows *sql.Rows) (map[int64][]Step, error) {
	defer rows.Close()
	out := map[int64][]Step{}
	for rows.Next() {
		st, runID, err := scanStep(rows)
		if err != nil {
			return nil, err
		}
		out[runID] = append(out[runID], st)
	}
	return out, rows.Err()
}

// stepsOf loads the steps of several runs in one query, in spec order.
func (s sqlStore) stepsOf(ctx context.Context, runIDs []int64) (map[int64][]Step, error) {
	if len(runIDs) == 0 {
		return map[int64][]Step{}, nil
	}
	args := make([]any, len(runIDs))
	for i, id := range runIDs {
		args[i] = id
	}
	rows, err := s.db.Query(ctx, `SELECT `+stepColumns+` FROM workflow_steps st WHERE st.run_id IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(runIDs)), ", ")+`) ORDER BY st.run_id, st.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("list workflow steps: %w", err)
	}
	return collectSteps(rows)
}

func (s sqlStore) stepsTx(ctx context.Context, tx *jobs.Tx, runID int64) ([]Step, error) {
	rows, err := s.db.TxQuery(ctx, tx.Tx, `SELECT `+stepColumns+` FROM workflow_steps st WHERE st.run_id = ? ORDER BY st.position`, runID)
	if err != nil {
		return nil, fmt.Errorf("list steps of run %d: %w", runID, err)
	}
	steps, err := collectSteps(rows)
	return steps[runID], err
}

// queueStep marks a pending step queued; false means another completion
// queued it first.
func (s sqlStore) queueStep(ctx context.Context, tx *jobs.Tx, stepID int64) (bool, error) {
	res, err := s.db.TxExec(ctx, tx.Tx, `UPDATE workflow_steps SET status = 'queued' WHERE id = ? AND status = 'pending'`, stepID)
	if err != nil {
		return false, fmt.Errorf("queue step %d: %w", stepID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (s sqlStore) startStep(ctx context.Context, tx *jobs.Tx, stepID int64, now time.Time) error {
	res, err := s.db.TxExec(ctx, tx.Tx, `UPDATE workflow_steps SET status = 'running', started_at = COALESCE(started_at, ?)
		WHERE id = ? AND status IN ('queued', 'running')`, now, stepID)
	if err != nil {
		return fmt.Errorf("start step %d: %w", stepID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, errFinal)
	}
	return nil
}

func (s sqlStore) finishStep(ctx context.Context, tx *jobs.Tx, stepID int64, st Status, out json.RawMessage, errMsg string, now time.Time) error {
	if out == nil {
		out = json.RawMessage("null")
	}
	res, err := s.db.TxExec(ctx, tx.Tx, `UPDATE workflow_steps SET status = ?, output = ?, error_message = ?, completed_at = ?
		WHERE id = ? AND status IN ('queued', 'running')`, string(st), string(out), errMsg, now, stepID)
	if err != nil {
		return fmt.Errorf("finish step %d: %w", stepID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, errFinal)
	}
	return nil
}

const runColumns = `r.id, r.uuid, r.org_id, o.uuid, w.uuid, r.originating_id, r.originating_type, r.status, r.trigger_type,
	COALESCE(u.uuid, ''), r.name, r.error_message, r.started_at, r.completed_at, r.created_at, r.updated_at`

const runFrom = ` FROM workflow_runs r JOIN organizations o ON o.id = r.org_id JOIN workflow_templates w ON w.id = r.template_id
	LEFT JOIN users u ON u.id = r.triggered_by_user_id`

func scanRun(row scanner) (Run, error) {
	var r Run
	var status string
	var started, completed sql.NullTime
	err := row.Scan(&r.ID, &r.UUID, &r.OrgID, &r.WorkspaceUUID, &r.TemplateUUID, &r.OriginatingID, &r.OriginatingType, &status,
		&r.TriggerType, &r.TriggeredBy, &r.Name, &r.ErrorMessage, &started, &completed, &r.CreatedAt, &r.UpdatedAt)
	r.Status, r.StartedAt, r.CompletedAt = Status(status), started.Time, completed.Time
	return r, err
}

func (s sqlStore) run(ctx context.Context, orgID int64, id string) (Run, error) {
	r, err := scanRun(s.db.QueryRow(ctx, `SELECT `+runColumns+runFrom+` WHERE r.org_id = ? AND r.uuid = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fault.NotFound("workflow run")
	}
	if err != nil {
		return Run{}, fmt.Errorf("load workflow run %s: %w", id, err)
	}
	return r, nil
}

func (s sqlStore) runs(ctx context.Context, orgID int64, f RunFilter, r page.Request) (page.Page[Run], error) {
	where, args := ` WHERE r.org_id = ?`, []any{orgID}
	if f.Status != "" {
		where, args = where+` AND r.status = ?`, append(args, string(f.Status))
	}
	if f.TemplateID != "" {
		where, args = where+` AND w.uuid = ?`, append(args, f.TemplateID)
	}
	if f.OriginatingType != "" {
		where, args = where+` AND r.originating_type = ?`, append(args, f.OriginatingType)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM workflow_runs r JOIN workflow_templates w ON w.id = r.template_id`+where,
		args...).Scan(&total); err != nil {
		return page.Page[Run]{}, fmt.Errorf("count workflow runs: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+runColumns+runFrom+where+` ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?`,
		append(args, r.Limit, r.Offset)...)
	if err != nil {
		return page.Page[Run]{}, fmt.Errorf("list workflow runs: %w", err)
	}
	defer rows.Close()
	var items []Run
	for rows.Next() {
		run, err := scanRun(rows)
		if err != nil {
			return page.Page[Run]{}, fmt.Errorf("scan workflow run: %w", err)
		}
		items = append(items, run)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Run]{}, fmt.Errorf("list workflow runs: %w", err)
	}
	return page.Of(items, r, total, nil), nil
}

// stepForJob loads a step its job must still run, with its run.
func (s sqlStore) stepForJob(ctx context.Context, runID int64, nodeID string) (Run, Step, error) {
	run, err := scanRun(s.db.QueryRow(ctx, `SELECT `+runColumns+runFrom+` WHERE r.id = ?`, runID))
	if errors.Is(err, sql.ErrNoRows) {
		return run, Step{}, errFinal
	}
	if err != nil {
		return run, Step{}, fmt.Errorf("load workflow run %d: %w", runID, err)
	}
	if run.Status != StatusPending && run.Status != StatusActive {
		return run, Step{}, errFinal
	}
	st, _, err := scanStep(s.db.QueryRow(ctx, `SELECT `+stepColumns+` FROM workflow_steps st WHERE st.run_id = ? AND st.node_id = ?`,
		runID, nodeID))
	if errors.Is(err, sql.ErrNoRows) {
		return run, st, errFinal
	}
	if err != nil {
		return run, st, fmt.Errorf("load step %s of run %d: %w", nodeID, runID, err)
	}
	if st.Status != StepQueued && st.Status != StepRunning {
		return run, st, errFinal
	}
	return run, st, nil
}

// lockRun makes a live run active and holds its row until tx ends, so the
// completions of parallel steps of one run take turns; it returns the run,
// or errFinal when the run is over.
func (s sqlStore) lockRun(ctx context.Context, tx *jobs.Tx, runID int64, st Status, now time.Time) (Run, error) {
	var id int64
	err := s.db.TxQueryRow(ctx, tx.Tx, `UPDATE workflow_runs SET status = ?, started_at = COALESCE(started_at, ?), updated_at = ?
		WHERE id = ? AND status IN ('pending', 'active') RETURNING id`, string(st), now, now, runID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, errFinal
	}
	if err != nil {
		return Run{}, fmt.Errorf("lock workflow run %d: %w", runID, err)
	}
	r, err := scanRun(s.db.TxQueryRow(ctx, tx.Tx, `SELECT `+runColumns+runFrom+` WHERE r.id = ?`, runID))
	if err != nil {
		return Run{}, fmt.Errorf("load workflow run %d: %w", runID, err)
	}
	return r, nil
}

func (s sqlStore) finishRun(ctx context.Context, tx *jobs.Tx, runID int64, st Status, errMsg string, now time.Time) error {
	_, err := s.db.TxExec(ctx, tx.Tx, `UPDATE workflow_runs SET status = ?, error_message = ?, completed_at = ?, updated_at = ?
		WHERE id = ?`, string(st), errMsg, now, now, runID)
	if err != nil {
		return fmt.Errorf("finish workflow run %d: %w", runID, err)
	}
	return nil
}
