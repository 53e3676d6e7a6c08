package cloud

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/analysis"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
)

type analysisInput struct {
	Body transcriptBody
}

type rubricInput struct {
	Body struct {
		Transcript Transcript          `json:"transcript"`
		UserID     string              `json:"userId,omitempty"`
		Rubric     analysis.RubricSpec `json:"rubric"`
	}
}

type coachingOutput struct {
	Body struct {
		Moments []analysis.Moment `json:"moments"`
	}
}

type rubricOutput struct{ Body analysis.RubricResult }

type reportOutput[T any] struct {
	Body struct {
		Analysis T `json:"analysis"`
	}
}

func (h *Handler) registerAnalysis(api huma.API) {
	op := func(id, path, summary string) rest.Op {
		return rest.Op{ID: id, Method: http.MethodPost, Path: path, Summary: summary, Tag: "Cloud: Analysis", MaxBodyBytes: MaxTranscriptBytes}
	}
	rest.Register(api, h.Surface, op("analyzeCoaching", "/analysis/coaching", "Coaching moments: monologues, interruptions, fillers, tone, next steps"), h.coaching)
	rest.Register(api, h.Surface, op("analyzeCustom", "/analysis/custom", "Score a transcript against your rubric, with quoted evidence"), h.custom)
	rest.Register(api, h.Surface, op("analyzeInterview", "/analysis/interview", "Interview analysis: questions, answers, strengths, concerns"),
		report(func(segs []ai.Segment, c string) analysis.InterviewReport { return analysis.Interview(segs, c) }))
	rest.Register(api, h.Surface, op("analyzeSalesCall", "/analysis/sales-call", "Sales call analysis: discovery, objections, buying signals, competitors"),
		report(func(segs []ai.Segment, c string) analysis.SalesReport { return analysis.SalesCall(segs, c) }))
	rest.Register(api, h.Surface, op("analyzeSession", "/analysis/session", "Session analytics: talk time, questions, monologues, interruptions, fillers, sentiment"),
		report(func(segs []ai.Segment, _ string) analysis.SessionReport { return analysis.Session(segs) }))
}

// coaching serves POST /cloud/v1/analysis/coaching.
func (h *Handler) coaching(ctx context.Context, _ caller.Caller, in *analysisInput) (*coachingOutput, error) {
	segs, err := aiSegments(ctx, in.Body.Transcript)
	if err != nil {
		return nil, err
	}
	out := &coachingOutput{}
	out.Body.Moments = analysis.Coaching(segs)
	return out, nil
}

// custom serves POST /cloud/v1/analysis/custom.
func (h *Handler) custom(ctx context.Context, _ caller.Caller, in *rubricInput) (*rubricOutput, error) {
	if err := in.Body.Rubric.Validate(); err != nil {
		return nil, err
	}
	segs, err := aiSegments(ctx, in.Body.Transcript)
	if err != nil {
		return nil, err
	}
	res, err := analysis.Rubric(segs, in.Body.Rubric)
	if err != nil {
		return nil, err
	}
	return &rubricOutput{Body: res}, nil
}

// report serves the analyses that return one report object.
func report[T any](run func([]ai.Segment, string) T) func(context.Context, caller.Caller, *analysisInput) (*reportOutput[T], error) {
	return func(ctx context.Context, _ caller.Caller, in *analysisInput) (*reportOutput[T], error) {
		segs, err := aiSegments(ctx, in.Body.Transcript)
		if err != nil {
			return nil, err
		}
		out := &reportOutput[T]{}
		out.Body.Analysis = run(segs, in.Body.Context)
		return out, nil
	}
}
