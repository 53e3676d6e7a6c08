package offline

import (
	"context"
	"testing"

	"github.com/quorumhq/quorum/internal/ai"
)

func TestKeywords(t *testing.T) {
	segs := []ai.Segment{
		{Text: "Um, the remote control needs a scroll wheel."},
		{Text: "I think the remote control should be yellow, you know."},
		{Text: "The scroll wheel is expensive."},
		{Text: "Yeah, the scroll wheel and the remote control."},
		{Text: "Lunch is good."},
		{Text: "Lunch is really good."},
	}
	got := must(Keywords(context.Background(), segs, 3))
	if len(got) != 3 {
		t.Fatalf("got %+v", got)
	}
	want := map[string]bool{"remote control": true, "scroll wheel": true, "lunch": true}
	for _, k := range got {
		if !want[k.Phrase] {
			t.Errorf("unexpected key phrase %q in %+v", k.Phrase, got)
		}
	}
	if got[0].Score != 1 || got[2].Score > got[1].Score {
		t.Errorf("scores not normalized and descending: %+v", got)
	}
	if must(Keywords(context.Background(), segs, 0)) != nil {
		t.Error("n = 0 should return nothing")
	}
}
