package cloud

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
)

type moodInput struct {
	ResponseID string `path:"responseId"`
	Body       struct {
		Samples []MoodSample `json:"samples"`
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

type responseQueryOutput struct{ Body ResponseAnswer }

func (h *Handler) registerResponses(api huma.API) {
	const tag = "Cloud: Live context"
	rest.Register(api, h.Surface, rest.Op{ID: "pushMood", Method: http.MethodPost, Path: "/responses/{responseId}/mood", Tag: tag,
		Summary: "Add mood samples to a live session's context", Status: http.StatusAccepted}, h.pushMood)
	rest.Register(api, h.Surface, rest.Op{ID: "queryResponse", Method: http.MethodPost, Path: "/responses/{responseId}/query", Tag: tag,
		Summary: "Ask about a live session's accumulated context"}, h.queryResponse)
}

// pushMood serves POST /cloud/v1/responses/{responseId}/mood.
func (h *Handler) pushMood(ctx context.Context, c caller.Caller, in *moodInput) (*moodOutput, error) {
	n, err := h.Insight.AddMood(ctx, c, in.ResponseID, fromMoodSamples(in.Body.Samples))
	if err != nil {
		return nil, err
	}
	out := &moodOutput{}
	out.Body.Accepted = n
	return out, nil
}

// queryResponse serves POST /cloud/v1/responses/{responseId}/query.
func (h *Handler) queryResponse(ctx context.Context, c caller.Caller, in *responseQueryInput) (*responseQueryOutput, error) {
	a, err := h.Insight.QueryResponse(ctx, c, in.ResponseID, in.Body.Query, in.Body.PromptKey, in.Body.Model)
	if err != nil {
		return nil, err
	}
	return &responseQueryOutput{Body: ResponseAnswer{Content: a.Content, ResponseID: a.ResponseID, Model: a.Model}}, nil
}
