package analysis

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/ai"
)

// TestReportsEncodeAtTheLimits runs every analysis over transcripts at the
// edges of what validation lets through (times at the largest allowed
// value, zero-length and untimed turns, a lone speaker, heavy weights) and
// requires every report to encode as JSON, which fails on NaN or infinity.
func TestReportsEncodeAtTheLimits(t *testing.T) {
	const maxSeconds = 1e7 // meeting.MaxSeconds
	transcripts := map[string][]ai.Segment{
		"longest times": {
			timed("Rep", 0, maxSeconds/2, "What budget do you have for this project?"),
			timed("Prospect", maxSeconds/2, maxSeconds, "We have about fifty thousand, but the price is a concern."),
		},
		"zero-length turns": {
			timed("Rep", 5, 5, "Can you tell me about your team?"),
			timed("Prospect", 5, 5, "Sure."),
		},
		"single turn at the limit": {timed("Ann", maxSeconds, maxSeconds, "I will send the report by Friday.")},
		"untimed lone speaker":     {seg("Ann", "Um, so, uh, yeah."), seg("Ann", "Right?")},
	}
	rubric := RubricSpec{Name: "r", Criteria: []Criterion{
		{Key: "budget", Description: "asks about budget", Weight: MaxWeight},
		{Key: "empty", Description: "", Weight: MaxWeight},
		{Key: "next", Description: "agrees next steps"},
	}}
	for name, segs := range transcripts {
		t.Run(name, func(t *testing.T) {
			res, err := Rubric(segs, rubric)
			require.NoError(t, err)
			for what, report := range map[string]any{
				"session": Session(segs), "sales": SalesCall(segs, ""), "interview": Interview(segs, ""),
				"coaching": Coaching(segs), "rubric": res,
			} {
				_, err := json.Marshal(report)
				require.NoError(t, err, what)
			}
		})
	}
}
