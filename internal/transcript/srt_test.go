package transcript

import "testing"

func TestParseSRT(t *testing.T) {
	runParseCases(t, FormatSRT, []parseCase{
		{
			name: "basic",
			in: `1
00:00:01,000 --> 00:00:04,000
Alice: Let's get started.

2
00:00:04,500 --> 00:00:06,000
Bob: Sounds good.
I have two items.
`,
			want: []Segment{
				{Speaker: "Alice", Text: "Let's get started.", Start: 1, End: 4},
				{Speaker: "Bob", Text: "Sounds good. I have two items.", Start: 4.5, End: 6},
			},
		},
		{
			name: "BOM CRLF tags overrides and coordinates",
			in: "\uFEFF1\r\n00:00:01,000 --> 00:00:02,000 X1:10 X2:100 Y1:10 Y2:50\r\n{\\an8}<i>Alice</i>: <font color=\"#fff\">hi</font>\r\n\r\n" +
				"2\r\n00:00:02,000 --> 00:00:03,000\r\nno speaker\r\n\r\n\r\n",
			want: []Segment{
				{Speaker: "Alice", Text: "hi", Start: 1, End: 2},
				{Text: "no speaker", Start: 2, End: 3},
			},
		},
		{
			name: "old Mac line endings and period separator",
			in:   "1\r00:00:01.000 --> 00:00:02.000\rhi\r",
			want: []Segment{{Text: "hi", Start: 1, End: 2}},
		},
		{
			name: "missing blank line and missing index",
			in: `00:00:01,000 --> 00:00:02,000
one
2
00:00:02,000 --> 00:00:03,000
two
`,
			want: []Segment{
				{Text: "one", Start: 1, End: 2},
				{Text: "two", Start: 2, End: 3},
			},
		},
		{
			name: "empty cue text skipped",
			in:   "1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:02,000 --> 00:00:03,000\nAlice: \n",
			err:  ErrEmpty,
		},
		{name: "VTT given as SRT", in: "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n", err: syntaxErr(1, "no timing line")},
		{name: "index without timing", in: "1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\nhello\n", err: syntaxErr(5, "no timing line")},
		{name: "bad timestamp", in: "1\n00:00:01,000 --> 0:00:02;000\nhi\n", err: syntaxErr(2, "invalid end timestamp")},
		{name: "bad arrow", in: "1\n00:00:01,000 -> 00:00:02,000\nhi\n", err: syntaxErr(1, "no timing line")},
		{name: "end before start", in: "1\n00:00:03,000 --> 00:00:02,999\nhi\n", err: syntaxErr(2, "before start")},
	})
}
