package transcript

import "strings"

// cue is one timed block of a WebVTT or SubRip file.
type cue struct {
	start, end float64
	text       []string // raw text lines, markup included
}

// scanCues reads the cue blocks of a VTT or SRT file from lines[from:].
//
// A block is an optional identifier line (SRT index, VTT cue id), a timing
// line and text lines. Text ends at a blank line, but also at a timing line or
// at a numeric index followed by a timing line: exporters regularly forget
// the blank separator and dropping the following cue would lose words.
//
// skip reports whether a block, given its first line, holds no cue (VTT
// NOTE, STYLE and REGION blocks); it may be nil.
func scanCues(format Format, lines []string, from int, skip func(string) bool) ([]cue, error) {
	var cues []cue
	i := from
	for i < len(lines) {
		if isBlank(lines[i]) {
			i++
			continue
		}
		if !strings.Contains(lines[i], "-->") {
			if skip != nil && skip(lines[i]) {
				for i < len(lines) && !isBlank(lines[i]) {
					i++
				}
				continue
			}
			// Not a timing line, so it must be the cue's identifier.
			i++
			if i == len(lines) || !strings.Contains(lines[i], "-->") {
				return nil, &SyntaxError{Format: format, Line: i, Msg: "cue has no timing line"}
			}
		}

		start, end, msg := parseTiming(lines[i])
		if msg != "" {
			return nil, &SyntaxError{Format: format, Line: i + 1, Msg: msg}
		}
		if msg := timingProblem(start, end); msg != "" {
			return nil, &SyntaxError{Format: format, Line: i + 1, Msg: msg}
		}
		c := cue{start: start, end: end}
		for i++; i < len(lines) && !endsCueText(lines, i); i++ {
			c.text = append(c.text, lines[i])
		}
		cues = append(cues, c)
	}
	return cues, nil
}

// endsCueText reports whether lines[i] starts something other than cue text.
func endsCueText(lines []string, i int) bool {
	line := lines[i]
	if isBlank(line) || strings.Contains(line, "-->") {
		return true
	}
	return allDigits(strings.TrimSpace(line)) && i+1 < len(lines) && strings.Contains(lines[i+1], "-->")
}

// cueSegments turns a cue into segments: one per voice span, so a cue shared
// by two speakers yields two segments with the same timing.
func cueSegments(c cue, text string) []Segment {
	var segments []Segment
	for _, v := range splitVoices(text) {
		speaker, body := v.speaker, v.text
		if speaker == "" {
			speaker, body = splitSpeaker(body)
		}
		segments = append(segments, Segment{Speaker: speaker, Text: body, Start: c.start, End: c.end})
	}
	return segments
}
