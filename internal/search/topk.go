package search

import (
	"slices"
	"sort"
)

// topK keeps the k best-scoring chunks seen, in a slice sorted best first;
// k is small, so insertion beats a heap.
type topK struct {
	k     int
	items []topItem
}

type topItem struct {
	g     *Group
	i     int32
	score float32
}

func newTopK(k int) *topK {
	return &topK{k: k, items: make([]topItem, 0, k+1)}
}

func (t *topK) push(g *Group, i int32, score float32) {
	n := len(t.items)
	if n == t.k && score <= t.items[n-1].score {
		return
	}
	pos := sort.Search(n, func(j int) bool { return t.items[j].score < score })
	t.items = append(t.items, topItem{})
	copy(t.items[pos+1:], t.items[pos:])
	t.items[pos] = topItem{g: g, i: i, score: score}
	if len(t.items) > t.k {
		t.items = t.items[:t.k]
	}
}

// distinct returns up to n hits, best first, skipping any chunk whose
// segments overlap a better hit from the same group.
func (t *topK) distinct(n int) []Hit {
	hits := make([]Hit, 0, n)
	var kept []topItem
	for _, it := range t.items {
		if len(hits) == n {
			break
		}
		c := it.g.chunks[it.i]
		if slices.ContainsFunc(kept, func(k topItem) bool {
			o := k.g.chunks[k.i]
			return k.g == it.g && c.SegmentStart <= o.SegmentEnd && o.SegmentStart <= c.SegmentEnd
		}) {
			continue
		}
		kept = append(kept, it)
		hits = append(hits, it.g.hit(it.i, it.score))
	}
	return hits
}
