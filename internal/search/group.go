package search

import (
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/quorumhq/quorum/internal/ai/hashembed"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// Group holds the chunks of one source that change together, a meeting's
// transcript or a document, in the form scoring reads: each chunk's terms
// as indexes into the group's dictionary, its embedding quantized to int8
// and its speakers as bits. A Group is immutable once built, so one value
// can serve concurrent queries, and it encodes to a compact binary form
// (Encode, DecodeGroup) that the database stores.
//
// Scoring scans the term sequences instead of keeping postings: a group has
// a few thousand distinct terms and tens of thousands of term occurrences,
// so counting a query's handful of terms is cheaper than building, storing
// or decoding a posting list per term, bigrams included.
type Group struct {
	orgID, meetingID, documentID string
	source                       Source
	chunks                       []Chunk

	dict   []string // distinct terms, sorted
	tokens []uint32 // the terms of every chunk as indexes into dict, chunk after chunk
	starts []int32  // chunk i's terms are tokens[starts[i]:starts[i+1]]

	vectors []int8    // len(chunks)*hashembed.Dim, row-major
	scales  []float32 // a chunk's embedding is its int8 row times its scale

	// speakers lists each chunk's distinct speakers as bits over
	// speakerNames, for boosting chunks by a speaker the query names;
	// dominant holds the bit of each chunk's dominant speaker (Chunk.Speaker).
	speakers     []uint64
	dominant     []uint64
	speakerNames []string
	nameStems    [][]string // of speakerNames, for matching queries
}

// ErrMixedGroup is returned by NewGroup when the chunks of a group do not all
// share one organization, meeting, document and source.
var ErrMixedGroup = errors.New("search: chunks of a group must share org, meeting, document and source")

// NewGroup analyses chunks, which must be non-empty and share their
// organization, meeting, document and source, and embeds each of them.
func NewGroup(chunks []Chunk) (*Group, error) {
	if len(chunks) == 0 {
		return nil, errors.New("search: a group needs at least one chunk")
	}
	first := chunks[0]
	g := &Group{
		orgID: first.OrgID, meetingID: first.MeetingID, documentID: first.DocumentID, source: first.Source,
		chunks:   chunks,
		starts:   make([]int32, 1, len(chunks)+1),
		vectors:  make([]int8, 0, len(chunks)*hashembed.Dim),
		scales:   make([]float32, 0, len(chunks)),
		speakers: make([]uint64, len(chunks)),
		dominant: make([]uint64, len(chunks)),
	}
	speakerBit := map[string]int{}
	ids := map[string]uint32{}
	for i, c := range chunks {
		if c.OrgID != g.orgID || c.MeetingID != g.meetingID || c.DocumentID != g.documentID || c.Source != g.source {
			return nil, ErrMixedGroup
		}
		for _, t := range text.Terms(c.Text) {
			id, ok := ids[t]
			if !ok {
				id = uint32(len(g.dict))
				ids[t] = id
				g.dict = append(g.dict, t)
			}
			g.tokens = append(g.tokens, id)
		}
		g.starts = append(g.starts, int32(len(g.tokens)))
		v, scale := quantize(hashembed.Embed(c.Text))
		g.vectors = append(g.vectors, v...)
		g.scales = append(g.scales, scale)
		g.speakers[i] = g.speakerBits(c, speakerBit)
		if b, ok := speakerBit[c.Speaker]; ok && b < 64 {
			g.dominant[i] = 1 << b
		}
	}
	g.sortDict()
	g.nameStems = nameStems(g.speakerNames)
	return g, nil
}

// sortDict sorts the dictionary, renumbering the terms, so that a lookup
// is a binary search and a decoded group needs no map.
func (g *Group) sortDict() {
	order := make([]uint32, len(g.dict))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(g.dict[a], g.dict[b]) })
	renumber := make([]uint32, len(order))
	sorted := make([]string, len(order))
	for to, from := range order {
		renumber[from] = uint32(to)
		sorted[to] = g.dict[from]
	}
	for i, t := range g.tokens {
		g.tokens[i] = renumber[t]
	}
	g.dict = sorted
}

// id returns the dictionary index of term.
func (g *Group) id(term string) (uint32, bool) {
	i, ok := slices.BinarySearch(g.dict, term)
	return uint32(i), ok
}

// speakerBits returns the bit set of c's speakers, registering new names.
// Only the first 64 speakers of a group get a bit, plenty for a meeting.
func (g *Group) speakerBits(c Chunk, bit map[string]int) uint64 {
	names := c.Speakers
	if len(names) == 0 && c.Speaker != "" {
		names = []string{c.Speaker}
	}
	var bits uint64
	for _, name := range names {
		b, ok := bit[name]
		if !ok {
			b = len(g.speakerNames)
			bit[name] = b
			g.speakerNames = append(g.speakerNames, name)
		}
		if b < 64 {
			bits |= 1 << b
		}
	}
	return bits
}

// quantize maps a unit vector to int8 with one scale per vector; the cosine
// it yields differs from the float32 one by well under 1%.
func quantize(v []float32) ([]int8, float32) {
	var peak float32
	for _, x := range v {
		peak = max(peak, float32(math.Abs(float64(x))))
	}
	out := make([]int8, len(v))
	if peak == 0 {
		return out, 0
	}
	scale := peak / 127
	for i, x := range v {
		out[i] = int8(math.Round(float64(x / scale)))
	}
	return out, scale
}

// Len returns the number of chunks in g.
func (g *Group) Len() int { return len(g.chunks) }

// Terms returns how many terms all chunks of g hold together.
func (g *Group) Terms() int { return len(g.tokens) }

// chunkLen returns the number of terms of chunk i.
func (g *Group) chunkLen(i int) int32 { return g.starts[i+1] - g.starts[i] }

// EachTerm calls fn with every distinct term of g, the number of times it
// occurs in g and the number of chunks it occurs in; bigrams are not
// included.
func (g *Group) EachTerm(fn func(term string, occurrences, chunks int)) {
	occ := make([]int, len(g.dict))
	in := make([]int, len(g.dict))
	last := make([]int32, len(g.dict))
	for i := range last {
		last[i] = -1
	}
	for c := range g.chunks {
		for _, t := range g.tokens[g.starts[c]:g.starts[c+1]] {
			occ[t]++
			if last[t] != int32(c) {
				last[t] = int32(c)
				in[t]++
			}
		}
	}
	for id, term := range g.dict {
		fn(term, occ[id], in[id])
	}
}

// eachChunkTerm calls fn with every distinct term and bigram of each chunk,
// for document frequencies.
func (g *Group) eachChunkTerm(fn func(term string)) {
	seen := map[string]bool{}
	for c := range g.chunks {
		clear(seen)
		terms := g.tokens[g.starts[c]:g.starts[c+1]]
		for j, t := range terms {
			seen[g.dict[t]] = true
			if j > 0 {
				seen[bigram(g.dict[terms[j-1]], g.dict[t])] = true
			}
		}
		for term := range seen {
			fn(term)
		}
	}
}

// bm25 returns the Okapi BM25 score of each chunk of g; weights holds each
// query term's (or bigram's) idf times its count in the query.
func (g *Group) bm25(weights map[string]float32, p Params, avgLen float64) []float32 {
	scores := make([]float32, len(g.chunks))
	// slot maps a dictionary id to 1 + the index of the query word it is
	// (0: not a query word); pairs lists the query's bigrams whose words
	// are both in g.
	type pair struct {
		a, b uint32
		w    float32
	}
	var slot []uint8
	var unigrams []float32
	var pairs []pair
	for t, w := range weights {
		if a, b, ok := splitBigram(t); ok {
			ia, okA := g.id(a)
			ib, okB := g.id(b)
			if okA && okB {
				pairs = append(pairs, pair{ia, ib, w})
			}
			continue
		}
		if id, ok := g.id(t); ok && len(unigrams) < math.MaxUint8 {
			if slot == nil {
				slot = make([]uint8, len(g.dict))
			}
			unigrams = append(unigrams, w)
			slot[id] = uint8(len(unigrams))
		}
	}
	if len(unigrams) == 0 && len(pairs) == 0 {
		return scores
	}
	k1, b := float32(p.K1), float32(p.B)
	norm := k1 * (1 - b)
	lenScale := k1 * b / float32(avgLen)
	tf := make([]float32, len(unigrams)+len(pairs))
	for c := range g.chunks {
		clear(tf)
		terms := g.tokens[g.starts[c]:g.starts[c+1]]
		if slot != nil {
			for _, t := range terms {
				if s := slot[t]; s != 0 {
					tf[s-1]++
				}
			}
		}
		for k, pr := range pairs {
			for j := 1; j < len(terms); j++ {
				if terms[j] == pr.b && terms[j-1] == pr.a {
					tf[len(unigrams)+k]++
				}
			}
		}
		denom := norm + lenScale*float32(len(terms))
		var s float32
		for k, n := range tf {
			if n == 0 {
				continue
			}
			w := float32(0)
			if k < len(unigrams) {
				w = unigrams[k]
			} else {
				w = pairs[k-len(unigrams)].w
			}
			s += w * n * (k1 + 1) / (n + denom)
		}
		scores[c] = s
	}
	return scores
}

// cosines returns the similarity of each chunk's embedding with qv.
func (g *Group) cosines(qv []float32) []float32 {
	out := make([]float32, len(g.chunks))
	qv = qv[:hashembed.Dim]
	for i := range out {
		row := g.vectors[i*hashembed.Dim : (i+1)*hashembed.Dim]
		// Four accumulators let the loads and multiplies overlap.
		var d0, d1, d2, d3 float32
		for k := 0; k+4 <= len(row); k += 4 {
			d0 += qv[k] * float32(row[k])
			d1 += qv[k+1] * float32(row[k+1])
			d2 += qv[k+2] * float32(row[k+2])
			d3 += qv[k+3] * float32(row[k+3])
		}
		out[i] = (d0 + d1 + d2 + d3) * g.scales[i]
	}
	return out
}

// hit returns chunk i of g with its owner's ids filled in. The text is
// copied: a decoded group holds all its chunks' texts in one string, which
// a hit kept in a result cache would otherwise keep alive whole.
func (g *Group) hit(i int32, score float32) Hit {
	c := g.chunks[i]
	c.OrgID, c.MeetingID, c.DocumentID, c.Source = g.orgID, g.meetingID, g.documentID, g.source
	c.Text = strings.Clone(c.Text)
	if c.Speakers == nil {
		for b, name := range g.speakerNames {
			if b < 64 && g.speakers[i]&(1<<b) != 0 {
				c.Speakers = append(c.Speakers, name)
			}
		}
	}
	return Hit{Chunk: c, Score: float64(score)}
}
