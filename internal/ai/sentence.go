package ai

import "strings"

func joinSentences(sents []Sentence) string {
	parts := make([]string, len(sents))
	for i, s := range sents {
		parts[i] = s.Text
	}
	return strings.Join(parts, " ")
}
