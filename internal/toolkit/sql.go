package toolkit

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

// errSkip tells the propagation job there is nothing to do.
var errSkip = errors.New("nothing to propagate")

// The entity tables and the columns a manifest spec fills, per kind. Table
// and column names are constants; values are always bound.
var tables = map[string]string{
	KindButton: "action_buttons", KindNextStep: "next_steps", KindTemplate: "templates",
	KindShortcut: "shortcuts", KindWorkflow: "workflow_templates", KindCanvas: "canvas_templates",
}

var (
	buttonCols = []string{"name", "description", "content_format", "delivery_mechanism", "icon_name", "file_format", "integration_type",
		"redirect_url", "webhook_url", "email_subject", "requires_integration", "sort_order"}
	stepCols     = []string{"name", "description", "step_type", "ai_prompt", "color", "icon_name", "redirect_url", "sort_order"}
	templateCols = []string{"name", "description", "title", "detail_level", "duration_seconds", "start_offset_seconds", "ownership_type",
		"agenda", "participants"}
	shortcutCols = []string{"slug", "name", "description", "prompt", "color", "icon_name", "surfaces"}
	workflowCols = []string{"slug", "name", "description", "spec"}
	canvasCols   = []string{"slug", "name", "description", "canvas_type", "content"}
)

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

const toolkitColumns = `t.id, t.uuid, t.app_id, a.uuid, t.name, t.slug, t.description, t.version, t.ownership_type, t.manifest,
	t.is_active, t.auto_propagate, t.auto_install, t.created_at, t.updated_at`

const toolkitFrom = ` FROM toolkits t JOIN apps a ON a.id = t.app_id`

func scanToolkit(row scanner) (Toolkit, error) {
	var t Toolkit
	var manifest string
	err := row.Scan(&t.ID, &t.UUID, &t.AppID, &t.AppUUID, &t.Name, &t.Slug, &t.Description, &t.Version, &t.Ownership, &manifest,
		&t.IsActive, &t.AutoPropagate, &t.AutoInstall, &t.CreatedAt, &t.UpdatedAt)
	t.Manifest = json.RawMessage(manifest)
	return t, err
}

func (s sqlStore) insert(ctx context.Context, tx *jobs.Tx, t *Toolkit) error {
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO toolkits (uuid, app_id, name, slug, description, version, ownership_type, manifest,
		is_active, auto_propagate, auto_install, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.UUID, t.AppID, t.Name, t.Slug, t.Description, t.Version, t.Ownership, string(t.Manifest), t.IsActive, t.AutoPropagate,
		t.AutoInstall, t.CreatedAt, t.UpdatedAt).Scan(&t.ID)
	if store.IsUniqueViolation(err) {
		return fault.Invalid("slug", "toolkit_slug_collision", "the app already has a toolkit with slug %q", t.Slug)
	}
	if err != nil {
		return fmt.Errorf("insert toolkit: %w", err)
	}
	return nil
}

func (s sqlStore) bySlug(ctx context.Context, appID int64, slug string) (string, error) {
	var id string
	err := s.db.QueryRow(ctx, `SELECT uuid FROM toolkits WHERE app_id = ? AND slug = ?`, appID, slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find toolkit %s: %w", slug, err)
	}
	return id, nil
}

func (s sqlStore) get(ctx context.Context, appID int64, id string, activeOnly bool) (Toolkit, error) {
	query := `SELECT ` + toolkitColumns + toolkitFrom + ` WHERE t.app_id = ? AND t.uuid = ?`
	if activeOnly {
		query += ` AND t.is_active`
	}
	t, err := scanToolkit(s.db.QueryRow(ctx, query, appID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Toolkit{}, fault.NotFound("toolkit")
	}
	if err != nil {
		return Toolkit{}, fmt.Errorf("load toolkit %s: %w", id, err)
	}
	return t, nil
}

func (s sqlStore) list(ctx context.Context, appID int64, activeOnly bool, r page.Request) (page.Page[Toolkit], error) {
	where := ` WHERE t.app_id = ?`
	if activeOnly {
		where += ` AND t.is_active`
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM toolkits t`+where, appID).Scan(&total); err != nil {
		return page.Page[Toolkit]{}, fmt.Errorf("count toolkits: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+toolkitColumns+toolkitFrom+where+` ORDER BY t.created_at, t.id LIMIT ? OFFSET ?`,
		appID, r.Limit, r.Offset)
	if err != nil {
		return page.Page[Toolkit]{}, fmt.Errorf("list toolkits: %w", err)
	}
	defer rows.Close()
	var items []Toolkit
	for rows.Next() {
		t, err := scanToolkit(rows)
		if err != nil {
			return page.Page[Toolkit]{}, fmt.Errorf("scan toolkit: %w", err)
		}
		items = append(items, t)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Toolkit]{}, fmt.Errorf("list toolkits: %w", err)
	}
	return page.Of(items, r, total, nil), nil
}

func (s sqlStore) update(ctx context.Context, appID int64, id string, p Patch, now time.Time) error {
	var n int64
	err := s.db.ExecRow(ctx, `UPDATE toolkits SET name = COALESCE(?, name), description = COALESCE(?, description),
		is_active = COALESCE(?, is_active), auto_propagate = COALESCE(?, auto_propagate), auto_install = COALESCE(?, auto_install),
		updated_at = ? WHERE app_id = ? AND uuid = ? RETURNING id`,
		p.Name, p.Description, p.IsActive, p.AutoPropagate, p.AutoInstall, now, appID, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return fault.NotFound("toolkit")
	}
	if err != nil {
		return fmt.Errorf("update toolkit %s: %w", id, err)
	}
	return nil
}

func (s sqlStore) delete(ctx context.Context, appID int64, id string) error {
	res, err := s.db.Exec(ctx, `DELETE FROM toolkits WHERE app_id = ? AND uuid = ?`, appID, id)
	if err != nil {
		return fmt.Errorf("delete toolkit %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, fault.NotFound("toolkit"))
	}
	return nil
}

// lockToolkit takes the toolkit's row for the rest of tx, so that version
// changes of one toolkit take turns.
func (s sqlStore) lockToolkit(ctx context.Context, tx *jobs.Tx, id int64, now time.Time) error {
	if _, err := s.db.TxExec(ctx, tx.Tx, `UPDATE toolkits SET updated_at = ? WHERE id = ?`, now, id); err != nil {
		return fmt.Errorf("lock toolkit %d: %w", id, err)
	}
	return nil
}

const versionColumns = `v.id, v.uuid, t.uuid, v.version_number, v.version_label, v.status, v.manifest, v.changelog, v.created_by,
	v.published_at, v.deprecated_at, v.created_at, v.updated_at`

const versionFrom = ` FROM toolkit_versions v JOIN toolkits t ON t.id = v.toolkit_id`

func scanVersion(row scanner) (Version, error) {
	var v Version
	var manifest string
	var published, deprecated sql.NullTime
	err := row.Scan(&v.ID, &v.UUID, &v.ToolkitUUID, &v.Number, &v.Label, &v.Status, &manifest, &v.Changelog, &v.CreatedBy,
		&published, &deprecated, &v.CreatedAt, &v.UpdatedAt)
	v.Manifest, v.PublishedAt, v.DeprecatedAt = json.RawMessage(manifest), published.Time, deprecated.Time
	return v, err
}

func (s sqlStore) insertVersion(ctx context.Context, tx *jobs.Tx, toolkitID int64, v *Version) error {
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO toolkit_versions (uuid, toolkit_id, version_number, version_label, status,
		manifest, changelog, created_by, published_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		v.UUID, toolkitID, v.Number, v.Label, v.Status, string(v.Manifest), v.Changelog, v.CreatedBy, nullTime(v.PublishedAt),
		v.CreatedAt, v.UpdatedAt).Scan(&v.ID)
	if err != nil {
		return fmt.Errorf("insert toolkit version: %w", err)
	}
	return nil
}

func (s sqlStore) nextNumber(ctx context.Context, tx *jobs.Tx, toolkitID int64) (int, error) {
	var n int
	err := s.db.TxQueryRow(ctx, tx.Tx, `SELECT COALESCE(MAX(version_number), 0) + 1 FROM toolkit_versions WHERE toolkit_id = ?`,
		toolkitID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("next version number of toolkit %d: %w", toolkitID, err)
	}
	return n, nil
}

func (s sqlStore) versions(ctx context.Context, t Toolkit) ([]Version, error) {
	rows, err := s.db.Query(ctx, `SELECT `+versionColumns+versionFrom+` WHERE v.toolkit_id = ? ORDER BY v.version_number`, t.ID)
	if err != nil {
		return nil, fmt.Errorf("list versions of toolkit %s: %w", t.UUID, err)
	}
	defer rows.Close()
	out := []Version{}
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("scan toolkit version: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func versionErr(err error, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fault.NotFound("toolkit version")
	}
	return fmt.Errorf("load toolkit version %s: %w", id, err)
}

func (s sqlStore) version(ctx context.Context, t Toolkit, id string) (Version, error) {
	v, err := scanVersion(s.db.QueryRow(ctx, `SELECT `+versionColumns+versionFrom+` WHERE v.toolkit_id = ? AND v.uuid = ?`, t.ID, id))
	if err != nil {
		return Version{}, versionErr(err, id)
	}
	return v, nil
}

func (s sqlStore) versionTx(ctx context.Context, tx *jobs.Tx, toolkitID int64, id string) (Version, error) {
	v, err := scanVersion(s.db.TxQueryRow(ctx, tx.Tx, `SELECT `+versionColumns+versionFrom+` WHERE v.toolkit_id = ? AND v.uuid = ?`,
		toolkitID, id))
	if err != nil {
		return Version{}, versionErr(err, id)
	}
	return v, nil
}

// updateDraft changes a draft; a version that is not a draft is refused in
// the same statement.
func (s sqlStore) updateDraft(ctx context.Context, t Toolkit, id string, p VersionPatch, now time.Time) error {
	var manifest any
	if len(p.Manifest) > 0 {
		manifest = string(p.Manifest)
	}
	var n int64
	err := s.db.ExecRow(ctx, `UPDATE toolkit_versions SET version_label = COALESCE(?, version_label), manifest = COALESCE(?, manifest),
		changelog = COALESCE(?, changelog), updated_at = ? WHERE toolkit_id = ? AND uuid = ? AND status = 'DRAFT' RETURNING id`,
		p.Label, manifest, p.Changelog, now, t.ID, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return s.notDraft(ctx, t, id)
	}
	if err != nil {
		return fmt.Errorf("update toolkit version %s: %w", id, err)
	}
	return nil
}

// notDraft explains why a draft-only change matched nothing.
func (s sqlStore) notDraft(ctx context.Context, t Toolkit, id string) error {
	v, err := s.version(ctx, t, id)
	if err != nil {
		return err
	}
	return fault.Invalid("version_id", "invalid_version_status", "the version is %s, not DRAFT", v.Status)
}

func (s sqlStore) discard(ctx context.Context, t Toolkit, id string) error {
	res, err := s.db.Exec(ctx, `DELETE FROM toolkit_versions WHERE toolkit_id = ? AND uuid = ? AND status = 'DRAFT'`, t.ID, id)
	if err != nil {
		return fmt.Errorf("discard toolkit version %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, s.notDraft(ctx, t, id))
	}
	return nil
}

// publish makes v the toolkit's published version and its manifest the
// toolkit's; the published version before it is deprecated first, so the
// one-published index holds at every statement.
func (s sqlStore) publish(ctx context.Context, tx *jobs.Tx, toolkitID int64, v Version, now time.Time) error {
	if _, err := s.db.TxExec(ctx, tx.Tx, `UPDATE toolkit_versions SET status = 'DEPRECATED', deprecated_at = ?, updated_at = ?
		WHERE toolkit_id = ? AND status = 'PUBLISHED'`, now, now, toolkitID); err != nil {
		return fmt.Errorf("deprecate published version of toolkit %d: %w", toolkitID, err)
	}
	if _, err := s.db.TxExec(ctx, tx.Tx, `UPDATE toolkit_versions SET status = 'PUBLISHED', published_at = ?, deprecated_at = NULL,
		updated_at = ? WHERE id = ?`, now, now, v.ID); err != nil {
		return fmt.Errorf("publish toolkit version %s: %w", v.UUID, err)
	}
	if _, err := s.db.TxExec(ctx, tx.Tx, `UPDATE toolkits SET version = ?, manifest = ?, updated_at = ? WHERE id = ?`,
		v.Label, string(v.Manifest), now, toolkitID); err != nil {
		return fmt.Errorf("set published manifest of toolkit %d: %w", toolkitID, err)
	}
	return nil
}

func (s sqlStore) activeInstallations(ctx context.Context, tx *jobs.Tx, toolkitID int64) ([]int64, error) {
	rows, err := s.db.TxQuery(ctx, tx.Tx, `SELECT id FROM toolkit_installations WHERE toolkit_id = ? AND status = 'active' ORDER BY id`,
		toolkitID)
	if err != nil {
		return nil, fmt.Errorf("list installations of toolkit %d: %w", toolkitID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

const installationColumns = `i.id, i.uuid, t.uuid, i.org_id, o.uuid, o.name, i.status, i.version_label, COALESCE(u.uuid, ''),
	i.installed_at, i.uninstalled_at`

const installationFrom = ` FROM toolkit_installations i JOIN toolkits t ON t.id = i.toolkit_id
	JOIN organizations o ON o.id = i.org_id LEFT JOIN users u ON u.id = i.installed_by_user_id`

func scanInstallation(row scanner) (Installation, error) {
	var i Installation
	var installed, uninstalled sql.NullTime
	err := row.Scan(&i.ID, &i.UUID, &i.ToolkitUUID, &i.OrgID, &i.WorkspaceUUID, &i.WorkspaceName, &i.Status, &i.VersionLabel,
		&i.InstalledBy, &installed, &uninstalled)
	i.InstalledAt, i.UninstalledAt = installed.Time, uninstalled.Time
	return i, err
}

// installation loads a toolkit's installation in a workspace with the
// entities it created.
func (s sqlStore) installation(ctx context.Context, toolkitID, orgID int64) (Installation, error) {
	i, err := scanInstallation(s.db.QueryRow(ctx, `SELECT `+installationColumns+installationFrom+` WHERE i.toolkit_id = ? AND i.org_id = ?`,
		toolkitID, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return Installation{}, fault.NotFound("toolkit installation")
	}
	if err != nil {
		return Installation{}, fmt.Errorf("load installation of toolkit %d: %w", toolkitID, err)
	}
	i.Entities = emptyEntities()
	var union []string
	var args []any
	for _, kind := range Kinds {
		union = append(union, `SELECT '`+kind+`', local_id, uuid FROM `+tables[kind]+` WHERE installation_id = ?`)
		args = append(args, i.ID)
	}
	rows, err := s.db.Query(ctx, strings.Join(union, ` UNION ALL `), args...)
	if err != nil {
		return Installation{}, fmt.Errorf("list entities of installation %s: %w", i.UUID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, local, id string
		if err := rows.Scan(&kind, &local, &id); err != nil {
			return Installation{}, err
		}
		i.Entities[kind][local] = id
	}
	return i, rows.Err()
}

// activate creates the installation or turns an opted-out one active again
// in one conditional write; an active one is a conflict.
func (s sqlStore) activate(ctx context.Context, tx *jobs.Tx, t Toolkit, c caller.Caller, newUUID string, now time.Time) (int64, error) {
	var by any
	if c.UserID != 0 {
		by = c.UserID
	}
	var id int64
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO toolkit_installations (uuid, toolkit_id, org_id, version_id, version_label, status,
		installed_by_user_id, installed_at, created_at, updated_at)
		VALUES (?, ?, ?, (SELECT id FROM toolkit_versions WHERE toolkit_id = ? AND status = 'PUBLISHED'), ?, 'active', ?, ?, ?, ?)
		ON CONFLICT (toolkit_id, org_id) DO UPDATE SET status = 'active', version_id = excluded.version_id,
		version_label = excluded.version_label, installed_by_user_id = excluded.installed_by_user_id,
		installed_at = excluded.installed_at, uninstalled_at = NULL, synced_at = NULL, updated_at = excluded.updated_at
		WHERE toolkit_installations.status = 'opted_out' RETURNING id`,
		newUUID, t.ID, c.OrgID, t.ID, t.Version, by, now, now, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.Conflict("resource_already_exists", "the toolkit is already installed in this workspace")
	}
	if err != nil {
		return 0, fmt.Errorf("install toolkit %s: %w", t.UUID, err)
	}
	return id, nil
}

func (s sqlStore) optOut(ctx context.Context, tx *jobs.Tx, toolkitID, orgID int64, now time.Time) (int64, error) {
	var id int64
	err := s.db.TxQueryRow(ctx, tx.Tx, `UPDATE toolkit_installations SET status = 'opted_out', uninstalled_at = ?, updated_at = ?
		WHERE toolkit_id = ? AND org_id = ? AND status = 'active' RETURNING id`, now, now, toolkitID, orgID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fault.NotFound("toolkit installation")
	}
	if err != nil {
		return 0, fmt.Errorf("uninstall toolkit %d: %w", toolkitID, err)
	}
	return id, nil
}

func (s sqlStore) syncedAt(ctx context.Context, tx *jobs.Tx, instID int64) (time.Time, error) {
	var t sql.NullTime
	if err := s.db.TxQueryRow(ctx, tx.Tx, `SELECT synced_at FROM toolkit_installations WHERE id = ?`, instID).Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("load installation %d: %w", instID, err)
	}
	return t.Time, nil
}

func (s sqlStore) markSynced(ctx context.Context, tx *jobs.Tx, instID int64, now time.Time) error {
	if _, err := s.db.TxExec(ctx, tx.Tx, `UPDATE toolkit_installations SET synced_at = ?, updated_at = ? WHERE id = ?`,
		now, now, instID); err != nil {
		return fmt.Errorf("mark installation %d synced: %w", instID, err)
	}
	return nil
}

// propagated is what a propagation job needs.
type propagated struct {
	appID, orgID int64
	label        string
	manifest     json.RawMessage
}

// propagation loads an active installation and a published version of its
// toolkit; errSkip when either no longer qualifies.
func (s sqlStore) propagation(ctx context.Context, tx *jobs.Tx, instID, versionID int64) (propagated, error) {
	var p propagated
	var manifest string
	err := s.db.TxQueryRow(ctx, tx.Tx, `SELECT t.app_id, i.org_id, v.version_label, v.manifest FROM toolkit_installations i
		JOIN toolkits t ON t.id = i.toolkit_id JOIN toolkit_versions v ON v.toolkit_id = t.id
		WHERE i.id = ? AND v.id = ? AND i.status = 'active' AND v.status = 'PUBLISHED'`, instID, versionID).
		Scan(&p.appID, &p.orgID, &p.label, &manifest)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errSkip
	}
	if err != nil {
		return p, fmt.Errorf("load propagation of installation %d: %w", instID, err)
	}
	p.manifest = json.RawMessage(manifest)
	return p, nil
}

func (s sqlStore) setInstalledVersion(ctx context.Context, tx *jobs.Tx, instID, versionID int64, label string, now time.Time) error {
	if _, err := s.db.TxExec(ctx, tx.Tx, `UPDATE toolkit_installations SET version_id = ?, version_label = ?, updated_at = ? WHERE id = ?`,
		versionID, label, now, instID); err != nil {
		return fmt.Errorf("set version of installation %d: %w", instID, err)
	}
	return nil
}

type installedRow struct {
	id        int64
	updatedAt time.Time
}

// installed maps the local ids of an installation's entities of one kind
// to their rows.
func (s sqlStore) installed(ctx context.Context, tx *jobs.Tx, kind string, instID int64) (map[string]installedRow, error) {
	rows, err := s.db.TxQuery(ctx, tx.Tx, `SELECT local_id, id, updated_at FROM `+tables[kind]+` WHERE installation_id = ?`, instID)
	if err != nil {
		return nil, fmt.Errorf("list installed %s: %w", kind, err)
	}
	defer rows.Close()
	out := map[string]installedRow{}
	for rows.Next() {
		var local string
		var r installedRow
		if err := rows.Scan(&local, &r.id, &r.updatedAt); err != nil {
			return nil, err
		}
		out[local] = r
	}
	return out, rows.Err()
}

// entityRow is one entity's spec columns and values.
type entityRow struct {
	kind string
	cols []string
	vals []any
}

func (s sqlStore) insertEntity(ctx context.Context, tx *jobs.Tx, r entityRow, orgID, appID, instID int64, local string, now time.Time) (int64, error) {
	cols := append([]string{"uuid", "org_id", "app_id", "installation_id", "local_id", "created_at", "updated_at"}, r.cols...)
	args := append([]any{uuid.NewString(), orgID, appID, instID, local, now, now}, r.vals...)
	var id int64
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO `+tables[r.kind]+` (`+strings.Join(cols, ", ")+`) VALUES (`+
		store.Placeholders(len(cols))+`) RETURNING id`, args...).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert %s: %w", r.kind, err)
	}
	return id, nil
}

func (s sqlStore) updateEntity(ctx context.Context, tx *jobs.Tx, r entityRow, id int64, now time.Time) error {
	set := make([]string, len(r.cols))
	for i, c := range r.cols {
		set[i] = c + " = ?"
	}
	args := append(append([]any{}, r.vals...), now, id)
	if _, err := s.db.TxExec(ctx, tx.Tx, `UPDATE `+tables[r.kind]+` SET `+strings.Join(set, ", ")+`, updated_at = ? WHERE id = ?`,
		args...); err != nil {
		return fmt.Errorf("update %s %d: %w", r.kind, id, err)
	}
	return nil
}

// deleteInstalled removes an installation's entities of one kind, except
// the rows in keep.
func (s sqlStore) deleteInstalled(ctx context.Context, tx *jobs.Tx, kind string, instID int64, keep []int64) error {
	query := `DELETE FROM ` + tables[kind] + ` WHERE installation_id = ?`
	args := []any{instID}
	if len(keep) > 0 {
		query += ` AND id NOT IN (` + store.Placeholders(len(keep)) + `)`
		args = append(args, store.Args(keep)...)
	}
	if _, err := s.db.TxExec(ctx, tx.Tx, query, args...); err != nil {
		return fmt.Errorf("delete installed %s: %w", kind, err)
	}
	return nil
}

// rowIDs maps UUIDs of entities of a workspace to their rows.
func (s sqlStore) rowIDs(ctx context.Context, tx *jobs.Tx, kind string, orgID int64, ids []string) (map[string]int64, error) {
	rows, err := s.db.TxQuery(ctx, tx.Tx, `SELECT uuid, id FROM `+tables[kind]+` WHERE org_id = ? AND uuid IN (`+store.Placeholders(len(ids))+`)`,
		append([]any{orgID}, store.Args(ids)...)...)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", kind, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var u string
		var id int64
		if err := rows.Scan(&u, &id); err != nil {
			return nil, err
		}
		out[u] = id
	}
	return out, rows.Err()
}

// reachWhere is the condition of entities a reach covers.
func reachWhere(r reach) (string, any) {
	if r.orgID != 0 {
		return `org_id = ?`, r.orgID
	}
	return `app_id = ?`, r.appID
}

// missing returns the UUIDs among ids of no reachable entity of a kind.
func (s sqlStore) missing(ctx context.Context, kind string, r reach, ids []string) ([]string, error) {
	where, arg := reachWhere(r)
	rows, err := s.db.Query(ctx, `SELECT uuid FROM `+tables[kind]+` WHERE `+where+` AND uuid IN (`+store.Placeholders(len(ids))+`)`,
		append([]any{arg}, store.Args(ids)...)...)
	if err != nil {
		return nil, fmt.Errorf("check %s references: %w", kind, err)
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		found[u] = true
	}
	var out []string
	for _, id := range ids {
		if !found[id] {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}

type named struct{ uuid, name string }

// sameNames finds reachable entities of a kind named like a manifest's,
// leaving out those the toolkit itself installed.
func (s sqlStore) sameNames(ctx context.Context, kind string, r reach, names []string, toolkitID int64) ([]named, error) {
	where, arg := reachWhere(r)
	args := append([]any{arg}, store.Args(names)...)
	args = append(args, toolkitID)
	rows, err := s.db.Query(ctx, `SELECT uuid, name FROM `+tables[kind]+` WHERE `+where+` AND name IN (`+store.Placeholders(len(names))+`)
		AND (installation_id IS NULL OR installation_id NOT IN (SELECT id FROM toolkit_installations WHERE toolkit_id = ?))
		ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find %s by name: %w", kind, err)
	}
	defer rows.Close()
	var out []named
	for rows.Next() {
		var n named
		if err := rows.Scan(&n.uuid, &n.name); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func (s sqlStore) clearButtons(ctx context.Context, tx *jobs.Tx, stepID int64) error {
	if _, err := s.db.TxExec(ctx, tx.Tx, `DELETE FROM next_step_buttons WHERE next_step_id = ?`, stepID); err != nil {
		return fmt.Errorf("clear buttons of next step %d: %w", stepID, err)
	}
	return nil
}

func (s sqlStore) linkButton(ctx context.Context, tx *jobs.Tx, stepID, buttonID int64, order int, isDefault bool) error {
	if _, err := s.db.TxExec(ctx, tx.Tx, `INSERT INTO next_step_buttons (next_step_id, action_button_id, sort_order, is_default)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, stepID, buttonID, order, isDefault); err != nil {
		return fmt.Errorf("link button %d to next step %d: %w", buttonID, stepID, err)
	}
	return nil
}

func (s sqlStore) clearTemplateSteps(ctx context.Context, tx *jobs.Tx, templateID int64) error {
	if _, err := s.db.TxExec(ctx, tx.Tx, `DELETE FROM template_next_steps WHERE template_id = ?`, templateID); err != nil {
		return fmt.Errorf("clear next steps of template %d: %w", templateID, err)
	}
	return nil
}

func (s sqlStore) linkTemplateStep(ctx context.Context, tx *jobs.Tx, templateID, stepID int64, autopilot bool, order int, now time.Time) error {
	if _, err := s.db.TxExec(ctx, tx.Tx, `INSERT INTO template_next_steps (template_id, next_step_id, autopilot, sort_order, created_at,
		updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, templateID, stepID, autopilot, order, now, now); err != nil {
		return fmt.Errorf("link next step %d to template %d: %w", stepID, templateID, err)
	}
	return nil
}

func (s sqlStore) installations(ctx context.Context, t Toolkit, r page.Request) (InstallationPage, error) {
	out := InstallationPage{Items: []Installation{}, Limit: r.Limit, Offset: r.Offset}
	err := s.db.QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM toolkit_installations WHERE toolkit_id = ? AND status = 'active'),
		(SELECT COUNT(*) FROM toolkit_installations WHERE toolkit_id = ? AND status = 'opted_out'),
		(SELECT COUNT(*) FROM app_orgs ao WHERE ao.app_id = ? AND NOT EXISTS
			(SELECT 1 FROM toolkit_installations i WHERE i.toolkit_id = ? AND i.org_id = ao.org_id)),
		(SELECT COUNT(*) FROM app_orgs WHERE app_id = ?)`, t.ID, t.ID, t.AppID, t.ID, t.AppID).
		Scan(&out.Active, &out.OptedOut, &out.NeverInstalled, &out.TotalConnectedWorkspaces)
	if err != nil {
		return out, fmt.Errorf("count installations of toolkit %s: %w", t.UUID, err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+installationColumns+installationFrom+` WHERE i.toolkit_id = ?
		ORDER BY i.created_at, i.id LIMIT ? OFFSET ?`, t.ID, r.Limit, r.Offset)
	if err != nil {
		return out, fmt.Errorf("list installations of toolkit %s: %w", t.UUID, err)
	}
	defer rows.Close()
	for rows.Next() {
		i, err := scanInstallation(rows)
		if err != nil {
			return out, fmt.Errorf("scan installation: %w", err)
		}
		out.Items = append(out.Items, i)
	}
	return out, rows.Err()
}

func (s sqlStore) workspaces(ctx context.Context, appID int64, r page.Request) (page.Page[Workspace], error) {
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM app_orgs WHERE app_id = ?`, appID).Scan(&total); err != nil {
		return page.Page[Workspace]{}, fmt.Errorf("count workspaces: %w", err)
	}
	rows, err := s.db.Query(ctx, `SELECT o.uuid, o.name, o.created_at, (SELECT COUNT(*) FROM memberships m WHERE m.org_id = o.id)
		FROM app_orgs ao JOIN organizations o ON o.id = ao.org_id WHERE ao.app_id = ? ORDER BY o.created_at, o.id LIMIT ? OFFSET ?`,
		appID, r.Limit, r.Offset)
	if err != nil {
		return page.Page[Workspace]{}, fmt.Errorf("list workspaces: %w", err)
	}
	defer rows.Close()
	var items []Workspace
	for rows.Next() {
		var w Workspace
		if err := rows.Scan(&w.UUID, &w.Name, &w.ProvisionedAt, &w.UserCount); err != nil {
			return page.Page[Workspace]{}, fmt.Errorf("scan workspace: %w", err)
		}
		items = append(items, w)
	}
	if err := rows.Err(); err != nil {
		return page.Page[Workspace]{}, fmt.Errorf("list workspaces: %w", err)
	}
	return page.Of(items, r, total, nil), nil
}

// byKey is the condition picking export rows of an app by public or row id.
func byKey(field string, n int) string {
	return ` WHERE app_id = ? AND ` + field + ` IN (` + store.Placeholders(n) + `) ORDER BY id`
}

func (s sqlStore) exportRows(ctx context.Context, kind string, cols []string, appID int64, field string, keys []any,
	scan func(*sql.Rows) error) error {
	if len(keys) == 0 {
		return nil
	}
	rows, err := s.db.Query(ctx, `SELECT id, uuid, `+strings.Join(cols, ", ")+` FROM `+tables[kind]+byKey(field, len(keys)),
		append([]any{appID}, keys...)...)
	if err != nil {
		return fmt.Errorf("export %s: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("scan exported %s: %w", kind, err)
		}
	}
	return rows.Err()
}

func optInt(v, unset int) *int {
	if v == unset {
		return nil
	}
	return &v
}

func (s sqlStore) exportTemplates(ctx context.Context, appID int64, field string, keys []any) ([]exported[TemplateSpec], error) {
	var out []exported[TemplateSpec]
	err := s.exportRows(ctx, KindTemplate, templateCols, appID, field, keys, func(rows *sql.Rows) error {
		var x exported[TemplateSpec]
		var owner, agenda, participants string
		var duration, offset int
		if err := rows.Scan(&x.id, &x.uuid, &x.spec.Name, &x.spec.Description, &x.spec.Title, &x.spec.DetailLevel, &duration, &offset,
			&owner, &agenda, &participants); err != nil {
			return err
		}
		x.spec.MeetingDurationSeconds, x.spec.StartTimeOffsetSeconds = optInt(duration, 0), optInt(offset, -1)
		if err := json.Unmarshal([]byte(agenda), &x.spec.AgendaItems); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(participants), &x.spec.Participants); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

func (s sqlStore) exportSteps(ctx context.Context, appID int64, field string, keys []any) ([]exported[NextStepSpec], error) {
	var out []exported[NextStepSpec]
	err := s.exportRows(ctx, KindNextStep, stepCols, appID, field, keys, func(rows *sql.Rows) error {
		var x exported[NextStepSpec]
		var order int
		if err := rows.Scan(&x.id, &x.uuid, &x.spec.Name, &x.spec.Description, &x.spec.Type, &x.spec.AIPrompt, &x.spec.Color,
			&x.spec.IconName, &x.spec.RedirectURL, &order); err != nil {
			return err
		}
		x.spec.SortOrder = optInt(order, 0)
		out = append(out, x)
		return nil
	})
	return out, err
}

func (s sqlStore) exportButtons(ctx context.Context, appID int64, field string, keys []any) ([]exported[ButtonSpec], error) {
	var out []exported[ButtonSpec]
	err := s.exportRows(ctx, KindButton, buttonCols, appID, field, keys, func(rows *sql.Rows) error {
		var x exported[ButtonSpec]
		var order int
		if err := rows.Scan(&x.id, &x.uuid, &x.spec.Name, &x.spec.Description, &x.spec.ContentFormat, &x.spec.DeliveryMechanism,
			&x.spec.IconName, &x.spec.FileFormat, &x.spec.IntegrationType, &x.spec.RedirectURL, &x.spec.WebhookURL,
			&x.spec.EmailSubjectTemplate, &x.spec.RequiresConnectedIntegration, &order); err != nil {
			return err
		}
		x.spec.SortOrder = optInt(order, 0)
		out = append(out, x)
		return nil
	})
	return out, err
}

func (s sqlStore) exportShortcuts(ctx context.Context, appID int64, keys []any) ([]exported[ShortcutSpec], error) {
	var out []exported[ShortcutSpec]
	err := s.exportRows(ctx, KindShortcut, shortcutCols, appID, "uuid", keys, func(rows *sql.Rows) error {
		var x exported[ShortcutSpec]
		var surfaces string
		if err := rows.Scan(&x.id, &x.uuid, &x.spec.Slug, &x.spec.Name, &x.spec.Description, &x.spec.Prompt, &x.spec.Color,
			&x.spec.IconName, &surfaces); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(surfaces), &x.spec.Surfaces); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

func (s sqlStore) exportWorkflows(ctx context.Context, appID int64, keys []any) ([]exported[WorkflowSpec], error) {
	var out []exported[WorkflowSpec]
	err := s.exportRows(ctx, KindWorkflow, workflowCols, appID, "uuid", keys, func(rows *sql.Rows) error {
		var x exported[WorkflowSpec]
		var spec string
		if err := rows.Scan(&x.id, &x.uuid, &x.spec.Slug, &x.spec.Name, &x.spec.Description, &spec); err != nil {
			return err
		}
		x.spec.Spec = json.RawMessage(spec)
		out = append(out, x)
		return nil
	})
	return out, err
}

func (s sqlStore) exportCanvases(ctx context.Context, appID int64, keys []any) ([]exported[CanvasSpec], error) {
	var out []exported[CanvasSpec]
	err := s.exportRows(ctx, KindCanvas, canvasCols, appID, "uuid", keys, func(rows *sql.Rows) error {
		var x exported[CanvasSpec]
		var content string
		if err := rows.Scan(&x.id, &x.uuid, &x.spec.Slug, &x.spec.Name, &x.spec.Description, &x.spec.CanvasType, &content); err != nil {
			return err
		}
		x.spec.Content = json.RawMessage(content)
		out = append(out, x)
		return nil
	})
	return out, err
}

type stepRel struct {
	stepID    int64
	autopilot bool
	order     int
}

// templateStepRels loads the next steps of several templates in one query.
func (s sqlStore) templateStepRels(ctx context.Context, templateIDs []int64) (map[int64][]stepRel, error) {
	return relations(ctx, s, "template next steps", `SELECT template_id, next_step_id, autopilot, sort_order FROM template_next_steps
		WHERE template_id IN (%s) ORDER BY template_id, sort_order, next_step_id`, templateIDs,
		func(r *stepRel) []any { return []any{&r.stepID, &r.autopilot, &r.order} })
}

type buttonRel struct {
	buttonID  int64
	order     int
	isDefault bool
}

// stepButtonRels loads the buttons of several next steps in one query.
func (s sqlStore) stepButtonRels(ctx context.Context, stepIDs []int64) (map[int64][]buttonRel, error) {
	return relations(ctx, s, "next step buttons", `SELECT next_step_id, action_button_id, sort_order, is_default FROM next_step_buttons
		WHERE next_step_id IN (%s) ORDER BY next_step_id, sort_order, action_button_id`, stepIDs,
		func(r *buttonRel) []any { return []any{&r.buttonID, &r.order, &r.isDefault} })
}

// relations loads the rows of a link table for several parents in one
// query: query selects the parent id first, then the columns fields points
// at, and has one %s where the parents' placeholders go.
func relations[R any](ctx context.Context, s sqlStore, what, query string, parentIDs []int64, fields func(*R) []any) (map[int64][]R, error) {
	out := map[int64][]R{}
	if len(parentIDs) == 0 {
		return out, nil
	}
	rows, err := s.db.Query(ctx, fmt.Sprintf(query, store.Placeholders(len(parentIDs))), store.Args(parentIDs)...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var parent int64
		var r R
		if err := rows.Scan(append([]any{&parent}, fields(&r)...)...); err != nil {
			return nil, fmt.Errorf("scan %s: %w", what, err)
		}
		out[parent] = append(out[parent], r)
	}
	return out, rows.Err()
}

func (s sqlStore) idsByUUID(ctx context.Context, kind string, appID int64, uuids []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(uuids) == 0 {
		return out, nil
	}
	rows, err := s.db.Query(ctx, `SELECT uuid, id FROM `+tables[kind]+` WHERE app_id = ? AND uuid IN (`+store.Placeholders(len(uuids))+`)`,
		append([]any{appID}, store.Args(uuids)...)...)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var id int64
		if err := rows.Scan(&u, &id); err != nil {
			return nil, err
		}
		out[u] = id
	}
	return out, rows.Err()
}
