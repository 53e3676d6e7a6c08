package ai

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
)

func TestSummaryText(t *testing.T) {
	tests := []struct {
		sents []Sentence
		want  string
	}{
		{nil, ""},
		{[]Sentence{{Text: "We ship Friday."}}, "We ship Friday."},
		{[]Sentence{{Text: "We ship Friday."}, {Text: "Ann owns QA."}}, "We ship Friday. Ann owns QA."},
	}
	for _, tt := range tests {
		if got := (Summary{Sentences: tt.sents}).Text(); got != tt.want {
			t.Errorf("Text() = %q, want %q", got, tt.want)
		}
	}
}

func TestBudget(t *testing.T) {
	wait := func(ctx context.Context) (int, error) {
		<-ctx.Done()
		return 0, fmt.Errorf("work: %w", ctx.Err())
	}
	_, err := Budget(context.Background(), time.Millisecond, wait)
	fe, ok := fault.As(err)
	if !ok || fe.Kind != fault.KindUnavailable || fe.Code != "timeout" || fe.RetryAfter < time.Second {
		t.Fatalf("over budget: got %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Budget(ctx, time.Hour, wait); !errors.Is(err, context.Canceled) {
		t.Fatalf("caller gone: want context.Canceled, got %v", err)
	}

	v, err := Budget(context.Background(), 0, func(ctx context.Context) (int, error) {
		if _, ok := ctx.Deadline(); ok {
			t.Error("a zero budget must not set a deadline")
		}
		return 7, nil
	})
	if v != 7 || err != nil {
		t.Fatalf("no budget: got %d, %v", v, err)
	}
}
