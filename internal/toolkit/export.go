package toolkit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/store"
)

// exported is an entity read back for export: its row and its spec.
type exported[S any] struct {
	id   int64
	uuid string
	spec S
}

// exporter builds a manifest from entities of one app. Every entity gets a
// manifest-local id; relations between exported entities become $refs.
type exporter struct {
	s        *Service
	appID    int64
	m        Manifest
	warnings []ExportWarning
	local    map[string]map[int64]string // kind -> row id -> local id
}

func newExporter(s *Service, appID int64) *exporter {
	return &exporter{s: s, appID: appID, local: map[string]map[int64]string{}}
}

func (e *exporter) has(kind string, id int64) bool {
	_, ok := e.local[kind][id]
	return ok
}

func (e *exporter) name(kind string, id int64) string {
	if e.local[kind] == nil {
		e.local[kind] = map[int64]string{}
	}
	l := fmt.Sprintf("exported_%s_%d", singular(kind), len(e.local[kind])+1)
	e.local[kind][id] = l
	return l
}

// ExportEntities builds a manifest from entities of the caller's app. The
// next steps of exported templates and the buttons of exported next steps
// come along, with a warning naming each, so the manifest installs whole.
func (s *Service) ExportEntities(ctx context.Context, c caller.Caller, req ExportRequest) (Export, error) {
	if len(req.TemplateIDs)+len(req.NextStepIDs)+len(req.ActionButtonIDs)+len(req.ShortcutIDs)+len(req.WorkflowIDs)+
		len(req.CanvasTemplateIDs) == 0 {
		return Export{}, fault.Invalid("template_ids", "validation_error", "name at least one entity to export")
	}
	name, err := validText("name", req.Name, 0, 255)
	if err != nil {
		return Export{}, err
	}
	desc, err := validText("description", req.Description, 0, 1000)
	if err != nil {
		return Export{}, err
	}
	if name == "" {
		name = "Exported toolkit"
	}
	e := newExporter(s, c.AppID)
	if err := e.entities(ctx, req); err != nil {
		return Export{}, err
	}
	e.m.Name = name
	return Export{Name: name, Description: desc, Manifest: e.m, Summary: e.m.Summarize(), Warnings: e.warnings}, nil
}

func (e *exporter) entities(ctx context.Context, req ExportRequest) error {
	st := e.s.store
	templates, err := st.exportTemplates(ctx, e.appID, "uuid", store.Args(req.TemplateIDs))
	if err != nil {
		return err
	}
	if err := mustAll(KindTemplate, req.TemplateIDs, len(templates)); err != nil {
		return err
	}
	tplSteps, err := st.templateStepRels(ctx, ids(templates))
	if err != nil {
		return err
	}
	steps, err := st.exportSteps(ctx, e.appID, "uuid", store.Args(req.NextStepIDs))
	if err != nil {
		return err
	}
	if err := mustAll(KindNextStep, req.NextStepIDs, len(steps)); err != nil {
		return err
	}
	// Next steps of exported templates come along.
	want := map[int64]bool{}
	for _, s := range steps {
		want[s.id] = true
	}
	var extra []any
	for _, rels := range tplSteps {
		for _, r := range rels {
			if !want[r.stepID] {
				want[r.stepID] = true
				extra = append(extra, r.stepID)
			}
		}
	}
	more, err := st.exportSteps(ctx, e.appID, "id", extra)
	if err != nil {
		return err
	}
	for _, s := range more {
		e.warn(KindNextStep, s.spec.Name, "dependency_included", "included because an exported template uses it")
	}
	steps = append(steps, more...)
	stepButtons, err := st.stepButtonRels(ctx, ids(steps))
	if err != nil {
		return err
	}
	buttons, err := st.exportButtons(ctx, e.appID, "uuid", store.Args(req.ActionButtonIDs))
	if err != nil {
		return err
	}
	if err := mustAll(KindButton, req.ActionButtonIDs, len(buttons)); err != nil {
		return err
	}
	haveButton := map[int64]bool{}
	for _, b := range buttons {
		haveButton[b.id] = true
	}
	var extraButtons []any
	for _, rels := range stepButtons {
		for _, r := range rels {
			if !haveButton[r.buttonID] {
				haveButton[r.buttonID] = true
				extraButtons = append(extraButtons, r.buttonID)
			}
		}
	}
	moreButtons, err := st.exportButtons(ctx, e.appID, "id", extraButtons)
	if err != nil {
		return err
	}
	for _, b := range moreButtons {
		e.warn(KindButton, b.spec.Name, "dependency_included", "included because an exported next step uses it")
	}
	buttons = append(buttons, moreButtons...)

	for _, b := range buttons {
		spec := b.spec
		spec.LocalID = e.name(KindButton, b.id)
		e.m.ActionButtons = append(e.m.ActionButtons, ButtonEntry{Spec: &spec})
	}
	for _, s := range steps {
		spec := s.spec
		spec.LocalID = e.name(KindNextStep, s.id)
		entry := NextStepEntry{Spec: &spec}
		for _, r := range stepButtons[s.id] {
			ref := Ref{Ref: e.local[KindButton][r.buttonID]}
			order := r.order
			entry.ActionButtons = append(entry.ActionButtons, ButtonRel{ActionButton: ref, SortOrder: &order})
			if r.isDefault {
				def := ref
				entry.DefaultActionButton = &def
			}
		}
		e.m.NextSteps = append(e.m.NextSteps, entry)
	}
	for _, t := range templates {
		spec := t.spec
		spec.LocalID = e.name(KindTemplate, t.id)
		entry := TemplateEntry{Spec: &spec}
		for _, r := range tplSteps[t.id] {
			order := r.order
			entry.NextSteps = append(entry.NextSteps, TemplateStepRel{NextStep: Ref{Ref: e.local[KindNextStep][r.stepID]},
				Autopilot: r.autopilot, SortOrder: &order})
		}
		e.m.Templates = append(e.m.Templates, entry)
	}
	shortcuts, err := st.exportShortcuts(ctx, e.appID, store.Args(req.ShortcutIDs))
	if err != nil {
		return err
	}
	if err := mustAll(KindShortcut, req.ShortcutIDs, len(shortcuts)); err != nil {
		return err
	}
	for _, x := range shortcuts {
		spec := x.spec
		spec.LocalID = e.name(KindShortcut, x.id)
		e.m.Shortcuts = append(e.m.Shortcuts, ShortcutEntry{Spec: &spec})
	}
	workflows, err := st.exportWorkflows(ctx, e.appID, store.Args(req.WorkflowIDs))
	if err != nil {
		return err
	}
	if err := mustAll(KindWorkflow, req.WorkflowIDs, len(workflows)); err != nil {
		return err
	}
	for _, x := range workflows {
		spec := x.spec
		spec.LocalID = e.name(KindWorkflow, x.id)
		e.m.Workflows = append(e.m.Workflows, WorkflowEntry{Spec: &spec})
	}
	canvases, err := st.exportCanvases(ctx, e.appID, store.Args(req.CanvasTemplateIDs))
	if err != nil {
		return err
	}
	if err := mustAll(KindCanvas, req.CanvasTemplateIDs, len(canvases)); err != nil {
		return err
	}
	for _, x := range canvases {
		spec := x.spec
		spec.LocalID = e.name(KindCanvas, x.id)
		e.m.CanvasTemplates = append(e.m.CanvasTemplates, CanvasEntry{Spec: &spec})
	}
	return nil
}

func (e *exporter) warn(kind, name, code, msg string) {
	e.warnings = append(e.warnings, ExportWarning{EntityType: singular(kind), EntityName: name, Code: code, Message: msg})
}

// mustAll reports the ids of a kind that matched no entity of the app.
func mustAll(kind string, want []string, got int) error {
	if got < len(dedupe(want)) {
		return fault.NotFound(strings.ReplaceAll(singular(kind), "_", " "))
	}
	return nil
}

func dedupe(ids []string) map[string]bool {
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

func ids[S any](rows []exported[S]) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.id
	}
	return out
}

// ExportToolkit turns a toolkit's published manifest into a self-contained
// one: entries that name existing entities become specs read from those
// entities, and references to them become $refs. The result installs to
// the same entities the toolkit does.
func (s *Service) ExportToolkit(ctx context.Context, c caller.Caller, id string) (Export, error) {
	t, err := s.Get(ctx, c, id)
	if err != nil {
		return Export{}, err
	}
	m, v := ParseManifest(t.Manifest)
	if !v.Valid {
		return Export{}, manifestFailed(Check{Validation: v})
	}
	e := newExporter(s, t.AppID)
	// Existing entities the manifest names are exported beside its specs.
	refs := existingRefs(m)
	req := ExportRequest{TemplateIDs: refs[KindTemplate], NextStepIDs: refs[KindNextStep], ActionButtonIDs: refs[KindButton],
		ShortcutIDs: refs[KindShortcut], WorkflowIDs: refs[KindWorkflow], CanvasTemplateIDs: refs[KindCanvas]}
	if err := e.entities(ctx, req); err != nil {
		return Export{}, err
	}
	byUUID, err := s.localsByUUID(ctx, t.AppID, e, refs)
	if err != nil {
		return Export{}, err
	}
	out := e.m
	fix := func(kind string, r Ref) Ref {
		if r.ID != "" {
			if l, ok := byUUID[kind][r.ID]; ok {
				return Ref{Ref: l}
			}
		}
		return r
	}
	for _, x := range m.ActionButtons {
		if x.Spec != nil {
			out.ActionButtons = append(out.ActionButtons, x)
		}
	}
	for _, x := range m.NextSteps {
		if x.Spec == nil {
			continue
		}
		for i := range x.ActionButtons {
			x.ActionButtons[i].ActionButton = fix(KindButton, x.ActionButtons[i].ActionButton)
		}
		if x.DefaultActionButton != nil {
			r := fix(KindButton, *x.DefaultActionButton)
			x.DefaultActionButton = &r
		}
		out.NextSteps = append(out.NextSteps, x)
	}
	for _, x := range m.Templates {
		if x.Spec == nil {
			continue
		}
		for i := range x.NextSteps {
			x.NextSteps[i].NextStep = fix(KindNextStep, x.NextSteps[i].NextStep)
		}
		out.Templates = append(out.Templates, x)
	}
	for _, x := range m.Shortcuts {
		if x.Spec != nil {
			out.Shortcuts = append(out.Shortcuts, x)
		}
	}
	for _, x := range m.Workflows {
		if x.Spec != nil {
			out.Workflows = append(out.Workflows, x)
		}
	}
	for _, x := range m.CanvasTemplates {
		if x.Spec != nil {
			out.CanvasTemplates = append(out.CanvasTemplates, x)
		}
	}
	out.Name, out.Version, out.SchemaVersion, out.OwnershipType = firstOf(m.Name, t.Name), firstOf(m.Version, t.Version), m.SchemaVersion, m.OwnershipType
	out.License, out.LicenseURL, out.ToolkitPrompt, out.UsageGuidance = m.License, m.LicenseURL, m.ToolkitPrompt, m.UsageGuidance
	if err := noLocalClash(out); err != nil {
		return Export{}, err
	}
	return Export{Name: t.Name, Slug: t.Slug, Description: t.Description, Version: t.Version, License: m.License,
		LicenseURL: m.LicenseURL, Manifest: out, Summary: out.Summarize(), Warnings: e.warnings}, nil
}

// localsByUUID maps the UUIDs a toolkit manifest names to the local ids the
// exporter gave them.
func (s *Service) localsByUUID(ctx context.Context, appID int64, e *exporter, refs map[string][]string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for kind, uuids := range refs {
		rows, err := s.store.idsByUUID(ctx, kind, appID, uuids)
		if err != nil {
			return nil, err
		}
		out[kind] = map[string]string{}
		for u, id := range rows {
			if l, ok := e.local[kind][id]; ok {
				out[kind][u] = l
			}
		}
	}
	return out, nil
}

// noLocalClash refuses an export whose generated local ids collide with the
// manifest's own, which would make its $refs ambiguous.
func noLocalClash(m Manifest) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, v := ParseManifest(raw); !v.Valid {
		return fault.Invalid("manifest", "manifest_validation_failed", "the exported manifest is not valid: %s", describeIssues(v.Errors))
	}
	return nil
}
