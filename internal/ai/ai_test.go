package ai

import "testing"

func TestSummaryText(t *testing.T) {
	tests := []struct {
		sents []Sentence
		want  string
	}{
		{nil, ""},
		{[]Sentence{{Text: "We ship Friday."}}, "We ship Friday."},
		{[]Sentence{{Text: "We ship Friday."}, {Text: "Ann owns QA."}}, "We ship Friday. Ann owns QA."},
	}
	for _, tt := range tests {
		if got := (Summary{Sentences: tt.sents}).Text(); got != tt.want {
			t.Errorf("Text() = %q, want %q", got, tt.want)
		}
	}
}
