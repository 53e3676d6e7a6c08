package text

import "testing"

func TestStem(t *testing.T) {
	// Expected stems from Porter's published vocabulary and paper.
	tests := map[string]string{
		"caresses": "caress", "ponies": "poni", "ties": "ti", "caress": "caress", "cats": "cat",
		"feed": "feed", "agreed": "agre", "plastered": "plaster", "motoring": "motor", "sing": "sing",
		"conflated": "conflat", "troubled": "troubl", "sized": "size", "hopping": "hop", "tanned": "tan",
		"falling": "fall", "hissing": "hiss", "fizzed": "fizz", "failing": "fail", "filing": "file",
		"happy": "happi", "sky": "sky", "relational": "relat", "conditional": "condit", "rational": "ration",
		"digitizer": "digit", "vietnamization": "vietnam", "predication": "predic", "operator": "oper",
		"feudalism": "feudal", "decisiveness": "decis", "hopefulness": "hope", "callousness": "callous",
		"sensitiviti": "sensit", "triplicate": "triplic", "formative": "form", "formalize": "formal",
		"electrical": "electr", "hopeful": "hope", "goodness": "good", "revival": "reviv",
		"allowance": "allow", "inference": "infer", "airliner": "airlin", "gyroscopic": "gyroscop",
		"adjustable": "adjust", "defensible": "defens", "irritant": "irrit", "replacement": "replac",
		"adjustment": "adjust", "dependent": "depend", "adoption": "adopt", "communism": "commun",
		"activate": "activ", "effective": "effect", "bowdlerize": "bowdler", "probate": "probat",
		"rate": "rate", "cease": "ceas", "controll": "control", "roll": "roll",
		"meetings": "meet", "meeting": "meet", "discussion": "discuss", "generalizations": "gener",
		"is": "is", "a": "a", "café": "café", "mp3": "mp3",
	}
	for word, want := range tests {
		if got := Stem(word); got != want {
			t.Errorf("Stem(%q) = %q, want %q", word, got, want)
		}
	}
}

func BenchmarkStem(b *testing.B) {
	words := []string{"generalizations", "meeting", "discussion", "remote", "controls"}
	for i := 0; b.Loop(); i++ {
		Stem(words[i%len(words)])
	}
}
