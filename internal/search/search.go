package search

import (
	"maps"
	"math"

	"github.com/quorumhq/quorum/internal/ai/text"

	"github.com/quorumhq/quorum/internal/ai/hashembed"
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

// scored holds one group's per-chunk scores for a query.
type scored struct {
	g      *group
	bm, vs []float32
	boost  uint64
}

// Search returns the best chunks for q.
func (ix *Index) Search(q Query) []Hit {
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	p := ix.params
	terms, vecText := queryTerms(q.Text, p.RewriteQuery, p.PhraseWeight)
	var qv []float32
	if p.VectorWeight > 0 {
		qv = hashembed.Embed(vecText)
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := &ix.all
	if q.OrgID != "" {
		st = ix.orgs[q.OrgID]
	}
	if st == nil || st.chunks == 0 {
		return nil
	}
	var groups []*group
	for _, g := range ix.groups {
		if (q.OrgID == "" || g.orgID == q.OrgID) && (q.MeetingID == "" || g.meetingID == q.MeetingID) &&
			(q.Source == "" || g.source == q.Source) {
			groups = append(groups, g)
		}
	}
	weights := st.termWeights(terms)

	all := make([]scored, 0, len(groups))
	var maxBM float32
	for _, g := range groups {
		s := scored{g: g}
		gw := weights
		if p.SpeakerBoost > 0 || p.SpeakerRunBoost > 0 {
			s.boost = mentionedSpeakers(q.Text, g.speakerNames)
			gw = withoutNames(weights, g.speakerNames, s.boost)
		}
		s.bm = g.bm25(gw, p, st.avgLen())
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

// avgLen returns the mean chunk length in terms.
func (st *corpusStats) avgLen() float64 {
	return float64(st.totalLen) / float64(st.chunks)
}

// idf returns the BM25 inverse document frequency of a term, 0 for a term
// no chunk has.
func (st *corpusStats) idf(term string) float64 {
	df := float64(st.df[term])
	if df == 0 {
		return 0
	}
	return math.Log(1 + (float64(st.chunks)-df+0.5)/(df+0.5))
}

// termWeights returns each query term's count times its idf.
func (st *corpusStats) termWeights(terms map[string]float64) map[string]float32 {
	w := make(map[string]float32, len(terms))
	for t, n := range terms {
		if idf := st.idf(t); idf > 0 {
			w[t] = float32(n * idf)
		}
	}
	return w
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

// bm25 returns the Okapi BM25 score of each chunk of g; weights holds each
// query term's idf times its count in the query.
func (g *group) bm25(weights map[string]float32, p Params, avgLen float64) []float32 {
	scores := make([]float32, len(g.chunks))
	k1, b := float32(p.K1), float32(p.B)
	norm := k1 * (1 - b)
	lenScale := k1 * b / float32(avgLen)
	for t, w := range weights {
		for _, ps := range g.postings[t] {
			tf := ps.tf
			scores[ps.chunk] += w * tf * (k1 + 1) / (tf + norm + lenScale*g.lens[ps.chunk])
		}
	}
	return scores
}

// cosines returns the similarity of each chunk's vector with qv.
func (g *group) cosines(qv []float32) []float32 {
	out := make([]float32, len(g.chunks))
	for i := range out {
		out[i] = hashembed.Dot(qv, g.vectors[i*hashembed.Dim:(i+1)*hashembed.Dim])
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
