package cloud

import (
	"context"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/insight"
)

var reflectSegment = reflect.TypeOf(Segment{})

// transcriptBody is the body shared by the analysis endpoints.
type transcriptBody struct {
	Transcript Transcript `json:"transcript"`
	UserID     string     `json:"userId,omitempty"`
	Context    string     `json:"context,omitempty" maxLength:"4000"`
}

// aiSegments validates an inline transcript.
func aiSegments(ctx context.Context, t Transcript) ([]ai.Segment, error) {
	segs, err := t.segments()
	if err != nil {
		return nil, fail(ctx, fault.Invalid("transcript", "malformed_transcript", "%s", err.Error()))
	}
	out, err := insight.Transcript(segs)
	if err != nil {
		return nil, fail(ctx, err)
	}
	return out, nil
}

type queryInput struct {
	Body struct {
		Query    string `json:"query"`
		UserID   string `json:"userId,omitempty"`
		RoomName string `json:"roomName,omitempty"`
	}
}

type contentOutput struct {
	Body struct {
		Content string `json:"content"`
	}
}

type summaryInput struct {
	Body struct {
		Transcript Transcript `json:"transcript"`
		UserID     string     `json:"userId,omitempty"`
		MaxLength  int        `json:"maxLength,omitempty" doc:"maximum summary length in words"`
	}
}

type textSummaryOutput struct {
	Body struct {
		Summary string `json:"summary"`
	}
}

type actionItemsInput struct {
	Body transcriptBody
}

type actionItemsOutput struct {
	Body struct {
		Items []insight.ActionItem `json:"items"`
	}
}

func (h *Handler) registerAI(api huma.API) {
	huma.Register(api, h.op("aiQuery", http.MethodPost, "/ai/query", "Ask the organization's meetings a question", "AI", http.StatusOK), h.aiQuery)
	summary := h.op("aiSummary", http.MethodPost, "/ai/summary", "Summarize a transcript", "AI", http.StatusOK)
	summary.MaxBodyBytes = MaxTranscriptBytes
	huma.Register(api, summary, h.aiSummary)
	items := h.op("aiActionItems", http.MethodPost, "/ai/action-items", "Extract action items from a transcript", "AI", http.StatusOK)
	items.MaxBodyBytes = MaxTranscriptBytes
	huma.Register(api, items, h.aiActionItems)
	h.registerAnalysis(api)
}

// aiQuery serves POST /cloud/v1/ai/query.
func (h *Handler) aiQuery(ctx context.Context, in *queryInput) (*contentOutput, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	res, err := h.Insight.Ask(ctx, c.OrgID, insight.AskRequest{Question: in.Body.Query, RoomName: in.Body.RoomName})
	if err != nil {
		return nil, fail(ctx, err)
	}
	out := &contentOutput{}
	out.Body.Content = res.Answer
	return out, nil
}

// aiSummary serves POST /cloud/v1/ai/summary.
func (h *Handler) aiSummary(ctx context.Context, in *summaryInput) (*textSummaryOutput, error) {
	if _, err := caller(ctx); err != nil {
		return nil, err
	}
	segs, err := aiSegments(ctx, in.Body.Transcript)
	if err != nil {
		return nil, err
	}
	s, err := h.Insight.SummarizeText(ctx, segs, in.Body.MaxLength)
	if err != nil {
		return nil, fail(ctx, err)
	}
	out := &textSummaryOutput{}
	out.Body.Summary = s
	return out, nil
}

// aiActionItems serves POST /cloud/v1/ai/action-items.
func (h *Handler) aiActionItems(ctx context.Context, in *actionItemsInput) (*actionItemsOutput, error) {
	if _, err := caller(ctx); err != nil {
		return nil, err
	}
	segs, err := aiSegments(ctx, in.Body.Transcript)
	if err != nil {
		return nil, err
	}
	items, err := h.Insight.ActionItems(ctx, segs, ai.ItemOptions{})
	if err != nil {
		return nil, fail(ctx, err)
	}
	out := &actionItemsOutput{}
	out.Body.Items = items
	return out, nil
}
