package search

import (
	"math"
	"reflect"
	"testing"

	"github.com/quorumhq/quorum/internal/ai/hashembed"
)

func TestVectorRoundTrip(t *testing.T) {
	for _, v := range [][]float32{
		{},
		{1, -2.5, float32(math.Inf(1)), 0, -0, math.SmallestNonzeroFloat32},
		hashembed.Embed("budget review next Friday"),
	} {
		got, err := DecodeVector(EncodeVector(v))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, v) {
			t.Errorf("round trip of %v gave %v", v, got)
		}
	}
}

func TestEncodeVectorLittleEndian(t *testing.T) {
	if got := EncodeVector([]float32{1}); !reflect.DeepEqual(got, []byte{0, 0, 0x80, 0x3f}) {
		t.Errorf("EncodeVector(1) = % x", got)
	}
}

func TestDecodeVectorRejectsPartial(t *testing.T) {
	if _, err := DecodeVector([]byte{1, 2, 3}); err == nil {
		t.Error("want an error for 3 bytes")
	}
}
