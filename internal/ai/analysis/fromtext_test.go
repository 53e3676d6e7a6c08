package analysis

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quorumhq/quorum/internal/ai"
)

func TestFromText(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []ai.Segment
	}{{
		name: "speaker lines",
		in:   "Alice: Hello there.\nBob Smith: Hi Alice.\r\n\nAlice: Shall we start?",
		want: []ai.Segment{seg("Alice", "Hello there."), seg("Bob Smith", "Hi Alice."), seg("Alice", "Shall we start?")},
	}, {
		name: "continuation lines join the current turn",
		in:   "Alice: First point.\nand a second line.\nBob: Noted.",
		want: []ai.Segment{seg("Alice", "First point. and a second line."), seg("Bob", "Noted.")},
	}, {
		name: "leading timestamps give start and end",
		in:   "[00:00:05] Alice: Hi.\n[00:00:12] Bob: Hello, everyone here?\n[00:01:00] Alice: Yes, all here.",
		want: []ai.Segment{
			timed("Alice", 5, 12, "Hi."),
			timed("Bob", 12, 60, "Hello, everyone here?"),
			timed("Alice", 60, 61.2, "Yes, all here."), // the last turn's end is estimated at 150 words a minute
		},
	}, {
		name: "timestamp after the speaker",
		in:   "Carol (1:05): Hey.\nDan (1:09): Hi Carol, good to see you again today.",
		want: []ai.Segment{timed("Carol", 65, 69, "Hey."), timed("Dan", 69, 72.2, "Hi Carol, good to see you again today.")},
	}, {
		name: "plain prose becomes sentences",
		in:   "We reviewed the plan. Budget is fine!\nWhat about hiring?",
		want: []ai.Segment{seg("", "We reviewed the plan."), seg("", "Budget is fine!"), seg("", "What about hiring?")},
	}, {
		name: "a colon inside prose is not a speaker",
		in:   "The plan for the next quarter is simple: ship it.",
		want: []ai.Segment{seg("", "The plan for the next quarter is simple: ship it.")},
	}, {
		name: "a clock time is not a speaker",
		in:   "We meet at 10:30 tomorrow.",
		want: []ai.Segment{seg("", "We meet at 10:30 tomorrow.")},
	}, {
		name: "empty",
		in:   "  \n ",
		want: nil,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, FromText(tc.in))
		})
	}
}

func TestFromTextFeedsAnalyses(t *testing.T) {
	segs := FromText("Dana: What does your team use today?\nJordan: We use Gong, but it is too expensive.\nDana: I'll send pricing by Friday.")
	r := SalesCall(segs, "")
	assert.Equal(t, "Dana", r.Rep)
	assert.Len(t, r.Objections, 1)
	assert.Equal(t, "Gong", r.Competitors[0].Name)
	assert.Equal(t, UnknownSpeaker, Session(FromText("Just one sentence here.")).Speakers[0].Speaker)
}
