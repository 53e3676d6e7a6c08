package analysis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/ai"
)

func TestSessionTimed(t *testing.T) {
	segs := []ai.Segment{
		timed("Alice", 0, 10, "Thanks for joining. Let's review the launch plan today."),
		timed("Bob", 10, 20, "Sounds good. What is the current status?"),
		timed("Alice", 20, 80, "The build is green, the docs are done and the pricing page ships next."),
		timed("Bob", 75, 85, "Sorry, can I jump in here?"),
		timed("Alice", 85, 90, "Sure, go ahead."),
		timed("Bob", 90, 100, "Um, so, like, you know, I mean the, uh, timeline is kind of tight."),
		timed("Alice", 100, 110, "I'll send the revised plan by Friday."),
	}
	r := Session(segs)

	assert.Equal(t, BasisDuration, r.TalkTimeBasis)
	assert.Equal(t, 110.0, r.DurationSeconds)
	require.Len(t, r.Speakers, 2)
	assert.Equal(t, "Alice", r.Speakers[0].Speaker)
	assert.InDelta(t, 85.0/115, r.Speakers[0].TalkShare, 1e-4)
	assert.InDelta(t, 30.0/115, r.Speakers[1].TalkShare, 1e-4)
	assert.Equal(t, 4, r.Speakers[0].Turns)
	assert.Equal(t, 3, r.Speakers[1].Turns)
	assert.Equal(t, 2, r.Speakers[1].Questions)
	assert.Equal(t, 2, r.Questions.Total)
	assert.Equal(t, 1, r.Questions.FirstSegment)
	assert.InDelta(t, 2/(110.0/60), r.Questions.PerMinute, 0.01)

	// Bob started at 75 s while Alice spoke until 80 s.
	require.Len(t, r.Interruptions, 1)
	in := r.Interruptions[0]
	assert.Equal(t, 3, in.SegmentIndex)
	assert.Equal(t, "Bob", in.Interrupter)
	assert.Equal(t, 2, in.InterruptedSegment)
	assert.Equal(t, "Alice", in.Interrupted)
	assert.Equal(t, "overlap", in.Reason)
	assert.Equal(t, 5.0, in.OverlapSeconds)
	assert.Equal(t, 1, r.Speakers[1].Interruptions)
	assert.Equal(t, 1, r.Speakers[0].Interrupted)

	require.NotNil(t, r.LongestMonologue)
	assert.Equal(t, Monologue{Speaker: "Alice", SegmentStart: 2, SegmentEnd: 2, Words: 14, Seconds: 60,
		Quote: segs[2].Text}, *r.LongestMonologue)

	assert.Equal(t, map[string]int{"um": 1, "like": 1, "you know": 1, "i mean": 1, "uh": 1, "kind of": 1}, r.Fillers.ByFiller)
	assert.Equal(t, 6, r.Fillers.Total)
	assert.Equal(t, 6, r.Speakers[1].Fillers)
	require.NotEmpty(t, r.Fillers.TopFillerTurns)
	assert.Equal(t, 5, r.Fillers.TopFillerTurns[0].SegmentIndex)

	require.Len(t, r.NextSteps, 2)
	assert.Equal(t, NextStep{SegmentIndex: 0, Speaker: "Alice", Text: "Let's review the launch plan today.", Cue: "let's"}, r.NextSteps[0])
	assert.Equal(t, NextStep{SegmentIndex: 6, Speaker: "Alice", Text: "I'll send the revised plan by Friday.", Cue: "will", Due: "by friday"}, r.NextSteps[1])

	require.Len(t, r.SentimentTimeline, 1)
	assert.Equal(t, 0, r.SentimentTimeline[0].SegmentStart)
	assert.Equal(t, 6, r.SentimentTimeline[0].SegmentEnd)
	assert.Equal(t, 110.0, r.SentimentTimeline[0].End)
}

func TestSessionInterruptionsUntimed(t *testing.T) {
	cases := []struct {
		name string
		segs []ai.Segment
		want []Interruption
	}{{
		name: "dash cut-off",
		segs: []ai.Segment{seg("A", "We could try the-"), seg("B", "No, that won't work for us.")},
		want: []Interruption{{SegmentIndex: 1, Interrupter: "B", InterruptedSegment: 0, Interrupted: "A", Reason: "cut_off",
			Quote: "We could try the-", InterrupterSaid: "No, that won't work for us."}},
	}, {
		name: "disfluency marker",
		segs: []ai.Segment{seg("A", "So the format is {disfmarker}"), seg("B", "Is it XML or binary ?")},
		want: []Interruption{{SegmentIndex: 1, Interrupter: "B", InterruptedSegment: 0, Interrupted: "A", Reason: "cut_off",
			Quote: "So the format is", InterrupterSaid: "Is it XML or binary?"}},
	}, {
		name: "ellipsis",
		segs: []ai.Segment{seg("A", "Well, I was thinking…"), seg("B", "Let me stop you there.")},
		want: []Interruption{{SegmentIndex: 1, Interrupter: "B", InterruptedSegment: 0, Interrupted: "A", Reason: "cut_off",
			Quote: "Well, I was thinking…", InterrupterSaid: "Let me stop you there."}},
	}, {
		name: "short unterminated turn in a punctuated transcript",
		segs: []ai.Segment{seg("A", "Fine."), seg("B", "The thing is"), seg("A", "We agreed on that already."), seg("B", "Right, agreed.")},
		want: []Interruption{{SegmentIndex: 2, Interrupter: "A", InterruptedSegment: 1, Interrupted: "B", Reason: "cut_off",
			Quote: "The thing is", InterrupterSaid: "We agreed on that already."}},
	}, {
		name: "backchannel is not an interruption",
		segs: []ai.Segment{seg("A", "So the plan is-"), seg("B", "Yeah."), seg("A", "to ship on Monday.")},
	}, {
		name: "same speaker continuing is not an interruption",
		segs: []ai.Segment{seg("A", "So the plan is-"), seg("A", "to ship on Monday.")},
	}, {
		name: "finished sentence then another speaker",
		segs: []ai.Segment{seg("A", "We ship Monday."), seg("B", "Great, I will tell the team.")},
	}, {
		name: "unpunctuated transcript does not flag every turn",
		segs: []ai.Segment{seg("A", "we ship monday"), seg("B", "great i will tell the team"), seg("A", "thanks")},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Session(tc.segs).Interruptions
			if tc.want == nil {
				tc.want = []Interruption{}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestSessionMonologueSpansBackchannels(t *testing.T) {
	segs := []ai.Segment{
		seg("Bob", "Can you walk us through the architecture?"),
		seg("Alice", words("The ingest service reads the queue and writes to the store.", 120)),
		seg("Bob", "Mm-hmm."),
		seg("Alice", words("Then the indexer picks up each new row and updates search.", 120)),
		seg("Carol", "Yeah, right."),
		seg("Alice", "That is the whole flow."),
		seg("Bob", "Thanks, that helps a lot with the migration question."),
	}
	r := Session(segs)
	require.NotNil(t, r.LongestMonologue)
	m := *r.LongestMonologue
	assert.Equal(t, "Alice", m.Speaker)
	assert.Equal(t, 1, m.SegmentStart)
	assert.Equal(t, 5, m.SegmentEnd)
	assert.Equal(t, 121+121+5, m.Words) // each words() call overshoots to a whole sentence
	assert.Zero(t, m.Seconds)
	assert.Equal(t, BasisWords, r.TalkTimeBasis)
	assert.Empty(t, r.Interruptions)
}

func TestFillerCounts(t *testing.T) {
	cases := []struct {
		text string
		want map[string]int
	}{
		{"I like this design.", map[string]int{}},
		{"It was, like, huge.", map[string]int{"like": 1}},
		{"Phones, like syllables, are units.", map[string]int{}},
		{"What kind of data do you store?", map[string]int{}},
		{"It is kind of slow and sort of flaky.", map[string]int{"kind of": 1, "sort of": 1}},
		{"Do you know the answer?", map[string]int{}},
		{"It works, you know, most days.", map[string]int{"you know": 1}},
		{"What I mean is simple.", map[string]int{}},
		{"Uh-huh. Uh , well , um , basically yes .", map[string]int{"uh": 1, "um": 1, "basically": 1}},
		{"Actually we literally shipped it.", map[string]int{"actually": 1, "literally": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			assert.Equal(t, tc.want, fillerCounts(normalize(tc.text)))
		})
	}
}

func TestNextStepCues(t *testing.T) {
	cases := []struct {
		sentence string
		cue, due string
	}{
		{"I'll send the deck by Friday.", "will", "by friday"},
		{"We will review it next week.", "will", "next week"},
		{"We're going to migrate the database.", "going to", ""},
		{"Let's schedule a follow-up call.", "follow up", ""},
		{"Action item: Dana updates the pricing page.", "action item", ""},
		{"We need to finalize the contract before the end of the month.", "need to", "before the end of the month"},
		{"Priya will draft the announcement tomorrow.", "will", "tomorrow"},
		{"Let's see what happens.", "", ""},
		{"It will rain tomorrow.", "", ""},
		{"You'll see a lot of output.", "", ""},
		{"I don't think we will need to do that.", "", ""},
		{"Will you send it?", "", ""},
		{"If we ship, we'll celebrate.", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.sentence, func(t *testing.T) {
			ns, _, ok := commitment(tc.sentence)
			assert.Equal(t, tc.cue != "", ok)
			assert.Equal(t, tc.cue, ns.Cue)
			assert.Equal(t, tc.due, ns.Due)
		})
	}
}
