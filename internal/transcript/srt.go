package transcript

import "strings"

// parseSRT parses a SubRip file: numbered cues with
// "hh:mm:ss,mmm --> hh:mm:ss,mmm" timings. SubRip has no speaker metadata,
// so speakers come from the "Speaker: text" convention. The UTF-8 BOM and
// CRLF line endings that Windows tools produce are accepted, as are the
// <i>/<b>/<font> tags and {\an8}-style overrides some editors insert.
func parseSRT(data []byte) ([]Segment, error) {
	cues, err := scanCues(FormatSRT, splitLines(string(data)), 0, nil)
	if err != nil {
		return nil, err
	}
	var segments []Segment
	for _, c := range cues {
		text := stripASSOverrides(strings.Join(c.text, " "))
		segments = append(segments, cueSegments(c, text)...)
	}
	return segments, nil
}
