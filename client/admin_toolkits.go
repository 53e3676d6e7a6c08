package client

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
)

const adminBase = "/v1/partner/admin"

// AdminToolkit is the admin view of a toolkit; Manifest is exactly what was
// sent.
type AdminToolkit struct {
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

// CreateToolkitRequest creates (or, with DryRun, checks) a toolkit.
type CreateToolkitRequest struct {
	Name        string          `json:"name"`
	Slug        string          `json:"slug"`
	Description string          `json:"description,omitempty"`
	Version     string          `json:"version"`
	Manifest    json.RawMessage `json:"manifest"`
	DryRun      bool            `json:"dry_run,omitempty"`
}

// CreateToolkitResponse holds the toolkit (nil for a dry run) and the check
// of its manifest.
type CreateToolkitResponse struct {
	Toolkit    *AdminToolkit      `json:"toolkit"`
	Validation ManifestValidation `json:"validation"`
	Conflicts  []ManifestConflict `json:"conflicts"`
	Summary    ManifestSummary    `json:"summary"`
}

// CreateToolkit creates a toolkit with its first, published version.
func (c *Client) CreateToolkit(ctx context.Context, r CreateToolkitRequest) (*CreateToolkitResponse, error) {
	return sendJSON[CreateToolkitResponse](ctx, c, http.MethodPost, adminBase+"/toolkits", r)
}

// AdminToolkits lists the app's toolkits.
func (c *Client) AdminToolkits(ctx context.Context, p PageParams) (*PartnerList[AdminToolkit], error) {
	return getJSON[PartnerList[AdminToolkit]](ctx, c, adminBase+"/toolkits", p.query())
}

// AllAdminToolkits iterates over every toolkit of the app.
func (c *Client) AllAdminToolkits(ctx context.Context) iter.Seq2[AdminToolkit, error] {
	return allPages(func(p PageParams) (*PartnerList[AdminToolkit], error) { return c.AdminToolkits(ctx, p) })
}

// AdminToolkit fetches one toolkit of the app.
func (c *Client) AdminToolkit(ctx context.Context, id string) (*AdminToolkit, error) {
	return getJSON[AdminToolkit](ctx, c, adminBase+"/toolkits/"+esc(id), nil)
}

// ToolkitUpdate changes a toolkit's settings; nil fields stay. Version and
// Manifest are refused (409): versions change them.
type ToolkitUpdate struct {
	Name                       *string         `json:"name,omitempty"`
	Description                *string         `json:"description,omitempty"`
	IsActive                   *bool           `json:"is_active,omitempty"`
	AutoPropagate              *bool           `json:"auto_propagate,omitempty"`
	AutoInstallOnNewWorkspaces *bool           `json:"auto_install_on_new_workspaces,omitempty"`
	Version                    *string         `json:"version,omitempty"`
	Manifest                   json.RawMessage `json:"manifest,omitempty"`
}

// UpdateToolkit changes a toolkit with PUT (the SDK's method).
func (c *Client) UpdateToolkit(ctx context.Context, id string, u ToolkitUpdate) (*AdminToolkit, error) {
	return sendJSON[AdminToolkit](ctx, c, http.MethodPut, adminBase+"/toolkits/"+esc(id), u)
}

// PatchToolkit changes a toolkit with PATCH (the OpenAPI alias).
func (c *Client) PatchToolkit(ctx context.Context, id string, u ToolkitUpdate) (*AdminToolkit, error) {
	return sendJSON[AdminToolkit](ctx, c, http.MethodPatch, adminBase+"/toolkits/"+esc(id), u)
}

// DeleteToolkit deletes a toolkit and everything its installations created.
func (c *Client) DeleteToolkit(ctx context.Context, id string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: adminBase + "/toolkits/" + esc(id)}, nil)
}

// ToolkitVersion is one version of a toolkit.
type ToolkitVersion struct {
	ID            string          `json:"id"`
	ToolkitID     string          `json:"toolkit_id"`
	VersionNumber int             `json:"version_number"`
	VersionLabel  string          `json:"version_label"`
	Status        string          `json:"status"`
	Manifest      json.RawMessage `json:"manifest"`
	Changelog     string          `json:"changelog"`
	CreatedBy     string          `json:"created_by"`
	PublishedAt   string          `json:"published_at"`
	DeprecatedAt  string          `json:"deprecated_at"`
	CreatedAt     string          `json:"created_at"`
	UpdatedAt     string          `json:"updated_at"`
}

// ToolkitVersions lists a toolkit's versions (a bare array).
func (c *Client) ToolkitVersions(ctx context.Context, id string) ([]ToolkitVersion, error) {
	out, err := getJSON[[]ToolkitVersion](ctx, c, adminBase+"/toolkits/"+esc(id)+"/versions", nil)
	if err != nil {
		return nil, err
	}
	return *out, nil
}

// CreateToolkitVersionRequest adds (or, with DryRun, checks) a draft.
type CreateToolkitVersionRequest struct {
	VersionLabel string          `json:"version_label"`
	Manifest     json.RawMessage `json:"manifest"`
	Changelog    string          `json:"changelog,omitempty"`
	DryRun       bool            `json:"dry_run,omitempty"`
}

// CreateToolkitVersionResponse holds the draft (nil for a dry run) and the
// check of its manifest.
type CreateToolkitVersionResponse struct {
	Version    *ToolkitVersion    `json:"version"`
	Validation ManifestValidation `json:"validation"`
	Conflicts  []ManifestConflict `json:"conflicts"`
	Summary    ManifestSummary    `json:"summary"`
}

// CreateToolkitVersion adds a draft version.
func (c *Client) CreateToolkitVersion(ctx context.Context, id string, r CreateToolkitVersionRequest) (*CreateToolkitVersionResponse, error) {
	return sendJSON[CreateToolkitVersionResponse](ctx, c, http.MethodPost, adminBase+"/toolkits/"+esc(id)+"/versions", r)
}

// ToolkitVersion fetches one version.
func (c *Client) ToolkitVersion(ctx context.Context, id, versionID string) (*ToolkitVersion, error) {
	return getJSON[ToolkitVersion](ctx, c, adminBase+"/toolkits/"+esc(id)+"/versions/"+esc(versionID), nil)
}

// ToolkitVersionUpdate changes a draft; nil fields stay.
type ToolkitVersionUpdate struct {
	VersionLabel *string         `json:"version_label,omitempty"`
	Manifest     json.RawMessage `json:"manifest,omitempty"`
	Changelog    *string         `json:"changelog,omitempty"`
}

// UpdateToolkitVersion changes a draft.
func (c *Client) UpdateToolkitVersion(ctx context.Context, id, versionID string, u ToolkitVersionUpdate) (*ToolkitVersion, error) {
	return sendJSON[ToolkitVersion](ctx, c, http.MethodPatch, adminBase+"/toolkits/"+esc(id)+"/versions/"+esc(versionID), u)
}

// PublishToolkitVersion publishes a draft; propagation is none, normal,
// force or "" (the toolkit's default).
func (c *Client) PublishToolkitVersion(ctx context.Context, id, versionID, propagation string) error {
	body := map[string]string{}
	if propagation != "" {
		body["propagation"] = propagation
	}
	return c.do(ctx, request{method: http.MethodPost, path: adminBase + "/toolkits/" + esc(id) + "/versions/" + esc(versionID) + "/publish",
		json: body}, nil)
}

// RepublishToolkitVersion publishes a deprecated version again.
func (c *Client) RepublishToolkitVersion(ctx context.Context, id, versionID string) error {
	return c.do(ctx, request{method: http.MethodPost, path: adminBase + "/toolkits/" + esc(id) + "/versions/" + esc(versionID) + "/republish",
		json: map[string]any{}}, nil)
}

// DiscardToolkitVersion deletes a draft.
func (c *Client) DiscardToolkitVersion(ctx context.Context, id, versionID string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: adminBase + "/toolkits/" + esc(id) + "/versions/" + esc(versionID)}, nil)
}

// ToolkitInstallationItem is one workspace's installation of a toolkit.
type ToolkitInstallationItem struct {
	WorkspaceID   string `json:"workspace_id"`
	WorkspaceName string `json:"workspace_name"`
	Status        string `json:"status"`
	VersionLabel  string `json:"version_label"`
	InstalledAt   string `json:"installed_at"`
	UninstalledAt string `json:"uninstalled_at"`
}

// ToolkitInstallationList is a page of installations with counts.
type ToolkitInstallationList struct {
	Items   []ToolkitInstallationItem `json:"items"`
	Summary struct {
		Active         int `json:"active"`
		OptedOut       int `json:"opted_out"`
		NeverInstalled int `json:"never_installed"`
	} `json:"summary"`
	TotalConnectedWorkspaces int `json:"total_connected_workspaces"`
	Limit                    int `json:"limit"`
	Offset                   int `json:"offset"`
}

// ToolkitInstallations lists where a toolkit is installed.
func (c *Client) ToolkitInstallations(ctx context.Context, id string, p PageParams) (*ToolkitInstallationList, error) {
	return getJSON[ToolkitInstallationList](ctx, c, adminBase+"/toolkits/"+esc(id)+"/installations", p.query())
}

// PartnerWorkspace is a workspace linked to the app.
type PartnerWorkspace struct {
	WorkspaceID   string `json:"workspace_id"`
	WorkspaceName string `json:"workspace_name"`
	ProvisionedAt string `json:"provisioned_at"`
	UserCount     int    `json:"user_count"`
}

// Workspaces lists the workspaces linked to the app.
func (c *Client) Workspaces(ctx context.Context, p PageParams) (*PartnerList[PartnerWorkspace], error) {
	return getJSON[PartnerList[PartnerWorkspace]](ctx, c, adminBase+"/workspaces", p.query())
}

// AllWorkspaces iterates over every workspace linked to the app.
func (c *Client) AllWorkspaces(ctx context.Context) iter.Seq2[PartnerWorkspace, error] {
	return allPages(func(p PageParams) (*PartnerList[PartnerWorkspace], error) { return c.Workspaces(ctx, p) })
}

// ExportRequest names the entities to export.
type ExportRequest struct {
	TemplateIDs       []string `json:"template_ids,omitempty"`
	NextStepIDs       []string `json:"next_step_ids,omitempty"`
	ActionButtonIDs   []string `json:"action_button_ids,omitempty"`
	ShortcutIDs       []string `json:"shortcut_ids,omitempty"`
	WorkflowIDs       []string `json:"workflow_ids,omitempty"`
	CanvasTemplateIDs []string `json:"canvas_template_ids,omitempty"`
	Name              string   `json:"name,omitempty"`
	Description       string   `json:"description,omitempty"`
}

// ExportResponse is an exported manifest.
type ExportResponse struct {
	Metadata struct {
		Name        string `json:"name"`
		Slug        string `json:"slug"`
		Description string `json:"description"`
		Version     string `json:"version"`
	} `json:"metadata"`
	Manifest json.RawMessage `json:"manifest"`
	Summary  ManifestSummary `json:"summary"`
	Warnings []struct {
		EntityType string `json:"entity_type"`
		EntityName string `json:"entity_name"`
		Code       string `json:"code"`
		Message    string `json:"message"`
	} `json:"warnings"`
}

// ExportEntities exports entities of the app as a manifest.
func (c *Client) ExportEntities(ctx context.Context, r ExportRequest) (*ExportResponse, error) {
	return sendJSON[ExportResponse](ctx, c, http.MethodPost, adminBase+"/toolkits/export", r)
}

// ExportToolkit exports a toolkit as a self-contained manifest.
func (c *Client) ExportToolkit(ctx context.Context, id string) (*ExportResponse, error) {
	return getJSON[ExportResponse](ctx, c, adminBase+"/toolkits/"+esc(id)+"/export", nil)
}

// AdminTemplate is the admin view of a meeting template.
type AdminTemplate struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	BackingMeetingID string `json:"backing_meeting_id"`
	WorkspaceID      string `json:"workspace_id"`
	OwnershipType    string `json:"ownership_type"`
	AgendaItemCount  int    `json:"agenda_item_count"`
	ParticipantCount int    `json:"participant_count"`
	CreatedAt        string `json:"created_at"`
	UpdatedAt        string `json:"updated_at"`
}

// CreateTemplateRequest creates a template, optionally from a meeting.
type CreateTemplateRequest struct {
	Name             string `json:"name"`
	Description      string `json:"description,omitempty"`
	BackingMeetingID string `json:"backing_meeting_id,omitempty"`
}

// CreateTemplate creates a template.
func (c *Client) CreateTemplate(ctx context.Context, r CreateTemplateRequest) (*AdminTemplate, error) {
	return sendJSON[AdminTemplate](ctx, c, http.MethodPost, adminBase+"/templates", r)
}

// Templates lists the app's templates.
func (c *Client) Templates(ctx context.Context, p PageParams) (*PartnerList[AdminTemplate], error) {
	return getJSON[PartnerList[AdminTemplate]](ctx, c, adminBase+"/templates", p.query())
}

// AllTemplates iterates over every template of the app.
func (c *Client) AllTemplates(ctx context.Context) iter.Seq2[AdminTemplate, error] {
	return allPages(func(p PageParams) (*PartnerList[AdminTemplate], error) { return c.Templates(ctx, p) })
}

// Template fetches one template.
func (c *Client) Template(ctx context.Context, id string) (*AdminTemplate, error) {
	return getJSON[AdminTemplate](ctx, c, adminBase+"/templates/"+esc(id), nil)
}

// TemplateUpdate changes a template; nil fields stay.
type TemplateUpdate struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// UpdateTemplate changes a template.
func (c *Client) UpdateTemplate(ctx context.Context, id string, u TemplateUpdate) (*AdminTemplate, error) {
	return sendJSON[AdminTemplate](ctx, c, http.MethodPut, adminBase+"/templates/"+esc(id), u)
}

// DeleteTemplate deletes a template.
func (c *Client) DeleteTemplate(ctx context.Context, id string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: adminBase + "/templates/" + esc(id)}, nil)
}

// AdminTemplateNextStep is a next step of a template, as the admin API
// shows it.
type AdminTemplateNextStep struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        string `json:"type"`
	AIPrompt    string `json:"ai_prompt"`
	Color       string `json:"color"`
	IconName    string `json:"icon_name"`
	Autopilot   bool   `json:"autopilot"`
	SortOrder   int    `json:"sort_order"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

// TemplateNextSteps lists a template's next steps.
func (c *Client) TemplateNextSteps(ctx context.Context, id string, p PageParams) (*PartnerList[AdminTemplateNextStep], error) {
	return getJSON[PartnerList[AdminTemplateNextStep]](ctx, c, adminBase+"/templates/"+esc(id)+"/next-steps", p.query())
}

// AddTemplateNextStepRequest puts a next step on a template.
type AddTemplateNextStepRequest struct {
	NextStepID string `json:"next_step_id"`
	Autopilot  bool   `json:"autopilot,omitempty"`
	SortOrder  *int   `json:"sort_order,omitempty"`
}

// AddTemplateNextStep puts a next step on a template.
func (c *Client) AddTemplateNextStep(ctx context.Context, id string, r AddTemplateNextStepRequest) (*AdminTemplateNextStep, error) {
	return sendJSON[AdminTemplateNextStep](ctx, c, http.MethodPost, adminBase+"/templates/"+esc(id)+"/next-steps", r)
}

// UpdateTemplateNextStep sets whether a template's next step runs on
// autopilot.
func (c *Client) UpdateTemplateNextStep(ctx context.Context, id, nextStepID string, autopilot *bool) (*AdminTemplateNextStep, error) {
	return sendJSON[AdminTemplateNextStep](ctx, c, http.MethodPut, adminBase+"/templates/"+esc(id)+"/next-steps/"+esc(nextStepID),
		map[string]*bool{"autopilot": autopilot})
}

// RemoveTemplateNextStep takes a next step off a template.
func (c *Client) RemoveTemplateNextStep(ctx context.Context, id, nextStepID string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: adminBase + "/templates/" + esc(id) + "/next-steps/" + esc(nextStepID)}, nil)
}

// WorkflowTemplate is a workflow template; Spec is set when fetched alone.
type WorkflowTemplate struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	IsActive    bool            `json:"is_active"`
	WorkspaceID string          `json:"workspace_id"`
	Spec        json.RawMessage `json:"spec"`
	CreatedAt   string          `json:"created_at"`
	UpdatedAt   string          `json:"updated_at"`
}

// WorkflowTemplates lists the app's workflow templates in every workspace.
func (c *Client) WorkflowTemplates(ctx context.Context, p PageParams) (*PartnerList[WorkflowTemplate], error) {
	return getJSON[PartnerList[WorkflowTemplate]](ctx, c, adminBase+"/workflow-templates", p.query())
}

// AllWorkflowTemplates iterates over every workflow template of the app.
func (c *Client) AllWorkflowTemplates(ctx context.Context) iter.Seq2[WorkflowTemplate, error] {
	return allPages(func(p PageParams) (*PartnerList[WorkflowTemplate], error) { return c.WorkflowTemplates(ctx, p) })
}

// WorkflowTemplate fetches a workflow template with its DAG spec.
func (c *Client) WorkflowTemplate(ctx context.Context, id string) (*WorkflowTemplate, error) {
	return getJSON[WorkflowTemplate](ctx, c, adminBase+"/workflow-templates/"+esc(id), nil)
}
