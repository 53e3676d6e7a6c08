package search

import (
	"fmt"
	"strings"
	"testing"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// words returns n distinct words.
func words(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = fmt.Sprintf("w%d", i)
	}
	return strings.Join(ws, " ")
}

func TestChunkTranscript(t *testing.T) {
	segs := []ai.Segment{
		{Speaker: "Ann", Text: words(10), Start: 0, End: 5},
		{Speaker: "Bob", Text: words(30), Start: 5, End: 15},
		{Speaker: "Ann", Text: words(10), Start: 15, End: 20},
		{Speaker: "Cy", Text: words(25), Start: 20, End: 30},
	}
	chunks := ChunkTranscript(segs, 50)
	type span struct{ start, end int }
	var got []span
	for _, c := range chunks {
		got = append(got, span{c.SegmentStart, c.SegmentEnd})
		if n := text.WordCount(c.Text); n > 50 {
			t.Errorf("chunk %d-%d has %d words", c.SegmentStart, c.SegmentEnd, n)
		}
	}
	// Windows of at most 50 words; the second starts at the first segment
	// past the middle (word 25) of the first.
	want := []span{{0, 2}, {2, 3}}
	if len(got) != len(want) {
		t.Fatalf("chunks = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("chunks = %v, want %v", got, want)
		}
	}
	first := chunks[0]
	if first.Speaker != "Bob" || first.Start != 0 || first.End != 20 || first.Source != SourceTranscript {
		t.Errorf("first chunk = %+v", first)
	}
	if strings.Join(first.Speakers, ",") != "Ann,Bob" {
		t.Errorf("speakers = %v", first.Speakers)
	}
}

func TestChunkTranscriptPerTurnAndLongTurns(t *testing.T) {
	segs := []ai.Segment{{Text: "One."}, {Text: words(30) + ". " + words(30) + "."}}
	if got := ChunkTranscript(segs, 0); len(got) != 2 || got[1].SegmentStart != 1 || got[1].SegmentEnd != 1 {
		t.Errorf("per-turn chunks = %+v", got)
	}
	got := ChunkTranscript(segs, 40)
	if len(got) != 3 {
		t.Fatalf("got %d chunks, want 3: %+v", len(got), got)
	}
	for _, c := range got[1:] {
		if c.SegmentStart != 1 || c.SegmentEnd != 1 {
			t.Errorf("long turn passage cites %d-%d", c.SegmentStart, c.SegmentEnd)
		}
	}
}

func TestChunkDocument(t *testing.T) {
	doc := "Agenda. Budget review.\n\nRisks: " + words(12) + ". More risks."
	got := ChunkDocument(doc, 8)
	if len(got) != 3 {
		t.Fatalf("got %d passages: %+v", len(got), got)
	}
	for i, c := range got {
		if c.Source != SourceDocument || c.SegmentStart != i || c.SegmentEnd != i {
			t.Errorf("passage %d = %+v", i, c)
		}
	}
	if got[0].Text != "Agenda. Budget review." {
		t.Errorf("first passage = %q", got[0].Text)
	}
}

func TestChunkTranscriptSegmentCap(t *testing.T) {
	segs := make([]ai.Segment, 40)
	for i := range segs {
		segs[i] = ai.Segment{Text: "Yeah."}
	}
	got := ChunkTranscript(segs, 120)
	if got[0].SegmentStart != 0 || got[0].SegmentEnd != MaxChunkSegments-1 {
		t.Errorf("first chunk covers %d-%d, want 0-%d", got[0].SegmentStart, got[0].SegmentEnd, MaxChunkSegments-1)
	}
}
