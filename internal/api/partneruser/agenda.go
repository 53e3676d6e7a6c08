package partneruser

import (
	"context"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/agenda"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
)

// PartnerAgendaItem is the Partner API's agenda item. talking_points appear only
// when the caller wrote some.
type PartnerAgendaItem struct {
	ID                    string   `json:"id"`
	MeetingID             string   `json:"meeting_id"`
	Title                 string   `json:"title"`
	Description           string   `json:"description"`
	ItemType              string   `json:"item_type" enum:"DISCUSSION,DECISION,ACTION_ITEM,INFORMATION"`
	Status                string   `json:"status" enum:"pending,in_progress,completed"`
	Sequence              string   `json:"sequence"`
	TimeAllocationMinutes float64  `json:"time_allocation_minutes"`
	Presenters            []string `json:"presenters"`
	RestrictedToLeads     bool     `json:"restricted_to_leads"`
	TalkingPoints         *string  `json:"talking_points,omitempty"`
	CreatedAt             string   `json:"created_at"`
	UpdatedAt             string   `json:"updated_at"`
}

func toAgendaItem(ctx context.Context, it agenda.Item) PartnerAgendaItem {
	out := PartnerAgendaItem{ID: it.UUID, MeetingID: it.MeetingUUID, Title: it.Title, Description: it.Description, ItemType: string(it.Type),
		Status: string(it.Status), Sequence: strconv.Itoa(it.Sequence), TimeAllocationMinutes: it.TimeAllocationMinutes,
		Presenters: it.Presenters, RestrictedToLeads: it.RestrictedToLeads, CreatedAt: rest.Time(ctx, it.CreatedAt),
		UpdatedAt: rest.Time(ctx, it.UpdatedAt)}
	if out.Presenters == nil {
		out.Presenters = []string{}
	}
	if it.HasTalkingPoints {
		out.TalkingPoints = &it.TalkingPoints
	}
	return out
}

// partnerAgendaFields are the settable fields of an agenda item, all optional on
// the wire so that the domain reports a missing one with its own code.
type partnerAgendaFields struct {
	ItemType              *string  `json:"item_type,omitempty" doc:"DISCUSSION, DECISION, ACTION_ITEM or INFORMATION (required on create)"`
	Title                 *string  `json:"title,omitempty" doc:"1 to 255 characters (required on create)"`
	Description           *string  `json:"description,omitempty"`
	Status                *string  `json:"status,omitempty" doc:"pending, in_progress or completed (update only)"`
	TimeAllocationMinutes *float64 `json:"time_allocation_minutes,omitempty" doc:"0 to 1440"`
	Presenters            []string `json:"presenters,omitempty"`
	RestrictedToLeads     *bool    `json:"restricted_to_leads,omitempty"`
	TalkingPoints         *string  `json:"talking_points,omitempty" doc:"private to the caller"`
}

func (f partnerAgendaFields) domain() agenda.Fields {
	return agenda.Fields{Type: f.ItemType, Title: f.Title, Description: f.Description, Status: f.Status,
		TimeAllocationMinutes: f.TimeAllocationMinutes, Presenters: f.Presenters, RestrictedToLeads: f.RestrictedToLeads,
		TalkingPoints: f.TalkingPoints}
}

type agendaListOutput struct{ Body List[PartnerAgendaItem] }

type agendaItemOutput struct{ Body PartnerAgendaItem }

type partnerCreateAgendaInput struct {
	MeetingID string `path:"meetingId"`
	Body      partnerAgendaFields
}

type partnerUpdateAgendaInput struct {
	MeetingID string `path:"meetingId"`
	ItemID    string `path:"itemId"`
	Body      partnerAgendaFields
}

type partnerAgendaItemIDInput struct {
	MeetingID string `path:"meetingId"`
	ItemID    string `path:"itemId"`
}

func (h *coreHandler) registerAgenda(api huma.API, s *rest.Surface) {
	const tag = "Agenda items"
	rest.Register(api, s, rest.Op{ID: "getMeetingAgendaItems", Method: http.MethodGet, Path: "/meetings/{meetingId}/agenda-items",
		Tag: tag, Summary: "A meeting's agenda", Scope: "meetings:read"}, h.listAgenda)
	rest.Register(api, s, rest.Op{ID: "createAgendaItem", Method: http.MethodPost, Path: "/meetings/{meetingId}/agenda-items",
		Tag: tag, Summary: "Add an agenda item (editors only)", Scope: "meetings:write", Status: http.StatusCreated}, h.createAgendaItem)
	rest.Register(api, s, rest.Op{ID: "updateAgendaItem", Method: http.MethodPut, Path: "/meetings/{meetingId}/agenda-items/{itemId}",
		Tag: tag, Summary: "Change an agenda item (editors only)", Scope: "meetings:write"}, h.updateAgendaItem)
	rest.Register(api, s, rest.Op{ID: "deleteAgendaItem", Method: http.MethodDelete, Path: "/meetings/{meetingId}/agenda-items/{itemId}",
		Tag: tag, Summary: "Remove an agenda item (editors only)", Scope: "meetings:write", Status: http.StatusNoContent}, h.deleteAgendaItem)
}

// listAgenda serves GET /v1/partner/user/meetings/{meetingId}/agenda-items.
func (h *coreHandler) listAgenda(ctx context.Context, c caller.Caller, in *partnerMeetingIDInput) (*agendaListOutput, error) {
	items, err := h.agenda.List(ctx, c, in.MeetingID)
	if err != nil {
		return nil, err
	}
	out := List[PartnerAgendaItem]{Items: make([]PartnerAgendaItem, 0, len(items)), Total: len(items), Limit: len(items)}
	for _, it := range items {
		out.Items = append(out.Items, toAgendaItem(ctx, it))
	}
	return &agendaListOutput{Body: out}, nil
}

// createAgendaItem serves POST /v1/partner/user/meetings/{meetingId}/agenda-items.
func (h *coreHandler) createAgendaItem(ctx context.Context, c caller.Caller, in *partnerCreateAgendaInput) (*agendaItemOutput, error) {
	it, err := h.agenda.Create(ctx, c, in.MeetingID, in.Body.domain())
	if err != nil {
		return nil, err
	}
	return &agendaItemOutput{Body: toAgendaItem(ctx, it)}, nil
}

// updateAgendaItem serves PUT /v1/partner/user/meetings/{meetingId}/agenda-items/{itemId}.
func (h *coreHandler) updateAgendaItem(ctx context.Context, c caller.Caller, in *partnerUpdateAgendaInput) (*agendaItemOutput, error) {
	it, err := h.agenda.Update(ctx, c, in.MeetingID, in.ItemID, in.Body.domain())
	if err != nil {
		return nil, err
	}
	return &agendaItemOutput{Body: toAgendaItem(ctx, it)}, nil
}

// deleteAgendaItem serves DELETE /v1/partner/user/meetings/{meetingId}/agenda-items/{itemId}.
func (h *coreHandler) deleteAgendaItem(ctx context.Context, c caller.Caller, in *partnerAgendaItemIDInput) (*emptyOutput, error) {
	return &emptyOutput{}, h.agenda.Delete(ctx, c, in.MeetingID, in.ItemID)
}
