package analysis

import (
	"math"
	"sort"

	"github.com/quorumhq/quorum/internal/ai/text"
)

// BM25 parameters, the usual defaults. Turns vary from "yeah" to minutes of
// speech, so length normalization (b) matters.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// index is a BM25 index over the turns of one transcript, terms stemmed and
// stopwords removed.
type index struct {
	docs  []map[string]int // term frequencies per turn
	lens  []int
	avg   float64
	df    map[string]int
	nDocs int
}

func newIndex(tr *transcript) *index {
	ix := &index{df: map[string]int{}, nDocs: len(tr.turns)}
	var total int
	for _, t := range tr.turns {
		tf := map[string]int{}
		terms := text.Terms(t.text)
		for _, term := range terms {
			tf[term]++
		}
		for term := range tf {
			ix.df[term]++
		}
		ix.docs = append(ix.docs, tf)
		ix.lens = append(ix.lens, len(terms))
		total += len(terms)
	}
	if ix.nDocs > 0 {
		ix.avg = float64(total) / float64(ix.nDocs)
	}
	return ix
}

// idf is the BM25+ style idf, always positive. A term absent from the
// transcript gets the idf of a term seen once less than never, the highest,
// so a criterion whose key terms are never said loses the most coverage.
func (ix *index) idf(term string) float64 {
	n := float64(ix.df[term])
	return math.Log(1 + (float64(ix.nDocs)-n+0.5)/(n+0.5))
}

// score is the BM25 score of turn d for the query terms.
func (ix *index) score(d int, query []string) float64 {
	var s float64
	dl := float64(ix.lens[d])
	for _, q := range query {
		f := float64(ix.docs[d][q])
		if f == 0 {
			continue
		}
		s += ix.idf(q) * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*dl/math.Max(ix.avg, 1)))
	}
	return s
}

type hit struct {
	doc   int
	score float64
}

// search ranks the turns for the query, best first; ties keep transcript
// order so the earliest mention wins. boost, when set, adds a score for
// structure the query asks for ("is a question"), so a turn can be found by
// its shape alone.
func (ix *index) search(query []string, boost func(d int) float64) []hit {
	var hits []hit
	for d := range ix.docs {
		s := ix.score(d, query)
		if boost != nil {
			s += boost(d)
		}
		if s > 0 {
			hits = append(hits, hit{d, s})
		}
	}
	sortHits(hits)
	return hits
}

// sortHits orders hits best first, ties in transcript order.
func sortHits(hits []hit) {
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].doc < hits[j].doc
	})
}

// uniqueTerms returns the distinct index terms of s in order of appearance.
func uniqueTerms(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range text.Terms(s) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
