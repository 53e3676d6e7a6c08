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
	g     *group
	i     int32
	score float32
}

func newTopK(k int) *topK {
	return &topK{k: k, items: make([]topItem, 0, k+1)}
}

func (t *topK) push(g *group, i int32, score float32) {
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
		hits = append(hits, Hit{Chunk: c, Score: float64(it.score)})
	}
	return hits
}

// diverse is distinct with a penalty: a chunk within radius segments of a
// better hit from the same group has its score multiplied by keep.
func (t *topK) diverse(n, radius int, keep float32) []Hit {
	hits := make([]Hit, 0, n)
	var kept []topItem
	used := make([]bool, len(t.items))
	for len(hits) < n {
		best, bestScore := -1, float32(-1)
		for j, it := range t.items {
			if used[j] {
				continue
			}
			c := it.g.chunks[it.i]
			s := it.score
			skip := false
			for _, k := range kept {
				if k.g != it.g {
					continue
				}
				o := k.g.chunks[k.i]
				if c.SegmentStart <= o.SegmentEnd && o.SegmentStart <= c.SegmentEnd {
					skip = true
					break
				}
				if c.SegmentStart <= o.SegmentEnd+radius && o.SegmentStart <= c.SegmentEnd+radius {
					s *= keep
				}
			}
			if skip {
				used[j] = true
				continue
			}
			if s > bestScore {
				best, bestScore = j, s
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		it := t.items[best]
		kept = append(kept, it)
		hits = append(hits, Hit{Chunk: it.g.chunks[it.i], Score: float64(bestScore)})
	}
	return hits
}
