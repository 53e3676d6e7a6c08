package analysis

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// speakerLineRE matches a turn line: an optional timestamp, a short speaker
// label, an optional timestamp after it, then a colon and the text.
//
//	Alice: hello
//	[00:01:05] Bob Smith: hi
//	Carol (1:05): hey
var speakerLineRE = regexp.MustCompile(`^\s*(?:[\[(]?(\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?)[\])]?\s*[-–]?\s*)?` +
	`([\p{L}][\p{L}\p{N} .'’_-]{0,39}?)\s*(?:[\[(](\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?)[\])])?\s*:\s+(.*)$`)

// secondsPerWord estimates how long the last timed turn lasts, at 150 words
// a minute, since a plain-text transcript gives only start times.
const secondsPerWord = 0.4

// FromText splits a plain-text transcript into segments. Lines of the form
// "Speaker: text" (optionally with a timestamp such as "[00:01:05]" before
// the speaker or after it) start a turn and lines without a label continue
// the current one. A text without any speaker labels becomes one segment per
// sentence with no speaker. When timestamps are given, a turn ends where the
// next one starts.
func FromText(s string) []ai.Segment {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	var segs []ai.Segment
	labelled := false
	for _, line := range lines {
		if m := speakerLineRE.FindStringSubmatch(line); m != nil && plausibleSpeaker(m[2]) {
			labelled = true
			break
		}
	}
	if !labelled {
		for _, sent := range text.Sentences(strings.Join(strings.Fields(s), " ")) {
			segs = append(segs, ai.Segment{Text: sent})
		}
		return segs
	}
	timed := true
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		m := speakerLineRE.FindStringSubmatch(line)
		if m == nil || !plausibleSpeaker(m[2]) {
			if len(segs) == 0 {
				// Preamble before the first labelled turn.
				segs = append(segs, ai.Segment{Text: line})
				timed = false
				continue
			}
			last := &segs[len(segs)-1]
			last.Text = strings.TrimSpace(last.Text + " " + line)
			continue
		}
		stamp := m[1]
		if stamp == "" {
			stamp = m[3]
		}
		start, ok := clockSeconds(stamp)
		if !ok {
			timed = false
		}
		segs = append(segs, ai.Segment{Speaker: strings.TrimSpace(m[2]), Text: strings.TrimSpace(m[4]), Start: start})
	}
	if !timed {
		for i := range segs {
			segs[i].Start = 0
		}
		return segs
	}
	for i := range segs {
		if i+1 < len(segs) && segs[i+1].Start > segs[i].Start {
			segs[i].End = segs[i+1].Start
		} else {
			segs[i].End = segs[i].Start + max(1, secondsPerWord*float64(text.WordCount(segs[i].Text)))
		}
	}
	return segs
}

// plausibleSpeaker rejects labels that are really prose before a colon
// ("The plan is simple: ...", "Note: ...") by allowing at most four words.
func plausibleSpeaker(label string) bool {
	label = strings.TrimSpace(label)
	if label == "" || strings.Contains(strings.ToLower(label), "http") {
		return false
	}
	return len(strings.Fields(label)) <= 4
}

// clockSeconds parses "mm:ss", "hh:mm:ss" and their fractional forms.
func clockSeconds(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	var total float64
	for _, part := range strings.Split(s, ":") {
		v, err := strconv.ParseFloat(part, 64)
		if err != nil {
			return 0, false
		}
		total = total*60 + v
	}
	return total, true
}
