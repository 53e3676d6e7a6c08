package offline

import (
	"testing"

	"github.com/quorumhq/quorum/internal/ai"
)

func TestSentiment(t *testing.T) {
	tests := []struct {
		text     string
		min, max float64
	}{
		{"This design is great, I love it.", 0.5, 1},
		{"That is a terrible, broken idea.", -1, -0.5},
		{"The meeting is on Tuesday.", 0, 0},
		{"This is not good.", -1, -0.01},
		{"It's not bad at all.", 0.01, 1},
	}
	for _, tt := range tests {
		got := Sentiment(tt.text)
		if got < tt.min || got > tt.max {
			t.Errorf("Sentiment(%q) = %.2f, want in [%.2f, %.2f]", tt.text, got, tt.min, tt.max)
		}
	}
	if a, b := Sentiment("good"), Sentiment("very good"); b <= a {
		t.Errorf("intensifier: %v <= %v", b, a)
	}
}

func TestSentimentOverTime(t *testing.T) {
	segs := []ai.Segment{
		{Text: "great work", Start: 0, End: 1}, {Text: "excellent", Start: 1, End: 2},
		{Text: "terrible", Start: 2, End: 3},
	}
	got := SentimentOverTime(segs, 2)
	if len(got) != 2 || got[0].SegmentEnd != 1 || got[1].SegmentStart != 2 || got[1].End != 3 {
		t.Fatalf("got %+v", got)
	}
	if got[0].Score <= 0 || got[1].Score >= 0 {
		t.Errorf("scores = %v, %v", got[0].Score, got[1].Score)
	}
}
