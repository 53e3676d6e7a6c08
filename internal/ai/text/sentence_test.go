package text

import (
	"reflect"
	"testing"
)

func TestSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"We agreed. Dr. Smith will call! Is that OK?", []string{"We agreed.", "Dr. Smith will call!", "Is that OK?"}},
		{"So . OK . Doesn't look like it crashed .", []string{"So .", "OK .", "Doesn't look like it crashed ."}},
		{"Version 2.5 ships. Then what?!", []string{"Version 2.5 ships.", "Then what?!"}},
		{"no terminator", []string{"no terminator"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Sentences(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Sentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
