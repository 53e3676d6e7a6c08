package text

import (
	"reflect"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Hello, World!", []string{"hello", "world"}},
		{"it 's the XML-format in 2026", []string{"it", "s", "the", "xml", "format", "in", "2026"}},
		{"Über  café", []string{"über", "café"}},
		{" ,. ", []string{}},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTerms(t *testing.T) {
	got := Terms("Um, we discussed the remote controls and the meetings")
	want := []string{"discuss", "remot", "control", "meet"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Terms = %q, want %q", got, want)
	}
}

func TestIsStopword(t *testing.T) {
	for w, want := range map[string]bool{"the": true, "um": true, "don": true, "budget": false, "remote": false} {
		if got := IsStopword(w); got != want {
			t.Errorf("IsStopword(%q) = %v, want %v", w, got, want)
		}
	}
}

func TestWordCount(t *testing.T) {
	if got := WordCount("So , we agreed . OK ?"); got != 4 {
		t.Errorf("WordCount = %d, want 4", got)
	}
}
