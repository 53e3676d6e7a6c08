package partneruser

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/nextstep"
	"github.com/quorumhq/quorum/internal/template"
	"github.com/quorumhq/quorum/internal/toolkit"
	"github.com/quorumhq/quorum/internal/workflow"
)

// toolkitsHandler serves next steps, action buttons, toolkits, meeting
// templates and workflow runs (U12-U16, U38-U46).
type toolkitsHandler struct{ *Handler }

func (h toolkitsHandler) register(api huma.API, s *rest.Surface) {
	const steps, kits, tpls, runs = "Next steps", "Toolkits", "Meeting templates", "Workflow runs"
	rest.Register(api, s, rest.Op{ID: "getMeetingNextSteps", Method: http.MethodGet, Path: "/meetings/{meetingId}/next-steps", Tag: steps,
		Summary: "The next steps of a meeting", Scope: "meetings:read"}, h.meetingNextSteps)
	rest.Register(api, s, rest.Op{ID: "executeNextStep", Method: http.MethodPost, Path: "/meetings/{meetingId}/next-steps/{nextStepId}/execute",
		Tag: steps, Summary: "Run a next step over a meeting", Scope: "meetings:write"}, h.executeNextStep)
	rest.Register(api, s, rest.Op{ID: "getNextStepResult", Method: http.MethodGet, Path: "/next-step-results/{resultId}", Tag: steps,
		Summary: "A next step's result (kept 7 days)", Scope: "meetings:read"}, h.nextStepResult)
	rest.Register(api, s, rest.Op{ID: "getMeetingActionButtons", Method: http.MethodGet, Path: "/meetings/{meetingId}/action-buttons",
		Tag: steps, Summary: "The action buttons of a meeting's next steps", Scope: "meetings:read"}, h.meetingButtons)
	rest.Register(api, s, rest.Op{ID: "triggerActionButton", Method: http.MethodPost,
		Path: "/meetings/{meetingId}/action-buttons/{buttonId}/trigger", Tag: steps, Summary: "Press an action button",
		Scope: "meetings:write"}, h.triggerButton)

	rest.Register(api, s, rest.Op{ID: "getToolkits", Method: http.MethodGet, Path: "/toolkits", Tag: kits,
		Summary: "The app's toolkits, with their installation in the caller's workspace", Scope: "toolkits:read"}, h.listToolkits)
	rest.Register(api, s, rest.Op{ID: "getToolkit", Method: http.MethodGet, Path: "/toolkits/{toolkitId}", Tag: kits,
		Summary: "One toolkit", Scope: "toolkits:read"}, h.getToolkit)
	rest.Register(api, s, rest.Op{ID: "installToolkit", Method: http.MethodPost, Path: "/toolkits/{toolkitId}/install", Tag: kits,
		Summary: "Install a toolkit in the caller's workspace", Scope: "toolkits:write"}, h.installToolkit)
	rest.Register(api, s, rest.Op{ID: "uninstallToolkit", Method: http.MethodDelete, Path: "/toolkits/{toolkitId}/uninstall", Tag: kits,
		Summary: "Remove what a toolkit installed", Scope: "toolkits:write", Status: http.StatusNoContent}, h.uninstallToolkit)
	// The OpenAPI document names these workspace-scoped aliases.
	rest.Register(api, s, rest.Op{ID: "getWorkspaceToolkits", Method: http.MethodGet, Path: "/workspaces/{workspaceId}/toolkits", Tag: kits,
		Summary: "The app's toolkits in a workspace (alias)", Scope: "toolkits:read"}, h.workspaceToolkits)
	rest.Register(api, s, rest.Op{ID: "uninstallWorkspaceToolkit", Method: http.MethodDelete, Path: "/workspaces/{workspaceId}/toolkits/{toolkitId}",
		Tag: kits, Summary: "Uninstall a toolkit (alias)", Scope: "toolkits:write", Status: http.StatusNoContent}, h.uninstallWorkspaceToolkit)

	rest.Register(api, s, rest.Op{ID: "getMeetingTemplates", Method: http.MethodGet, Path: "/meeting-templates", Tag: tpls,
		Summary: "The workspace's meeting templates", Scope: "meetings:read"}, h.listTemplates)
	rest.Register(api, s, rest.Op{ID: "getMeetingTemplate", Method: http.MethodGet, Path: "/meeting-templates/{templateId}", Tag: tpls,
		Summary: "One meeting template with its next steps", Scope: "meetings:read"}, h.getTemplate)
	rest.Register(api, s, rest.Op{ID: "getMeetingTemplateNextSteps", Method: http.MethodGet, Path: "/meeting-templates/{templateId}/next-steps",
		Tag: tpls, Summary: "A template's next steps", Scope: "meetings:read"}, h.templateNextSteps)
	rest.Register(api, s, rest.Op{ID: "applyMeetingTemplate", Method: http.MethodPost, Path: "/meeting-templates/{templateId}/apply",
		Tag: tpls, Summary: "Apply a template to a meeting", Scope: "meetings:write"}, h.applyTemplate)

	rest.Register(api, s, rest.Op{ID: "listWorkflowRuns", Method: http.MethodGet, Path: "/workflow-runs", Tag: runs,
		Summary: "The workspace's workflow runs", Scope: "workflows:read"}, h.listRuns)
	rest.Register(api, s, rest.Op{ID: "createWorkflowRun", Method: http.MethodPost, Path: "/workflow-runs", Tag: runs,
		Summary: "Start a workflow run", Scope: "workflows:write", Status: http.StatusCreated}, h.createRun)
	rest.Register(api, s, rest.Op{ID: "getWorkflowRun", Method: http.MethodGet, Path: "/workflow-runs/{runId}", Tag: runs,
		Summary: "One workflow run with its steps", Scope: "workflows:read"}, h.getRun)
}

// ---- next steps and action buttons ----

// MeetingActionButton is an action button as a meeting lists it.
type MeetingActionButton struct {
	ID                string  `json:"id"`
	Name              string  `json:"name"`
	Description       *string `json:"description,omitempty"`
	IsDefault         bool    `json:"is_default"`
	IconName          *string `json:"icon_name,omitempty"`
	DeliveryMechanism string  `json:"delivery_mechanism"`
	ContentFormat     string  `json:"content_format"`
}

// MeetingNextStep is a next step of a meeting.
type MeetingNextStep struct {
	ID            string                `json:"id"`
	Name          string                `json:"name"`
	Description   *string               `json:"description,omitempty"`
	Type          string                `json:"type"`
	Autopilot     bool                  `json:"autopilot"`
	Color         *string               `json:"color,omitempty"`
	IconName      *string               `json:"icon_name,omitempty"`
	RedirectURL   *string               `json:"redirect_url,omitempty"`
	SortOrder     int                   `json:"sort_order"`
	ActionButtons []MeetingActionButton `json:"action_buttons"`
}

func toButton(b nextstep.Button) MeetingActionButton {
	return MeetingActionButton{ID: b.UUID, Name: b.Name, Description: Optional(b.Description), IsDefault: b.IsDefault, IconName: Optional(b.IconName),
		DeliveryMechanism: b.DeliveryMechanism, ContentFormat: b.ContentFormat}
}

func toStep(n nextstep.NextStep, autopilot bool, order int, buttons []nextstep.Button) MeetingNextStep {
	out := MeetingNextStep{ID: n.UUID, Name: n.Name, Description: Optional(n.Description), Type: string(n.Type), Autopilot: autopilot,
		Color: Optional(n.Color), IconName: Optional(n.IconName), RedirectURL: Optional(n.RedirectURL), SortOrder: order,
		ActionButtons: make([]MeetingActionButton, 0, len(buttons))}
	for _, b := range buttons {
		out.ActionButtons = append(out.ActionButtons, toButton(b))
	}
	return out
}

type meetingPageInput struct {
	MeetingID string `path:"meetingId"`
	PageQuery
}

type nextStepsOutput struct{ Body List[MeetingNextStep] }

// meetingNextSteps serves GET /meetings/{meetingId}/next-steps.
func (h toolkitsHandler) meetingNextSteps(ctx context.Context, c caller.Caller, in *meetingPageInput) (*nextStepsOutput, error) {
	p, err := h.NextSteps.ForMeeting(ctx, c, in.MeetingID, in.Request())
	if err != nil {
		return nil, err
	}
	return &nextStepsOutput{Body: ListOf(p, func(s nextstep.MeetingStep) MeetingNextStep {
		return toStep(s.NextStep, s.Autopilot, s.Order, s.Buttons)
	})}, nil
}

type buttonsOutput struct{ Body List[MeetingActionButton] }

// meetingButtons serves GET /meetings/{meetingId}/action-buttons.
func (h toolkitsHandler) meetingButtons(ctx context.Context, c caller.Caller, in *meetingPageInput) (*buttonsOutput, error) {
	p, err := h.NextSteps.ButtonsForMeeting(ctx, c, in.MeetingID, in.Request())
	if err != nil {
		return nil, err
	}
	return &buttonsOutput{Body: ListOf(p, toButton)}, nil
}

type executeInput struct {
	MeetingID  string `path:"meetingId"`
	NextStepID string `path:"nextStepId"`
	Body       struct {
		Parameters     map[string]any `json:"parameters,omitempty" doc:"extra context for the prompt (SDK)"`
		ActionButtonID string         `json:"action_button_id,omitempty" doc:"a button to deliver the result with (spec)"`
	} `required:"false"`
}

// ExecuteNextStepResponse is the union of the SDK's and the spec's
// execution responses.
type ExecuteNextStepResponse struct {
	ResultID       string  `json:"result_id"`
	Status         string  `json:"status"`
	Message        string  `json:"message"`
	ExecutionLogID string  `json:"execution_log_id"`
	GeneratedText  *string `json:"generated_text,omitempty"`
	ContentFormat  string  `json:"content_format"`
	RedirectURL    *string `json:"redirect_url,omitempty"`
}

type executeOutput struct{ Body ExecuteNextStepResponse }

// executeNextStep serves POST /meetings/{meetingId}/next-steps/{nextStepId}/execute.
func (h toolkitsHandler) executeNextStep(ctx context.Context, c caller.Caller, in *executeInput) (*executeOutput, error) {
	r, err := h.NextSteps.Execute(ctx, c, in.MeetingID, in.NextStepID, nextstep.ExecuteInput{ActionButtonID: in.Body.ActionButtonID,
		Parameters: in.Body.Parameters})
	if err != nil {
		return nil, err
	}
	out := ExecuteNextStepResponse{ResultID: r.UUID, Status: string(r.Status), ExecutionLogID: r.UUID, ContentFormat: r.ContentFormat,
		RedirectURL: Optional(r.RedirectURL), Message: "the next step is running; poll the result"}
	if r.Status == nextstep.StatusCompleted {
		out.Message = "the next step completed"
		out.GeneratedText = &r.Content
	}
	return &executeOutput{Body: out}, nil
}

// NextStepResult is the union of the SDK's and the spec's result: the text
// is in both content and generated_text.
type NextStepResult struct {
	ID             string  `json:"id"`
	NextStepID     string  `json:"next_step_id"`
	MeetingID      string  `json:"meeting_id"`
	Status         string  `json:"status"`
	Content        *string `json:"content,omitempty"`
	GeneratedText  *string `json:"generated_text,omitempty"`
	ContentFormat  string  `json:"content_format"`
	RedirectURL    *string `json:"redirect_url,omitempty"`
	ErrorMessage   *string `json:"error_message,omitempty"`
	ExecutionLogID string  `json:"execution_log_id"`
	ExpiresAt      string  `json:"expires_at"`
	CreatedAt      string  `json:"created_at"`
	UpdatedAt      string  `json:"updated_at"`
	CompletedAt    *string `json:"completed_at,omitempty"`
}

type resultInput struct {
	ResultID string `path:"resultId"`
}

type resultOutput struct{ Body NextStepResult }

// nextStepResult serves GET /next-step-results/{resultId}.
func (h toolkitsHandler) nextStepResult(ctx context.Context, c caller.Caller, in *resultInput) (*resultOutput, error) {
	r, err := h.NextSteps.Result(ctx, c, in.ResultID)
	if err != nil {
		return nil, err
	}
	out := NextStepResult{ID: r.UUID, NextStepID: r.NextStepUUID, MeetingID: r.MeetingUUID, Status: string(r.Status),
		ContentFormat: r.ContentFormat, RedirectURL: Optional(r.RedirectURL), ErrorMessage: Optional(r.ErrorMessage), ExecutionLogID: r.UUID,
		ExpiresAt: rest.Time(ctx, r.ExpiresAt), CreatedAt: rest.Time(ctx, r.CreatedAt), UpdatedAt: rest.Time(ctx, r.UpdatedAt),
		CompletedAt: rest.TimePtr(ctx, r.CompletedAt)}
	if r.Status == nextstep.StatusCompleted {
		out.Content, out.GeneratedText = &r.Content, &r.Content
	}
	return &resultOutput{Body: out}, nil
}

type triggerInput struct {
	MeetingID string `path:"meetingId"`
	ButtonID  string `path:"buttonId"`
	Body      struct {
		Parameters       map[string]any    `json:"parameters,omitempty" doc:"SDK form; its keys may carry the spec's fields"`
		NextStepID       string            `json:"next_step_id,omitempty"`
		ResultID         string            `json:"result_id,omitempty"`
		Content          string            `json:"content,omitempty" maxLength:"1000000"`
		ContentFormat    string            `json:"content_format,omitempty"`
		AddressingValues map[string]string `json:"addressing_values,omitempty"`
	} `required:"false"`
}

// TriggerActionButtonResponse is the union of the SDK's and the spec's
// trigger responses.
type TriggerActionButtonResponse struct {
	ResultID     string  `json:"result_id"`
	InvocationID string  `json:"invocation_id"`
	Status       string  `json:"status"`
	Message      string  `json:"message"`
	RedirectURL  *string `json:"redirect_url,omitempty"`
}

type triggerOutput struct{ Body TriggerActionButtonResponse }

// triggerButton serves POST /meetings/{meetingId}/action-buttons/{buttonId}/trigger.
func (h toolkitsHandler) triggerButton(ctx context.Context, c caller.Caller, in *triggerInput) (*triggerOutput, error) {
	b := in.Body
	inv, err := h.NextSteps.Trigger(ctx, c, in.MeetingID, in.ButtonID, nextstep.TriggerInput{NextStepID: b.NextStepID, ResultID: b.ResultID,
		Content: b.Content, ContentFormat: b.ContentFormat, AddressingValues: b.AddressingValues, Parameters: b.Parameters})
	if err != nil {
		return nil, err
	}
	resultID := inv.ResultUUID
	if resultID == "" {
		resultID = inv.UUID
	}
	return &triggerOutput{Body: TriggerActionButtonResponse{ResultID: resultID, InvocationID: inv.UUID, Status: string(inv.Status),
		Message: inv.Message, RedirectURL: Optional(inv.RedirectURL)}}, nil
}

// ---- toolkits ----

// ToolkitInfo is a toolkit as a user sees it.
type ToolkitInfo struct {
	ID                  string          `json:"id"`
	Name                string          `json:"name"`
	Slug                string          `json:"slug"`
	Description         string          `json:"description"`
	Version             string          `json:"version"`
	IsActive            bool            `json:"is_active"`
	OwnershipType       string          `json:"ownership_type"`
	PartnerAppID        string          `json:"partner_app_id"`
	TemplatesCount      int             `json:"templates_count"`
	NextStepsCount      int             `json:"next_steps_count"`
	ActionButtonsCount  int             `json:"action_buttons_count"`
	Manifest            json.RawMessage `json:"manifest"`
	AutoPropagate       bool            `json:"auto_propagate"`
	AutoInstallOnCreate bool            `json:"auto_install_on_new_workspaces"`
	CreatedAt           string          `json:"created_at"`
	UpdatedAt           string          `json:"updated_at"`
}

// ToolkitEntities maps each kind of a manifest to its local ids and the
// UUIDs the install created.
type ToolkitEntities struct {
	Templates       map[string]string `json:"templates"`
	NextSteps       map[string]string `json:"next_steps"`
	ActionButtons   map[string]string `json:"action_buttons"`
	Shortcuts       map[string]string `json:"shortcuts"`
	Workflows       map[string]string `json:"workflows"`
	CanvasTemplates map[string]string `json:"canvas_templates"`
}

// ToolkitInstallation is the union of the SDK's and the spec's
// installation; a dry run adds its validation, conflicts and summary.
type ToolkitInstallation struct {
	ID                string              `json:"id"`
	ToolkitID         string              `json:"toolkit_id"`
	WorkspaceID       string              `json:"workspace_id"`
	Status            string              `json:"status"`
	VersionLabel      string              `json:"version_label"`
	InstalledAt       *string             `json:"installed_at"`
	InstalledBy       *string             `json:"installed_by"`
	InstalledByUserID *string             `json:"installed_by_user_id"`
	Entities          ToolkitEntities     `json:"entities"`
	DryRun            bool                `json:"dry_run,omitempty"`
	Validation        *toolkit.Validation `json:"validation,omitempty"`
	Conflicts         []toolkit.Conflict  `json:"conflicts,omitempty"`
	Summary           *toolkit.Summary    `json:"summary,omitempty"`
}

// UserToolkitItem is the hybrid list item: the toolkit's flat fields, the
// SDK's nested toolkit and installation, and is_installed.
type UserToolkitItem struct {
	ToolkitInfo
	IsInstalled  bool                 `json:"is_installed"`
	Toolkit      ToolkitInfo          `json:"toolkit"`
	Installation *ToolkitInstallation `json:"installation,omitempty"`
}

func toToolkitInfo(ctx context.Context, t toolkit.Toolkit) ToolkitInfo {
	sum := t.Summary()
	return ToolkitInfo{ID: t.UUID, Name: t.Name, Slug: t.Slug, Description: t.Description, Version: t.Version, IsActive: t.IsActive,
		OwnershipType: t.Ownership, PartnerAppID: t.AppUUID, TemplatesCount: sum.Templates, NextStepsCount: sum.NextSteps,
		ActionButtonsCount: sum.ActionButtons, Manifest: t.Manifest, AutoPropagate: t.AutoPropagate, AutoInstallOnCreate: t.AutoInstall,
		CreatedAt: rest.Time(ctx, t.CreatedAt), UpdatedAt: rest.Time(ctx, t.UpdatedAt)}
}

func toInstallation(ctx context.Context, workspaceUUID string, i toolkit.Installation) ToolkitInstallation {
	e := func(kind string) map[string]string {
		if m := i.Entities[kind]; m != nil {
			return m
		}
		return map[string]string{}
	}
	by := Optional(i.InstalledBy)
	ws := i.WorkspaceUUID
	if ws == "" {
		ws = workspaceUUID
	}
	out := ToolkitInstallation{ID: i.UUID, ToolkitID: i.ToolkitUUID, WorkspaceID: ws, Status: i.Status, VersionLabel: i.VersionLabel,
		InstalledAt: rest.TimePtr(ctx, i.InstalledAt), InstalledBy: by, InstalledByUserID: by,
		Entities: ToolkitEntities{Templates: e(toolkit.KindTemplate), NextSteps: e(toolkit.KindNextStep), ActionButtons: e(toolkit.KindButton),
			Shortcuts: e(toolkit.KindShortcut), Workflows: e(toolkit.KindWorkflow), CanvasTemplates: e(toolkit.KindCanvas)}}
	if i.DryRun {
		v, sum := i.Check.Validation, i.Check.Summary
		out.DryRun, out.Validation, out.Conflicts, out.Summary = true, &v, i.Check.Conflicts, &sum
	}
	return out
}

func toUserToolkit(ctx context.Context, u toolkit.UserToolkit) UserToolkitItem {
	info := toToolkitInfo(ctx, u.Toolkit)
	item := UserToolkitItem{ToolkitInfo: info, Toolkit: info, IsInstalled: u.Installation != nil}
	if u.Installation != nil {
		inst := toInstallation(ctx, "", *u.Installation)
		item.Installation = &inst
	}
	return item
}

type toolkitsOutput struct{ Body List[UserToolkitItem] }

// listToolkits serves GET /toolkits.
func (h toolkitsHandler) listToolkits(ctx context.Context, c caller.Caller, in *PageQuery) (*toolkitsOutput, error) {
	p, err := h.Toolkits.ForUser(ctx, c, in.Request())
	if err != nil {
		return nil, err
	}
	return &toolkitsOutput{Body: ListOf(p, func(u toolkit.UserToolkit) UserToolkitItem { return toUserToolkit(ctx, u) })}, nil
}

type workspaceToolkitsInput struct {
	WorkspaceID string `path:"workspaceId"`
	PageQuery
}

// workspaceToolkits serves GET /workspaces/{workspaceId}/toolkits; only the
// caller's own workspace exists for it.
func (h toolkitsHandler) workspaceToolkits(ctx context.Context, c caller.Caller, in *workspaceToolkitsInput) (*toolkitsOutput, error) {
	if err := h.ownWorkspace(ctx, c, in.WorkspaceID); err != nil {
		return nil, err
	}
	return h.listToolkits(ctx, c, &in.PageQuery)
}

func (h toolkitsHandler) ownWorkspace(ctx context.Context, c caller.Caller, id string) error {
	_, m, err := h.Identities.Profile(ctx, c)
	if err != nil {
		return err
	}
	if m.Org.UUID != id {
		return fault.NotFound("workspace")
	}
	return nil
}

type toolkitInput struct {
	ToolkitID string `path:"toolkitId"`
}

type toolkitOutput struct{ Body UserToolkitItem }

// getToolkit serves GET /toolkits/{toolkitId}.
func (h toolkitsHandler) getToolkit(ctx context.Context, c caller.Caller, in *toolkitInput) (*toolkitOutput, error) {
	u, err := h.Toolkits.ForUserOne(ctx, c, in.ToolkitID)
	if err != nil {
		return nil, err
	}
	return &toolkitOutput{Body: toUserToolkit(ctx, u)}, nil
}

type installInput struct {
	ToolkitID string `path:"toolkitId"`
	Body      struct {
		DryRun bool `json:"dry_run,omitempty" doc:"validate against the workspace and create nothing"`
	} `required:"false"`
}

type installOutput struct{ Body ToolkitInstallation }

// installToolkit serves POST /toolkits/{toolkitId}/install.
func (h toolkitsHandler) installToolkit(ctx context.Context, c caller.Caller, in *installInput) (*installOutput, error) {
	i, err := h.Toolkits.Install(ctx, c, in.ToolkitID, in.Body.DryRun)
	if err != nil {
		return nil, err
	}
	ws := ""
	if i.DryRun {
		if _, m, err := h.Identities.Profile(ctx, c); err == nil {
			ws = m.Org.UUID
		}
	}
	return &installOutput{Body: toInstallation(ctx, ws, i)}, nil
}

// uninstallToolkit serves DELETE /toolkits/{toolkitId}/uninstall.
func (h toolkitsHandler) uninstallToolkit(ctx context.Context, c caller.Caller, in *toolkitInput) (*struct{}, error) {
	return nil, h.Toolkits.Uninstall(ctx, c, in.ToolkitID)
}

type workspaceToolkitInput struct {
	WorkspaceID string `path:"workspaceId"`
	ToolkitID   string `path:"toolkitId"`
}

// uninstallWorkspaceToolkit serves DELETE /workspaces/{workspaceId}/toolkits/{toolkitId}.
func (h toolkitsHandler) uninstallWorkspaceToolkit(ctx context.Context, c caller.Caller, in *workspaceToolkitInput) (*struct{}, error) {
	if err := h.ownWorkspace(ctx, c, in.WorkspaceID); err != nil {
		return nil, err
	}
	return nil, h.Toolkits.Uninstall(ctx, c, in.ToolkitID)
}

// ---- meeting templates ----

// TemplateNextStep is a next step of a meeting template.
type TemplateNextStep struct {
	ID            string                `json:"id"`
	Name          string                `json:"name"`
	Description   *string               `json:"description,omitempty"`
	Type          string                `json:"type"`
	Autopilot     bool                  `json:"autopilot"`
	Color         *string               `json:"color,omitempty"`
	IconName      *string               `json:"icon_name,omitempty"`
	SortOrder     int                   `json:"sort_order"`
	ActionButtons []MeetingActionButton `json:"action_buttons"`
}

// UserMeetingTemplate is a meeting template as a user sees it; the detail
// adds the counts and next steps.
type UserMeetingTemplate struct {
	ID               string             `json:"id"`
	Name             string             `json:"name"`
	Description      *string            `json:"description,omitempty"`
	BackingMeetingID *string            `json:"backing_meeting_id,omitempty"`
	IsActive         bool               `json:"is_active"`
	OwnershipType    string             `json:"ownership_type"`
	NextSteps        []TemplateNextStep `json:"next_steps,omitempty"`
	AgendaItemCount  *int               `json:"agenda_item_count,omitempty"`
	DocumentCount    *int               `json:"document_count,omitempty"`
	ParticipantCount *int               `json:"participant_count,omitempty"`
	CanEdit          *bool              `json:"can_edit,omitempty"`
	CreatedAt        string             `json:"created_at"`
	UpdatedAt        string             `json:"updated_at"`
}

func toUserTemplate(ctx context.Context, t template.Template) UserMeetingTemplate {
	return UserMeetingTemplate{ID: t.UUID, Name: t.Name, Description: Optional(t.Description), BackingMeetingID: Optional(t.BackingMeetingUUID),
		IsActive: t.IsActive, OwnershipType: t.Ownership, CreatedAt: rest.Time(ctx, t.CreatedAt), UpdatedAt: rest.Time(ctx, t.UpdatedAt)}
}

func toTemplateStep(l template.StepLink) TemplateNextStep {
	s := toStep(l.NextStep, l.Autopilot, l.Order, l.Buttons)
	return TemplateNextStep{ID: s.ID, Name: s.Name, Description: s.Description, Type: s.Type, Autopilot: s.Autopilot, Color: s.Color,
		IconName: s.IconName, SortOrder: s.SortOrder, ActionButtons: s.ActionButtons}
}

type templatesOutput struct{ Body List[UserMeetingTemplate] }

// listTemplates serves GET /meeting-templates.
func (h toolkitsHandler) listTemplates(ctx context.Context, c caller.Caller, in *PageQuery) (*templatesOutput, error) {
	p, err := h.Templates.List(ctx, c, in.Request())
	if err != nil {
		return nil, err
	}
	return &templatesOutput{Body: ListOf(p, func(t template.Template) UserMeetingTemplate { return toUserTemplate(ctx, t) })}, nil
}

type templateInput struct {
	TemplateID string `path:"templateId"`
}

type templateOutput struct{ Body UserMeetingTemplate }

// getTemplate serves GET /meeting-templates/{templateId}.
func (h toolkitsHandler) getTemplate(ctx context.Context, c caller.Caller, in *templateInput) (*templateOutput, error) {
	d, err := h.Templates.Detail(ctx, c, in.TemplateID)
	if err != nil {
		return nil, err
	}
	out := toUserTemplate(ctx, d.Template)
	agenda, docs, participants := len(d.Agenda), 0, len(d.Participants)
	canEdit := false
	out.AgendaItemCount, out.DocumentCount, out.ParticipantCount, out.CanEdit = &agenda, &docs, &participants, &canEdit
	out.NextSteps = make([]TemplateNextStep, 0, len(d.NextSteps))
	for _, l := range d.NextSteps {
		out.NextSteps = append(out.NextSteps, toTemplateStep(l))
	}
	return &templateOutput{Body: out}, nil
}

type templatePageInput struct {
	TemplateID string `path:"templateId"`
	PageQuery
}

type templateStepsOutput struct{ Body List[TemplateNextStep] }

// templateNextSteps serves GET /meeting-templates/{templateId}/next-steps.
func (h toolkitsHandler) templateNextSteps(ctx context.Context, c caller.Caller, in *templatePageInput) (*templateStepsOutput, error) {
	p, err := h.Templates.NextSteps(ctx, c, in.TemplateID, in.Request())
	if err != nil {
		return nil, err
	}
	return &templateStepsOutput{Body: ListOf(p, toTemplateStep)}, nil
}

type applyInput struct {
	TemplateID string `path:"templateId"`
	Body       struct {
		MeetingID string `json:"meeting_id" minLength:"1" maxLength:"100"`
	}
}

// ApplyTemplateResponse is the spec's answer to applying a template.
type ApplyTemplateResponse struct {
	Success       bool         `json:"success"`
	ApplicationID string       `json:"application_id"`
	AppliedItems  AppliedItems `json:"applied_items"`
}

// AppliedItems counts what applying a template added to the meeting.
type AppliedItems struct {
	AgendaItems  int `json:"agenda_items"`
	Documents    int `json:"documents"`
	Participants int `json:"participants"`
	NextSteps    int `json:"next_steps"`
}

type applyOutput struct{ Body ApplyTemplateResponse }

// applyTemplate serves POST /meeting-templates/{templateId}/apply.
func (h toolkitsHandler) applyTemplate(ctx context.Context, c caller.Caller, in *applyInput) (*applyOutput, error) {
	a, err := h.Templates.Apply(ctx, c, in.Body.MeetingID, in.TemplateID)
	if err != nil {
		return nil, err
	}
	return &applyOutput{Body: ApplyTemplateResponse{Success: true, ApplicationID: a.UUID, AppliedItems: AppliedItems{
		AgendaItems: a.AgendaItems, Documents: a.Documents, Participants: a.Participants, NextSteps: a.NextSteps}}}, nil
}

// ---- workflow runs ----

// WorkflowStep is one step of a run.
type WorkflowStep struct {
	ID           string          `json:"id"`
	NodeID       string          `json:"node_id"`
	NodeType     string          `json:"node_type"`
	Status       string          `json:"status"`
	Output       json.RawMessage `json:"output,omitempty"`
	ErrorMessage *string         `json:"error_message,omitempty"`
	StartedAt    *string         `json:"started_at,omitempty"`
	CompletedAt  *string         `json:"completed_at,omitempty"`
}

// WorkflowRun is a workflow run.
type WorkflowRun struct {
	ID                 string         `json:"id"`
	WorkflowTemplateID string         `json:"workflow_template_id"`
	OriginatingID      string         `json:"originating_id"`
	OriginatingType    string         `json:"originating_type"`
	Status             string         `json:"status"`
	TriggerType        string         `json:"trigger_type"`
	TriggeredBy        *string        `json:"triggered_by,omitempty"`
	OwnerUserID        *string        `json:"owner_user_id,omitempty"`
	WorkspaceID        string         `json:"workspace_id"`
	Name               string         `json:"name"`
	ContextJSON        map[string]any `json:"context_json"`
	CurrentStepIDs     []string       `json:"current_step_ids"`
	ErrorMessage       *string        `json:"error_message,omitempty"`
	Steps              []WorkflowStep `json:"steps"`
	CreatedAt          string         `json:"created_at"`
	UpdatedAt          string         `json:"updated_at"`
	StartedAt          *string        `json:"started_at,omitempty"`
	CompletedAt        *string        `json:"completed_at,omitempty"`
}

func toRun(ctx context.Context, r workflow.Run) WorkflowRun {
	out := WorkflowRun{ID: r.UUID, WorkflowTemplateID: r.TemplateUUID, OriginatingID: r.OriginatingID, OriginatingType: r.OriginatingType,
		Status: string(r.Status), TriggerType: r.TriggerType, TriggeredBy: Optional(r.TriggeredBy), OwnerUserID: Optional(r.TriggeredBy),
		WorkspaceID: r.WorkspaceUUID, Name: r.Name, ContextJSON: r.Context(), CurrentStepIDs: r.CurrentStepIDs(),
		ErrorMessage: Optional(r.ErrorMessage), Steps: make([]WorkflowStep, 0, len(r.Steps)), CreatedAt: rest.Time(ctx, r.CreatedAt),
		UpdatedAt: rest.Time(ctx, r.UpdatedAt), StartedAt: rest.TimePtr(ctx, r.StartedAt), CompletedAt: rest.TimePtr(ctx, r.CompletedAt)}
	for _, s := range r.Steps {
		st := WorkflowStep{ID: s.UUID, NodeID: s.NodeID, NodeType: s.NodeType, Status: string(s.Status), ErrorMessage: Optional(s.ErrorMessage),
			StartedAt: rest.TimePtr(ctx, s.StartedAt), CompletedAt: rest.TimePtr(ctx, s.CompletedAt)}
		if string(s.Output) != "null" {
			st.Output = s.Output
		}
		out.Steps = append(out.Steps, st)
	}
	return out
}

type runsInput struct {
	PageQuery
	Status             string `query:"status" doc:"pending, active, completed, failed, cancelled or frozen"`
	WorkflowTemplateID string `query:"workflow_template_id"`
	OriginatingType    string `query:"originating_type" doc:"meeting or canvas"`
}

type runsOutput struct{ Body List[WorkflowRun] }

// listRuns serves GET /workflow-runs.
func (h toolkitsHandler) listRuns(ctx context.Context, c caller.Caller, in *runsInput) (*runsOutput, error) {
	p, err := h.Workflows.Runs(ctx, c, workflow.RunFilter{Status: workflow.Status(in.Status), TemplateID: in.WorkflowTemplateID,
		OriginatingType: in.OriginatingType}, in.Request())
	if err != nil {
		return nil, err
	}
	return &runsOutput{Body: ListOf(p, func(r workflow.Run) WorkflowRun { return toRun(ctx, r) })}, nil
}

type createRunInput struct {
	Body struct {
		WorkflowTemplateID string `json:"workflow_template_id" maxLength:"100"`
		OriginatingID      string `json:"originating_id" maxLength:"255"`
		OriginatingType    string `json:"originating_type" maxLength:"20"`
	}
}

type runOutput struct{ Body WorkflowRun }

// createRun serves POST /workflow-runs.
func (h toolkitsHandler) createRun(ctx context.Context, c caller.Caller, in *createRunInput) (*runOutput, error) {
	r, err := h.Workflows.StartRun(ctx, c, workflow.NewRun{TemplateID: in.Body.WorkflowTemplateID, OriginatingID: in.Body.OriginatingID,
		OriginatingType: in.Body.OriginatingType})
	if err != nil {
		return nil, err
	}
	return &runOutput{Body: toRun(ctx, r)}, nil
}

type runInput struct {
	RunID string `path:"runId"`
}

// getRun serves GET /workflow-runs/{runId}.
func (h toolkitsHandler) getRun(ctx context.Context, c caller.Caller, in *runInput) (*runOutput, error) {
	r, err := h.Workflows.Run(ctx, c, in.RunID)
	if err != nil {
		return nil, err
	}
	return &runOutput{Body: toRun(ctx, r)}, nil
}
