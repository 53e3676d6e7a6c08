package transcript

import "strings"

// parseText parses a plain-text transcript: one turn per non-empty line,
// written "Speaker: text", "[hh:mm:ss] Speaker: text" or just "text".
//
// A line without a timestamp takes the time of the line before it, and a
// line ends when the next one starts (or at its own start for the last line).
// Files without timestamps therefore get Start = End = 0 throughout.
func parseText(data []byte) ([]Segment, error) {
	var (
		segments []Segment
		at       float64
	)
	for _, line := range splitLines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		start, rest, ok := cutLeadingTime(line)
		if ok {
			at = start
		}
		speaker, text := splitSpeaker(rest)
		segments = append(segments, Segment{Speaker: speaker, Text: text, Start: at, End: at})
	}

	for i := range len(segments) - 1 {
		// Timestamps that go backwards leave the end unknown rather than
		// produce an interval with End < Start.
		if next := segments[i+1].Start; next > segments[i].Start {
			segments[i].End = next
		}
	}
	return segments, nil
}

// cutLeadingTime splits a "[00:01:02]" or "(01:02)" prefix off line. A
// bracketed prefix that is not a clock ("[inaudible]") is left alone.
func cutLeadingTime(line string) (seconds float64, rest string, ok bool) {
	var closer byte
	switch {
	case strings.HasPrefix(line, "["):
		closer = ']'
	case strings.HasPrefix(line, "("):
		closer = ')'
	default:
		return 0, line, false
	}
	end := strings.IndexByte(line, closer)
	if end < 0 {
		return 0, line, false
	}
	seconds, ok = parseClock(strings.TrimSpace(line[1:end]))
	if !ok {
		return 0, line, false
	}
	return seconds, strings.TrimSpace(line[end+1:]), true
}
