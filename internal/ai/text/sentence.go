package text

import (
	"strings"
	"unicode"
)

// Sentences splits s into sentences at '.', '?' and '!' followed by a space
// (or the end), keeping the terminator. It handles both ordinary prose and the
// detached punctuation of ASR transcripts ("we agreed . OK ?"). A period after
// a single capital letter or a common title ("Dr.") does not end a sentence.
func Sentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '.' && c != '?' && c != '!' {
			continue
		}
		// Take a run of terminators ("?!", "...") together.
		end := i + 1
		for end < len(s) && (s[end] == '.' || s[end] == '?' || s[end] == '!') {
			end++
		}
		if end < len(s) && !unicode.IsSpace(rune(s[end])) {
			i = end - 1
			continue
		}
		if c == '.' && isAbbreviation(s[start:i]) {
			i = end - 1
			continue
		}
		if sent := strings.TrimSpace(s[start:end]); sent != "" {
			out = append(out, sent)
		}
		start, i = end, end-1
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// isAbbreviation reports whether the text before a period ends in a word that
// is usually abbreviated, so "Dr. Smith" stays one sentence.
func isAbbreviation(before string) bool {
	j := len(before)
	for j > 0 && unicode.IsLetter(rune(before[j-1])) {
		j--
	}
	if j < len(before) && j > 0 && !unicode.IsSpace(rune(before[j-1])) {
		return false
	}
	word := before[j:]
	if len(word) == 1 && word[0] >= 'A' && word[0] <= 'Z' {
		return true
	}
	switch strings.ToLower(word) {
	case "mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "jr", "sr", "inc":
		return true
	}
	return false
}
