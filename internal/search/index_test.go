package search

import (
	"fmt"
	"testing"

	"github.com/quorumhq/quorum/internal/ai"
)

// meeting builds the chunks of a transcript, one chunk per segment.
func meeting(org, id string, segs ...ai.Segment) []Chunk {
	chunks := ChunkTranscript(segs, 0)
	for i := range chunks {
		chunks[i].OrgID, chunks[i].MeetingID = org, id
	}
	return chunks
}

func seg(speaker, text string) ai.Segment { return ai.Segment{Speaker: speaker, Text: text} }

func newTestIndex(t *testing.T, p Params) *Index {
	t.Helper()
	ix := New(p)
	must(t, ix.Replace("m1", meeting("o1", "m1",
		seg("Ann", "Let us talk about the budget for the launch."),
		seg("Bob", "The budget is tight, the budget needs review."),
		seg("Ann", "And the rubber casing for the remote?"),
		seg("Cy", "Marketing likes a spongy rubber casing."),
	)))
	must(t, ix.Replace("m2", meeting("o1", "m2",
		seg("Dee", "Budget approved by finance."),
		seg("Eve", "Lunch is at noon."),
	)))
	must(t, ix.Replace("m3", meeting("o2", "m3", seg("Fay", "Our budget is secret."))))
	return ix
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSearchBM25Ranking(t *testing.T) {
	ix := newTestIndex(t, BaselineParams())
	hits := ix.Search(Query{Text: "budget review", MeetingID: "m1"})
	if len(hits) == 0 || hits[0].SegmentStart != 1 {
		t.Fatalf("best hit for 'budget review' = %+v, want segment 1", hits)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("hits not sorted by score: %v", hits)
		}
	}
	if hits := ix.Search(Query{Text: "xylophone"}); len(hits) != 0 {
		t.Errorf("unknown word matched %v", hits)
	}
}

func TestSearchFilters(t *testing.T) {
	ix := newTestIndex(t, DefaultParams())
	tests := []struct {
		q    Query
		want []string // meeting ids of the hits, in any order
	}{
		{Query{Text: "budget", MeetingID: "m2"}, []string{"m2"}},
		{Query{Text: "budget", OrgID: "o2"}, []string{"m3"}},
		{Query{Text: "budget", OrgID: "o1", Source: SourceDocument}, nil},
	}
	for _, tt := range tests {
		for _, h := range ix.Search(tt.q) {
			if !contains(tt.want, h.MeetingID) {
				t.Errorf("%+v: hit from %s", tt.q, h.MeetingID)
			}
		}
	}
	if hits := ix.Search(Query{Text: "budget", OrgID: "o1", Limit: 1}); len(hits) != 1 {
		t.Errorf("Limit 1 gave %d hits", len(hits))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSearchSpeakerBoost(t *testing.T) {
	ix := newTestIndex(t, DefaultParams())
	hits := ix.Search(Query{Text: "What did Cy say about the rubber casing?", MeetingID: "m1"})
	if len(hits) == 0 || hits[0].Speaker != "Cy" {
		t.Errorf("best hit = %+v, want Cy's turn", hits)
	}
}

func TestSearchSpeakerRunBoost(t *testing.T) {
	// Cy says the same words about the casing twice: once between Bob's
	// turns and once in a run of turns Cy dominates.
	segs := []ai.Segment{
		seg("Bob", "Wood would feel warm in the hand."),
		seg("Bob", "Wood is also cheap to shape."),
		seg("Cy", "The casing matters."),
		seg("Bob", "Wood then, agreed by all."),
		seg("Bob", "Next item on the list."),
		seg("Cy", "Let me present my findings now."),
		seg("Cy", "Users want bright colours."),
		seg("Cy", "The casing matters."),
		seg("Cy", "Users also want it light."),
	}
	p := Params{K1: 1.2, B: 0.75, NeighborRadius: 2, SpeakerBoost: 1}
	query := Query{Text: "What did Cy think about the casing?"}

	ix := New(p)
	must(t, ix.Replace("m", ChunkTranscript(segs, 0)))
	if hits := ix.Search(query); len(hits) != 2 || hits[0].Score != hits[1].Score {
		t.Fatalf("without the run boost, want Cy's two turns tied, got %+v", hits)
	}

	p.SpeakerRunBoost = 1
	ix = New(p)
	must(t, ix.Replace("m", ChunkTranscript(segs, 0)))
	hits := ix.Search(query)
	if len(hits) != 2 || hits[0].SegmentStart != 7 || hits[0].Score <= hits[1].Score {
		t.Errorf("with the run boost, want segment 7 (in Cy's run) first, got %+v", hits)
	}
}

func TestReplaceAndRemove(t *testing.T) {
	ix := newTestIndex(t, BaselineParams())
	if n := ix.Len(); n != 7 {
		t.Fatalf("Len = %d, want 7", n)
	}
	must(t, ix.Replace("m2", meeting("o1", "m2", seg("Dee", "Lunch moved to one."))))
	if hits := ix.Search(Query{Text: "finance", MeetingID: "m2"}); len(hits) != 0 {
		t.Errorf("replaced text still found: %v", hits)
	}
	if hits := ix.Search(Query{Text: "lunch", MeetingID: "m2"}); len(hits) != 1 {
		t.Errorf("new text not found: %v", hits)
	}
	ix.Remove("m1")
	ix.Remove("missing")
	if n := ix.Len(); n != 2 {
		t.Errorf("Len after remove = %d, want 2", n)
	}
	if hits := ix.Search(Query{Text: "rubber"}); len(hits) != 0 {
		t.Errorf("removed meeting still found: %v", hits)
	}
	// Corpus statistics must match a fresh index over the same chunks.
	fresh := New(BaselineParams())
	must(t, fresh.Replace("m2", meeting("o1", "m2", seg("Dee", "Lunch moved to one."))))
	must(t, fresh.Replace("m3", meeting("o2", "m3", seg("Fay", "Our budget is secret."))))
	a, b := ix.Search(Query{Text: "budget lunch"}), fresh.Search(Query{Text: "budget lunch"})
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("after remove: %v\nfresh: %v", a, b)
	}
}

func TestReplaceValidates(t *testing.T) {
	ix := New(DefaultParams())
	mixed := append(meeting("o1", "a", seg("A", "one")), meeting("o1", "b", seg("B", "two"))...)
	if err := ix.Replace("k", mixed); err != ErrMixedGroup {
		t.Errorf("mixed group: err = %v", err)
	}
}

func TestMentionedSpeakers(t *testing.T) {
	names := []string{"Project Manager", "User Interface", "PhD C", "Professor E", "Huw Morris AM", "Industrial Designer"}
	tests := []struct {
		query string
		want  []string
	}{
		{"What did User Interface think of the buttons?", []string{"User Interface"}},
		{"What did C think about ATLAS?", []string{"PhD C"}},
		{"What did the professor say about overlap?", []string{"Professor E"}},
		{"What did Huw Morris think of the no deal scenario?", []string{"Huw Morris AM"}},
		{"What did Industrial Design propose?", []string{"Industrial Designer"}},
		{"A summary of the interface discussion", nil},
	}
	for _, tt := range tests {
		bits := mentionedSpeakers(tt.query, names)
		var got []string
		for b, n := range names {
			if bits&(1<<b) != 0 {
				got = append(got, n)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%q: got %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestContentTerms(t *testing.T) {
	got := ContentTerms("Summarize the discussion about the remote control")
	if fmt.Sprint(got) != "[remot control]" {
		t.Errorf("ContentTerms = %v", got)
	}
}

// TestOtherTenantsDoNotShiftScores checks that an organization's ranking is
// computed from its own corpus only.
func TestOtherTenantsDoNotShiftScores(t *testing.T) {
	ix := New(DefaultParams())
	must(t, ix.Replace("a", meeting("acme", "a",
		seg("Ann", "The rubber casing is too soft."),
		seg("Bob", "Budget review happens on Monday."),
		seg("Cy", "Rubber buttons feel cheap."),
	)))
	q := Query{Text: "rubber casing budget", OrgID: "acme"}
	before := ix.Search(q)

	var noisy []ai.Segment
	for i := 0; i < 200; i++ {
		noisy = append(noisy, seg("Zed", fmt.Sprintf("Rubber rubber rubber casing, item %d.", i)))
	}
	must(t, ix.Replace("b", meeting("globex", "b", noisy...)))
	after := ix.Search(q)

	if len(before) == 0 || len(before) != len(after) {
		t.Fatalf("hits changed: %d before, %d after", len(before), len(after))
	}
	for i := range before {
		if before[i].SegmentStart != after[i].SegmentStart || before[i].Score != after[i].Score {
			t.Fatalf("hit %d changed: %+v -> %+v", i, before[i], after[i])
		}
	}
	if len(ix.Search(Query{Text: "rubber", OrgID: "initech"})) != 0 {
		t.Fatal("an organization without chunks must get no hits")
	}
}
