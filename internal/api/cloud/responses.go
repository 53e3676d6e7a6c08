package cloud

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/insight"
)

type moodInput struct {
	ResponseID string `path:"responseId"`
	Body       struct {
		Samples []insight.MoodSample `json:"samples"`
	}
}

type moodOutput struct {
	Body struct {
		Accepted int `json:"accepted"`
	}
}

type responseQueryInput struct {
	ResponseID string `path:"responseId"`
	Body       struct {
		Query     string `json:"query,omitempty"`
		PromptKey string `json:"promptKey,omitempty"`
		Model     string `json:"model,omitempty"`
	}
}

type responseQueryOutput struct{ Body insight.ResponseAnswer }

func (h *Handler) registerResponses(api huma.API) {
	huma.Register(api, h.op("pushMood", http.MethodPost, "/responses/{responseId}/mood", "Add mood samples to a live session's context",
		"Live context", http.StatusAccepted), h.pushMood)
	huma.Register(api, h.op("queryResponse", http.MethodPost, "/responses/{responseId}/query", "Ask about a live session's accumulated context",
		"Live context", http.StatusOK), h.queryResponse)
}

// pushMood serves POST /cloud/v1/responses/{responseId}/mood.
func (h *Handler) pushMood(ctx context.Context, in *moodInput) (*moodOutput, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	n, err := h.Insight.AddMood(ctx, c.OrgID, in.ResponseID, in.Body.Samples)
	if err != nil {
		return nil, fail(ctx, err)
	}
	out := &moodOutput{}
	out.Body.Accepted = n
	return out, nil
}

// queryResponse serves POST /cloud/v1/responses/{responseId}/query.
func (h *Handler) queryResponse(ctx context.Context, in *responseQueryInput) (*responseQueryOutput, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	a, err := h.Insight.QueryResponse(ctx, c.OrgID, in.ResponseID, in.Body.Query, in.Body.PromptKey, in.Body.Model)
	if err != nil {
		return nil, fail(ctx, err)
	}
	return &responseQueryOutput{Body: a}, nil
}
