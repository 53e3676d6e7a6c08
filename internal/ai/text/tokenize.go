package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokens splits s into lowercase runs of letters and digits. Everything else
// (spaces, punctuation, apostrophes) separates tokens, which is also how
// ROUGE tokenizes.
func Tokens(s string) []string {
	tokens := make([]string, 0, len(s)/5)
	start := -1
	lower := true
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start, lower = i, true
			}
			if r >= utf8.RuneSelf || ('A' <= r && r <= 'Z') {
				lower = false
			}
			continue
		}
		if start >= 0 {
			tokens = append(tokens, lowerToken(s[start:i], lower))
			start = -1
		}
	}
	if start >= 0 {
		tokens = append(tokens, lowerToken(s[start:], lower))
	}
	return tokens
}

func lowerToken(tok string, alreadyLower bool) string {
	if alreadyLower {
		return tok
	}
	return strings.ToLower(tok)
}

// Terms returns the index terms of s: its tokens without stopwords, stemmed.
func Terms(s string) []string {
	tokens := Tokens(s)
	terms := tokens[:0]
	for _, t := range tokens {
		if IsStopword(t) {
			continue
		}
		terms = append(terms, Stem(t))
	}
	return terms
}

// WordCount counts the whitespace-separated words of s that contain a letter
// or digit, so detached punctuation (" , ") is not counted.
func WordCount(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}
