package offline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/quorumhq/quorum/internal/ai"
)

// bigMeeting is a synthetic transcript of n turns with a wide vocabulary,
// as long as the largest meetings the API accepts.
func bigMeeting(n int) []ai.Segment {
	speakers := []string{"Ann", "Bob", "Cy", "Dee"}
	segs := make([]ai.Segment, n)
	for i := range segs {
		words := make([]string, 12)
		for j := range words {
			words[j] = fmt.Sprintf("term%d", (i*7+j*13)%3000)
		}
		segs[i] = ai.Segment{Speaker: speakers[i%len(speakers)],
			Text: "I will check the " + strings.Join(words, " ") + ". We decided to ship the " + words[0] + " design?"}
	}
	return segs
}

// TestCancellationStopsWork cancels each transcript-wide function after it
// has started and expects context.Canceled rather than a finished result.
func TestCancellationStopsWork(t *testing.T) {
	segs := bigMeeting(45000)
	runs := map[string]func(ctx context.Context) error{
		"summarize": func(ctx context.Context) error { _, err := Summarize(ctx, segs, ai.SummaryOptions{}); return err },
		"answer": func(ctx context.Context) error {
			_, err := Answer(ctx, segs, "what about term12 design", ai.AnswerOptions{})
			return err
		},
		"keywords":     func(ctx context.Context) error { _, err := Keywords(ctx, segs, 10); return err },
		"action items": func(ctx context.Context) error { _, err := ActionItems(ctx, segs, ai.ItemOptions{}); return err },
		"decisions":    func(ctx context.Context) error { _, err := Decisions(ctx, segs); return err },
		"questions":    func(ctx context.Context) error { _, err := Questions(ctx, segs); return err },
	}
	for name, run := range runs {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			// The context is cancelled by the work itself once it has
			// begun: the first check after turn 0 passes, a later one fails.
			checks := 0
			ctx = hookedContext{Context: ctx, onErr: func() {
				if checks++; checks == 3 {
					cancel()
				}
			}}
			err := run(ctx)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("want context.Canceled, got %v", err)
			}
			if checks > 10 {
				t.Errorf("work went on for %d checks after cancellation", checks-3)
			}
		})
	}
}

// hookedContext calls onErr whenever the work asks whether to stop.
type hookedContext struct {
	context.Context
	onErr func()
}

func (c hookedContext) Err() error {
	c.onErr()
	return c.Context.Err()
}

func TestCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (Engine{}).Summarize(ctx, launchMeeting(), ai.SummaryOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}
