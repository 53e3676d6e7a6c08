package transcript

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// parseCase is one table entry shared by the per-format tests. When err is a
// *SyntaxError, only its Line and a substring of its Msg are compared.
type parseCase struct {
	name string
	in   string
	want []Segment
	err  error
}

func syntaxErr(line int, msg string) *SyntaxError {
	return &SyntaxError{Line: line, Msg: msg}
}

func runParseCases(t *testing.T, format Format, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(format, []byte(tc.in))
			checkParseError(t, format, err, tc.err)
			if tc.err == nil && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse() =\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}
}

func checkParseError(t *testing.T, format Format, err, want error) {
	t.Helper()
	var wantSyntax *SyntaxError
	switch {
	case want == nil:
		if err != nil {
			t.Fatalf("Parse() error = %v", err)
		}
	case errors.As(want, &wantSyntax):
		var got *SyntaxError
		if !errors.As(err, &got) {
			t.Fatalf("Parse() error = %v, want *SyntaxError", err)
		}
		if got.Format != format || got.Line != wantSyntax.Line || !strings.Contains(got.Msg, wantSyntax.Msg) {
			t.Fatalf("Parse() error = %q, want %s line %d containing %q", got, format, wantSyntax.Line, wantSyntax.Msg)
		}
	default:
		if !errors.Is(err, want) {
			t.Fatalf("Parse() error = %v, want %v", err, want)
		}
	}
}

func TestParseCommon(t *testing.T) {
	for _, format := range Formats {
		t.Run(string(format), func(t *testing.T) {
			for _, in := range []string{"", "   \n\t\r\n", "\uFEFF", "\uFEFF \n"} {
				if _, err := Parse(format, []byte(in)); !errors.Is(err, ErrEmpty) {
					t.Errorf("Parse(%q) error = %v, want ErrEmpty", in, err)
				}
			}
		})
	}

	if _, err := Parse("docx", []byte("hello")); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Parse(docx) error = %v, want ErrUnknownFormat", err)
	}
}

func TestParseRejectsInvalidUTF8(t *testing.T) {
	inputs := map[Format]string{
		FormatVTT:  "WEBVTT\n\n00:01.000 --> 00:02.000\nbad \xff byte\n",
		FormatSRT:  "1\n00:00:01,000 --> 00:00:02,000\nbad \xff byte\n",
		FormatJSON: "[\n{\"text\": \"ok\"},\n\n{\"text\": \"bad \xff byte\"}]",
		FormatText: "Alice: fine\nBob: fine\nCarol: bad \xc3\x28 byte",
	}
	wantLine := map[Format]int{FormatVTT: 4, FormatSRT: 3, FormatJSON: 4, FormatText: 3}
	for format, in := range inputs {
		t.Run(string(format), func(t *testing.T) {
			_, err := Parse(format, []byte(in))
			checkParseError(t, format, err, syntaxErr(wantLine[format], "invalid UTF-8"))
		})
	}
}

func TestParseRejectsUTF16(t *testing.T) {
	for _, in := range []string{"\xFF\xFEA\x00:\x00 \x00h\x00i\x00", "\xFE\xFF\x00A\x00:\x00 \x00h\x00i"} {
		_, err := Parse(FormatText, []byte(in))
		checkParseError(t, FormatText, err, syntaxErr(1, "UTF-16"))
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	err := &SyntaxError{Format: FormatSRT, Line: 7, Msg: "cue has no timing line"}
	if got, want := err.Error(), "transcript: srt line 7: cue has no timing line"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	err.Line = 0
	if got, want := err.Error(), "transcript: srt: cue has no timing line"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestCleanText(t *testing.T) {
	tests := map[string]string{
		"  hello  ":             "hello",
		"a \t b\n\nc":           "a b c",
		"nul\x00byte":           "nul byte",
		"no\u00a0break space":   "no break space",
		"\u2003em space\u2003 ": "em space",
	}
	for in, want := range tests {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitSpeaker(t *testing.T) {
	tests := []struct {
		in, speaker, text string
	}{
		{"Alice: hello", "Alice", "hello"},
		{"Speaker 2:   hi there", "Speaker 2", "hi there"},
		{"Dr. Jane Doe (PM): agenda", "Dr. Jane Doe (PM)", "agenda"},
		{"J.R. Smith: yes", "J.R. Smith", "yes"},
		{"Zoë Ødegaard: hej", "Zoë Ødegaard", "hej"},
		{"Alice:", "Alice", ""},
		{"no label here", "", "no label here"},
		{"see https://example.com", "", "see https://example.com"},
		{"meet at 10:30 tomorrow", "", "meet at 10:30 tomorrow"},
		{"Well, basically: yes", "", "Well, basically: yes"},
		{"Really? No: fine", "", "Really? No: fine"},
		{"I said no. Then: fine", "", "I said no. Then: fine"},
		{"e.g. this: fine", "", "e.g. this: fine"},
		{": leading colon", "", ": leading colon"},
		{"--: dashes", "", "--: dashes"},
		{strings.Repeat("x", 41) + ": too long", "", strings.Repeat("x", 41) + ": too long"},
		{strings.Repeat("x", 40) + ": long enough", strings.Repeat("x", 40), "long enough"},
	}
	for _, tc := range tests {
		speaker, text := splitSpeaker(tc.in)
		if speaker != tc.speaker || text != tc.text {
			t.Errorf("splitSpeaker(%q) = %q, %q; want %q, %q", tc.in, speaker, text, tc.speaker, tc.text)
		}
	}
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"00:00:01.000", 1, true},
		{"01:02:03.500", 3723.5, true},
		{"02:03.250", 123.25, true},
		{"00:00:01,5", 1.5, true},
		{"100:00:00.000", 360000, true},
		{"1:02", 62, true},
		{"00:01:02", 62, true},
		{"00:60:00.000", 0, false},
		{"00:00:60.000", 0, false},
		{"00:0:01.000", 0, false},
		{"00:00:01.", 0, false},
		{"00:00:01.1234", 0, false},
		{"00:00:01.-12", 0, false},
		{"-00:01.000", 0, false},
		{"123456:00:00.000", 0, false},
		{"1:2:3:4", 0, false},
		{"12", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseClock(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseClock(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
