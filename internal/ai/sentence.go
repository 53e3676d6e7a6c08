package ai

import "strings"

// JoinSentences returns the sentences' text joined by spaces.
func JoinSentences(sents []Sentence) string {
	parts := make([]string, len(sents))
	for i, s := range sents {
		parts[i] = s.Text
	}
	return strings.Join(parts, " ")
}
