package analysis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/ai"
)

func TestCoaching(t *testing.T) {
	segs := []ai.Segment{
		seg("Bob", "What's the plan for the quarter?"),
		seg("Alice", words("Our plan is to expand the platform into two new regions and hire support staff.", 240)),
		seg("Bob", "But the budget for-"),
		seg("Alice", "The budget is covered, trust me."),
		seg("Bob", "OK, and the hiring plan is"),
		seg("Alice", "Hiring starts in March."),
		seg("Bob", "Um, so, uh, I mean, like, you know, the, um, numbers look kind of off."),
		seg("Alice", "This is a terrible, frustrating problem and the results were awful."),
		seg("Bob", "Fine."),
	}
	got := Coaching(segs)

	type key struct {
		Index    int
		Category string
		Speaker  string
	}
	var keys []key
	for _, m := range got {
		keys = append(keys, key{m.SegmentIndex, m.Category, m.Speaker})
		assert.NotEmpty(t, m.Observation, m.Category)
		assert.NotEmpty(t, m.Suggestion, m.Category)
		assert.NotEmpty(t, m.Quote, m.Category)
	}
	assert.Equal(t, []key{
		{1, CategoryMonologue, "Alice"},
		{1, CategoryDominantTalker, "Alice"},
		{1, CategoryNoQuestions, "Alice"},
		{3, CategoryInterruption, "Alice"},
		{6, CategoryFillerHeavy, "Bob"},
		{7, CategoryNegativeTone, "Alice"},
		{8, CategoryUnclearNextSteps, "Bob"},
	}, keys)

	byCat := map[string]Moment{}
	for _, m := range got {
		byCat[m.Category] = m
	}
	assert.Contains(t, byCat[CategoryMonologue].Observation, "Alice held the floor for 240 words across segments 1–1")
	assert.Contains(t, byCat[CategoryInterruption].Observation, "Alice interrupted 2 times")
	assert.Contains(t, byCat[CategoryInterruption].Observation, `"But the budget for-"`)
	assert.Equal(t, "The budget is covered, trust me.", byCat[CategoryInterruption].Quote)
	assert.Contains(t, byCat[CategoryFillerHeavy].Observation, "7 fillers in 15 words")
	assert.Contains(t, byCat[CategoryFillerHeavy].Observation, `"um" ×2`)
	assert.Contains(t, byCat[CategoryDominantTalker].Observation, "Alice accounted for")
	assert.Contains(t, byCat[CategoryNoQuestions].Observation, "without asking a single question")
	assert.Contains(t, byCat[CategoryUnclearNextSteps].Observation, "without any stated commitment")
	assert.Equal(t, "Fine.", byCat[CategoryUnclearNextSteps].Quote)
}

func TestCoachingQuietOnAGoodMeeting(t *testing.T) {
	segs := []ai.Segment{
		timed("Dana", 0, 20, "Thanks for making time. What would make this week a success for your team?"),
		timed("Lee", 20, 45, "Getting the import working for the finance group is the main goal."),
		timed("Dana", 45, 65, "That makes sense. How many files do they import each day?"),
		timed("Lee", 65, 90, "About two hundred, mostly spreadsheets from the regional offices."),
		timed("Dana", 90, 110, "Great, that is well within what the importer handles."),
		timed("Lee", 110, 130, "Good to hear. Can you share the setup guide?"),
		timed("Dana", 130, 150, "Yes. I'll send the setup guide by Friday and we will review the first import on Monday."),
		timed("Lee", 150, 165, "Perfect, thanks."),
	}
	assert.Empty(t, Coaching(segs))
}

func TestCoachingTimedMonologueAndDatelessSteps(t *testing.T) {
	segs := []ai.Segment{
		timed("Rep", 0, 10, "How is the rollout going for you?"),
		timed("Rep", 10, 70, "Let me explain the roadmap in detail."),
		timed("Buyer", 69.9, 71, "Mm-hmm."),
		timed("Rep", 71, 130, "And then the reporting suite arrives."),
		timed("Buyer", 130, 140, "Can you tell me what it costs?"),
		timed("Rep", 140, 150, "I'll send you the pricing sheet."),
		timed("Buyer", 150, 160, "Thanks, we will review it with the team."),
	}
	got := Coaching(segs)
	cats := map[string]Moment{}
	for _, m := range got {
		cats[m.Category] = m
	}
	require.Contains(t, cats, CategoryMonologue)
	assert.Equal(t, 0, cats[CategoryMonologue].SegmentIndex)
	assert.Contains(t, cats[CategoryMonologue].Observation, "2m10s")
	require.Contains(t, cats, CategoryUnclearNextSteps)
	assert.Equal(t, 6, cats[CategoryUnclearNextSteps].SegmentIndex)
	assert.Equal(t, 150.0, cats[CategoryUnclearNextSteps].Timestamp)
	assert.Contains(t, cats[CategoryUnclearNextSteps].Observation, "none has a date")
	assert.NotContains(t, cats, CategoryInterruption, "a backchannel overlapping by 0.1 s is not an interruption")
}

func TestCoachingEmpty(t *testing.T) {
	assert.Equal(t, []Moment{}, Coaching(nil))
}
