package analysis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/ai"
)

var salesCall = []ai.Segment{
	seg("Dana", "Hi Jordan, how are you?"),
	seg("Jordan", "Good, thanks."),
	seg("Dana", "What does your current process for call reviews look like?"),
	seg("Jordan", "We already use Gong for recording, and honestly it's too expensive for a team our size."),
	seg("Dana", "Got it. Who else is involved in the decision?"),
	seg("Jordan", "I'd need to check with my VP before we switch from Gong or Chorus."),
	seg("Dana", "Makes sense. Our plan is a third of that cost."),
	seg("Jordan", "How much would a pilot for ten seats cost?"),
	seg("Dana", "About four hundred a month. I'll send over a proposal by Thursday."),
	seg("Jordan", "Great, let's set up a trial for the team next week."),
}

func TestSalesCall(t *testing.T) {
	r := SalesCall(salesCall, "")

	assert.Equal(t, "Dana", r.Rep)
	assert.Equal(t, "Jordan", r.Prospect)
	assert.InDelta(t, 1, r.RepTalkShare+r.ProspectTalkShare, 1e-3)
	assert.Regexp(t, `^\d+:\d+$`, r.TalkRatio)

	assert.Equal(t, []Finding{
		{SegmentIndex: 2, Speaker: "Dana", Cue: "open question: what", Text: "What does your current process for call reviews look like?"},
		{SegmentIndex: 4, Speaker: "Dana", Cue: "open question: who", Text: "Who else is involved in the decision?"},
	}, r.DiscoveryQuestions, "small talk (\"how are you\") is not discovery")

	assert.Equal(t, []Finding{
		{SegmentIndex: 3, Speaker: "Jordan", Cue: "too expensive", Category: "price",
			Text: "We already use Gong for recording, and honestly it's too expensive for a team our size."},
		{SegmentIndex: 5, Speaker: "Jordan", Cue: "check with my", Category: "authority",
			Text: "I'd need to check with my VP before we switch from Gong or Chorus."},
	}, r.Objections)

	require.Len(t, r.BuyingSignals, 2)
	assert.Equal(t, Finding{SegmentIndex: 7, Speaker: "Jordan", Cue: "how much", Text: "How much would a pilot for ten seats cost?"}, r.BuyingSignals[0])
	assert.Equal(t, 9, r.BuyingSignals[1].SegmentIndex)
	assert.Equal(t, "trial", r.BuyingSignals[1].Cue)

	assert.Equal(t, []Competitor{
		{Name: "Gong", Mentions: 2, Segments: []int{3, 5}},
		{Name: "Chorus", Mentions: 1, Segments: []int{5}},
	}, r.Competitors)

	require.Len(t, r.NextSteps, 2)
	assert.Equal(t, NextStep{SegmentIndex: 8, Speaker: "Dana", Text: "I'll send over a proposal by Thursday.", Cue: "will", Due: "by thursday"}, r.NextSteps[0])
	assert.Equal(t, 9, r.NextSteps[1].SegmentIndex)
	assert.Equal(t, "next week", r.NextSteps[1].Due)

	assert.Contains(t, []string{"improving", "declining", "stable"}, r.Sentiment.Trend)
	assert.Contains(t, r.Summary, "Dana (rep) and Jordan (prospect)")
	assert.Contains(t, r.Summary, "2 discovery question(s)")
}

func TestSalesCallRepFromContext(t *testing.T) {
	r := SalesCall(salesCall, "rep: Jordan")
	assert.Equal(t, "Jordan", r.Rep)
	assert.Equal(t, "Dana", r.Prospect)
	for _, o := range r.Objections {
		assert.Equal(t, "Dana", o.Speaker, "objections are the prospect's")
	}
}

func TestObjectionCategories(t *testing.T) {
	cases := []struct {
		sentence, cue, category string
	}{
		{"Honestly the price is too high for us.", "price is too high", "price"},
		{"We don't have the budget this year.", "don't have the budget", "budget"},
		{"It's not a priority until next quarter.", "not a priority", "timing"},
		{"I need to run it by my boss.", "run it by", "authority"},
		{"We already have a tool for that.", "already have", "competition"},
		{"I'm not sure it fits our workflow.", "not sure", "uncertainty"},
		{"My main concern is security.", "concern", "uncertainty"},
		{"It looks too complicated to roll out.", "too complicated", "complexity"},
	}
	for _, tc := range cases {
		t.Run(tc.sentence, func(t *testing.T) {
			r := SalesCall([]ai.Segment{
				seg("Rep", "What challenges do you face with your current tools?"),
				seg("Buyer", tc.sentence),
			}, "")
			require.Len(t, r.Objections, 1)
			assert.Equal(t, tc.cue, r.Objections[0].Cue)
			assert.Equal(t, tc.category, r.Objections[0].Category)
		})
	}

	// Having budget is a buying signal, not an objection.
	r := SalesCall([]ai.Segment{seg("Rep", "What is your budget process?"), seg("Buyer", "We have budget approved for this.")}, "")
	assert.Empty(t, r.Objections)
	require.Len(t, r.BuyingSignals, 1)
	assert.Equal(t, "have budget", r.BuyingSignals[0].Cue)
}

func TestSalesCallEmpty(t *testing.T) {
	r := SalesCall(nil, "")
	assert.Equal(t, "Empty transcript.", r.Summary)
	assert.NotNil(t, r.Objections)
}
