package cloud

import (
	"context"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
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
		return nil, fault.Invalid("transcript", "malformed_transcript", "%s", err.Error())
	}
	out, err := insight.Transcript(segs)
	if err != nil {
		return nil, err
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
		Items []ActionItem `json:"items"`
	}
}

func (h *Handler) registerAI(api huma.API) {
	const tag = "Cloud: AI"
	rest.Register(api, h.Surface, rest.Op{ID: "aiQuery", Method: http.MethodPost, Path: "/ai/query", Tag: tag,
		Summary: "Ask the organization's meetings a question"}, h.aiQuery)
	rest.Register(api, h.Surface, rest.Op{ID: "aiSummary", Method: http.MethodPost, Path: "/ai/summary", Tag: tag,
		Summary: "Summarize a transcript", MaxBodyBytes: MaxTranscriptBytes}, h.aiSummary)
	rest.Register(api, h.Surface, rest.Op{ID: "aiActionItems", Method: http.MethodPost, Path: "/ai/action-items", Tag: tag,
		Summary: "Extract action items from a transcript", MaxBodyBytes: MaxTranscriptBytes}, h.aiActionItems)
	h.registerAnalysis(api)
}

// aiQuery serves POST /cloud/v1/ai/query.
func (h *Handler) aiQuery(ctx context.Context, c caller.Caller, in *queryInput) (*contentOutput, error) {
	res, err := h.Insight.Ask(ctx, c, insight.AskRequest{Question: in.Body.Query, RoomName: in.Body.RoomName})
	if err != nil {
		return nil, err
	}
	out := &contentOutput{}
	out.Body.Content = res.Answer
	return out, nil
}

// aiSummary serves POST /cloud/v1/ai/summary.
func (h *Handler) aiSummary(ctx context.Context, _ caller.Caller, in *summaryInput) (*textSummaryOutput, error) {
	segs, err := aiSegments(ctx, in.Body.Transcript)
	if err != nil {
		return nil, err
	}
	s, err := h.Insight.SummarizeText(ctx, segs, in.Body.MaxLength)
	if err != nil {
		return nil, err
	}
	out := &textSummaryOutput{}
	out.Body.Summary = s
	return out, nil
}

// aiActionItems serves POST /cloud/v1/ai/action-items.
func (h *Handler) aiActionItems(ctx context.Context, _ caller.Caller, in *actionItemsInput) (*actionItemsOutput, error) {
	segs, err := aiSegments(ctx, in.Body.Transcript)
	if err != nil {
		return nil, err
	}
	items, err := h.Insight.ActionItems(ctx, segs, ai.ItemOptions{})
	if err != nil {
		return nil, err
	}
	out := &actionItemsOutput{}
	out.Body.Items = toActionItems(items)
	return out, nil
}
