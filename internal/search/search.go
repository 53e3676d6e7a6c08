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
	if ix.chunks == 0 {
		return nil
	}
	var groups []*group
	for _, g := range ix.groups {
		if (q.OrgID == "" || g.orgID == q.OrgID) && (q.MeetingID == "" || g.meetingID == q.MeetingID) &&
			(q.Source == "" || g.source == q.Source) {
			groups = append(groups, g)
		}
	}
	weights := ix.termWeights(terms)

	all := make([]scored, 0, len(groups))
	var maxBM float32
	for _, g := range groups {
		s := scored{g: g}
		gw := weights
		if p.LocalIDF > 0 {
			gw = g.localWeights(weights, terms, p.LocalIDF)
		}
		if p.SpeakerBoost > 0 {
			s.boost = mentionedSpeakers(q.Text, g.speakerNames)
			gw = withoutNames(gw, g.speakerNames, s.boost)
		}
		s.bm = g.bm25(gw, p, ix.avgLen())
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
	if p.DiversityRadius > 0 {
		return top.diverse(limit, p.DiversityRadius, float32(p.DiversityKeep))
	}
	return top.distinct(limit)
}

// avgLen returns the mean chunk length in terms.
func (ix *Index) avgLen() float64 {
	return float64(ix.totalLen) / float64(ix.chunks)
}

// idf returns the BM25 inverse document frequency of a term, 0 for a term
// no chunk has.
func (ix *Index) idf(term string) float64 {
	df := float64(ix.df[term])
	if df == 0 {
		return 0
	}
	return math.Log(1 + (float64(ix.chunks)-df+0.5)/(df+0.5))
}

// termWeights returns each query term's count times its idf.
func (ix *Index) termWeights(terms map[string]float64) map[string]float32 {
	w := make(map[string]float32, len(terms))
	for t, n := range terms {
		if idf := ix.idf(t); idf > 0 {
			w[t] = float32(n * idf)
		}
	}
	return w
}

// localWeights blends each term's corpus weight with its weight under the
// group's own document frequencies: share is the local part.
func (g *group) localWeights(weights map[string]float32, terms map[string]float64, share float64) map[string]float32 {
	out := make(map[string]float32, len(weights))
	n := float64(len(g.chunks))
	for t, w := range weights {
		df := float64(len(g.postings[t]))
		local := float32(terms[t] * math.Log(1+(n-df+0.5)/(df+0.5)))
		out[t] = float32(1-share)*w + float32(share)*local
	}
	return out
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
	if p.NeighborDecay > 0 && p.NeighborWeight > 0 && p.NeighborRadius > 0 && len(out) > 1 {
		own := append([]float32(nil), out...)
		nw, r := float32(p.NeighborWeight), p.NeighborRadius
		for i := range out {
			var sum, wsum float32
			for d := 1; d <= r; d++ {
				w := float32(math.Pow(p.NeighborDecay, float64(d-1)))
				if i-d >= 0 {
					sum += w * own[i-d]
					wsum += w
				}
				if i+d < len(own) {
					sum += w * own[i+d]
					wsum += w
				}
			}
			if wsum > 0 {
				out[i] = own[i] + nw*sum/wsum
			}
		}
	} else if p.NeighborWeight > 0 && p.NeighborRadius > 0 && len(out) > 1 {
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
		dom := make([]float32, len(out))
		for i := range out {
			if s.g.dominant[i]&s.boost != 0 {
				dom[i] = 1
			}
		}
		for i := range out {
			var f float32 = 1
			if s.g.speakers[i]&s.boost != 0 {
				f += float32(p.SpeakerBoost) + float32(p.DominantBoost)*dom[i]
			}
			if p.SpeakerNeighbor > 0 {
				var n, c float32
				for j := max(i-p.NeighborRadius, 0); j < min(i+p.NeighborRadius+1, len(out)); j++ {
					n++
					c += dom[j]
				}
				f += float32(p.SpeakerNeighbor) * c / n
			}
			out[i] *= f
		}
	}
	return out
}
