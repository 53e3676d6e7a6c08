package partneruser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
)

// PartnerActionItem is the Partner API's action item; partner_context is the
// calling app's own.
type PartnerActionItem struct {
	ID                   string         `json:"id"`
	MeetingID            string         `json:"meeting_id"`
	Title                string         `json:"title"`
	Description          string         `json:"description"`
	Status               string         `json:"status" enum:"needs_review,accepted,in_progress,blocked,completed,cancelled"`
	IsCompleted          bool           `json:"is_completed"`
	DueDate              *string        `json:"due_date,omitempty"`
	CompletedAt          *string        `json:"completed_at,omitempty"`
	HasPartnerAssignment bool           `json:"has_partner_assignment"`
	PartnerContext       map[string]any `json:"partner_context,omitempty"`
	CreatedAt            string         `json:"created_at"`
	UpdatedAt            string         `json:"updated_at"`
}

func toActionItem(ctx context.Context, a actionitem.ActionItem) PartnerActionItem {
	out := PartnerActionItem{ID: a.UUID, MeetingID: a.MeetingUUID, Title: a.Title, Description: a.Description,
		Status: string(actionitem.PartnerStatus(a.Status)), IsCompleted: a.IsCompleted(), DueDate: strPtr(a.DueDate),
		CompletedAt: rest.TimePtr(ctx, a.CompletedAt), HasPartnerAssignment: a.PartnerContext != nil,
		CreatedAt: rest.Time(ctx, a.CreatedAt), UpdatedAt: rest.Time(ctx, a.UpdatedAt)}
	if a.PartnerContext != nil {
		// Stored contexts were validated as JSON objects on the way in.
		_ = json.Unmarshal(a.PartnerContext, &out.PartnerContext)
	}
	return out
}

// rawContext encodes a partner context for the domain; nil stays absent.
func rawContext(m map[string]any) (json.RawMessage, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode partner_context: %w", err)
	}
	return b, nil
}

type partnerListActionItemsInput struct {
	PageQuery
	MeetingID            string `query:"meeting_id"`
	IsCompleted          string `query:"is_completed" doc:"true or false"`
	HasPartnerAssignment string `query:"has_partner_assignment" doc:"true or false: whether this app stored a partner_context"`
	StartDate            string `query:"start_date" doc:"created at or after (ISO 8601 date or date-time)"`
	EndDate              string `query:"end_date" doc:"created at or before (a date covers its whole day)"`
}

type actionItemsOutput struct{ Body List[PartnerActionItem] }

type actionItemOutput struct{ Body PartnerActionItem }

type partnerCreateActionItemInput struct {
	Body struct {
		MeetingID      string         `json:"meeting_id"`
		Title          string         `json:"title" doc:"1 to 1000 characters"`
		Description    string         `json:"description,omitempty"`
		Status         string         `json:"status,omitempty"`
		DueDate        string         `json:"due_date,omitempty" doc:"YYYY-MM-DD, or a date-time whose date is kept"`
		PartnerContext map[string]any `json:"partner_context,omitempty" doc:"stored for this app only"`
	}
}

type partnerUpdateActionItemInput struct {
	ID   string `path:"actionItemId"`
	Body struct {
		Title          *string        `json:"title,omitempty"`
		Description    *string        `json:"description,omitempty"`
		Status         *string        `json:"status,omitempty"`
		IsCompleted    *bool          `json:"is_completed,omitempty"`
		DueDate        *string        `json:"due_date,omitempty"`
		PartnerContext map[string]any `json:"partner_context,omitempty"`
	}
}

type partnerActionItemIDInput struct {
	ID string `path:"actionItemId"`
}

func (h *coreHandler) registerActionItems(api huma.API, s *rest.Surface) {
	const tag = "Action items"
	rest.Register(api, s, rest.Op{ID: "listActionItems", Method: http.MethodGet, Path: "/action-items", Tag: tag,
		Summary: "Action items of the user's workspace", Scope: "action-items:read"}, h.listActionItems)
	rest.Register(api, s, rest.Op{ID: "createActionItem", Method: http.MethodPost, Path: "/action-items", Tag: tag,
		Summary: "Create an action item", Scope: "action-items:write", Status: http.StatusCreated}, h.createActionItem)
	rest.Register(api, s, rest.Op{ID: "getActionItem", Method: http.MethodGet, Path: "/action-items/{actionItemId}", Tag: tag,
		Summary: "An action item", Scope: "action-items:read"}, h.getActionItem)
	rest.Register(api, s, rest.Op{ID: "updateActionItem", Method: http.MethodPut, Path: "/action-items/{actionItemId}", Tag: tag,
		Summary: "Change an action item (partial)", Scope: "action-items:write"}, h.updateActionItem)
	rest.Register(api, s, rest.Op{ID: "deleteActionItem", Method: http.MethodDelete, Path: "/action-items/{actionItemId}", Tag: tag,
		Summary: "Delete an action item", Scope: "action-items:write", Status: http.StatusNoContent}, h.deleteActionItem)
}

// listActionItems serves GET /v1/partner/user/action-items.
func (h *coreHandler) listActionItems(ctx context.Context, c caller.Caller, in *partnerListActionItemsInput) (*actionItemsOutput, error) {
	done, err := parseBool("is_completed", in.IsCompleted)
	if err != nil {
		return nil, err
	}
	assigned, err := parseBool("has_partner_assignment", in.HasPartnerAssignment)
	if err != nil {
		return nil, err
	}
	p, err := h.actions.List(ctx, c, actionitem.Filter{MeetingID: in.MeetingID, IsCompleted: done, HasPartnerAssignment: assigned,
		StartDate: in.StartDate, EndDate: in.EndDate}, in.Request())
	if err != nil {
		return nil, err
	}
	return &actionItemsOutput{Body: ListOf(p, func(a actionitem.ActionItem) PartnerActionItem { return toActionItem(ctx, a) })}, nil
}

// createActionItem serves POST /v1/partner/user/action-items.
func (h *coreHandler) createActionItem(ctx context.Context, c caller.Caller, in *partnerCreateActionItemInput) (*actionItemOutput, error) {
	b := in.Body
	pc, err := rawContext(b.PartnerContext)
	if err != nil {
		return nil, err
	}
	a, err := h.actions.Create(ctx, c, b.MeetingID, actionitem.New{Title: b.Title, Description: b.Description,
		Status: actionitem.Status(b.Status), DueDate: b.DueDate, PartnerContext: pc})
	if err != nil {
		return nil, err
	}
	return &actionItemOutput{Body: toActionItem(ctx, a)}, nil
}

// getActionItem serves GET /v1/partner/user/action-items/{actionItemId}.
func (h *coreHandler) getActionItem(ctx context.Context, c caller.Caller, in *partnerActionItemIDInput) (*actionItemOutput, error) {
	a, err := h.actions.Get(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	return &actionItemOutput{Body: toActionItem(ctx, a)}, nil
}

// updateActionItem serves PUT /v1/partner/user/action-items/{actionItemId}.
func (h *coreHandler) updateActionItem(ctx context.Context, c caller.Caller, in *partnerUpdateActionItemInput) (*actionItemOutput, error) {
	b := in.Body
	pc, err := rawContext(b.PartnerContext)
	if err != nil {
		return nil, err
	}
	p := actionitem.Patch{Title: b.Title, Description: b.Description, IsCompleted: b.IsCompleted, DueDate: b.DueDate, PartnerContext: pc}
	if b.Status != nil {
		st := actionitem.Status(*b.Status)
		p.Status = &st
	}
	a, err := h.actions.Update(ctx, c, in.ID, p)
	if err != nil {
		return nil, err
	}
	return &actionItemOutput{Body: toActionItem(ctx, a)}, nil
}

// deleteActionItem serves DELETE /v1/partner/user/action-items/{actionItemId}.
func (h *coreHandler) deleteActionItem(ctx context.Context, c caller.Caller, in *partnerActionItemIDInput) (*emptyOutput, error) {
	return &emptyOutput{}, h.actions.Delete(ctx, c, in.ID)
}
