package search

import (
	"maps"
	"math"
	"strings"

	"github.com/quorumhq/quorum/internal/ai/hashembed"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// Query is a search request. Empty filters match everything.
type Query struct {
	Text      string
	OrgID     string
	MeetingID string
	Source    Source
	// Limit caps the hits returned; 0 means 10.
	Limit int
}

// Hit is a chunk that matches a query, best first by Score.
type Hit struct {
	Chunk
	Score float64
}

// Corpus holds the statistics BM25 scores a query with: how many chunks
// the searched collection has, how many terms they hold together and in how
// many chunks each query term occurs. A bigram missing from DF has its
// frequency estimated from its words', as if they occurred independently.
type Corpus struct {
	Chunks int
	Length int64
	DF     map[string]int
}

// avgLen returns the mean chunk length in terms.
func (c Corpus) avgLen() float64 {
	return float64(c.Length) / float64(c.Chunks)
}

// df returns the number of chunks that hold term.
func (c Corpus) df(term string) float64 {
	if n, ok := c.DF[term]; ok {
		return float64(n)
	}
	if a, b, ok := splitBigram(term); ok {
		return float64(c.DF[a]) * float64(c.DF[b]) / float64(c.Chunks)
	}
	return 0
}

// idf returns the BM25 inverse document frequency of a term, 0 for a term
// no chunk has.
func (c Corpus) idf(term string) float64 {
	df := c.df(term)
	if df <= 0 {
		return 0
	}
	return math.Log(1 + (float64(c.Chunks)-df+0.5)/(df+0.5))
}

// termWeights returns each query term's count times its idf.
func (c Corpus) termWeights(terms map[string]float64) map[string]float32 {
	w := make(map[string]float32, len(terms))
	for t, n := range terms {
		if idf := c.idf(t); idf > 0 {
			w[t] = float32(n * idf)
		}
	}
	return w
}

// Words returns the stemmed single-word terms a query is scored on, the
// terms whose document frequencies Rank needs in its Corpus.
func (p Params) Words(q string) []string {
	terms, _ := queryTerms(q, p.RewriteQuery, 0)
	out := make([]string, 0, len(terms))
	for t := range terms {
		out = append(out, t)
	}
	return out
}

// scored holds one group's per-chunk scores for a query.
type scored struct {
	g      *Group
	bm, vs []float32
	boost  uint64
}

// Rank scores every chunk of groups against the query q, with BM25
// statistics from corpus, and returns the best limit hits (10 when limit
// is 0), skipping chunks that overlap a better hit of the same group.
func (p Params) Rank(groups []*Group, corpus Corpus, q string, limit int) []Hit {
	if limit <= 0 {
		limit = 10
	}
	if corpus.Chunks == 0 || len(groups) == 0 {
		return nil
	}
	terms, vecText := queryTerms(q, p.RewriteQuery, p.PhraseWeight)
	var qv []float32
	if p.VectorWeight > 0 {
		qv = hashembed.Embed(vecText)
	}
	weights := corpus.termWeights(terms)
	named := parseMentions(q)

	all := make([]scored, 0, len(groups))
	var maxBM float32
	for _, g := range groups {
		s := scored{g: g}
		gw := weights
		if p.SpeakerBoost > 0 || p.SpeakerRunBoost > 0 {
			s.boost = named.speakers(g.nameStems)
			gw = withoutNames(weights, g.speakerNames, s.boost)
		}
		s.bm = g.bm25(gw, p, corpus.avgLen())
		for _, x := range s.bm {
			maxBM = max(maxBM, x)
		}
		if qv != nil {
			s.vs = g.cosines(qv)
		}
		all = append(all, s)
	}

	// Overlapping windows make near-duplicate hits; keep more candidates
	// than asked for so that dropping duplicates still fills the page.
	top := newTopK(limit * 8)
	for _, s := range all {
		for i, c := range s.combine(maxBM, p) {
			if c > 0 {
				top.push(s.g, int32(i), c)
			}
		}
	}
	return top.distinct(limit)
}

// withoutNames drops from weights the words of the speaker names the query
// mentions (bits over names): in "What did User Interface think of the
// buttons" the speaker is matched by the boost, and "user interface" as
// words would favour talk about interfaces instead.
func withoutNames(weights map[string]float32, names []string, bits uint64) map[string]float32 {
	if bits == 0 {
		return weights
	}
	out := maps.Clone(weights)
	for b, name := range names {
		if b < 64 && bits&(1<<b) != 0 {
			for _, t := range nameTokens(name) {
				delete(out, text.Stem(t))
			}
		}
	}
	return out
}

// combine blends the signals into one score per chunk, in place of s.bm.
func (s scored) combine(maxBM float32, p Params) []float32 {
	out := s.bm
	w := float32(p.VectorWeight)
	for i := range out {
		var x float32
		if maxBM > 0 {
			x = (1 - w) * out[i] / maxBM
		}
		if s.vs != nil && s.vs[i] > 0 {
			x += w * s.vs[i]
		}
		out[i] = x
	}
	if p.NeighborWeight > 0 && p.NeighborRadius > 0 && len(out) > 1 {
		// Add the mean of the neighbours' scores, from a running sum.
		own := append([]float32(nil), out...)
		prefix := make([]float32, len(own)+1)
		for i, x := range own {
			prefix[i+1] = prefix[i] + x
		}
		nw, r := float32(p.NeighborWeight), p.NeighborRadius
		for i := range out {
			lo, hi := max(i-r, 0), min(i+r+1, len(own))
			if n := hi - lo - 1; n > 0 {
				out[i] = own[i] + nw*(prefix[hi]-prefix[lo]-own[i])/float32(n)
			}
		}
	}
	if s.boost != 0 {
		s.boostSpeakers(out, p)
	}
	return out
}

// boostSpeakers multiplies the score of each chunk by how much the speakers
// the query names (s.boost) hold the floor around it: by 1+SpeakerBoost when
// one of them speaks in the chunk, plus SpeakerRunBoost times the share of
// the chunks within NeighborRadius that one of them dominates.
func (s scored) boostSpeakers(out []float32, p Params) {
	// runs[i] counts the chunks before i that a named speaker dominates.
	runs := make([]int, len(out)+1)
	for i := range out {
		runs[i+1] = runs[i]
		if s.g.dominant[i]&s.boost != 0 {
			runs[i+1]++
		}
	}
	r := max(p.NeighborRadius, 0)
	for i := range out {
		f := 1.0
		if s.g.speakers[i]&s.boost != 0 {
			f += p.SpeakerBoost
		}
		if p.SpeakerRunBoost > 0 {
			lo, hi := max(i-r, 0), min(i+r+1, len(out))
			f += p.SpeakerRunBoost * float64(runs[hi]-runs[lo]) / float64(hi-lo)
		}
		out[i] *= float32(f)
	}
}

// splitBigram returns the two terms of a bigram made by bigram.
func splitBigram(t string) (string, string, bool) {
	return strings.Cut(t, " ")
}
