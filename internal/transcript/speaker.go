package transcript

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxSpeakerLen is the longest "Speaker:" label, in runes, that is taken as a
// speaker rather than as the start of a sentence that contains a colon.
const maxSpeakerLen = 40

// splitSpeaker applies the "Speaker: text" convention used by most exporters
// that lack real speaker metadata. When s has no plausible speaker label it
// returns "" and s unchanged.
func splitSpeaker(s string) (speaker, text string) {
	s = strings.TrimSpace(s)
	label, rest, ok := strings.Cut(s, ":")
	if !ok {
		return "", s
	}
	// Require whitespace (or nothing) after the colon so that URLs and clock
	// times ("https://…", "at 10:30") are not mistaken for labels.
	if r, _ := utf8.DecodeRuneInString(rest); rest != "" && !unicode.IsSpace(r) {
		return "", s
	}
	label = strings.TrimSpace(label)
	if !isSpeakerLabel(label) {
		return "", s
	}
	return label, strings.TrimSpace(rest)
}

// isSpeakerLabel reports whether s looks like a name ("Alice", "Speaker 2",
// "Dr. Jane Doe (PM)") rather than a clause ("So the point is, really").
// Periods are only allowed in short capitalised abbreviations such as "Dr."
// or "J.R.", because a sentence ending before the colon is more likely.
func isSpeakerLabel(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > maxSpeakerLen {
		return false
	}
	if strings.ContainsAny(s, "!?;,") {
		return false
	}
	hasAlnum := false
	for _, word := range strings.Fields(s) {
		if strings.Contains(word, ".") && !isAbbreviation(word) {
			return false
		}
		if strings.IndexFunc(word, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			hasAlnum = true
		}
	}
	return hasAlnum
}

func isAbbreviation(word string) bool {
	first, _ := utf8.DecodeRuneInString(word)
	if !unicode.IsUpper(first) {
		return false
	}
	letters := 0
	for _, r := range word {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r != '.':
			return false
		}
	}
	return letters <= 3
}
