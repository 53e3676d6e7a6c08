package transcript

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds every input to every parser (and to DetectFormat) and checks
// the invariants the rest of Quorum relies on: no panics, errors that an HTTP
// layer can classify, and segments with text, valid UTF-8 and 0 <= Start <= End.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Alice>Hello <i>there</i></v>\n",
		"WEBVTT - title\nKind: captions\n\nNOTE hi\n\nid\n01:00.000 --> 01:02.500 align:start\nBob: one\ntwo\n00:03.000 --> 00:04.000\n<v.x Carol>a</v><v Dan>b",
		"\uFEFF1\r\n00:00:01,000 --> 00:00:02,000\r\n{\\an8}<b>Alice</b>: hi\r\n\r\n2\r\n00:00:02,000 --> 00:00:03,000\r\nBob: bye\r\n",
		`[{"speaker": "Alice", "text": "Hello", "start": 0.5, "end": 2}]`,
		`{"segments": [{"speaker": 1, "content": "Hi", "start_time": 1, "end_time": 2}], "x": [1, {"y": null}]}`,
		"[00:00:05] Alice: first\n(01:02) Bob: second\nplain line\n[inaudible]\n",
		"Dr. Jane Doe: hello\nhttps://example.com\n",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		DetectFormat("", data)
		for _, format := range Formats {
			segments, err := Parse(format, data)
			if err != nil {
				var syntaxErr *SyntaxError
				if !errors.Is(err, ErrEmpty) && !errors.As(err, &syntaxErr) {
					t.Fatalf("%s: unclassified error %T: %v", format, err, err)
				}
				if syntaxErr != nil && (syntaxErr.Format != format || syntaxErr.Line < 0) {
					t.Fatalf("%s: bad SyntaxError %+v", format, syntaxErr)
				}
				if segments != nil {
					t.Fatalf("%s: segments returned with error", format)
				}
				continue
			}
			if len(segments) == 0 {
				t.Fatalf("%s: no segments and no error", format)
			}
			for i, s := range segments {
				if s.Text == "" {
					t.Fatalf("%s: segment %d has empty text", format, i)
				}
				if !utf8.ValidString(s.Text) || !utf8.ValidString(s.Speaker) {
					t.Fatalf("%s: segment %d has invalid UTF-8: %+v", format, i, s)
				}
				if !(s.Start >= 0 && s.End >= s.Start) {
					t.Fatalf("%s: segment %d has bad timing: %+v", format, i, s)
				}
				if s.Text != cleanText(s.Text) || s.Speaker != cleanText(s.Speaker) {
					t.Fatalf("%s: segment %d is not normalised: %+v", format, i, s)
				}
			}
		}
	})
}
