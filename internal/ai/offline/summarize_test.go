package offline

import (
	"context"
	"strings"
	"testing"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// launchMeeting is a small meeting with two topics, a budget and a casing,
// padded with chatter.
func launchMeeting() []ai.Segment {
	return []ai.Segment{
		{Speaker: "Ann", Text: "So . OK . Um ."},
		{Speaker: "Ann", Text: "Let's start with the launch budget for the new remote control."},
		{Speaker: "Bob", Text: "The launch budget is twelve thousand euros, and the budget covers marketing and production."},
		{Speaker: "Cy", Text: "Uh , I I think the budget for production is too tight , you know ."},
		{Speaker: "Bob", Text: "Yeah ."},
		{Speaker: "Ann", Text: "Then we cut the marketing budget by two thousand euros to fund production."},
		{Speaker: "Cy", Text: "Next topic is the casing material for the remote control."},
		{Speaker: "Dee", Text: "A rubber casing is cheaper than a titanium casing and feels spongy."},
		{Speaker: "Cy", Text: "Users in the survey preferred the spongy rubber casing over plastic."},
		{Speaker: "Ann", Text: "Mm-hmm ."},
		{Speaker: "Dee", Text: "So the casing will be rubber, in yellow, to match the fruit theme."},
	}
}

func TestSummarize(t *testing.T) {
	segs := launchMeeting()
	s := must(Summarize(context.Background(), segs, ai.SummaryOptions{MaxWords: 40}))
	if len(s.Sentences) < 2 {
		t.Fatalf("summary too short: %+v", s)
	}
	words := text.WordCount(s.Text())
	if words > 40*115/100 {
		t.Errorf("summary has %d words, cap 40", words)
	}
	body := strings.ToLower(s.Text())
	for _, want := range []string{"budget", "casing"} {
		if !strings.Contains(body, want) {
			t.Errorf("summary misses topic %q: %s", want, body)
		}
	}
	for _, bad := range []string{" um", " uh", "you know", "I I"} {
		if strings.Contains(s.Text(), bad) {
			t.Errorf("summary keeps disfluency %q: %s", bad, s.Text())
		}
	}
	for i := 1; i < len(s.Sentences); i++ {
		if s.Sentences[i].SegmentIndex < s.Sentences[i-1].SegmentIndex {
			t.Errorf("sentences out of meeting order: %+v", s.Sentences)
		}
	}
	first := s.Sentences[0]
	if segs[first.SegmentIndex].Speaker != first.Speaker {
		t.Errorf("sentence cites segment %d of %s, says %s", first.SegmentIndex, segs[first.SegmentIndex].Speaker, first.Speaker)
	}
	if !strings.HasPrefix(s.Markdown, "- **") || strings.Count(s.Markdown, "\n") != len(s.Sentences) {
		t.Errorf("markdown = %q", s.Markdown)
	}
}

func TestSummarizeEmpty(t *testing.T) {
	if s := must(Summarize(context.Background(), []ai.Segment{{Text: "Um . OK ."}}, ai.SummaryOptions{})); len(s.Sentences) != 0 || s.Markdown != "" {
		t.Errorf("got %+v", s)
	}
}

func TestAnswer(t *testing.T) {
	segs := launchMeeting()
	a := must(Answer(context.Background(), segs, "What did the group decide about the casing material?", ai.AnswerOptions{MaxWords: 30}))
	if !strings.Contains(strings.ToLower(a.Text), "rubber") {
		t.Errorf("answer misses the casing: %q", a.Text)
	}
	if len(a.Citations) == 0 {
		t.Fatal("no citations")
	}
	c := a.Citations[0]
	if c.SegmentEnd < 6 || c.SegmentStart > 10 {
		t.Errorf("first citation %d-%d is not in the casing discussion", c.SegmentStart, c.SegmentEnd)
	}
	if text.WordCount(a.Text) > 30*115/100 {
		t.Errorf("answer has %d words, cap 30", text.WordCount(a.Text))
	}
	if empty := must(Answer(context.Background(), segs, "xylophone", ai.AnswerOptions{})); empty.Text != "" || len(empty.Citations) != 0 {
		t.Errorf("unanswerable question got %+v", empty)
	}
}

func TestEngine(t *testing.T) {
	ctx := context.Background()
	var e Engine
	segs := launchMeeting()
	if s, err := e.Summarize(ctx, segs, ai.SummaryOptions{}); err != nil || len(s.Sentences) == 0 {
		t.Errorf("Summarize = %+v, %v", s, err)
	}
	vs, err := e.Embed(ctx, []string{"budget", "casing"})
	if err != nil || len(vs) != 2 || len(vs[0]) == 0 {
		t.Errorf("Embed = %v, %v", vs, err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.Sentiment(canceled, "good"); err == nil {
		t.Error("want the context's error")
	}
}
