package client

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// PartnerList is one page of a Partner list: {items, total, limit, offset}.
type PartnerList[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// PageParams selects a page of a Partner list; zero values take the
// server's defaults.
type PageParams struct {
	Limit  int
	Offset int
}

func (p PageParams) query() url.Values {
	q := url.Values{}
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Offset != 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	return q
}

// allPages iterates over every item of an offset-paged list, 100 at a
// time; iteration stops at the first error, which it yields.
func allPages[T any](fetch func(PageParams) (*PartnerList[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		offset := 0
		for {
			p, err := fetch(PageParams{Limit: 100, Offset: offset})
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range p.Items {
				if !yield(it, nil) {
					return
				}
			}
			offset += len(p.Items)
			if len(p.Items) == 0 || offset >= p.Total {
				return
			}
		}
	}
}

func getJSON[T any](ctx context.Context, c *Client, path string, q url.Values) (*T, error) {
	var out T
	if err := c.do(ctx, request{method: http.MethodGet, path: path, query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func sendJSON[T any](ctx context.Context, c *Client, method, path string, body any) (*T, error) {
	var out T
	if err := c.do(ctx, request{method: method, path: path, json: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

const userBase = "/v1/partner/user"

func esc(id string) string { return url.PathEscape(id) }

// MeetingActionButton is an action button of a meeting's next steps.
type MeetingActionButton struct {
	ID                string `json:"id"`
	Name              string `json:"name"`
	Description       string `json:"description"`
	IsDefault         bool   `json:"is_default"`
	IconName          string `json:"icon_name"`
	DeliveryMechanism string `json:"delivery_mechanism"`
	ContentFormat     string `json:"content_format"`
}

// MeetingNextStep is a next step of a meeting.
type MeetingNextStep struct {
	ID            string                `json:"id"`
	Name          string                `json:"name"`
	Description   string                `json:"description"`
	Type          string                `json:"type"`
	Autopilot     bool                  `json:"autopilot"`
	Color         string                `json:"color"`
	IconName      string                `json:"icon_name"`
	RedirectURL   string                `json:"redirect_url"`
	SortOrder     int                   `json:"sort_order"`
	ActionButtons []MeetingActionButton `json:"action_buttons"`
}

// MeetingNextSteps lists the next steps of a meeting.
func (c *Client) MeetingNextSteps(ctx context.Context, meetingID string, p PageParams) (*PartnerList[MeetingNextStep], error) {
	return getJSON[PartnerList[MeetingNextStep]](ctx, c, userBase+"/meetings/"+esc(meetingID)+"/next-steps", p.query())
}

// ExecuteNextStepRequest is the optional body of an execution.
type ExecuteNextStepRequest struct {
	Parameters     map[string]any `json:"parameters,omitempty"`
	ActionButtonID string         `json:"action_button_id,omitempty"`
}

// ExecuteNextStepResponse answers an execution.
type ExecuteNextStepResponse struct {
	ResultID       string  `json:"result_id"`
	Status         string  `json:"status"`
	Message        string  `json:"message"`
	ExecutionLogID string  `json:"execution_log_id"`
	GeneratedText  *string `json:"generated_text"`
	ContentFormat  string  `json:"content_format"`
	RedirectURL    string  `json:"redirect_url"`
}

// ExecuteNextStep runs a next step over a meeting.
func (c *Client) ExecuteNextStep(ctx context.Context, meetingID, nextStepID string, r ExecuteNextStepRequest) (*ExecuteNextStepResponse, error) {
	return sendJSON[ExecuteNextStepResponse](ctx, c, http.MethodPost,
		userBase+"/meetings/"+esc(meetingID)+"/next-steps/"+esc(nextStepID)+"/execute", r)
}

// NextStepResult is a next step's result; Content and GeneratedText hold
// the same text once it completed.
type NextStepResult struct {
	ID             string  `json:"id"`
	NextStepID     string  `json:"next_step_id"`
	MeetingID      string  `json:"meeting_id"`
	Status         string  `json:"status"`
	Content        *string `json:"content"`
	GeneratedText  *string `json:"generated_text"`
	ContentFormat  string  `json:"content_format"`
	RedirectURL    string  `json:"redirect_url"`
	ErrorMessage   string  `json:"error_message"`
	ExecutionLogID string  `json:"execution_log_id"`
	ExpiresAt      string  `json:"expires_at"`
	CreatedAt      string  `json:"created_at"`
	UpdatedAt      string  `json:"updated_at"`
	CompletedAt    string  `json:"completed_at"`
}

// NextStepResult fetches a next step's result.
func (c *Client) NextStepResult(ctx context.Context, resultID string) (*NextStepResult, error) {
	return getJSON[NextStepResult](ctx, c, userBase+"/next-step-results/"+esc(resultID), nil)
}

// MeetingActionButtons lists the action buttons of a meeting, each once.
func (c *Client) MeetingActionButtons(ctx context.Context, meetingID string, p PageParams) (*PartnerList[MeetingActionButton], error) {
	return getJSON[PartnerList[MeetingActionButton]](ctx, c, userBase+"/meetings/"+esc(meetingID)+"/action-buttons", p.query())
}

// TriggerActionButtonRequest is the optional body of a trigger.
type TriggerActionButtonRequest struct {
	Parameters       map[string]any    `json:"parameters,omitempty"`
	NextStepID       string            `json:"next_step_id,omitempty"`
	ResultID         string            `json:"result_id,omitempty"`
	Content          string            `json:"content,omitempty"`
	ContentFormat    string            `json:"content_format,omitempty"`
	AddressingValues map[string]string `json:"addressing_values,omitempty"`
}

// TriggerActionButtonResponse answers a trigger.
type TriggerActionButtonResponse struct {
	ResultID     string `json:"result_id"`
	InvocationID string `json:"invocation_id"`
	Status       string `json:"status"`
	Message      string `json:"message"`
	RedirectURL  string `json:"redirect_url"`
}

// TriggerActionButton presses an action button for a meeting.
func (c *Client) TriggerActionButton(ctx context.Context, meetingID, buttonID string, r TriggerActionButtonRequest) (*TriggerActionButtonResponse, error) {
	return sendJSON[TriggerActionButtonResponse](ctx, c, http.MethodPost,
		userBase+"/meetings/"+esc(meetingID)+"/action-buttons/"+esc(buttonID)+"/trigger", r)
}

// ToolkitInfo is a toolkit as a user sees it.
type ToolkitInfo struct {
	ID                         string          `json:"id"`
	Name                       string          `json:"name"`
	Slug                       string          `json:"slug"`
	Description                string          `json:"description"`
	Version                    string          `json:"version"`
	IsActive                   bool            `json:"is_active"`
	OwnershipType              string          `json:"ownership_type"`
	PartnerAppID               string          `json:"partner_app_id"`
	TemplatesCount             int             `json:"templates_count"`
	NextStepsCount             int             `json:"next_steps_count"`
	ActionButtonsCount         int             `json:"action_buttons_count"`
	Manifest                   json.RawMessage `json:"manifest"`
	AutoPropagate              bool            `json:"auto_propagate"`
	AutoInstallOnNewWorkspaces bool            `json:"auto_install_on_new_workspaces"`
	CreatedAt                  string          `json:"created_at"`
	UpdatedAt                  string          `json:"updated_at"`
}

// ToolkitEntities maps each kind to the manifest-local ids and the UUIDs an
// install created.
type ToolkitEntities struct {
	Templates       map[string]string `json:"templates"`
	NextSteps       map[string]string `json:"next_steps"`
	ActionButtons   map[string]string `json:"action_buttons"`
	Shortcuts       map[string]string `json:"shortcuts"`
	Workflows       map[string]string `json:"workflows"`
	CanvasTemplates map[string]string `json:"canvas_templates"`
}

// ManifestValidation is the outcome of validating a manifest.
type ManifestValidation struct {
	Valid    bool            `json:"valid"`
	Errors   []ManifestIssue `json:"errors"`
	Warnings []ManifestIssue `json:"warnings"`
}

// ManifestIssue is one finding of validation.
type ManifestIssue struct {
	Path    string `json:"path"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ManifestConflict is a manifest entity that meets an existing one.
type ManifestConflict struct {
	EntityType       string `json:"entity_type"`
	EntityName       string `json:"entity_name"`
	ConflictType     string `json:"conflict_type"`
	ExistingEntityID string `json:"existing_entity_id"`
	Resolution       string `json:"resolution"`
	Message          string `json:"message"`
}

// ManifestSummary counts a manifest's entities.
type ManifestSummary struct {
	Templates       int `json:"templates"`
	NextSteps       int `json:"next_steps"`
	ActionButtons   int `json:"action_buttons"`
	Shortcuts       int `json:"shortcuts"`
	Workflows       int `json:"workflows"`
	CanvasTemplates int `json:"canvas_templates"`
}

// ToolkitInstallation is a toolkit's installation in the user's workspace
// (or, for a dry run, the check of one).
type ToolkitInstallation struct {
	ID                string              `json:"id"`
	ToolkitID         string              `json:"toolkit_id"`
	WorkspaceID       string              `json:"workspace_id"`
	Status            string              `json:"status"`
	VersionLabel      string              `json:"version_label"`
	InstalledAt       string              `json:"installed_at"`
	InstalledBy       string              `json:"installed_by"`
	InstalledByUserID string              `json:"installed_by_user_id"`
	Entities          ToolkitEntities     `json:"entities"`
	DryRun            bool                `json:"dry_run"`
	Validation        *ManifestValidation `json:"validation"`
	Conflicts         []ManifestConflict  `json:"conflicts"`
	Summary           *ManifestSummary    `json:"summary"`
}

// UserToolkit is the hybrid list item of the user's toolkits.
type UserToolkit struct {
	ToolkitInfo
	IsInstalled  bool                 `json:"is_installed"`
	Toolkit      ToolkitInfo          `json:"toolkit"`
	Installation *ToolkitInstallation `json:"installation"`
}

// Toolkits lists the app's toolkits with their installation in the user's
// workspace.
func (c *Client) Toolkits(ctx context.Context, p PageParams) (*PartnerList[UserToolkit], error) {
	return getJSON[PartnerList[UserToolkit]](ctx, c, userBase+"/toolkits", p.query())
}

// AllToolkits iterates over every toolkit Toolkits lists.
func (c *Client) AllToolkits(ctx context.Context) iter.Seq2[UserToolkit, error] {
	return allPages(func(p PageParams) (*PartnerList[UserToolkit], error) { return c.Toolkits(ctx, p) })
}

// Toolkit fetches one toolkit as the user sees it.
func (c *Client) Toolkit(ctx context.Context, id string) (*UserToolkit, error) {
	return getJSON[UserToolkit](ctx, c, userBase+"/toolkits/"+esc(id), nil)
}

// InstallToolkit installs a toolkit in the user's workspace; with dryRun it
// only checks.
func (c *Client) InstallToolkit(ctx context.Context, id string, dryRun bool) (*ToolkitInstallation, error) {
	return sendJSON[ToolkitInstallation](ctx, c, http.MethodPost, userBase+"/toolkits/"+esc(id)+"/install",
		map[string]bool{"dry_run": dryRun})
}

// UninstallToolkit removes what a toolkit installed in the user's
// workspace.
func (c *Client) UninstallToolkit(ctx context.Context, id string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: userBase + "/toolkits/" + esc(id) + "/uninstall"}, nil)
}

// WorkspaceToolkits lists toolkits through the workspace-scoped alias.
func (c *Client) WorkspaceToolkits(ctx context.Context, workspaceID string, p PageParams) (*PartnerList[UserToolkit], error) {
	return getJSON[PartnerList[UserToolkit]](ctx, c, userBase+"/workspaces/"+esc(workspaceID)+"/toolkits", p.query())
}

// UninstallWorkspaceToolkit uninstalls through the workspace-scoped alias.
func (c *Client) UninstallWorkspaceToolkit(ctx context.Context, workspaceID, id string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: userBase + "/workspaces/" + esc(workspaceID) + "/toolkits/" + esc(id)}, nil)
}

// TemplateNextStep is a next step of a meeting template.
type TemplateNextStep struct {
	ID            string                `json:"id"`
	Name          string                `json:"name"`
	Description   string                `json:"description"`
	Type          string                `json:"type"`
	Autopilot     bool                  `json:"autopilot"`
	Color         string                `json:"color"`
	IconName      string                `json:"icon_name"`
	SortOrder     int                   `json:"sort_order"`
	ActionButtons []MeetingActionButton `json:"action_buttons"`
}

// UserMeetingTemplate is a meeting template as a user sees it.
type UserMeetingTemplate struct {
	ID               string             `json:"id"`
	Name             string             `json:"name"`
	Description      string             `json:"description"`
	BackingMeetingID string             `json:"backing_meeting_id"`
	IsActive         bool               `json:"is_active"`
	OwnershipType    string             `json:"ownership_type"`
	NextSteps        []TemplateNextStep `json:"next_steps"`
	AgendaItemCount  *int               `json:"agenda_item_count"`
	DocumentCount    *int               `json:"document_count"`
	ParticipantCount *int               `json:"participant_count"`
	CanEdit          *bool              `json:"can_edit"`
	CreatedAt        string             `json:"created_at"`
	UpdatedAt        string             `json:"updated_at"`
}

// MeetingTemplates lists the workspace's meeting templates.
func (c *Client) MeetingTemplates(ctx context.Context, p PageParams) (*PartnerList[UserMeetingTemplate], error) {
	return getJSON[PartnerList[UserMeetingTemplate]](ctx, c, userBase+"/meeting-templates", p.query())
}

// AllMeetingTemplates iterates over every template MeetingTemplates lists.
func (c *Client) AllMeetingTemplates(ctx context.Context) iter.Seq2[UserMeetingTemplate, error] {
	return allPages(func(p PageParams) (*PartnerList[UserMeetingTemplate], error) { return c.MeetingTemplates(ctx, p) })
}

// MeetingTemplate fetches a template with its next steps and counts.
func (c *Client) MeetingTemplate(ctx context.Context, id string) (*UserMeetingTemplate, error) {
	return getJSON[UserMeetingTemplate](ctx, c, userBase+"/meeting-templates/"+esc(id), nil)
}

// MeetingTemplateNextSteps lists a template's next steps.
func (c *Client) MeetingTemplateNextSteps(ctx context.Context, id string, p PageParams) (*PartnerList[TemplateNextStep], error) {
	return getJSON[PartnerList[TemplateNextStep]](ctx, c, userBase+"/meeting-templates/"+esc(id)+"/next-steps", p.query())
}

// AppliedTemplate answers a template application.
type AppliedTemplate struct {
	Success       bool   `json:"success"`
	ApplicationID string `json:"application_id"`
	AppliedItems  struct {
		AgendaItems  int `json:"agenda_items"`
		Documents    int `json:"documents"`
		Participants int `json:"participants"`
		NextSteps    int `json:"next_steps"`
	} `json:"applied_items"`
}

// ApplyMeetingTemplate applies a template to a meeting of the workspace.
func (c *Client) ApplyMeetingTemplate(ctx context.Context, templateID, meetingID string) (*AppliedTemplate, error) {
	return sendJSON[AppliedTemplate](ctx, c, http.MethodPost, userBase+"/meeting-templates/"+esc(templateID)+"/apply",
		map[string]string{"meeting_id": meetingID})
}

// WorkflowStep is one step of a workflow run.
type WorkflowStep struct {
	ID           string          `json:"id"`
	NodeID       string          `json:"node_id"`
	NodeType     string          `json:"node_type"`
	Status       string          `json:"status"`
	Output       json.RawMessage `json:"output"`
	ErrorMessage string          `json:"error_message"`
	StartedAt    string          `json:"started_at"`
	CompletedAt  string          `json:"completed_at"`
}

// WorkflowRun is a workflow run.
type WorkflowRun struct {
	ID                 string         `json:"id"`
	WorkflowTemplateID string         `json:"workflow_template_id"`
	OriginatingID      string         `json:"originating_id"`
	OriginatingType    string         `json:"originating_type"`
	Status             string         `json:"status"`
	TriggerType        string         `json:"trigger_type"`
	TriggeredBy        string         `json:"triggered_by"`
	OwnerUserID        string         `json:"owner_user_id"`
	WorkspaceID        string         `json:"workspace_id"`
	Name               string         `json:"name"`
	ContextJSON        map[string]any `json:"context_json"`
	CurrentStepIDs     []string       `json:"current_step_ids"`
	ErrorMessage       string         `json:"error_message"`
	Steps              []WorkflowStep `json:"steps"`
	CreatedAt          string         `json:"created_at"`
	UpdatedAt          string         `json:"updated_at"`
	StartedAt          string         `json:"started_at"`
	CompletedAt        string         `json:"completed_at"`
}

// WorkflowRunParams filters and pages workflow runs.
type WorkflowRunParams struct {
	PageParams
	Status             string
	WorkflowTemplateID string
	OriginatingType    string
}

// WorkflowRuns lists the workspace's workflow runs, newest first.
func (c *Client) WorkflowRuns(ctx context.Context, p WorkflowRunParams) (*PartnerList[WorkflowRun], error) {
	q := p.query()
	for k, v := range map[string]string{"status": p.Status, "workflow_template_id": p.WorkflowTemplateID, "originating_type": p.OriginatingType} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return getJSON[PartnerList[WorkflowRun]](ctx, c, userBase+"/workflow-runs", q)
}

// AllWorkflowRuns iterates over every run WorkflowRuns lists with filter f.
func (c *Client) AllWorkflowRuns(ctx context.Context, f WorkflowRunParams) iter.Seq2[WorkflowRun, error] {
	return allPages(func(p PageParams) (*PartnerList[WorkflowRun], error) {
		f.PageParams = p
		return c.WorkflowRuns(ctx, f)
	})
}

// CreateWorkflowRunRequest starts a run.
type CreateWorkflowRunRequest struct {
	WorkflowTemplateID string `json:"workflow_template_id"`
	OriginatingID      string `json:"originating_id"`
	OriginatingType    string `json:"originating_type"`
}

// CreateWorkflowRun starts a workflow run.
func (c *Client) CreateWorkflowRun(ctx context.Context, r CreateWorkflowRunRequest) (*WorkflowRun, error) {
	return sendJSON[WorkflowRun](ctx, c, http.MethodPost, userBase+"/workflow-runs", r)
}

// WorkflowRun fetches a run with its steps.
func (c *Client) WorkflowRun(ctx context.Context, id string) (*WorkflowRun, error) {
	return getJSON[WorkflowRun](ctx, c, userBase+"/workflow-runs/"+esc(id), nil)
}
