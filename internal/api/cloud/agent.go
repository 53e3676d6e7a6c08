package cloud

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
)

type agentInput struct {
	ID   string `path:"id"`
	Body struct {
		Message string `json:"message"`
	}
}

type agentRunInput struct {
	ID    string `path:"id"`
	RunID string `path:"runId"`
}

type agentOutput struct{ Body AgentRun }

// MeetingActionItem is an action item as the Cloud API shows it.
type MeetingActionItem struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Owner     string    `json:"owner,omitempty"`
	DueDate   string    `json:"dueDate,omitempty"`
	Status    string    `json:"status"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"createdAt"`
}

type actionItemListInput struct {
	ID string `path:"id"`
	PageQuery
}

type actionItemListOutput struct {
	Body struct {
		Items      []MeetingActionItem `json:"items"`
		NextCursor string              `json:"nextCursor,omitempty"`
	}
}

func (h *Handler) registerAgent(api huma.API) {
	const tag = "Cloud: Agent"
	rest.Register(api, h.Surface, rest.Op{ID: "runAgent", Method: http.MethodPost, Path: "/meetings/{id}/agent", Tag: tag,
		Summary: "Ask the meeting assistant; it reads and acts through recorded tool calls"}, h.runAgent)
	rest.Register(api, h.Surface, rest.Op{ID: "getAgentRun", Method: http.MethodGet, Path: "/meetings/{id}/agent/runs/{runId}", Tag: tag,
		Summary: "A recorded agent exchange with its tool calls"}, h.getAgentRun)
	rest.Register(api, h.Surface, rest.Op{ID: "listMeetingActionItems", Method: http.MethodGet, Path: "/meetings/{id}/action-items", Tag: tag,
		Summary: "Action items recorded for a meeting"}, h.listActionItems)
}

// runAgent serves POST /cloud/v1/meetings/{id}/agent.
func (h *Handler) runAgent(ctx context.Context, c caller.Caller, in *agentInput) (*agentOutput, error) {
	r, err := h.Agent.Run(ctx, c, in.ID, in.Body.Message)
	if err != nil {
		return nil, err
	}
	return &agentOutput{Body: toAgentRun(r)}, nil
}

// getAgentRun serves GET /cloud/v1/meetings/{id}/agent/runs/{runId}.
func (h *Handler) getAgentRun(ctx context.Context, c caller.Caller, in *agentRunInput) (*agentOutput, error) {
	r, err := h.Agent.Get(ctx, c, in.ID, in.RunID)
	if err != nil {
		return nil, err
	}
	return &agentOutput{Body: toAgentRun(r)}, nil
}

// listActionItems serves GET /cloud/v1/meetings/{id}/action-items.
func (h *Handler) listActionItems(ctx context.Context, c caller.Caller, in *actionItemListInput) (*actionItemListOutput, error) {
	p, err := h.Actions.ListByMeeting(ctx, c, in.ID, in.request())
	if err != nil {
		return nil, err
	}
	out := &actionItemListOutput{}
	out.Body.Items = make([]MeetingActionItem, 0, len(p.Items))
	for _, it := range p.Items {
		out.Body.Items = append(out.Body.Items, toActionItem(it))
	}
	out.Body.NextCursor = p.Next
	return out, nil
}

func toActionItem(a actionitem.ActionItem) MeetingActionItem {
	return MeetingActionItem{ID: a.UUID, Title: a.Title, Owner: a.Owner, DueDate: a.DueDate, Status: string(a.Status), Source: a.Source, CreatedAt: a.CreatedAt}
}
