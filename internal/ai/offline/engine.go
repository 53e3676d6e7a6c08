// Package offline is Quorum's built-in intelligence engine. It needs no model
// files and no network: summaries and answers are extractive (the best
// cleaned-up sentences of the transcript), items come from cue phrases,
// sentiment from a lexicon and embeddings from feature hashing.
//
// Every function that walks a whole transcript takes a context and stops
// with its error soon after it is cancelled, so a request whose client has
// gone, or whose time budget is spent, does not keep a core busy.
package offline

import (
	"context"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/hashembed"
)

// Default lengths in words. Tuned for ROUGE-1 F1 on the QMSum training
// split: its reference answers run about 65 words and meeting summaries about
// 110, but extractive text carries filler, so F1 peaks a little longer.
const (
	DefaultSummaryWords = 150
	DefaultAnswerWords  = 75
)

// Engine is the offline implementation of ai.Engine. The zero value is ready
// to use and it is safe for concurrent use.
type Engine struct{}

var _ ai.Engine = Engine{}

// Summarize implements ai.Engine with Summarize.
func (Engine) Summarize(ctx context.Context, segs []ai.Segment, opts ai.SummaryOptions) (ai.Summary, error) {
	return Summarize(ctx, segs, opts)
}

// Answer implements ai.Engine with Answer.
func (Engine) Answer(ctx context.Context, segs []ai.Segment, query string, opts ai.AnswerOptions) (ai.Answer, error) {
	return Answer(ctx, segs, query, opts)
}

// Keywords implements ai.Engine with Keywords.
func (Engine) Keywords(ctx context.Context, segs []ai.Segment, n int) ([]ai.Keyword, error) {
	return Keywords(ctx, segs, n)
}

// ActionItems implements ai.Engine with ActionItems.
func (Engine) ActionItems(ctx context.Context, segs []ai.Segment, opts ai.ItemOptions) ([]ai.ActionItem, error) {
	return ActionItems(ctx, segs, opts)
}

// Decisions implements ai.Engine with Decisions.
func (Engine) Decisions(ctx context.Context, segs []ai.Segment) ([]ai.Item, error) {
	return Decisions(ctx, segs)
}

// Questions implements ai.Engine with Questions.
func (Engine) Questions(ctx context.Context, segs []ai.Segment) ([]ai.Item, error) {
	return Questions(ctx, segs)
}

// Sentiment implements ai.Engine with Sentiment.
func (Engine) Sentiment(ctx context.Context, s string) (float64, error) {
	return Sentiment(s), ctx.Err()
}

// Embed implements ai.Engine with hashembed.Embed.
func (Engine) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if err := checkpoint(ctx, i); err != nil {
			return nil, err
		}
		out[i] = hashembed.Embed(t)
	}
	return out, ctx.Err()
}

// checkEvery is how many loop iterations run between cancellation checks:
// often enough to stop within milliseconds on the largest transcript,
// rarely enough to cost nothing measurable.
const checkEvery = 128

// checkpoint returns the context's error on every checkEvery-th iteration i
// (including the first), nil otherwise.
func checkpoint(ctx context.Context, i int) error {
	if i%checkEvery != 0 {
		return nil
	}
	return ctx.Err()
}
