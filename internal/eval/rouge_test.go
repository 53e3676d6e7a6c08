package eval

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestRouge(t *testing.T) {
	// Candidate "the cat sat on the mat" vs reference "the cat was on the
	// mat": 5 of 6 unigrams match (the×2, cat, on, mat); bigrams "the cat",
	// "on the", "the mat" match, 3 of 5; the LCS is "the cat on the mat", 5.
	r := ComputeRouge("The cat sat on the mat.", "the cat was on the mat")
	tests := []struct {
		name string
		got  Score
		want float64
	}{
		{"R1", r.R1, 5.0 / 6},
		{"R2", r.R2, 3.0 / 5},
		{"RL", r.RL, 5.0 / 6},
	}
	for _, tt := range tests {
		if !near(tt.got.F, tt.want) || !near(tt.got.P, tt.want) || !near(tt.got.R, tt.want) {
			t.Errorf("%s = %+v, want P=R=F=%v", tt.name, tt.got, tt.want)
		}
	}
}

func TestRougeAsymmetricAndStemmed(t *testing.T) {
	// "meetings" and "meeting" share the stem "meet": 2 of 2 candidate
	// unigrams match, 2 of 4 reference ones.
	r := ComputeRouge("meetings ran", "the meeting ran late")
	if !near(r.R1.P, 1) || !near(r.R1.R, 0.5) || !near(r.R1.F, 2.0/3) {
		t.Errorf("R1 = %+v", r.R1)
	}
	// Clipping: a repeated word counts only as often as the reference has it.
	r = ComputeRouge("the the the", "the cat")
	if !near(r.R1.P, 1.0/3) || !near(r.R1.R, 0.5) {
		t.Errorf("clipped R1 = %+v", r.R1)
	}
	if z := ComputeRouge("", "anything"); z.R1.F != 0 || z.RL.F != 0 {
		t.Errorf("empty candidate = %+v", z)
	}
}

func TestRougeL(t *testing.T) {
	// LCS of a b c d e and a x c y e is a c e.
	s := RougeL([]string{"a", "b", "c", "d", "e"}, []string{"a", "x", "c", "y", "e"})
	if !near(s.F, 0.6) {
		t.Errorf("RougeL = %+v, want F=0.6", s)
	}
}
