package openai

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/ai"
)

func TestSpreadOrder(t *testing.T) {
	for n := range 40 {
		got := spreadOrder(n)
		sorted := slices.Sorted(slices.Values(got))
		for i, v := range sorted {
			if v != i {
				t.Fatalf("spreadOrder(%d) = %v, not a permutation", n, got)
			}
		}
		if len(got) != n {
			t.Fatalf("spreadOrder(%d) has %d entries", n, len(got))
		}
	}
	if got := spreadOrder(9)[:3]; !slices.Equal(got, []int{0, 8, 4}) {
		t.Errorf("spreadOrder(9) starts %v, want first, last, middle", got)
	}
}

func TestWindowKeepsNumbering(t *testing.T) {
	var segs []ai.Segment
	for i := range 100 {
		segs = append(segs, ai.Segment{Speaker: "Ann", Text: fmt.Sprintf("Point %d of the plan, described at some length.", i), Start: float64(i * 10)})
		// Segment 0 starts at 0 and has no end: untimed, so no clock.
	}
	txt, trimmed := window(segs, 0, len(segs), 1500, nil)
	if !trimmed || len(txt) > 1500+200 {
		t.Fatalf("trimmed = %v, len %d", trimmed, len(txt))
	}
	for _, want := range []string{"[0] Ann: Point 0 ", "[99] Ann (16:30): Point 99 ", "omitted …]"} {
		if !strings.Contains(txt, want) {
			t.Errorf("window lacks %q:\n%s", want, txt)
		}
	}
	// Kept lines appear in meeting order.
	last := -1
	for _, l := range strings.Split(txt, "\n") {
		var n int
		if _, err := fmt.Sscanf(l, "[%d]", &n); err == nil {
			if n <= last {
				t.Fatalf("line %q after [%d]", l, last)
			}
			last = n
		}
	}
}

func TestWindowClipsMonologue(t *testing.T) {
	long := strings.Repeat("très long discours ", 2000)
	segs := []ai.Segment{{Speaker: "A", Text: "Short opener."}, {Speaker: "B", Text: long}, {Speaker: "A", Text: "Short closer."}}
	txt, _ := window(segs, 0, len(segs), 3000, nil)
	if !strings.Contains(txt, "[0] A: Short opener.") || !strings.Contains(txt, "[2] A: Short closer.") {
		t.Errorf("a monologue crowded out the other turns:\n%.300s", txt)
	}
	if !utf8.ValidString(txt) || !strings.Contains(txt, "…") {
		t.Errorf("clip broke UTF-8 or did not mark the cut")
	}
}

func TestChunksCoverTranscript(t *testing.T) {
	var segs []ai.Segment
	for i := range 30 {
		segs = append(segs, ai.Segment{Speaker: "Ann", Text: fmt.Sprintf("Item %d is on track and needs nothing.", i)})
	}
	cs := chunks(segs, 400, 10)
	if len(cs) < 2 {
		t.Fatalf("chunks = %d, want several", len(cs))
	}
	all := strings.Join(cs, "\n")
	for i := range segs {
		if !strings.Contains(all, fmt.Sprintf("[%d] Ann: Item %d ", i, i)) {
			t.Errorf("segment %d missing from the chunks", i)
		}
	}
	for _, c := range cs {
		if len(c) > 400 || strings.Contains(c, "omitted") {
			t.Errorf("chunk over budget or windowed (%d chars)", len(c))
		}
	}
}
