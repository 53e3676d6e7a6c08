package partneradmin

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/partneruser"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/template"
	"github.com/quorumhq/quorum/internal/toolkit"
	"github.com/quorumhq/quorum/internal/workflow"
)

// toolkitsHandler serves toolkits, versions, distribution and export
// (A31-A46), templates and their next steps (A47-A55) and workflow
// templates (A56-A57).
type toolkitsHandler struct{ *Handler }

func (h toolkitsHandler) register(api huma.API, s *rest.Surface) {
	const kits, tpls, wf = "Admin: toolkits", "Admin: templates", "Admin: workflow templates"
	rest.Register(api, s, rest.Op{ID: "createToolkit", Method: http.MethodPost, Path: "/toolkits", Tag: kits,
		Summary: "Create a toolkit from a manifest (or check one with dry_run)", Status: http.StatusCreated}, h.createToolkit)
	rest.Register(api, s, rest.Op{ID: "adminGetToolkits", Method: http.MethodGet, Path: "/toolkits", Tag: kits,
		Summary: "The app's toolkits"}, h.listToolkits)
	rest.Register(api, s, rest.Op{ID: "adminGetToolkit", Method: http.MethodGet, Path: "/toolkits/{toolkitId}", Tag: kits,
		Summary: "One toolkit with its manifest"}, h.getToolkit)
	// The SDK sends PUT; the OpenAPI document says PATCH. Both are served.
	rest.Register(api, s, rest.Op{ID: "updateToolkit", Method: http.MethodPut, Path: "/toolkits/{toolkitId}", Tag: kits,
		Summary: "Change a toolkit's settings"}, h.updateToolkit)
	rest.Register(api, s, rest.Op{ID: "patchToolkit", Method: http.MethodPatch, Path: "/toolkits/{toolkitId}", Tag: kits,
		Summary: "Change a toolkit's settings (alias)"}, h.updateToolkit)
	rest.Register(api, s, rest.Op{ID: "deleteToolkit", Method: http.MethodDelete, Path: "/toolkits/{toolkitId}", Tag: kits,
		Summary: "Delete a toolkit and what it installed", Status: http.StatusNoContent}, h.deleteToolkit)
	rest.Register(api, s, rest.Op{ID: "listToolkitVersions", Method: http.MethodGet, Path: "/toolkits/{toolkitId}/versions", Tag: kits,
		Summary: "A toolkit's versions (a bare array)"}, h.listVersions)
	rest.Register(api, s, rest.Op{ID: "createToolkitVersion", Method: http.MethodPost, Path: "/toolkits/{toolkitId}/versions", Tag: kits,
		Summary: "Add a draft version", Status: http.StatusCreated}, h.createVersion)
	rest.Register(api, s, rest.Op{ID: "getToolkitVersion", Method: http.MethodGet, Path: "/toolkits/{toolkitId}/versions/{versionId}",
		Tag: kits, Summary: "One version"}, h.getVersion)
	rest.Register(api, s, rest.Op{ID: "updateToolkitVersion", Method: http.MethodPatch, Path: "/toolkits/{toolkitId}/versions/{versionId}",
		Tag: kits, Summary: "Change a draft"}, h.updateVersion)
	rest.Register(api, s, rest.Op{ID: "publishToolkitVersion", Method: http.MethodPost,
		Path: "/toolkits/{toolkitId}/versions/{versionId}/publish", Tag: kits, Summary: "Publish a draft and propagate it",
		Status: http.StatusNoContent}, h.publishVersion)
	rest.Register(api, s, rest.Op{ID: "republishToolkitVersion", Method: http.MethodPost,
		Path: "/toolkits/{toolkitId}/versions/{versionId}/republish", Tag: kits, Summary: "Publish a deprecated version again",
		Status: http.StatusNoContent}, h.republishVersion)
	rest.Register(api, s, rest.Op{ID: "discardToolkitVersion", Method: http.MethodDelete, Path: "/toolkits/{toolkitId}/versions/{versionId}",
		Tag: kits, Summary: "Delete a draft", Status: http.StatusNoContent}, h.discardVersion)
	rest.Register(api, s, rest.Op{ID: "getToolkitInstallations", Method: http.MethodGet, Path: "/toolkits/{toolkitId}/installations",
		Tag: kits, Summary: "Where a toolkit is installed"}, h.installations)
	rest.Register(api, s, rest.Op{ID: "getWorkspaces", Method: http.MethodGet, Path: "/workspaces", Tag: kits,
		Summary: "The workspaces linked to the app"}, h.workspaces)
	rest.Register(api, s, rest.Op{ID: "exportEntities", Method: http.MethodPost, Path: "/toolkits/export", Tag: kits,
		Summary: "Export entities as a manifest"}, h.exportEntities)
	rest.Register(api, s, rest.Op{ID: "exportToolkit", Method: http.MethodGet, Path: "/toolkits/{toolkitId}/export", Tag: kits,
		Summary: "Export a toolkit as a self-contained manifest"}, h.exportToolkit)

	rest.Register(api, s, rest.Op{ID: "createTemplate", Method: http.MethodPost, Path: "/templates", Tag: tpls,
		Summary: "Create a template (optionally from a meeting)", Status: http.StatusCreated}, h.createTemplate)
	rest.Register(api, s, rest.Op{ID: "getTemplates", Method: http.MethodGet, Path: "/templates", Tag: tpls,
		Summary: "The app's templates"}, h.listTemplates)
	rest.Register(api, s, rest.Op{ID: "getTemplate", Method: http.MethodGet, Path: "/templates/{templateId}", Tag: tpls,
		Summary: "One template"}, h.getTemplate)
	rest.Register(api, s, rest.Op{ID: "updateTemplate", Method: http.MethodPut, Path: "/templates/{templateId}", Tag: tpls,
		Summary: "Change a template"}, h.updateTemplate)
	rest.Register(api, s, rest.Op{ID: "deleteTemplate", Method: http.MethodDelete, Path: "/templates/{templateId}", Tag: tpls,
		Summary: "Delete a template", Status: http.StatusNoContent}, h.deleteTemplate)
	rest.Register(api, s, rest.Op{ID: "getTemplateNextSteps", Method: http.MethodGet, Path: "/templates/{templateId}/next-steps", Tag: tpls,
		Summary: "A template's next steps"}, h.templateSteps)
	rest.Register(api, s, rest.Op{ID: "addTemplateNextStep", Method: http.MethodPost, Path: "/templates/{templateId}/next-steps", Tag: tpls,
		Summary: "Put a next step on a template"}, h.addTemplateStep)
	rest.Register(api, s, rest.Op{ID: "updateTemplateNextStep", Method: http.MethodPut, Path: "/templates/{templateId}/next-steps/{nextStepId}",
		Tag: tpls, Summary: "Change a template's next step"}, h.updateTemplateStep)
	rest.Register(api, s, rest.Op{ID: "removeTemplateNextStep", Method: http.MethodDelete,
		Path: "/templates/{templateId}/next-steps/{nextStepId}", Tag: tpls, Summary: "Take a next step off a template",
		Status: http.StatusNoContent}, h.removeTemplateStep)

	rest.Register(api, s, rest.Op{ID: "listWorkflowTemplates", Method: http.MethodGet, Path: "/workflow-templates", Tag: wf,
		Summary: "The app's workflow templates in every workspace"}, h.listWorkflowTemplates)
	rest.Register(api, s, rest.Op{ID: "getWorkflowTemplate", Method: http.MethodGet, Path: "/workflow-templates/{workflowTemplateId}", Tag: wf,
		Summary: "One workflow template with its DAG spec"}, h.getWorkflowTemplate)
}

// adminPage is the admin lists' offset paging (default 50, at most 100).
type adminPage struct {
	Limit  int `query:"limit" doc:"items per page (default 50, at most 100)"`
	Offset int `query:"offset" doc:"items to skip"`
}

func (q adminPage) request() page.Request {
	return toolkit.AdminPage(page.Request{Limit: q.Limit, Offset: q.Offset})
}

// ---- toolkits ----

// Toolkit is the admin view of a toolkit; its manifest is the one the
// partner sent, byte for byte.
type Toolkit struct {
	ID                         string          `json:"id"`
	Name                       string          `json:"name"`
	Slug                       string          `json:"slug"`
	Description                string          `json:"description"`
	Version                    string          `json:"version"`
	IsActive                   bool            `json:"is_active"`
	OwnershipType              string          `json:"ownership_type"`
	PartnerAppID               string          `json:"partner_app_id"`
	Manifest                   json.RawMessage `json:"manifest"`
	AutoPropagate              bool            `json:"auto_propagate"`
	AutoInstallOnNewWorkspaces bool            `json:"auto_install_on_new_workspaces"`
	CreatedAt                  string          `json:"created_at"`
	UpdatedAt                  string          `json:"updated_at"`
}

func toToolkit(ctx context.Context, t toolkit.Toolkit) Toolkit {
	return Toolkit{ID: t.UUID, Name: t.Name, Slug: t.Slug, Description: t.Description, Version: t.Version, IsActive: t.IsActive,
		OwnershipType: t.Ownership, PartnerAppID: t.AppUUID, Manifest: t.Manifest, AutoPropagate: t.AutoPropagate,
		AutoInstallOnNewWorkspaces: t.AutoInstall, CreatedAt: rest.Time(ctx, t.CreatedAt), UpdatedAt: rest.Time(ctx, t.UpdatedAt)}
}

// ManifestSummary counts a manifest's entities.
type ManifestSummary struct {
	Templates     int `json:"templates"`
	NextSteps     int `json:"next_steps"`
	ActionButtons int `json:"action_buttons"`
	Shortcuts     int `json:"shortcuts"`
	// Workflows and CanvasTemplates count the SDK's extra kinds.
	Workflows       int `json:"workflows"`
	CanvasTemplates int `json:"canvas_templates"`
}

func toSummary(s toolkit.Summary) ManifestSummary {
	return ManifestSummary{Templates: s.Templates, NextSteps: s.NextSteps, ActionButtons: s.ActionButtons, Shortcuts: s.Shortcuts,
		Workflows: s.Workflows, CanvasTemplates: s.CanvasTemplates}
}

// CreateToolkitResponse holds the toolkit (absent for a dry run) and the
// check of its manifest.
type CreateToolkitResponse struct {
	Toolkit    *Toolkit           `json:"toolkit,omitempty"`
	Validation toolkit.Validation `json:"validation"`
	Conflicts  []toolkit.Conflict `json:"conflicts"`
	Summary    ManifestSummary    `json:"summary"`
}

type createToolkitInput struct {
	Body struct {
		Name        string          `json:"name" maxLength:"255"`
		Slug        string          `json:"slug" maxLength:"100"`
		Description string          `json:"description,omitempty" maxLength:"1000"`
		Version     string          `json:"version" maxLength:"50"`
		Manifest    json.RawMessage `json:"manifest" doc:"the toolkit manifest, stored and returned unchanged"`
		DryRun      bool            `json:"dry_run,omitempty"`
	}
}

type createToolkitOutput struct {
	Status int
	Body   CreateToolkitResponse
}

// createToolkit serves POST /toolkits.
func (h toolkitsHandler) createToolkit(ctx context.Context, c caller.Caller, in *createToolkitInput) (*createToolkitOutput, error) {
	b := in.Body
	res, err := h.Toolkits.Create(ctx, c, toolkit.NewToolkit{Name: b.Name, Slug: b.Slug, Description: b.Description, Version: b.Version,
		Manifest: b.Manifest, DryRun: b.DryRun})
	if err != nil {
		return nil, err
	}
	out := &createToolkitOutput{Status: http.StatusCreated, Body: CreateToolkitResponse{Validation: res.Check.Validation,
		Conflicts: res.Check.Conflicts, Summary: toSummary(res.Check.Summary)}}
	if res.Toolkit == nil {
		out.Status = http.StatusOK
	} else {
		t := toToolkit(ctx, *res.Toolkit)
		out.Body.Toolkit = &t
	}
	return out, nil
}

type toolkitsOutput struct{ Body partneruser.List[Toolkit] }

// listToolkits serves GET /toolkits.
func (h toolkitsHandler) listToolkits(ctx context.Context, c caller.Caller, in *adminPage) (*toolkitsOutput, error) {
	p, err := h.Toolkits.List(ctx, c, in.request())
	if err != nil {
		return nil, err
	}
	return &toolkitsOutput{Body: partneruser.ListOf(p, func(t toolkit.Toolkit) Toolkit { return toToolkit(ctx, t) })}, nil
}

type toolkitInput struct {
	ToolkitID string `path:"toolkitId"`
}

type toolkitOutput struct{ Body Toolkit }

// getToolkit serves GET /toolkits/{toolkitId}.
func (h toolkitsHandler) getToolkit(ctx context.Context, c caller.Caller, in *toolkitInput) (*toolkitOutput, error) {
	t, err := h.Toolkits.Get(ctx, c, in.ToolkitID)
	if err != nil {
		return nil, err
	}
	return &toolkitOutput{Body: toToolkit(ctx, t)}, nil
}

type updateToolkitInput struct {
	ToolkitID string `path:"toolkitId"`
	Body      struct {
		Name                       *string         `json:"name,omitempty" maxLength:"255"`
		Description                *string         `json:"description,omitempty" maxLength:"1000"`
		IsActive                   *bool           `json:"is_active,omitempty"`
		AutoPropagate              *bool           `json:"auto_propagate,omitempty"`
		AutoInstallOnNewWorkspaces *bool           `json:"auto_install_on_new_workspaces,omitempty"`
		Version                    *string         `json:"version,omitempty" doc:"deprecated: answered 409; publish a version instead"`
		Manifest                   json.RawMessage `json:"manifest,omitempty" doc:"deprecated: answered 409; create a version instead"`
	}
}

// updateToolkit serves PUT and PATCH /toolkits/{toolkitId}.
func (h toolkitsHandler) updateToolkit(ctx context.Context, c caller.Caller, in *updateToolkitInput) (*toolkitOutput, error) {
	b := in.Body
	t, err := h.Toolkits.Update(ctx, c, in.ToolkitID, toolkit.Patch{Name: b.Name, Description: b.Description, IsActive: b.IsActive,
		AutoPropagate: b.AutoPropagate, AutoInstall: b.AutoInstallOnNewWorkspaces, Version: b.Version, Manifest: b.Manifest})
	if err != nil {
		return nil, err
	}
	return &toolkitOutput{Body: toToolkit(ctx, t)}, nil
}

// deleteToolkit serves DELETE /toolkits/{toolkitId}.
func (h toolkitsHandler) deleteToolkit(ctx context.Context, c caller.Caller, in *toolkitInput) (*struct{}, error) {
	return nil, h.Toolkits.Delete(ctx, c, in.ToolkitID)
}

// ToolkitVersion is one version of a toolkit.
type ToolkitVersion struct {
	ID            string          `json:"id"`
	ToolkitID     string          `json:"toolkit_id"`
	VersionNumber int             `json:"version_number"`
	VersionLabel  string          `json:"version_label"`
	Status        string          `json:"status"`
	Manifest      json.RawMessage `json:"manifest"`
	Changelog     *string         `json:"changelog,omitempty"`
	CreatedBy     *string         `json:"created_by,omitempty"`
	PublishedAt   *string         `json:"published_at,omitempty"`
	DeprecatedAt  *string         `json:"deprecated_at,omitempty"`
	CreatedAt     string          `json:"created_at"`
	UpdatedAt     string          `json:"updated_at"`
}

func toVersion(ctx context.Context, v toolkit.Version) ToolkitVersion {
	return ToolkitVersion{ID: v.UUID, ToolkitID: v.ToolkitUUID, VersionNumber: v.Number, VersionLabel: v.Label, Status: v.Status,
		Manifest: v.Manifest, Changelog: partneruser.Optional(v.Changelog), CreatedBy: partneruser.Optional(v.CreatedBy), PublishedAt: rest.TimePtr(ctx, v.PublishedAt),
		DeprecatedAt: rest.TimePtr(ctx, v.DeprecatedAt), CreatedAt: rest.Time(ctx, v.CreatedAt), UpdatedAt: rest.Time(ctx, v.UpdatedAt)}
}

type versionsOutput struct{ Body []ToolkitVersion }

// listVersions serves GET /toolkits/{toolkitId}/versions as a bare array.
func (h toolkitsHandler) listVersions(ctx context.Context, c caller.Caller, in *toolkitInput) (*versionsOutput, error) {
	vs, err := h.Toolkits.Versions(ctx, c, in.ToolkitID)
	if err != nil {
		return nil, err
	}
	out := make([]ToolkitVersion, 0, len(vs))
	for _, v := range vs {
		out = append(out, toVersion(ctx, v))
	}
	return &versionsOutput{Body: out}, nil
}

type createVersionInput struct {
	ToolkitID string `path:"toolkitId"`
	Body      struct {
		VersionLabel string          `json:"version_label" maxLength:"50"`
		Manifest     json.RawMessage `json:"manifest"`
		Changelog    string          `json:"changelog,omitempty" maxLength:"5000"`
		DryRun       bool            `json:"dry_run,omitempty"`
	}
}

// CreateToolkitVersionResponse holds the draft (absent for a dry run) and
// the check of its manifest.
type CreateToolkitVersionResponse struct {
	Version    *ToolkitVersion    `json:"version,omitempty"`
	Validation toolkit.Validation `json:"validation"`
	Conflicts  []toolkit.Conflict `json:"conflicts"`
	Summary    ManifestSummary    `json:"summary"`
}

type createVersionOutput struct {
	Status int
	Body   CreateToolkitVersionResponse
}

// createVersion serves POST /toolkits/{toolkitId}/versions.
func (h toolkitsHandler) createVersion(ctx context.Context, c caller.Caller, in *createVersionInput) (*createVersionOutput, error) {
	b := in.Body
	res, err := h.Toolkits.CreateVersion(ctx, c, in.ToolkitID, toolkit.NewVersion{Label: b.VersionLabel, Manifest: b.Manifest,
		Changelog: b.Changelog, DryRun: b.DryRun})
	if err != nil {
		return nil, err
	}
	out := &createVersionOutput{Status: http.StatusCreated, Body: CreateToolkitVersionResponse{Validation: res.Check.Validation,
		Conflicts: res.Check.Conflicts, Summary: toSummary(res.Check.Summary)}}
	if res.Version == nil {
		out.Status = http.StatusOK
	} else {
		v := toVersion(ctx, *res.Version)
		out.Body.Version = &v
	}
	return out, nil
}

type versionInput struct {
	ToolkitID string `path:"toolkitId"`
	VersionID string `path:"versionId"`
}

type versionOutput struct{ Body ToolkitVersion }

// getVersion serves GET /toolkits/{toolkitId}/versions/{versionId}.
func (h toolkitsHandler) getVersion(ctx context.Context, c caller.Caller, in *versionInput) (*versionOutput, error) {
	v, err := h.Toolkits.Version(ctx, c, in.ToolkitID, in.VersionID)
	if err != nil {
		return nil, err
	}
	return &versionOutput{Body: toVersion(ctx, v)}, nil
}

type updateVersionInput struct {
	ToolkitID string `path:"toolkitId"`
	VersionID string `path:"versionId"`
	Body      struct {
		VersionLabel *string         `json:"version_label,omitempty" maxLength:"50"`
		Manifest     json.RawMessage `json:"manifest,omitempty"`
		Changelog    *string         `json:"changelog,omitempty" maxLength:"5000"`
	}
}

// updateVersion serves PATCH /toolkits/{toolkitId}/versions/{versionId}.
func (h toolkitsHandler) updateVersion(ctx context.Context, c caller.Caller, in *updateVersionInput) (*versionOutput, error) {
	b := in.Body
	v, err := h.Toolkits.UpdateVersion(ctx, c, in.ToolkitID, in.VersionID, toolkit.VersionPatch{Label: b.VersionLabel,
		Manifest: b.Manifest, Changelog: b.Changelog})
	if err != nil {
		return nil, err
	}
	return &versionOutput{Body: toVersion(ctx, v)}, nil
}

type publishInput struct {
	ToolkitID string `path:"toolkitId"`
	VersionID string `path:"versionId"`
	Body      struct {
		Propagation string `json:"propagation,omitempty" doc:"none, normal or force (default: normal when the toolkit auto-propagates, else none)"`
	} `required:"false"`
}

// publishVersion serves POST /toolkits/{toolkitId}/versions/{versionId}/publish.
func (h toolkitsHandler) publishVersion(ctx context.Context, c caller.Caller, in *publishInput) (*struct{}, error) {
	return nil, h.Toolkits.Publish(ctx, c, in.ToolkitID, in.VersionID, toolkit.Propagation(in.Body.Propagation))
}

type republishInput struct {
	ToolkitID string   `path:"toolkitId"`
	VersionID string   `path:"versionId"`
	Body      struct{} `required:"false"`
}

// republishVersion serves POST /toolkits/{toolkitId}/versions/{versionId}/republish.
func (h toolkitsHandler) republishVersion(ctx context.Context, c caller.Caller, in *republishInput) (*struct{}, error) {
	return nil, h.Toolkits.Republish(ctx, c, in.ToolkitID, in.VersionID)
}

// discardVersion serves DELETE /toolkits/{toolkitId}/versions/{versionId}.
func (h toolkitsHandler) discardVersion(ctx context.Context, c caller.Caller, in *versionInput) (*struct{}, error) {
	return nil, h.Toolkits.Discard(ctx, c, in.ToolkitID, in.VersionID)
}

// ToolkitInstallationItem is one workspace's installation of a toolkit.
type ToolkitInstallationItem struct {
	WorkspaceID   string  `json:"workspace_id"`
	WorkspaceName string  `json:"workspace_name"`
	Status        string  `json:"status"`
	VersionLabel  *string `json:"version_label,omitempty"`
	InstalledAt   *string `json:"installed_at,omitempty"`
	UninstalledAt *string `json:"uninstalled_at,omitempty"`
}

// InstallationSummary counts installations over the app's workspaces.
type InstallationSummary struct {
	Active         int `json:"active"`
	OptedOut       int `json:"opted_out"`
	NeverInstalled int `json:"never_installed"`
}

// ToolkitInstallationList is the installations envelope: no total, a
// summary instead.
type ToolkitInstallationList struct {
	Items                    []ToolkitInstallationItem `json:"items"`
	Summary                  InstallationSummary       `json:"summary"`
	TotalConnectedWorkspaces int                       `json:"total_connected_workspaces"`
	Limit                    int                       `json:"limit"`
	Offset                   int                       `json:"offset"`
}

type installationsInput struct {
	ToolkitID string `path:"toolkitId"`
	adminPage
}

type installationsOutput struct{ Body ToolkitInstallationList }

// installations serves GET /toolkits/{toolkitId}/installations.
func (h toolkitsHandler) installations(ctx context.Context, c caller.Caller, in *installationsInput) (*installationsOutput, error) {
	p, err := h.Toolkits.Installations(ctx, c, in.ToolkitID, in.request())
	if err != nil {
		return nil, err
	}
	out := ToolkitInstallationList{Items: make([]ToolkitInstallationItem, 0, len(p.Items)),
		Summary:                  InstallationSummary{Active: p.Active, OptedOut: p.OptedOut, NeverInstalled: p.NeverInstalled},
		TotalConnectedWorkspaces: p.TotalConnectedWorkspaces, Limit: p.Limit, Offset: p.Offset}
	for _, i := range p.Items {
		item := ToolkitInstallationItem{WorkspaceID: i.WorkspaceUUID, WorkspaceName: i.WorkspaceName, Status: i.Status,
			VersionLabel: partneruser.Optional(i.VersionLabel)}
		if i.Status == toolkit.Active {
			item.InstalledAt = rest.TimePtr(ctx, i.InstalledAt)
		} else {
			item.UninstalledAt = rest.TimePtr(ctx, i.UninstalledAt)
		}
		out.Items = append(out.Items, item)
	}
	return &installationsOutput{Body: out}, nil
}

// PartnerWorkspace is a workspace linked to the app.
type PartnerWorkspace struct {
	WorkspaceID   string `json:"workspace_id"`
	WorkspaceName string `json:"workspace_name"`
	ProvisionedAt string `json:"provisioned_at"`
	UserCount     int    `json:"user_count"`
}

type workspacesOutput struct {
	Body partneruser.List[PartnerWorkspace]
}

// workspaces serves GET /workspaces.
func (h toolkitsHandler) workspaces(ctx context.Context, c caller.Caller, in *adminPage) (*workspacesOutput, error) {
	p, err := h.Toolkits.Workspaces(ctx, c, in.request())
	if err != nil {
		return nil, err
	}
	return &workspacesOutput{Body: partneruser.ListOf(p, func(w toolkit.Workspace) PartnerWorkspace {
		return PartnerWorkspace{WorkspaceID: w.UUID, WorkspaceName: w.Name, ProvisionedAt: rest.Time(ctx, w.ProvisionedAt), UserCount: w.UserCount}
	})}, nil
}

// ExportMetadata describes an exported manifest.
type ExportMetadata struct {
	Name        string  `json:"name"`
	Slug        *string `json:"slug,omitempty"`
	Description *string `json:"description,omitempty"`
	Version     *string `json:"version,omitempty"`
	License     *string `json:"license,omitempty"`
	LicenseURL  *string `json:"license_url,omitempty"`
}

// ExportResponse is an exported manifest with its counts and warnings.
type ExportResponse struct {
	Metadata ExportMetadata          `json:"metadata"`
	Manifest toolkit.Manifest        `json:"manifest"`
	Summary  toolkit.Summary         `json:"summary"`
	Warnings []toolkit.ExportWarning `json:"warnings"`
}

type exportOutput struct{ Body ExportResponse }

func toExport(e toolkit.Export) *exportOutput {
	w := e.Warnings
	if w == nil {
		w = []toolkit.ExportWarning{}
	}
	return &exportOutput{Body: ExportResponse{Metadata: ExportMetadata{Name: e.Name, Slug: partneruser.Optional(e.Slug), Description: partneruser.Optional(e.Description),
		Version: partneruser.Optional(e.Version), License: partneruser.Optional(e.License), LicenseURL: partneruser.Optional(e.LicenseURL)}, Manifest: e.Manifest, Summary: e.Summary, Warnings: w}}
}

type exportEntitiesInput struct {
	Body struct {
		TemplateIDs       []string `json:"template_ids,omitempty" maxItems:"500"`
		NextStepIDs       []string `json:"next_step_ids,omitempty" maxItems:"500"`
		ActionButtonIDs   []string `json:"action_button_ids,omitempty" maxItems:"500"`
		ShortcutIDs       []string `json:"shortcut_ids,omitempty" maxItems:"500"`
		WorkflowIDs       []string `json:"workflow_ids,omitempty" maxItems:"500"`
		CanvasTemplateIDs []string `json:"canvas_template_ids,omitempty" maxItems:"500"`
		Name              string   `json:"name,omitempty" maxLength:"255"`
		Description       string   `json:"description,omitempty" maxLength:"1000"`
	}
}

// exportEntities serves POST /toolkits/export.
func (h toolkitsHandler) exportEntities(ctx context.Context, c caller.Caller, in *exportEntitiesInput) (*exportOutput, error) {
	b := in.Body
	e, err := h.Toolkits.ExportEntities(ctx, c, toolkit.ExportRequest{TemplateIDs: b.TemplateIDs, NextStepIDs: b.NextStepIDs,
		ActionButtonIDs: b.ActionButtonIDs, ShortcutIDs: b.ShortcutIDs, WorkflowIDs: b.WorkflowIDs, CanvasTemplateIDs: b.CanvasTemplateIDs,
		Name: b.Name, Description: b.Description})
	if err != nil {
		return nil, err
	}
	return toExport(e), nil
}

// exportToolkit serves GET /toolkits/{toolkitId}/export.
func (h toolkitsHandler) exportToolkit(ctx context.Context, c caller.Caller, in *toolkitInput) (*exportOutput, error) {
	e, err := h.Toolkits.ExportToolkit(ctx, c, in.ToolkitID)
	if err != nil {
		return nil, err
	}
	return toExport(e), nil
}

// ---- templates ----

// Template is the admin view of a template.
type Template struct {
	ID               string  `json:"id"`
	Name             string  `json:"name"`
	Description      *string `json:"description,omitempty"`
	BackingMeetingID *string `json:"backing_meeting_id,omitempty"`
	WorkspaceID      string  `json:"workspace_id"`
	OwnershipType    string  `json:"ownership_type"`
	AgendaItemCount  int     `json:"agenda_item_count"`
	ParticipantCount int     `json:"participant_count"`
	CreatedAt        string  `json:"created_at"`
	UpdatedAt        string  `json:"updated_at"`
}

func toTemplate(ctx context.Context, t template.Template) Template {
	return Template{ID: t.UUID, Name: t.Name, Description: partneruser.Optional(t.Description), BackingMeetingID: partneruser.Optional(t.BackingMeetingUUID),
		WorkspaceID: t.WorkspaceUUID, OwnershipType: t.Ownership, AgendaItemCount: len(t.Agenda), ParticipantCount: len(t.Participants),
		CreatedAt: rest.Time(ctx, t.CreatedAt), UpdatedAt: rest.Time(ctx, t.UpdatedAt)}
}

type createTemplateInput struct {
	Body struct {
		Name             string `json:"name" maxLength:"255"`
		Description      string `json:"description,omitempty" maxLength:"1000"`
		BackingMeetingID string `json:"backing_meeting_id,omitempty" maxLength:"100"`
	}
}

type templateOutput struct{ Body Template }

// createTemplate serves POST /templates.
func (h toolkitsHandler) createTemplate(ctx context.Context, c caller.Caller, in *createTemplateInput) (*templateOutput, error) {
	t, err := h.Templates.Create(ctx, c, template.New{Name: in.Body.Name, Description: in.Body.Description,
		BackingMeetingID: in.Body.BackingMeetingID})
	if err != nil {
		return nil, err
	}
	return &templateOutput{Body: toTemplate(ctx, t)}, nil
}

type templatesOutput struct{ Body partneruser.List[Template] }

// listTemplates serves GET /templates.
func (h toolkitsHandler) listTemplates(ctx context.Context, c caller.Caller, in *adminPage) (*templatesOutput, error) {
	p, err := h.Templates.List(ctx, c, in.request())
	if err != nil {
		return nil, err
	}
	return &templatesOutput{Body: partneruser.ListOf(p, func(t template.Template) Template { return toTemplate(ctx, t) })}, nil
}

type templateInput struct {
	TemplateID string `path:"templateId"`
}

// getTemplate serves GET /templates/{templateId}.
func (h toolkitsHandler) getTemplate(ctx context.Context, c caller.Caller, in *templateInput) (*templateOutput, error) {
	t, err := h.Templates.Get(ctx, c, in.TemplateID)
	if err != nil {
		return nil, err
	}
	return &templateOutput{Body: toTemplate(ctx, t)}, nil
}

type updateTemplateInput struct {
	TemplateID string `path:"templateId"`
	Body       struct {
		Name        *string `json:"name,omitempty" maxLength:"255"`
		Description *string `json:"description,omitempty" maxLength:"1000"`
	}
}

// updateTemplate serves PUT /templates/{templateId} (partial).
func (h toolkitsHandler) updateTemplate(ctx context.Context, c caller.Caller, in *updateTemplateInput) (*templateOutput, error) {
	t, err := h.Templates.Update(ctx, c, in.TemplateID, template.Patch{Name: in.Body.Name, Description: in.Body.Description})
	if err != nil {
		return nil, err
	}
	return &templateOutput{Body: toTemplate(ctx, t)}, nil
}

// deleteTemplate serves DELETE /templates/{templateId}.
func (h toolkitsHandler) deleteTemplate(ctx context.Context, c caller.Caller, in *templateInput) (*struct{}, error) {
	return nil, h.Templates.Delete(ctx, c, in.TemplateID)
}

// AdminTemplateNextStep is a next step of a template, as the admin API shows it.
type AdminTemplateNextStep struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
	Type        string  `json:"type"`
	AIPrompt    *string `json:"ai_prompt,omitempty"`
	Color       *string `json:"color,omitempty"`
	IconName    *string `json:"icon_name,omitempty"`
	Autopilot   bool    `json:"autopilot"`
	SortOrder   int     `json:"sort_order"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

func toTemplateStep(ctx context.Context, l template.StepLink) AdminTemplateNextStep {
	return AdminTemplateNextStep{ID: l.UUID, Name: l.Name, Description: partneruser.Optional(l.Description), Type: string(l.Type), AIPrompt: partneruser.Optional(l.AIPrompt),
		Color: partneruser.Optional(l.Color), IconName: partneruser.Optional(l.IconName), Autopilot: l.Autopilot, SortOrder: l.Order,
		CreatedAt: rest.Time(ctx, l.LinkedAt), UpdatedAt: rest.Time(ctx, l.UpdatedAt)}
}

type templateStepsInput struct {
	TemplateID string `path:"templateId"`
	adminPage
}

type templateStepsOutput struct {
	Body partneruser.List[AdminTemplateNextStep]
}

// templateSteps serves GET /templates/{templateId}/next-steps.
func (h toolkitsHandler) templateSteps(ctx context.Context, c caller.Caller, in *templateStepsInput) (*templateStepsOutput, error) {
	p, err := h.Templates.NextSteps(ctx, c, in.TemplateID, in.request())
	if err != nil {
		return nil, err
	}
	return &templateStepsOutput{Body: partneruser.ListOf(p, func(l template.StepLink) AdminTemplateNextStep { return toTemplateStep(ctx, l) })}, nil
}

type addTemplateStepInput struct {
	TemplateID string `path:"templateId"`
	Body       struct {
		NextStepID string `json:"next_step_id" maxLength:"100"`
		Autopilot  bool   `json:"autopilot,omitempty"`
		SortOrder  *int   `json:"sort_order,omitempty" minimum:"0" maximum:"100000"`
	}
}

type templateStepOutput struct{ Body AdminTemplateNextStep }

// addTemplateStep serves POST /templates/{templateId}/next-steps; it answers
// 200 with the next step, which satisfies both the spec (204) and the SDK.
func (h toolkitsHandler) addTemplateStep(ctx context.Context, c caller.Caller, in *addTemplateStepInput) (*templateStepOutput, error) {
	l, err := h.Templates.AddNextStep(ctx, c, in.TemplateID, in.Body.NextStepID, in.Body.Autopilot, in.Body.SortOrder)
	if err != nil {
		return nil, err
	}
	return &templateStepOutput{Body: toTemplateStep(ctx, l)}, nil
}

type updateTemplateStepInput struct {
	TemplateID string `path:"templateId"`
	NextStepID string `path:"nextStepId"`
	Body       struct {
		Autopilot *bool `json:"autopilot,omitempty"`
	} `required:"false"`
}

// updateTemplateStep serves PUT /templates/{templateId}/next-steps/{nextStepId}.
func (h toolkitsHandler) updateTemplateStep(ctx context.Context, c caller.Caller, in *updateTemplateStepInput) (*templateStepOutput, error) {
	l, err := h.Templates.UpdateNextStep(ctx, c, in.TemplateID, in.NextStepID, in.Body.Autopilot)
	if err != nil {
		return nil, err
	}
	return &templateStepOutput{Body: toTemplateStep(ctx, l)}, nil
}

type templateStepInput struct {
	TemplateID string `path:"templateId"`
	NextStepID string `path:"nextStepId"`
}

// removeTemplateStep serves DELETE /templates/{templateId}/next-steps/{nextStepId}.
func (h toolkitsHandler) removeTemplateStep(ctx context.Context, c caller.Caller, in *templateStepInput) (*struct{}, error) {
	return nil, h.Templates.RemoveNextStep(ctx, c, in.TemplateID, in.NextStepID)
}

// ---- workflow templates ----

// WorkflowTemplate is a workflow template; the summary omits its spec.
type WorkflowTemplate struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description *string         `json:"description,omitempty"`
	IsActive    bool            `json:"is_active"`
	WorkspaceID string          `json:"workspace_id"`
	Spec        json.RawMessage `json:"spec,omitempty"`
	CreatedAt   string          `json:"created_at"`
	UpdatedAt   string          `json:"updated_at"`
}

func toWorkflowTemplate(ctx context.Context, t workflow.Template, withSpec bool) WorkflowTemplate {
	out := WorkflowTemplate{ID: t.UUID, Name: t.Name, Description: partneruser.Optional(t.Description), IsActive: t.IsActive, WorkspaceID: t.WorkspaceUUID,
		CreatedAt: rest.Time(ctx, t.CreatedAt), UpdatedAt: rest.Time(ctx, t.UpdatedAt)}
	if withSpec {
		out.Spec = t.Spec
	}
	return out
}

type workflowTemplatesOutput struct {
	Body partneruser.List[WorkflowTemplate]
}

// listWorkflowTemplates serves GET /workflow-templates.
func (h toolkitsHandler) listWorkflowTemplates(ctx context.Context, c caller.Caller, in *adminPage) (*workflowTemplatesOutput, error) {
	p, err := h.Workflows.Templates(ctx, c, in.request())
	if err != nil {
		return nil, err
	}
	return &workflowTemplatesOutput{Body: partneruser.ListOf(p, func(t workflow.Template) WorkflowTemplate { return toWorkflowTemplate(ctx, t, false) })}, nil
}

type workflowTemplateInput struct {
	ID string `path:"workflowTemplateId"`
}

type workflowTemplateOutput struct{ Body WorkflowTemplate }

// getWorkflowTemplate serves GET /workflow-templates/{workflowTemplateId}.
func (h toolkitsHandler) getWorkflowTemplate(ctx context.Context, c caller.Caller, in *workflowTemplateInput) (*workflowTemplateOutput, error) {
	t, err := h.Workflows.Template(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	return &workflowTemplateOutput{Body: toWorkflowTemplate(ctx, t, true)}, nil
}
