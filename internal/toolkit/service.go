package toolkit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// The admin lists page 50 items by default, at most 100.
const (
	AdminDefaultLimit = 50
	AdminMaxLimit     = 100
)

// Service holds the rules for toolkits.
type Service struct {
	db     *store.DB
	store  sqlStore
	queue  *jobs.Queue
	logger *slog.Logger
	now    func() time.Time
}

// NewService returns a Service.
func NewService(db *store.DB, queue *jobs.Queue, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{db: db, store: sqlStore{db: db}, queue: queue, logger: logger, now: func() time.Time { return time.Now().UTC() }}
}

// AdminPage applies the admin lists' default page size.
func AdminPage(r page.Request) page.Request {
	if r.Limit == 0 {
		r.Limit = AdminDefaultLimit
	}
	return r
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func validText(field, s string, min, max int) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n < min || n > max {
		if min > 0 {
			return "", fault.Invalid(field, "validation_error", "%s must be %d to %d characters", field, min, max)
		}
		return "", fault.Invalid(field, "validation_error", "%s must be at most %d characters", field, max)
	}
	return s, meeting.ValidText(field, s)
}

// reach is where a manifest's references to existing entities are looked
// up: among the app's entities, or within one workspace.
type reach struct {
	appID int64
	orgID int64 // 0: every workspace of the app
}

// check validates a manifest and finds its conflicts with existing
// entities. The toolkit's own installed entities (toolkitID) never
// conflict.
func (s *Service) check(ctx context.Context, r reach, raw json.RawMessage, toolkitID int64) (Manifest, Check, error) {
	m, v := ParseManifest(raw)
	ch := Check{Validation: v, Conflicts: []Conflict{}, Summary: m.Summarize()}
	if len(v.Errors) > 0 {
		return m, ch, nil
	}
	refs := existingRefs(m)
	for kind, ids := range refs {
		missing, err := s.store.missing(ctx, kind, r, ids)
		if err != nil {
			return m, ch, err
		}
		for _, id := range missing {
			ch.Validation.Errors = append(ch.Validation.Errors, Issue{Path: kind, Code: "reference_not_found",
				Message: fmt.Sprintf("no %s with id %s is reachable", singular(kind), id)})
		}
	}
	names := specNames(m)
	for _, kind := range Kinds {
		if len(names[kind]) == 0 {
			continue
		}
		found, err := s.store.sameNames(ctx, kind, r, names[kind], toolkitID)
		if err != nil {
			return m, ch, err
		}
		for _, f := range found {
			ch.Conflicts = append(ch.Conflicts, Conflict{EntityType: singular(kind), EntityName: f.name, ConflictType: "name_exists",
				ExistingEntityID: f.uuid, Resolution: "create_new",
				Message: fmt.Sprintf("a %s named %q exists; the toolkit adds its own beside it", singular(kind), f.name)})
		}
	}
	ch.Validation.Valid = len(ch.Validation.Errors) == 0
	return m, ch, nil
}

func manifestFailed(ch Check) error {
	e := fault.Invalid("manifest", "manifest_validation_failed", "the manifest is not valid: %s", describeIssues(ch.Validation.Errors))
	e.Extra = map[string]any{"validation": ch.Validation}
	return e
}

func describeIssues(is []Issue) string {
	parts := make([]string, 0, min(len(is), 5))
	for i, x := range is {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(is)-5))
			break
		}
		parts = append(parts, strings.TrimPrefix(x.Path+": ", ": ")+x.Message)
	}
	return strings.Join(parts, "; ")
}

// Create makes a toolkit of the caller's app with its first version,
// published. A dry run validates and reports conflicts and creates
// nothing.
func (s *Service) Create(ctx context.Context, c caller.Caller, in NewToolkit) (Created, error) {
	name, err := validText("name", in.Name, 1, 255)
	if err != nil {
		return Created{}, err
	}
	slug := strings.TrimSpace(in.Slug)
	if len(slug) < 1 || len(slug) > 100 || !slugPattern.MatchString(slug) {
		return Created{}, fault.Invalid("slug", "validation_error", "slug must be 1 to 100 lowercase letters, digits, - or _")
	}
	version, err := validText("version", in.Version, 1, 50)
	if err != nil {
		return Created{}, err
	}
	desc, err := validText("description", in.Description, 0, 1000)
	if err != nil {
		return Created{}, err
	}
	_, ch, err := s.check(ctx, reach{appID: c.AppID}, in.Manifest, 0)
	if err != nil {
		return Created{}, err
	}
	existing, err := s.store.bySlug(ctx, c.AppID, slug)
	if err != nil {
		return Created{}, err
	}
	if existing != "" {
		ch.Conflicts = append(ch.Conflicts, Conflict{EntityType: "toolkit", EntityName: slug, ConflictType: "slug_exists",
			ExistingEntityID: existing, Resolution: "rename", Message: "the app has a toolkit with this slug"})
	}
	if in.DryRun {
		return Created{Check: ch}, nil
	}
	if !ch.Validation.Valid {
		return Created{}, manifestFailed(ch)
	}
	if existing != "" {
		return Created{}, fault.Invalid("slug", "toolkit_slug_collision", "the app already has a toolkit with slug %q", slug)
	}
	now := s.now()
	t := Toolkit{UUID: uuid.NewString(), AppID: c.AppID, Name: name, Slug: slug, Description: desc, Version: version, Ownership: "PARTNER",
		Manifest: in.Manifest, IsActive: true, CreatedAt: now, UpdatedAt: now}
	v := Version{UUID: uuid.NewString(), Number: 1, Label: version, Status: Published, Manifest: in.Manifest, CreatedBy: createdBy(c),
		PublishedAt: now, CreatedAt: now, UpdatedAt: now}
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.insert(ctx, tx, &t); err != nil {
			return err
		}
		return s.store.insertVersion(ctx, tx, t.ID, &v)
	})
	if err != nil {
		return Created{}, err
	}
	got, err := s.Get(ctx, c, t.UUID)
	return Created{Toolkit: &got, Check: ch}, err
}

func createdBy(c caller.Caller) string {
	if c.UserRef != "" {
		return c.UserRef
	}
	return "partner_app"
}

// Get returns a toolkit of the caller's app; a user reaches only active
// ones.
func (s *Service) Get(ctx context.Context, c caller.Caller, id string) (Toolkit, error) {
	return s.store.get(ctx, c.AppID, id, c.Credential != caller.AdminKey && c.Credential != caller.System)
}

// List pages through the caller's app's toolkits.
func (s *Service) List(ctx context.Context, c caller.Caller, r page.Request) (page.Page[Toolkit], error) {
	r, err := r.Normalize(AdminMaxLimit)
	if err != nil {
		return page.Page[Toolkit]{}, err
	}
	return s.store.list(ctx, c.AppID, false, r)
}

// Update changes a toolkit's settings.
func (s *Service) Update(ctx context.Context, c caller.Caller, id string, p Patch) (Toolkit, error) {
	if p.Version != nil || len(p.Manifest) > 0 && string(p.Manifest) != "null" {
		return Toolkit{}, fault.Conflict("conflict", "version and manifest are changed through toolkit versions")
	}
	if p.Name != nil {
		n, err := validText("name", *p.Name, 1, 255)
		if err != nil {
			return Toolkit{}, err
		}
		p.Name = &n
	}
	if p.Description != nil {
		d, err := validText("description", *p.Description, 0, 1000)
		if err != nil {
			return Toolkit{}, err
		}
		p.Description = &d
	}
	if err := s.store.update(ctx, c.AppID, id, p, s.now()); err != nil {
		return Toolkit{}, err
	}
	return s.Get(ctx, c, id)
}

// Delete removes a toolkit, its versions, and every entity its
// installations created.
func (s *Service) Delete(ctx context.Context, c caller.Caller, id string) error {
	return s.store.delete(ctx, c.AppID, id)
}

// Versions lists a toolkit's versions by number.
func (s *Service) Versions(ctx context.Context, c caller.Caller, id string) ([]Version, error) {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return nil, err
	}
	return s.store.versions(ctx, t)
}

// Version returns one version of a toolkit.
func (s *Service) Version(ctx context.Context, c caller.Caller, id, versionID string) (Version, error) {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return Version{}, err
	}
	return s.store.version(ctx, t, versionID)
}

// CreateVersion adds a draft version; a toolkit has at most one draft.
func (s *Service) CreateVersion(ctx context.Context, c caller.Caller, id string, in NewVersion) (VersionCreated, error) {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return VersionCreated{}, err
	}
	label, err := validText("version_label", in.Label, 1, 50)
	if err != nil {
		return VersionCreated{}, err
	}
	changelog, err := validText("changelog", in.Changelog, 0, 5000)
	if err != nil {
		return VersionCreated{}, err
	}
	_, ch, err := s.check(ctx, reach{appID: c.AppID}, in.Manifest, t.ID)
	if err != nil || in.DryRun {
		return VersionCreated{Check: ch}, err
	}
	if !ch.Validation.Valid {
		return VersionCreated{}, manifestFailed(ch)
	}
	now := s.now()
	v := Version{UUID: uuid.NewString(), ToolkitUUID: t.UUID, Label: label, Status: Draft, Manifest: in.Manifest, Changelog: changelog,
		CreatedBy: createdBy(c), CreatedAt: now, UpdatedAt: now}
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.lockToolkit(ctx, tx, t.ID, now); err != nil {
			return err
		}
		if v.Number, err = s.store.nextNumber(ctx, tx, t.ID); err != nil {
			return err
		}
		return s.store.insertVersion(ctx, tx, t.ID, &v)
	})
	if store.IsUniqueViolation(err) {
		return VersionCreated{}, fault.Conflict("draft_exists", "the toolkit already has a draft version; publish or discard it first")
	}
	if err != nil {
		return VersionCreated{}, err
	}
	return VersionCreated{Version: &v, Check: ch}, nil
}

// UpdateVersion changes a draft.
func (s *Service) UpdateVersion(ctx context.Context, c caller.Caller, id, versionID string, p VersionPatch) (Version, error) {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return Version{}, err
	}
	if p.Label != nil {
		l, err := validText("version_label", *p.Label, 1, 50)
		if err != nil {
			return Version{}, err
		}
		p.Label = &l
	}
	if p.Changelog != nil {
		if _, err := validText("changelog", *p.Changelog, 0, 5000); err != nil {
			return Version{}, err
		}
	}
	if len(p.Manifest) > 0 {
		_, ch, err := s.check(ctx, reach{appID: c.AppID}, p.Manifest, t.ID)
		if err != nil {
			return Version{}, err
		}
		if !ch.Validation.Valid {
			return Version{}, manifestFailed(ch)
		}
	}
	if err := s.store.updateDraft(ctx, t, versionID, p, s.now()); err != nil {
		return Version{}, err
	}
	return s.store.version(ctx, t, versionID)
}

// Discard deletes a draft.
func (s *Service) Discard(ctx context.Context, c caller.Caller, id, versionID string) error {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	return s.store.discard(ctx, t, versionID)
}

// Publish makes a draft the published version (the published one before it
// becomes deprecated) and propagates it to the installed workspaces as
// mode says; an empty mode follows the toolkit's auto_propagate setting.
func (s *Service) Publish(ctx context.Context, c caller.Caller, id, versionID string, mode Propagation) error {
	return s.promote(ctx, c, id, versionID, Draft, mode)
}

// Republish makes a deprecated version the published one again.
func (s *Service) Republish(ctx context.Context, c caller.Caller, id, versionID string) error {
	return s.promote(ctx, c, id, versionID, Deprecated, "")
}

func (s *Service) promote(ctx context.Context, c caller.Caller, id, versionID, from string, mode Propagation) error {
	switch mode {
	case "", PropagateNone, PropagateNormal, PropagateForce:
	default:
		return fault.Invalid("propagation", "validation_error", "propagation must be none, normal or force")
	}
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	if mode == "" {
		mode = PropagateNone
		if t.AutoPropagate {
			mode = PropagateNormal
		}
	}
	now := s.now()
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.lockToolkit(ctx, tx, t.ID, now); err != nil {
			return err
		}
		v, err := s.store.versionTx(ctx, tx, t.ID, versionID)
		if err != nil {
			return err
		}
		if v.Status != from {
			return fault.Invalid("version_id", "invalid_version_status", "the version is %s, not %s", v.Status, from)
		}
		if err := s.store.publish(ctx, tx, t.ID, v, now); err != nil {
			return err
		}
		if mode == PropagateNone {
			return nil
		}
		ids, err := s.store.activeInstallations(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		for _, inst := range ids {
			if _, err := tx.Insert(ctx, PropagateArgs{InstallationID: inst, VersionID: v.ID, Mode: mode}, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// Installations pages through a toolkit's installations, with counts over
// the app's linked workspaces.
func (s *Service) Installations(ctx context.Context, c caller.Caller, id string, r page.Request) (InstallationPage, error) {
	r, err := AdminPage(r).Normalize(AdminMaxLimit)
	if err != nil {
		return InstallationPage{}, err
	}
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return InstallationPage{}, err
	}
	return s.store.installations(ctx, t, r)
}

// Workspaces pages through the workspaces linked to the caller's app.
func (s *Service) Workspaces(ctx context.Context, c caller.Caller, r page.Request) (page.Page[Workspace], error) {
	r, err := AdminPage(r).Normalize(AdminMaxLimit)
	if err != nil {
		return page.Page[Workspace]{}, err
	}
	return s.store.workspaces(ctx, c.AppID, r)
}

func singular(kind string) string {
	switch kind {
	case KindTemplate:
		return "template"
	case KindNextStep:
		return "next_step"
	case KindButton:
		return "action_button"
	case KindShortcut:
		return "shortcut"
	case KindWorkflow:
		return "workflow"
	case KindCanvas:
		return "canvas_template"
	}
	return kind
}

// existingRefs collects, per kind, the UUIDs of existing entities a
// manifest names.
func existingRefs(m Manifest) map[string][]string {
	out := map[string][]string{}
	add := func(kind, id string) {
		if id != "" {
			out[kind] = append(out[kind], id)
		}
	}
	for _, e := range m.Templates {
		add(KindTemplate, e.ID)
		for _, r := range e.NextSteps {
			add(KindNextStep, r.NextStep.ID)
			if r.DefaultActionButton != nil {
				add(KindButton, r.DefaultActionButton.ID)
			}
		}
	}
	for _, e := range m.NextSteps {
		add(KindNextStep, e.ID)
		for _, r := range e.ActionButtons {
			add(KindButton, r.ActionButton.ID)
		}
		if e.DefaultActionButton != nil {
			add(KindButton, e.DefaultActionButton.ID)
		}
	}
	for _, e := range m.ActionButtons {
		add(KindButton, e.ID)
	}
	for _, e := range m.Shortcuts {
		add(KindShortcut, e.ID)
	}
	for _, e := range m.Workflows {
		add(KindWorkflow, e.ID)
	}
	for _, e := range m.CanvasTemplates {
		add(KindCanvas, e.ID)
	}
	return out
}

// specNames collects, per kind, the names of the entities a manifest
// creates.
func specNames(m Manifest) map[string][]string {
	out := map[string][]string{}
	for _, e := range m.Templates {
		if e.Spec != nil {
			out[KindTemplate] = append(out[KindTemplate], e.Spec.Name)
		}
	}
	for _, e := range m.NextSteps {
		if e.Spec != nil {
			out[KindNextStep] = append(out[KindNextStep], e.Spec.Name)
		}
	}
	for _, e := range m.ActionButtons {
		if e.Spec != nil {
			out[KindButton] = append(out[KindButton], e.Spec.Name)
		}
	}
	for _, e := range m.Shortcuts {
		if e.Spec != nil {
			out[KindShortcut] = append(out[KindShortcut], e.Spec.Name)
		}
	}
	for _, e := range m.Workflows {
		if e.Spec != nil {
			out[KindWorkflow] = append(out[KindWorkflow], e.Spec.Name)
		}
	}
	for _, e := range m.CanvasTemplates {
		if e.Spec != nil {
			out[KindCanvas] = append(out[KindCanvas], e.Spec.Name)
		}
	}
	return out
}
