package hashembed

import (
	"math"
	"reflect"
	"testing"
)

func TestEmbedDeterministicAndNormalized(t *testing.T) {
	a := Embed("The remote control needs a scroll wheel")
	b := Embed("The remote control needs a scroll wheel")
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Embed is not deterministic")
	}
	if len(a) != Dim {
		t.Fatalf("len = %d, want %d", len(a), Dim)
	}
	if n := Dot(a, a); math.Abs(float64(n)-1) > 1e-5 {
		t.Errorf("|v|² = %v, want 1", n)
	}
}

func TestEmbedSimilarity(t *testing.T) {
	q := Embed("transcription of the meetings")
	near := Embed("the transcriber tool for meeting transcripts")
	far := Embed("battery casing made of rubber")
	if Dot(q, near) <= Dot(q, far) {
		t.Errorf("related text scored %v, unrelated %v", Dot(q, near), Dot(q, far))
	}
}

func TestEmbedEmpty(t *testing.T) {
	v := Embed("um, the, and")
	for _, x := range v {
		if x != 0 {
			t.Fatal("stopword-only text should embed to the zero vector")
		}
	}
}

func TestNormalize(t *testing.T) {
	v := []float32{3, 4}
	Normalize(v)
	if v[0] != 0.6 || v[1] != 0.8 {
		t.Errorf("Normalize = %v, want [0.6 0.8]", v)
	}
}

func BenchmarkEmbed(b *testing.B) {
	for b.Loop() {
		Embed("So we decided the remote control will have a scroll wheel and a rubber casing, right?")
	}
}

func TestDot(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5}
	b := []float32{2, 2, 2, 2, 2}
	if got := Dot(a, b); got != 30 {
		t.Errorf("Dot = %v, want 30", got)
	}
}
