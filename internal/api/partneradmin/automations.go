package partneradmin

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/partneruser"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/automation"
	"github.com/quorumhq/quorum/internal/caller"
)

// AutomationAction is one step of an automation; config is any JSON
// object.
type AutomationAction struct {
	Type   string         `json:"type"`
	Config map[string]any `json:"config,omitempty"`
}

// Automation is the admin API's automation.
type Automation struct {
	ID           string             `json:"id"`
	PartnerAppID string             `json:"partner_app_id"`
	Name         string             `json:"name"`
	Description  string             `json:"description"`
	TriggerType  string             `json:"trigger_type"`
	Actions      []AutomationAction `json:"actions"`
	Status       string             `json:"status" enum:"active,inactive"`
	IsActive     bool               `json:"is_active"`
	CreatedAt    string             `json:"created_at"`
	UpdatedAt    string             `json:"updated_at"`
}

func toAutomation(ctx context.Context, a automation.Automation) Automation {
	out := Automation{ID: a.UUID, PartnerAppID: a.AppUUID, Name: a.Name, Description: a.Description, TriggerType: a.TriggerType,
		Actions: make([]AutomationAction, 0, len(a.Actions)), Status: string(a.Status), IsActive: a.Status == automation.Active,
		CreatedAt: rest.Time(ctx, a.CreatedAt), UpdatedAt: rest.Time(ctx, a.UpdatedAt)}
	for _, act := range a.Actions {
		out.Actions = append(out.Actions, AutomationAction(act))
	}
	return out
}

func fromActions(in []AutomationAction) []automation.Action {
	if in == nil {
		return nil
	}
	out := make([]automation.Action, 0, len(in))
	for _, a := range in {
		out = append(out, automation.Action(a))
	}
	return out
}

type createAutomationInput struct {
	Body struct {
		Name        string             `json:"name,omitempty" maxLength:"255"`
		Description string             `json:"description,omitempty"`
		TriggerType string             `json:"trigger_type,omitempty" doc:"action_item_created, action_item_updated, action_item_completed, meeting_ended, meeting_summary_ready, action_item_match or phrase_match"`
		Actions     []AutomationAction `json:"actions,omitempty" doc:"webhook {url}, phrase_match {phrases}, assign_action_item {title, owner, description}"`
	}
}

type updateAutomationInput struct {
	ID   string `path:"automationId"`
	Body struct {
		Name        *string            `json:"name,omitempty"`
		Description *string            `json:"description,omitempty"`
		TriggerType *string            `json:"trigger_type,omitempty"`
		Actions     []AutomationAction `json:"actions,omitempty"`
		Status      *string            `json:"status,omitempty" doc:"active or inactive"`
		IsActive    *bool              `json:"is_active,omitempty" doc:"the same switch as status"`
	}
}

type automationIDInput struct {
	ID string `path:"automationId"`
}

type automationOutput struct{ Body Automation }

type automationListOutput struct {
	Body partneruser.List[Automation]
}

type listAutomationsInput struct {
	Limit  int `query:"limit" doc:"page size, 1 to 100 (default 50)"`
	Offset int `query:"offset"`
}

func (h *Handler) registerAutomations(api huma.API) {
	const tag = "Admin: automations"
	s := h.Surface
	// The SDK calls /automations; the OpenAPI document names /automation.
	for _, alias := range []struct{ suffix, path string }{{"", "/automations"}, {"Alias", "/automation"}} {
		rest.Register(api, s, rest.Op{ID: "createAutomation" + alias.suffix, Method: http.MethodPost, Path: alias.path,
			Summary: "Create an automation", Tag: tag, Status: http.StatusCreated}, h.createAutomation)
		rest.Register(api, s, rest.Op{ID: "getAutomations" + alias.suffix, Method: http.MethodGet, Path: alias.path,
			Summary: "List the app's automations, newest first", Tag: tag}, h.listAutomations)
		rest.Register(api, s, rest.Op{ID: "getAutomation" + alias.suffix, Method: http.MethodGet, Path: alias.path + "/{automationId}",
			Summary: "One automation", Tag: tag}, h.getAutomation)
		rest.Register(api, s, rest.Op{ID: "updateAutomation" + alias.suffix, Method: http.MethodPut, Path: alias.path + "/{automationId}",
			Summary: "Change an automation", Tag: tag}, h.updateAutomation)
		rest.Register(api, s, rest.Op{ID: "deleteAutomation" + alias.suffix, Method: http.MethodDelete, Path: alias.path + "/{automationId}",
			Summary: "Delete an automation", Tag: tag, Status: http.StatusNoContent}, h.deleteAutomation)
	}
}

// createAutomation serves POST /v1/partner/admin/automations.
func (h *Handler) createAutomation(ctx context.Context, c caller.Caller, in *createAutomationInput) (*automationOutput, error) {
	a, err := h.Automations.Create(ctx, c, automation.New{Name: in.Body.Name, Description: in.Body.Description,
		TriggerType: in.Body.TriggerType, Actions: fromActions(in.Body.Actions)})
	if err != nil {
		return nil, err
	}
	return &automationOutput{Body: toAutomation(ctx, a)}, nil
}

// listAutomations serves GET /v1/partner/admin/automations.
func (h *Handler) listAutomations(ctx context.Context, c caller.Caller, in *listAutomationsInput) (*automationListOutput, error) {
	p, err := h.Automations.List(ctx, c, partneruser.PageQuery{Limit: in.Limit, Offset: in.Offset}.Request())
	if err != nil {
		return nil, err
	}
	return &automationListOutput{Body: partneruser.ListOf(p, func(a automation.Automation) Automation { return toAutomation(ctx, a) })}, nil
}

// getAutomation serves GET /v1/partner/admin/automations/{automationId}.
func (h *Handler) getAutomation(ctx context.Context, c caller.Caller, in *automationIDInput) (*automationOutput, error) {
	a, err := h.Automations.Get(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	return &automationOutput{Body: toAutomation(ctx, a)}, nil
}

// updateAutomation serves PUT /v1/partner/admin/automations/{automationId}.
func (h *Handler) updateAutomation(ctx context.Context, c caller.Caller, in *updateAutomationInput) (*automationOutput, error) {
	p := automation.Patch{Name: in.Body.Name, Description: in.Body.Description, TriggerType: in.Body.TriggerType,
		Actions: fromActions(in.Body.Actions), IsActive: in.Body.IsActive}
	if in.Body.Status != nil {
		st := automation.Status(*in.Body.Status)
		p.Status = &st
	}
	a, err := h.Automations.Update(ctx, c, in.ID, p)
	if err != nil {
		return nil, err
	}
	return &automationOutput{Body: toAutomation(ctx, a)}, nil
}

// deleteAutomation serves DELETE /v1/partner/admin/automations/{automationId}.
func (h *Handler) deleteAutomation(ctx context.Context, c caller.Caller, in *automationIDInput) (*struct{}, error) {
	if err := h.Automations.Delete(ctx, c, in.ID); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
