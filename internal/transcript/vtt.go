package transcript

import "strings"

// parseVTT parses a WebVTT file (https://www.w3.org/TR/webvtt1/).
//
// Speakers come from voice tags (<v Alice>) or, failing that, from a
// "Speaker: text" prefix. A cue is never merged with its neighbours, even
// when the speaker is the same, so segment timing stays faithful to the file.
func parseVTT(data []byte) ([]Segment, error) {
	lines := splitLines(string(data))

	// The spec wants the header on the very first line; tolerating leading
	// blank lines costs nothing and saves users from invisible mistakes.
	i := 0
	for i < len(lines) && isBlank(lines[i]) {
		i++
	}
	if i == len(lines) || !isVTTHeader(lines[i]) {
		return nil, &SyntaxError{Format: FormatVTT, Line: i + 1, Msg: `missing "WEBVTT" header`}
	}
	// Header metadata ("Kind: captions") runs until the first blank line.
	// Stop early at a timing line in case the separator was forgotten.
	for i++; i < len(lines) && !isBlank(lines[i]) && !strings.Contains(lines[i], "-->"); i++ {
	}

	cues, err := scanCues(FormatVTT, lines, i, isVTTMetadataBlock)
	if err != nil {
		return nil, err
	}
	var segments []Segment
	for _, c := range cues {
		segments = append(segments, cueSegments(c, strings.Join(c.text, " "))...)
	}
	return segments, nil
}

// isVTTHeader reports whether line is a WebVTT signature: "WEBVTT" alone or
// followed by a space or tab and free text.
func isVTTHeader(line string) bool {
	rest, ok := strings.CutPrefix(line, "WEBVTT")
	return ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t')
}

// isVTTMetadataBlock reports whether a block starting with line is a NOTE,
// STYLE or REGION block rather than a cue.
func isVTTMetadataBlock(line string) bool {
	for _, keyword := range []string{"NOTE", "STYLE", "REGION"} {
		if rest, ok := strings.CutPrefix(line, keyword); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return true
		}
	}
	return false
}
