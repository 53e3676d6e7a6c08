package transcript

import "testing"

func TestParseText(t *testing.T) {
	runParseCases(t, FormatText, []parseCase{
		{
			name: "speakers and free lines",
			in:   "Alice: Hello everyone.\n\n  Bob:   Hi!  \nThis line has no speaker.\nThe plan: ship it\n",
			want: []Segment{
				{Speaker: "Alice", Text: "Hello everyone."},
				{Speaker: "Bob", Text: "Hi!"},
				{Text: "This line has no speaker."},
				{Speaker: "The plan", Text: "ship it"},
			},
		},
		{
			name: "timestamps",
			in:   "[00:00:05] Alice: first\r\n[00:01:02.5] Bob: second\r\ncontinued\r\n(01:10:00) Alice: third\r\n",
			want: []Segment{
				{Speaker: "Alice", Text: "first", Start: 5, End: 62.5},
				{Speaker: "Bob", Text: "second", Start: 62.5, End: 62.5},
				{Text: "continued", Start: 62.5, End: 4200},
				{Speaker: "Alice", Text: "third", Start: 4200, End: 4200},
			},
		},
		{
			name: "timestamps going backwards",
			in:   "[00:10] Alice: later\n[00:05] Bob: earlier\n",
			want: []Segment{
				{Speaker: "Alice", Text: "later", Start: 10, End: 10},
				{Speaker: "Bob", Text: "earlier", Start: 5, End: 5},
			},
		},
		{
			name: "brackets that are not timestamps",
			in:   "[inaudible]\n[00:99] Alice: nope\n[12:00",
			want: []Segment{
				{Text: "[inaudible]"},
				{Text: "[00:99] Alice: nope"},
				{Text: "[12:00"},
			},
		},
		{name: "timestamp without text", in: "[00:00:01]\n[00:00:02] Alice:\n", err: ErrEmpty},
		{name: "control characters only", in: "\x00\x01\n\x7f", err: ErrEmpty},
	})
}
