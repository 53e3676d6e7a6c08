package offline

import (
	"context"
	"testing"
	"time"

	"github.com/quorumhq/quorum/internal/ai"
)

func TestActionItems(t *testing.T) {
	// Wednesday 2026-03-04, 10:00.
	ref := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	segs := []ai.Segment{
		{Speaker: "Anna Smith", Text: "Um, I'll send the revised budget by Friday."},
		{Speaker: "Ben Jones", Text: "Anna, can you also book the meeting room for next week?"},
		{Speaker: "Anna Smith", Text: "Sure."},
		{Speaker: "Ben Jones", Text: "Could you draft the press release tomorrow?"},
		{Speaker: "Cara Diaz", Text: "Yes, will do."},
		{Speaker: "Cara Diaz", Text: "We need to finalize the vendor contract by March 20."},
		{Speaker: "Ben Jones", Text: "The weather was nice yesterday."},
	}
	got := must(ActionItems(context.Background(), segs, ai.ItemOptions{Reference: ref}))
	want := []struct {
		seg       int
		owner     string
		due       string
		dueDate   string
		substring string
	}{
		{0, "Anna Smith", "by Friday", "2026-03-06", "send the revised budget"},
		{1, "Anna Smith", "next week", "2026-03-09", "book the meeting room"},
		{3, "Cara Diaz", "tomorrow", "2026-03-05", "press release"},
		{5, "", "by March 20", "2026-03-20", "vendor contract"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d items: %+v", len(got), got)
	}
	for i, w := range want {
		g := got[i]
		if g.SegmentIndex != w.seg || g.Owner != w.owner || g.Due != w.due {
			t.Errorf("item %d = %+v, want segment %d owner %q due %q", i, g, w.seg, w.owner, w.due)
		}
		if g.DueDate == nil || g.DueDate.Format("2006-01-02") != w.dueDate {
			t.Errorf("item %d due date = %v, want %s", i, g.DueDate, w.dueDate)
		}
		if !containsFold(g.Text, w.substring) {
			t.Errorf("item %d text %q lacks %q", i, g.Text, w.substring)
		}
	}
}

func TestActionItemsWithoutReference(t *testing.T) {
	got := must(ActionItems(context.Background(), []ai.Segment{{Speaker: "Al", Text: "I will review the slides by Monday."}}, ai.ItemOptions{}))
	if len(got) != 1 || got[0].Due != "by Monday" || got[0].DueDate != nil {
		t.Errorf("got %+v", got)
	}
}

func TestResolveDue(t *testing.T) {
	ref := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC) // a Wednesday
	tests := map[string]string{
		"today":              "2026-03-04",
		"tomorrow":           "2026-03-05",
		"by Friday":          "2026-03-06",
		"next Friday":        "2026-03-13",
		"on Wednesday":       "2026-03-11",
		"next week":          "2026-03-09",
		"end of the week":    "2026-03-06",
		"end of the month":   "2026-03-31",
		"next month":         "2026-04-01",
		"March 3":            "2027-03-03",
		"the 5th of April":   "2026-04-05",
		"2026-05-01":         "2026-05-01",
		"by 4/15":            "2026-04-15",
		"by the end of day":  "2026-03-04",
		"end of next month":  "2026-04-30",
		"by end of the week": "2026-03-06",
	}
	for due, want := range tests {
		got, ok := resolveDue(due, ref)
		if !ok || got.Format("2006-01-02") != want {
			t.Errorf("resolveDue(%q) = %v, %v; want %s", due, got, ok, want)
		}
	}
	if _, ok := resolveDue("by 13/45", ref); ok {
		t.Error("resolveDue accepted month 13")
	}
}

func TestFindDue(t *testing.T) {
	tests := map[string]string{
		"I'll send it by Friday.":            "by Friday",
		"Let's meet next week to review.":    "next week",
		"Due on the 3rd of May, please.":     "on the 3rd of May",
		"Ship it on 2026-07-01.":             "2026-07-01",
		"We talked about Fridays in general": "",
	}
	for s, want := range tests {
		if got := findDue(s); got != want {
			t.Errorf("findDue(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestDecisions(t *testing.T) {
	segs := []ai.Segment{
		{Speaker: "A", Text: "So we decided to go with the rubber casing."},
		{Speaker: "B", Text: "Let's go with yellow then."},
		{Speaker: "C", Text: "I like pizza."},
		{Speaker: "D", Text: "Okay, we agreed on a price of 25 euros."},
	}
	got := must(Decisions(context.Background(), segs))
	if len(got) != 3 || got[0].SegmentIndex != 0 || got[1].Speaker != "B" || got[2].SegmentIndex != 3 {
		t.Errorf("got %+v", got)
	}
	if got[0].Text != "We decided to go with the rubber casing." {
		t.Errorf("text = %q", got[0].Text)
	}
}

func TestQuestions(t *testing.T) {
	segs := []ai.Segment{
		{Speaker: "A", Text: "Who owns the migration plan for the database?"},
		{Speaker: "B", Text: "Hmm, good question."},
		{Speaker: "A", Text: "Is the budget approved by finance?"},
		{Speaker: "C", Text: "Yes, last week."},
		{Speaker: "A", Text: "Right?"},
	}
	got := must(Questions(context.Background(), segs))
	if len(got) != 1 || got[0].SegmentIndex != 0 || got[0].Speaker != "A" {
		t.Errorf("got %+v, want only the unanswered question", got)
	}
}

func TestWhQuestionsAreNotRequests(t *testing.T) {
	segs := []ai.Segment{
		{Speaker: "Ann", Text: "How would you interpret that without a lot of inference?"},
		{Speaker: "Ann", Text: "Bob, could you send the slides tonight?"},
	}
	items := must(ActionItems(context.Background(), segs, ai.ItemOptions{}))
	if len(items) != 1 || items[0].SegmentIndex != 1 {
		t.Fatalf("want only the request to Bob, got %+v", items)
	}
}
