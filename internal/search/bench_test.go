package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/quorumhq/quorum/internal/ai"
)

// benchIndex indexes a synthetic corpus the size of QMSum train+val: 197
// meetings of 560 turns of 16 words drawn from a Zipf-distributed vocabulary.
func benchIndex(b *testing.B) (*Index, []string) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(r, 1.1, 1, 20000)
	word := func() string { return fmt.Sprintf("w%d", zipf.Uint64()) }
	ix := New(DefaultParams())
	var ids []string
	for m := range 197 {
		id := fmt.Sprintf("m%03d", m)
		ids = append(ids, id)
		segs := make([]ai.Segment, 560)
		for i := range segs {
			ws := make([]string, 16)
			for j := range ws {
				ws[j] = word()
			}
			segs[i] = ai.Segment{Speaker: fmt.Sprintf("S%d", i%5), Text: strings.Join(ws, " ") + "."}
		}
		chunks := ChunkTranscript(segs, DefaultMaxWords)
		for i := range chunks {
			chunks[i].MeetingID = id
		}
		if err := ix.Replace(id, chunks); err != nil {
			b.Fatal(err)
		}
	}
	return ix, ids
}

func BenchmarkSearchMeeting(b *testing.B) {
	ix, ids := benchIndex(b)
	for i := 0; b.Loop(); i++ {
		ix.Search(Query{Text: fmt.Sprintf("w%d w%d w%d", i%50+10, i%300+100, i%2000+500), MeetingID: ids[i%len(ids)]})
	}
}

func BenchmarkSearchAll(b *testing.B) {
	ix, _ := benchIndex(b)
	for i := 0; b.Loop(); i++ {
		ix.Search(Query{Text: fmt.Sprintf("w%d w%d w%d", i%50+10, i%300+100, i%2000+500)})
	}
}

// BenchmarkDecodeGroup decodes a group the size of a long QMSum meeting:
// 1,000 turns of 16 words.
func BenchmarkDecodeGroup(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(r, 1.1, 1, 20000)
	segs := make([]ai.Segment, 1000)
	for i := range segs {
		ws := make([]string, 16)
		for j := range ws {
			ws[j] = fmt.Sprintf("w%d", zipf.Uint64())
		}
		segs[i] = ai.Segment{Speaker: fmt.Sprintf("S%d", i%5), Text: strings.Join(ws, " ") + "."}
	}
	g, err := NewGroup(ChunkTranscript(segs, DefaultMaxWords))
	if err != nil {
		b.Fatal(err)
	}
	body := g.Encode()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := DecodeGroup(body); err != nil {
			b.Fatal(err)
		}
	}
}
