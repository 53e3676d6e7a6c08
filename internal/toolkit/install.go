package toolkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/page"
)

// ForUser pages through the active toolkits of the caller's app, each with
// its installation in the caller's workspace when it is installed there.
func (s *Service) ForUser(ctx context.Context, c caller.Caller, r page.Request) (page.Page[UserToolkit], error) {
	r, err := r.Normalize(page.MaxLimit)
	if err != nil {
		return page.Page[UserToolkit]{}, err
	}
	p, err := s.store.list(ctx, c.AppID, true, r)
	if err != nil {
		return page.Page[UserToolkit]{}, err
	}
	out := page.Page[UserToolkit]{Items: make([]UserToolkit, len(p.Items)), Total: p.Total, Limit: p.Limit, Offset: p.Offset}
	for i, t := range p.Items {
		if out.Items[i], err = s.userToolkit(ctx, c, t); err != nil {
			return out, err
		}
	}
	return out, nil
}

// ForUserOne returns one toolkit as ForUser does.
func (s *Service) ForUserOne(ctx context.Context, c caller.Caller, id string) (UserToolkit, error) {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return UserToolkit{}, err
	}
	return s.userToolkit(ctx, c, t)
}

func (s *Service) userToolkit(ctx context.Context, c caller.Caller, t Toolkit) (UserToolkit, error) {
	inst, err := s.store.installation(ctx, t.ID, c.OrgID)
	if errors.Is(err, fault.ErrNotFound) || err == nil && inst.Status != Active {
		return UserToolkit{Toolkit: t}, nil
	}
	if err != nil {
		return UserToolkit{}, err
	}
	return UserToolkit{Toolkit: t, Installation: &inst}, nil
}

// Install creates a toolkit's entities in the caller's workspace. A dry
// run checks the manifest against the workspace and creates nothing.
// Installing an installed toolkit is a conflict; installing one the
// workspace uninstalled installs it again.
func (s *Service) Install(ctx context.Context, c caller.Caller, id string, dryRun bool) (Installation, error) {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return Installation{}, err
	}
	if c.OrgID == 0 {
		return Installation{}, fault.Invalid("workspace", "workspace_not_found", "the caller has no workspace")
	}
	m, ch, err := s.check(ctx, reach{appID: t.AppID, orgID: c.OrgID}, t.Manifest, t.ID)
	if err != nil {
		return Installation{}, err
	}
	existing, err := s.store.installation(ctx, t.ID, c.OrgID)
	if err != nil && !errors.Is(err, fault.ErrNotFound) {
		return Installation{}, err
	}
	if err == nil && existing.Status == Active {
		return Installation{}, fault.Conflict("resource_already_exists", "the toolkit is already installed in this workspace")
	}
	if dryRun {
		return Installation{ToolkitUUID: t.UUID, OrgID: c.OrgID, VersionLabel: t.Version, Status: Active, DryRun: true, Check: ch,
			Entities: planned(m)}, nil
	}
	if !ch.Validation.Valid {
		return Installation{}, manifestFailed(ch)
	}
	now := s.now()
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		instID, err := s.store.activate(ctx, tx, t, c, uuid.NewString(), now)
		if err != nil {
			return err
		}
		return s.reconcile(ctx, tx, t.AppID, c.OrgID, instID, m, PropagateForce, now)
	})
	if err != nil {
		return Installation{}, err
	}
	inst, err := s.store.installation(ctx, t.ID, c.OrgID)
	inst.Check = ch
	return inst, err
}

// Uninstall removes exactly the entities the toolkit's installation created
// in the caller's workspace and marks it opted out.
func (s *Service) Uninstall(ctx context.Context, c caller.Caller, id string) error {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		instID, err := s.store.optOut(ctx, tx, t.ID, c.OrgID, s.now())
		if err != nil {
			return err
		}
		for _, kind := range Kinds {
			if err := s.store.deleteInstalled(ctx, tx, kind, instID, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// planned lists the local ids a manifest would create, with no UUIDs yet.
func planned(m Manifest) Entities {
	out := emptyEntities()
	add := func(kind string, i int, has bool, id string) {
		if has {
			out[kind][localID(kind, i, id)] = ""
		}
	}
	for i, e := range m.ActionButtons {
		add(KindButton, i, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
	}
	for i, e := range m.NextSteps {
		add(KindNextStep, i, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
	}
	for i, e := range m.Templates {
		add(KindTemplate, i, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
	}
	for i, e := range m.Shortcuts {
		add(KindShortcut, i, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
	}
	for i, e := range m.Workflows {
		add(KindWorkflow, i, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
	}
	for i, e := range m.CanvasTemplates {
		add(KindCanvas, i, e.Spec != nil, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
	}
	return out
}

func emptyEntities() Entities {
	out := Entities{}
	for _, k := range Kinds {
		out[k] = map[string]string{}
	}
	return out
}

// resolved maps the references of a manifest to row ids in one workspace.
type resolved struct {
	local    map[string]map[string]int64 // kind -> local id -> row id
	existing map[string]map[string]int64 // kind -> uuid -> row id
}

func (r resolved) id(kind string, ref Ref) (int64, bool) {
	if ref.Ref != "" {
		id, ok := r.local[kind][ref.Ref]
		return id, ok
	}
	id, ok := r.existing[kind][ref.ID]
	return id, ok
}

// reconcile makes the entities of an installation match a manifest: specs
// already installed (by local id) are updated in place, new ones created,
// and installed ones the manifest no longer has deleted. With
// PropagateNormal an entity the workspace changed since the last sync is
// kept as it is. Relations are rewritten from the manifest.
func (s *Service) reconcile(ctx context.Context, tx *jobs.Tx, appID, orgID, instID int64, m Manifest, mode Propagation, now time.Time) error {
	syncedAt, err := s.store.syncedAt(ctx, tx, instID)
	if err != nil {
		return err
	}
	res := resolved{local: map[string]map[string]int64{}, existing: map[string]map[string]int64{}}
	for kind, ids := range existingRefs(m) {
		found, err := s.store.rowIDs(ctx, tx, kind, orgID, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, ok := found[id]; !ok {
				return fault.Invalid("manifest", "reference_not_found", "no %s with id %s in this workspace", singular(kind), id)
			}
		}
		res.existing[kind] = found
	}
	w := writer{s: s, tx: tx, appID: appID, orgID: orgID, instID: instID, mode: mode, syncedAt: syncedAt, now: now, res: res}
	if err := w.all(ctx, m); err != nil {
		return err
	}
	return s.store.markSynced(ctx, tx, instID, now)
}

// writer writes one manifest's entities into one installation.
type writer struct {
	s        *Service
	tx       *jobs.Tx
	appID    int64
	orgID    int64
	instID   int64
	mode     Propagation
	syncedAt time.Time
	now      time.Time
	res      resolved
}

func (w *writer) all(ctx context.Context, m Manifest) error {
	for _, kind := range Kinds {
		installed, err := w.s.store.installed(ctx, w.tx, kind, w.instID)
		if err != nil {
			return err
		}
		w.res.local[kind] = map[string]int64{}
		keep := []int64{}
		for i, r := range rowsOf(kind, m) {
			if r == nil {
				continue
			}
			local := localID(kind, i, r.localID)
			row := entityRow{kind: kind, cols: r.cols, vals: r.vals}
			cur, ok := installed[local]
			switch {
			case !ok:
				id, err := w.s.store.insertEntity(ctx, w.tx, row, w.orgID, w.appID, w.instID, local, w.now)
				if err != nil {
					return err
				}
				cur = installedRow{id: id}
			case w.mode == PropagateForce || !cur.updatedAt.After(w.syncedAt):
				if err := w.s.store.updateEntity(ctx, w.tx, row, cur.id, w.now); err != nil {
					return err
				}
			}
			w.res.local[kind][local] = cur.id
			keep = append(keep, cur.id)
		}
		if err := w.s.store.deleteInstalled(ctx, w.tx, kind, w.instID, keep); err != nil {
			return err
		}
	}
	return w.relations(ctx, m)
}

func (w *writer) relations(ctx context.Context, m Manifest) error {
	st := w.s.store
	for i, e := range m.NextSteps {
		stepID, ok := w.entryID(KindNextStep, i, e.ID, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
		if !ok {
			continue
		}
		if err := st.clearButtons(ctx, w.tx, stepID); err != nil {
			return err
		}
		var def int64
		if e.DefaultActionButton != nil {
			def, _ = w.res.id(KindButton, *e.DefaultActionButton)
		}
		for j, r := range e.ActionButtons {
			bid, ok := w.res.id(KindButton, r.ActionButton)
			if !ok {
				return fault.Invalid("manifest", "unresolved_ref", "next_steps[%d].action_buttons[%d] names no action button", i, j)
			}
			isDefault := bid == def || w.buttonDefault(m, r.ActionButton)
			if err := st.linkButton(ctx, w.tx, stepID, bid, orInt(r.SortOrder, j), isDefault); err != nil {
				return err
			}
		}
	}
	for i, e := range m.Templates {
		tplID, ok := w.entryID(KindTemplate, i, e.ID, specID(e.Spec != nil, func() string { return e.Spec.LocalID }))
		if !ok {
			continue
		}
		if err := st.clearTemplateSteps(ctx, w.tx, tplID); err != nil {
			return err
		}
		for j, r := range e.NextSteps {
			sid, ok := w.res.id(KindNextStep, r.NextStep)
			if !ok {
				return fault.Invalid("manifest", "unresolved_ref", "templates[%d].next_steps[%d] names no next step", i, j)
			}
			if err := st.linkTemplateStep(ctx, w.tx, tplID, sid, r.Autopilot, orInt(r.SortOrder, j), w.now); err != nil {
				return err
			}
		}
	}
	return nil
}

// entryID is the row of the i-th entry of a kind: the one the install
// wrote for a spec, or the existing entity an id entry names.
func (w *writer) entryID(kind string, i int, existing, local string) (int64, bool) {
	if existing != "" {
		id, ok := w.res.existing[kind][existing]
		return id, ok
	}
	id, ok := w.res.local[kind][localID(kind, i, local)]
	return id, ok
}

// buttonDefault reports whether the button spec a reference names says it
// is the default of its next step.
func (w *writer) buttonDefault(m Manifest, r Ref) bool {
	if r.Ref == "" {
		return false
	}
	for _, e := range m.ActionButtons {
		if e.Spec != nil && e.Spec.LocalID == r.Ref {
			return e.Spec.IsDefaultForNextStep
		}
	}
	return false
}

func orInt(p *int, def int) int {
	if p != nil {
		return *p
	}
	return def
}

// PropagateArgs is the job that brings one installation to a published
// version.
type PropagateArgs struct {
	InstallationID int64       `json:"installation_id"`
	VersionID      int64       `json:"version_id"`
	Mode           Propagation `json:"mode"`
}

// Kind implements river.JobArgs.
func (PropagateArgs) Kind() string { return "toolkit_propagate" }

// PropagateWorker works PropagateArgs; Service is set once it exists.
type PropagateWorker struct {
	river.WorkerDefaults[PropagateArgs]
	Service *Service
}

// Work updates the installation's entities to the version's manifest in
// one transaction. An installation that opted out meanwhile, or that a
// newer version already reached, is left alone; running it twice writes the
// same rows.
func (w *PropagateWorker) Work(ctx context.Context, job *river.Job[PropagateArgs]) error {
	s := w.Service
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		p, err := s.store.propagation(ctx, tx, job.Args.InstallationID, job.Args.VersionID)
		if errors.Is(err, errSkip) {
			return nil
		}
		if err != nil {
			return err
		}
		m, v := ParseManifest(p.manifest)
		if !v.Valid {
			s.logger.WarnContext(ctx, "toolkit version no longer valid; not propagated", "installation_id", job.Args.InstallationID)
			return nil
		}
		if err := s.reconcile(ctx, tx, p.appID, p.orgID, job.Args.InstallationID, m, job.Args.Mode, s.now()); err != nil {
			var fe *fault.Error
			if errors.As(err, &fe) {
				s.logger.WarnContext(ctx, "toolkit version not propagated", "installation_id", job.Args.InstallationID, "error", err)
				return nil
			}
			return fmt.Errorf("propagate version %d to installation %d: %w", job.Args.VersionID, job.Args.InstallationID, err)
		}
		return s.store.setInstalledVersion(ctx, tx, job.Args.InstallationID, job.Args.VersionID, p.label, s.now())
	})
}

// entitySpec is one manifest spec as table columns.
type entitySpec struct {
	localID string
	cols    []string
	vals    []any
}

// rowsOf turns a kind's entries into the rows to write; id entries are
// nil, since they name entities that exist already.
func rowsOf(kind string, m Manifest) []*entitySpec {
	var out []*entitySpec
	switch kind {
	case KindButton:
		for _, e := range m.ActionButtons {
			var r *entitySpec
			if s := e.Spec; s != nil {
				r = &entitySpec{localID: s.LocalID, cols: buttonCols, vals: []any{s.Name, s.Description, s.ContentFormat,
					s.DeliveryMechanism, firstOf(s.IconName, s.IconURL), s.FileFormat, firstOf(s.IntegrationType, s.IntegrationID),
					firstOf(s.RedirectURL, s.RedirectURLTemplate), s.WebhookURL, s.EmailSubjectTemplate, s.RequiresConnectedIntegration,
					orInt(s.SortOrder, 0)}}
			}
			out = append(out, r)
		}
	case KindNextStep:
		for _, e := range m.NextSteps {
			var r *entitySpec
			if s := e.Spec; s != nil {
				r = &entitySpec{localID: s.LocalID, cols: stepCols, vals: []any{s.Name, s.Description, string(stepType(*s)), s.AIPrompt,
					s.Color, s.IconName, s.RedirectURL, orInt(s.SortOrder, 0)}}
			}
			out = append(out, r)
		}
	case KindTemplate:
		for _, e := range m.Templates {
			var r *entitySpec
			if s := e.Spec; s != nil {
				agenda, _ := json.Marshal(nonNil(s.AgendaItems))
				participants, _ := json.Marshal(nonNil(s.Participants))
				r = &entitySpec{localID: s.LocalID, cols: templateCols, vals: []any{s.Name, s.Description, s.Title, s.DetailLevel,
					orInt(s.MeetingDurationSeconds, 0), orInt(s.StartTimeOffsetSeconds, -1), "PARTNER", string(agenda), string(participants)}}
			}
			out = append(out, r)
		}
	case KindShortcut:
		for _, e := range m.Shortcuts {
			var r *entitySpec
			if s := e.Spec; s != nil {
				surfaces, _ := json.Marshal(nonNil(s.Surfaces))
				r = &entitySpec{localID: s.LocalID, cols: shortcutCols, vals: []any{s.Slug, s.Name, s.Description, s.Prompt, s.Color,
					firstOf(s.IconName, s.Icon), string(surfaces)}}
			}
			out = append(out, r)
		}
	case KindWorkflow:
		for _, e := range m.Workflows {
			var r *entitySpec
			if s := e.Spec; s != nil {
				r = &entitySpec{localID: s.LocalID, cols: workflowCols, vals: []any{s.Slug, s.Name, s.Description, string(s.Spec)}}
			}
			out = append(out, r)
		}
	case KindCanvas:
		for _, e := range m.CanvasTemplates {
			var r *entitySpec
			if s := e.Spec; s != nil {
				content := string(s.Content)
				if content == "" {
					content = "{}"
				}
				r = &entitySpec{localID: s.LocalID, cols: canvasCols, vals: []any{s.Slug, s.Name, s.Description,
					firstOf(s.CanvasType, "MANUAL"), content}}
			}
			out = append(out, r)
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
