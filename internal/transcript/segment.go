// Package transcript parses uploaded meeting transcripts (WebVTT, SubRip,
// JSON and plain text) into timed, speaker-labelled segments.
//
// Parse never trusts its input: it rejects invalid UTF-8, normalises
// whitespace, drops segments without text and guarantees that every returned
// segment satisfies 0 <= Start <= End. It does not limit the size of the
// input or the number of segments; callers must bound the upload size (and,
// if they need to, the segment count) before and after calling Parse.
package transcript

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Segment is one speaker turn.
type Segment struct {
	Speaker string  `json:"speaker"`
	Text    string  `json:"text"`
	Start   float64 `json:"start"` // seconds from meeting start; 0 when unknown
	End     float64 `json:"end"`
}

// Format identifies a transcript encoding.
type Format string

// Supported transcript formats.
const (
	FormatVTT  Format = "vtt"
	FormatSRT  Format = "srt"
	FormatJSON Format = "json"
	FormatText Format = "text"
)

// Formats lists every format accepted by Parse.
var Formats = []Format{FormatVTT, FormatSRT, FormatJSON, FormatText}

var utf8BOM = []byte("\uFEFF")

// Parse decodes data in the given format and returns its segments in input
// order.
//
// It returns ErrUnknownFormat for an unsupported format, ErrEmpty when the
// input holds no segment with text, and a *SyntaxError for malformed input.
// Parse does not cap the number of segments: callers are expected to limit
// the size of data (and the length of the result) themselves.
func Parse(format Format, data []byte) ([]Segment, error) {
	var parse func([]byte) ([]Segment, error)
	switch format {
	case FormatVTT:
		parse = parseVTT
	case FormatSRT:
		parse = parseSRT
	case FormatJSON:
		parse = parseJSON
	case FormatText:
		parse = parseText
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnknownFormat, format)
	}

	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, ErrEmpty
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		// Windows tools still save "Unicode" text as UTF-16; say so rather
		// than reporting a bare encoding error.
		return nil, &SyntaxError{Format: format, Line: 1, Msg: "UTF-16 is not supported; save the file as UTF-8"}
	}
	if !utf8.Valid(data) {
		return nil, &SyntaxError{Format: format, Line: invalidUTF8Line(data), Msg: "invalid UTF-8"}
	}

	segments, err := parse(data)
	if err != nil {
		return nil, err
	}

	// Normalise in place; parsers only have to get structure and timing right.
	kept := segments[:0]
	for _, s := range segments {
		s.Text = cleanText(s.Text)
		if s.Text == "" {
			continue
		}
		s.Speaker = cleanText(s.Speaker)
		// Turn -0 (valid JSON) into 0 so it doesn't leak into API output.
		if s.Start == 0 {
			s.Start = 0
		}
		if s.End == 0 {
			s.End = 0
		}
		kept = append(kept, s)
	}
	if len(kept) == 0 {
		return nil, ErrEmpty
	}
	return kept, nil
}

// timingProblem describes what is wrong with a segment's timing, or returns
// "" if nothing is. Parsers call it themselves so that the resulting
// SyntaxError can point at the offending line.
func timingProblem(start, end float64) string {
	switch {
	case math.IsNaN(start) || math.IsNaN(end) || math.IsInf(start, 0) || math.IsInf(end, 0):
		return "time is not a finite number"
	case start < 0 || end < 0:
		return "negative time"
	case end < start:
		return fmt.Sprintf("end %.3fs is before start %.3fs", end, start)
	}
	return ""
}

// cleanText trims s and collapses internal whitespace to single spaces.
// Control characters are treated as whitespace: they carry no meaning in a
// transcript and some (NUL) cannot be stored in a PostgreSQL text column.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// splitLines splits text into lines, accepting LF, CRLF and lone CR endings.
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

func isBlank(line string) bool {
	return strings.TrimSpace(line) == ""
}

// invalidUTF8Line returns the 1-based line holding the first invalid UTF-8
// sequence in data.
func invalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			break
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}
