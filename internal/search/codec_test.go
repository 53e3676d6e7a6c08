package search

import (
	"fmt"
	"testing"
)

func TestGroupRoundTrip(t *testing.T) {
	g, err := NewGroup(meeting("o1", "m1",
		seg("Ann", "Let us talk about the budget for the launch."),
		seg("Bob", "The budget is tight, the budget needs review."),
		seg("Ann", "And the rubber casing for the remote?"),
	))
	must(t, err)
	back, err := DecodeGroup(g.Encode())
	must(t, err)
	if fmt.Sprintf("%+v", g.hit(1, 1)) != fmt.Sprintf("%+v", back.hit(1, 1)) {
		t.Errorf("decoded chunk differs:\n%+v\n%+v", g.hit(1, 1), back.hit(1, 1))
	}
	corpus := Corpus{Chunks: 3, Length: int64(g.Terms()), DF: map[string]int{"budget": 2, "rubber": 1, "case": 1}}
	for _, q := range []string{"budget review", "rubber casing", "What did Ann say about the budget"} {
		a := DefaultParams().Rank([]*Group{g}, corpus, q, 3)
		b := DefaultParams().Rank([]*Group{back}, corpus, q, 3)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%q ranks differently after decoding:\n%v\n%v", q, a, b)
		}
	}
}

func TestDecodeGroupRejectsCorruptInput(t *testing.T) {
	g, err := NewGroup(meeting("o1", "m1", seg("Ann", "The budget is tight.")))
	must(t, err)
	b := g.Encode()
	for _, bad := range [][]byte{nil, {99}, b[:len(b)-1], append(append([]byte{}, b...), 0)} {
		if _, err := DecodeGroup(bad); err == nil {
			t.Errorf("DecodeGroup(%d bytes) accepted corrupt input", len(bad))
		}
	}
}

func FuzzDecodeGroup(f *testing.F) {
	g, err := NewGroup(meeting("o1", "m1", seg("Ann", "The budget is tight."), seg("Bob", "Rubber casing.")))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(g.Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		if g, err := DecodeGroup(b); err == nil {
			DefaultParams().Rank([]*Group{g}, Corpus{Chunks: 1, Length: 1}, "budget tight", 3)
		}
	})
}
