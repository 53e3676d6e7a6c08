// Package ai defines the provider-neutral intelligence API: the transcript
// types every engine reads and the results they produce. The built-in offline
// engine (package offline) and any model-backed provider implement Engine, so
// the HTTP layer does not care which one is configured.
package ai

import (
	"context"
	"errors"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
)

// Segment is one turn of a transcript as imported: who spoke, what they said
// and when. Start and End are seconds from the start of the meeting, 0 when
// unknown.
type Segment struct {
	Speaker string
	Text    string
	Start   float64
	End     float64
}

// Engine is what the HTTP layer calls for meeting intelligence. Every method
// takes the meeting's segments in imported order; results cite segments by
// their 0-based index in that slice.
type Engine interface {
	Summarize(ctx context.Context, segs []Segment, opts SummaryOptions) (Summary, error)
	Answer(ctx context.Context, segs []Segment, query string, opts AnswerOptions) (Answer, error)
	Keywords(ctx context.Context, segs []Segment, n int) ([]Keyword, error)
	ActionItems(ctx context.Context, segs []Segment, opts ItemOptions) ([]ActionItem, error)
	Decisions(ctx context.Context, segs []Segment) ([]Item, error)
	Questions(ctx context.Context, segs []Segment) ([]Item, error)
	Sentiment(ctx context.Context, text string) (float64, error)
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// SummaryOptions controls Summarize. Zero values pick the engine's defaults.
type SummaryOptions struct {
	// MaxWords caps the summary length in words.
	MaxWords int
}

// Summary is a meeting summary as sentences, each citing the segment it came
// from, plus a Markdown rendering of the same content.
type Summary struct {
	Sentences []Sentence
	Markdown  string
}

// Text returns the summary sentences joined by spaces.
func (s Summary) Text() string {
	return JoinSentences(s.Sentences)
}

// Sentence is a sentence of generated text and the segment it is drawn from
// or supported by.
type Sentence struct {
	Text         string
	SegmentIndex int
	Speaker      string
}

// AnswerOptions controls Answer. Zero values pick the engine's defaults.
type AnswerOptions struct {
	// MaxWords caps the answer length in words.
	MaxWords int
}

// Answer is the reply to a question about a meeting, with the segments it
// relies on.
type Answer struct {
	Text      string
	Sentences []Sentence
	Citations []Citation
}

// Citation points at a contiguous run of segments, inclusive on both ends.
type Citation struct {
	SegmentStart int
	SegmentEnd   int
	Speaker      string
	Start, End   float64
}

// Keyword is a key phrase of a transcript with its relative weight.
type Keyword struct {
	Phrase string
	Score  float64
}

// ItemOptions controls the extraction of dated items.
type ItemOptions struct {
	// Reference is the meeting's start, against which "tomorrow" or "by
	// Friday" resolve. The zero time leaves due dates as stated.
	Reference time.Time
}

// ActionItem is a task someone took on or was given in the meeting.
type ActionItem struct {
	Text  string
	Owner string
	// Due is the deadline as stated ("by Friday"), empty when none was.
	Due string
	// DueDate is Due resolved against ItemOptions.Reference, nil when
	// there is no reference or no deadline.
	DueDate      *time.Time
	SegmentIndex int
}

// Item is a decision or an open question, with who voiced it.
type Item struct {
	Text         string
	Speaker      string
	SegmentIndex int
}

// errOverBudget is the cancellation cause of a context whose time budget
// ran out, told apart from a caller who went away.
var errOverBudget = errors.New("time budget spent")

// Budget runs fn with at most d of time; d <= 0 means no limit. fn must
// honour its context. Work stopped by the budget returns a
// fault.KindUnavailable error with code "timeout" and a RetryAfter of the
// budget, which the API answers 503 with Retry-After; work stopped because
// ctx itself ended returns ctx's error unchanged.
func Budget[T any](ctx context.Context, d time.Duration, fn func(context.Context) (T, error)) (T, error) {
	if d <= 0 {
		return fn(ctx)
	}
	bctx, cancel := context.WithTimeoutCause(ctx, d, errOverBudget)
	defer cancel()
	v, err := fn(bctx)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(bctx), errOverBudget) {
		var zero T
		return zero, fault.Unavailable("timeout", max(d, time.Second),
			"the request needed more than its time budget of %s; try again later", d)
	}
	return v, err
}
