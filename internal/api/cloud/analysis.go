package cloud

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/analysis"
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
	op := func(id, path, summary string) huma.Operation {
		o := h.op(id, http.MethodPost, path, summary, "Analysis", http.StatusOK)
		o.MaxBodyBytes = MaxTranscriptBytes
		return o
	}
	huma.Register(api, op("analyzeCoaching", "/analysis/coaching", "Coaching moments: monologues, interruptions, fillers, tone, next steps"), h.coaching)
	huma.Register(api, op("analyzeCustom", "/analysis/custom", "Score a transcript against your rubric, with quoted evidence"), h.custom)
	huma.Register(api, op("analyzeInterview", "/analysis/interview", "Interview analysis: questions, answers, strengths, concerns"),
		report(h, func(segs []ai.Segment, c string) analysis.InterviewReport { return analysis.Interview(segs, c) }))
	huma.Register(api, op("analyzeSalesCall", "/analysis/sales-call", "Sales call analysis: discovery, objections, buying signals, competitors"),
		report(h, func(segs []ai.Segment, c string) analysis.SalesReport { return analysis.SalesCall(segs, c) }))
	huma.Register(api, op("analyzeSession", "/analysis/session", "Session analytics: talk time, questions, monologues, interruptions, fillers, sentiment"),
		report(h, func(segs []ai.Segment, _ string) analysis.SessionReport { return analysis.Session(segs) }))
}

// coaching serves POST /cloud/v1/analysis/coaching.
func (h *Handler) coaching(ctx context.Context, in *analysisInput) (*coachingOutput, error) {
	if _, err := caller(ctx); err != nil {
		return nil, err
	}
	segs, err := aiSegments(ctx, in.Body.Transcript)
	if err != nil {
		return nil, err
	}
	out := &coachingOutput{}
	out.Body.Moments = analysis.Coaching(segs)
	return out, nil
}

// custom serves POST /cloud/v1/analysis/custom.
func (h *Handler) custom(ctx context.Context, in *rubricInput) (*rubricOutput, error) {
	if _, err := caller(ctx); err != nil {
		return nil, err
	}
	if err := in.Body.Rubric.Validate(); err != nil {
		return nil, fail(ctx, err)
	}
	segs, err := aiSegments(ctx, in.Body.Transcript)
	if err != nil {
		return nil, err
	}
	res, err := analysis.Rubric(segs, in.Body.Rubric)
	if err != nil {
		return nil, fail(ctx, err)
	}
	return &rubricOutput{Body: res}, nil
}

// report serves the analyses that return one report object.
func report[T any](h *Handler, run func([]ai.Segment, string) T) func(context.Context, *analysisInput) (*reportOutput[T], error) {
	return func(ctx context.Context, in *analysisInput) (*reportOutput[T], error) {
		if _, err := caller(ctx); err != nil {
			return nil, err
		}
		segs, err := aiSegments(ctx, in.Body.Transcript)
		if err != nil {
			return nil, err
		}
		out := &reportOutput[T]{}
		out.Body.Analysis = run(segs, in.Body.Context)
		return out, nil
	}
}
