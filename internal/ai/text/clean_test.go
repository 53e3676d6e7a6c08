package text

import "testing"

func TestClean(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"That 's great .", "That's great."},
		{"and it looks like you 've found a way of uh mapping the location to the {disfmarker} without names",
			"And it looks like you've found a way of mapping the location to the without names"},
		{"I I think the the budget is fine", "I think the budget is fine"},
		{"it 's it 's a problem", "It's a problem"},
		{"You know , we should um ship it , you know .", "We should ship it."},
		{"Um .", ""},
		{"{vocalsound} OK", "OK"},
		{"I th I think y things co could be a problem", "I think things could be a problem"},
		{"PhD C said a b test", "PhD C said a test"},
		{"the theater is in an annex", "The theater is in an annex"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
