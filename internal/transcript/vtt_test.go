package transcript

import "testing"

func TestParseVTT(t *testing.T) {
	runParseCases(t, FormatVTT, []parseCase{
		{
			name: "voice tags",
			in: `WEBVTT

00:00:01.000 --> 00:00:04.500
<v Alice>Good morning, everyone.</v>

00:00:05.000 --> 00:00:07.000
<v.loud Bob &amp; Smith>Morning!
`,
			want: []Segment{
				{Speaker: "Alice", Text: "Good morning, everyone.", Start: 1, End: 4.5},
				{Speaker: "Bob & Smith", Text: "Morning!", Start: 5, End: 7},
			},
		},
		{
			name: "header text metadata identifiers settings and short timestamps",
			in: "\uFEFFWEBVTT - Weekly sync\r\nKind: captions\r\nLanguage: en\r\n\r\n" +
				"intro\r\n00:01.000 --> 00:02.000 align:start position:10%\r\nAlice: hi\r\n\r\n" +
				"2\r\n01:00:00.000 --> 01:00:01.250\r\nBob: bye\r\n",
			want: []Segment{
				{Speaker: "Alice", Text: "hi", Start: 1, End: 2},
				{Speaker: "Bob", Text: "bye", Start: 3600, End: 3601.25},
			},
		},
		{
			name: "multi-line text joined and other tags stripped",
			in: `WEBVTT

00:00:01.000 --> 00:00:03.000
<v Alice><i>This</i> is <b>really</b>
<c.yellow>important</c> &amp; <00:00:02.000>urgent</v>
`,
			want: []Segment{{Speaker: "Alice", Text: "This is really important & urgent", Start: 1, End: 3}},
		},
		{
			name: "consecutive cues by the same speaker stay separate",
			in: `WEBVTT

00:00:01.000 --> 00:00:02.000
<v Alice>One.

00:00:02.000 --> 00:00:03.000
<v Alice>Two.
`,
			want: []Segment{
				{Speaker: "Alice", Text: "One.", Start: 1, End: 2},
				{Speaker: "Alice", Text: "Two.", Start: 2, End: 3},
			},
		},
		{
			name: "two voices in one cue",
			in: `WEBVTT

00:00:01.000 --> 00:00:02.000
<v Alice>Ready?</v> <v Bob>Yes.</v>
`,
			want: []Segment{
				{Speaker: "Alice", Text: "Ready?", Start: 1, End: 2},
				{Speaker: "Bob", Text: "Yes.", Start: 1, End: 2},
			},
		},
		{
			name: "NOTE STYLE and REGION blocks skipped",
			in: `WEBVTT

STYLE
::cue { color: red }

REGION
id:left width:40%

NOTE This is a comment
spanning: two lines

NOTE
00 is not a cue

00:00:01.000 --> 00:00:02.000
No speaker here.
`,
			want: []Segment{{Text: "No speaker here.", Start: 1, End: 2}},
		},
		{
			name: "missing blank line between cues",
			in: `WEBVTT
00:00:01.000 --> 00:00:02.000
Alice: one
00:00:02.000 --> 00:00:03.000
Bob: two
3
00:00:03.000 --> 00:00:04.000
Alice: three
`,
			want: []Segment{
				{Speaker: "Alice", Text: "one", Start: 1, End: 2},
				{Speaker: "Bob", Text: "two", Start: 2, End: 3},
				{Speaker: "Alice", Text: "three", Start: 3, End: 4},
			},
		},
		{
			name: "empty cues skipped and stray angle bracket kept",
			in: `WEBVTT

00:00:01.000 --> 00:00:02.000

00:00:02.000 --> 00:00:03.000
<i> </i>

00:00:03.000 --> 00:00:04.000
x < y
`,
			want: []Segment{{Text: "x < y", Start: 3, End: 4}},
		},
		{
			name: "only metadata",
			in:   "WEBVTT\n\nNOTE nothing to see\n",
			err:  ErrEmpty,
		},
		{name: "missing header", in: "00:00:01.000 --> 00:00:02.000\nhi\n", err: syntaxErr(1, `missing "WEBVTT" header`)},
		{name: "header with suffix", in: "WEBVTTX\n\n00:01.000 --> 00:02.000\nhi\n", err: syntaxErr(1, "header")},
		{name: "header after blank lines", in: "\n\nhello\n", err: syntaxErr(3, "header")},
		{name: "bad start", in: "WEBVTT\n\n00:0x.000 --> 00:02.000\nhi\n", err: syntaxErr(3, "invalid start timestamp")},
		{name: "bad end", in: "WEBVTT\n\n00:01.000 --> 00:99.000\nhi\n", err: syntaxErr(3, "invalid end timestamp")},
		{name: "missing end", in: "WEBVTT\n\n00:01.000 -->\nhi\n", err: syntaxErr(3, "missing end")},
		{name: "end before start", in: "WEBVTT\n\n00:05.000 --> 00:02.000\nhi\n", err: syntaxErr(3, "before start")},
		{name: "block without timing", in: "WEBVTT\n\nid\nhello\n", err: syntaxErr(3, "no timing line")},
		{name: "identifier at end of file", in: "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n\nid", err: syntaxErr(6, "no timing line")},
	})
}
