package analysis

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQMSumInvariants runs every analysis on real meeting transcripts (the
// first three meetings of the QMSum train split) and checks what must hold
// on any input: shares sum to 1, every cited index is in range, every report
// encodes as JSON.
func TestQMSumInvariants(t *testing.T) {
	for i, segs := range qmsumMeetings(t, 3) {
		n := len(segs)
		inRange := func(what string, idx int) {
			t.Helper()
			assert.True(t, idx >= 0 && idx < n, "meeting %d: %s index %d out of range [0,%d)", i, what, idx, n)
		}

		s := Session(segs)
		assert.Equal(t, n, s.Segments)
		var share float64
		turns := 0
		for _, sp := range s.Speakers {
			share += sp.TalkShare
			turns += sp.Turns
		}
		assert.InDelta(t, 1, share, 1e-3, "meeting %d talk shares", i)
		assert.Equal(t, n, turns)
		require.NotNil(t, s.LongestMonologue)
		inRange("monologue start", s.LongestMonologue.SegmentStart)
		inRange("monologue end", s.LongestMonologue.SegmentEnd)
		assert.LessOrEqual(t, s.LongestMonologue.SegmentStart, s.LongestMonologue.SegmentEnd)
		for _, in := range s.Interruptions {
			inRange("interruption", in.SegmentIndex)
			assert.Equal(t, in.SegmentIndex-1, in.InterruptedSegment)
			assert.NotEqual(t, in.Interrupter, in.Interrupted)
		}
		covered := 0
		for _, w := range s.SentimentTimeline {
			inRange("window start", w.SegmentStart)
			inRange("window end", w.SegmentEnd)
			assert.True(t, w.Score >= -1 && w.Score <= 1)
			covered += w.SegmentEnd - w.SegmentStart + 1
		}
		assert.Equal(t, n, covered, "sentiment windows cover every turn once")
		assert.LessOrEqual(t, len(s.SentimentTimeline), 20)
		assert.LessOrEqual(t, len(s.NextSteps), maxNextSteps)
		for _, ns := range s.NextSteps {
			inRange("next step", ns.SegmentIndex)
		}
		assert.Positive(t, s.Fillers.Total, "spontaneous speech has fillers")
		assert.Positive(t, s.Questions.Total)

		moments := Coaching(segs)
		assert.NotEmpty(t, moments)
		for j, m := range moments {
			inRange("moment", m.SegmentIndex)
			assert.Equal(t, segs[m.SegmentIndex].Speaker, m.Speaker)
			assert.NotEmpty(t, m.Observation)
			assert.NotEmpty(t, m.Suggestion)
			if j > 0 {
				assert.LessOrEqual(t, moments[j-1].SegmentIndex, m.SegmentIndex, "moments are in transcript order")
			}
		}

		rr, err := Rubric(segs, RubricSpec{Criteria: []Criterion{
			{Key: "data_format", Description: "Discusses file formats for storing features and annotations", Weight: 2},
			{Key: "questions", Description: "Participants ask clarifying questions"},
			{Key: "next_steps", Description: "Agrees on next steps with owners"},
			{Key: "pricing", Description: "Negotiates pricing and discounts"},
		}})
		require.NoError(t, err)
		for _, cs := range rr.Scores {
			assert.True(t, cs.Score >= 0 && cs.Score <= 100)
			assert.LessOrEqual(t, len(cs.Evidence), maxEvidence)
			for _, e := range cs.Evidence {
				inRange("rubric evidence", e.SegmentIndex)
				assert.Equal(t, segs[e.SegmentIndex].Speaker, e.Speaker)
			}
		}
		assert.True(t, rr.Overall >= 0 && rr.Overall <= 100)

		iv := Interview(segs, "")
		assert.NotEmpty(t, iv.Interviewer)
		assert.NotEqual(t, iv.Interviewer, iv.Candidate)
		for _, q := range iv.Questions {
			inRange("question", q.SegmentIndex)
			if q.AnswerStart >= 0 {
				inRange("answer start", q.AnswerStart)
				inRange("answer end", q.AnswerEnd)
				assert.Greater(t, q.AnswerStart, q.SegmentIndex)
				assert.LessOrEqual(t, q.AnswerStart, q.AnswerEnd)
			}
		}
		for _, sg := range append(iv.Strengths, iv.Concerns...) {
			inRange("signal", sg.SegmentIndex)
		}

		sc := SalesCall(segs, "")
		assert.NotEqual(t, sc.Rep, sc.Prospect)
		for _, f := range append(append(append([]Finding{}, sc.DiscoveryQuestions...), sc.Objections...), sc.BuyingSignals...) {
			inRange("finding", f.SegmentIndex)
			assert.Equal(t, segs[f.SegmentIndex].Speaker, f.Speaker)
		}
		for _, c := range sc.Competitors {
			for _, idx := range c.Segments {
				inRange("competitor", idx)
			}
		}

		for _, v := range []any{s, moments, rr, iv, sc} {
			_, err := json.Marshal(v)
			require.NoError(t, err)
		}
	}
}

// TestEmptyTranscript checks that no analysis panics or returns null lists
// on an empty transcript.
func TestEmptyTranscript(t *testing.T) {
	s := Session(nil)
	assert.Zero(t, s.Segments)
	assert.Nil(t, s.LongestMonologue)
	b, err := json.Marshal(s)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "null")

	for _, v := range []any{Coaching(nil), Interview(nil, ""), SalesCall(nil, "")} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "null")
	}
}
