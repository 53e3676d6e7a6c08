package search

import (
	"errors"
	"fmt"
	"sync"

	"github.com/quorumhq/quorum/internal/ai/hashembed"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// Index is an in-memory hybrid index over chunks, safe for concurrent use.
//
// Chunks are added and removed in groups: all chunks of one meeting's
// transcript, or of one document, under a key the caller chooses (for
// example "transcript:<meeting id>"). Each group keeps its own postings, so
// replacing a group touches only its chunks plus the corpus-wide statistics
// BM25 needs, and a query scoped to a meeting reads only that meeting's
// groups.
//
// BM25's corpus statistics are kept per organization as well as overall,
// so a query scoped to one organization is scored as if no other tenant
// shared the index: their text cannot shift its ranking.
type Index struct {
	params Params

	mu     sync.RWMutex
	groups map[string]*group
	all    corpusStats
	orgs   map[string]*corpusStats
}

// corpusStats are the document frequencies and lengths BM25 needs.
type corpusStats struct {
	df       map[string]int
	chunks   int
	totalLen int64
}

// group holds one set of chunks that change together; all share the
// organization, meeting and source they are filtered on.
type group struct {
	orgID, meetingID string
	source           Source
	chunks           []Chunk
	lens             []float32
	vectors          []float32 // len(chunks)*hashembed.Dim, row-major
	postings         map[string][]posting
	// speakers lists each chunk's distinct speakers as bits over
	// speakerNames, for boosting chunks by a speaker the query names;
	// dominant holds the bit of each chunk's dominant speaker (Chunk.Speaker).
	speakers     []uint64
	dominant     []uint64
	speakerNames []string
}

type posting struct {
	chunk int32
	tf    float32
}

// New returns an empty index that scores with p.
func New(p Params) *Index {
	return &Index{params: p, groups: map[string]*group{}, all: corpusStats{df: map[string]int{}}, orgs: map[string]*corpusStats{}}
}

// Params returns the scoring parameters of the index.
func (ix *Index) Params() Params { return ix.params }

// ErrMixedGroup is returned by Replace when the chunks of a group do not all
// share one organization, meeting and source.
var ErrMixedGroup = errors.New("search: chunks of a group must share org, meeting and source")

// Replace sets the chunks stored under key, replacing any previous ones.
// vectors holds each chunk's embedding as returned by hashembed.Embed (for
// instance decoded from storage); when nil they are computed. An empty
// chunks slice removes the group.
func (ix *Index) Replace(key string, chunks []Chunk, vectors [][]float32) error {
	if vectors != nil && len(vectors) != len(chunks) {
		return fmt.Errorf("search: %d vectors for %d chunks", len(vectors), len(chunks))
	}
	var g *group
	if len(chunks) > 0 {
		var err error
		if g, err = newGroup(chunks, vectors); err != nil {
			return err
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if old, ok := ix.groups[key]; ok {
		ix.account(old, -1)
		delete(ix.groups, key)
	}
	if g != nil {
		ix.groups[key] = g
		ix.account(g, +1)
	}
	return nil
}

// Remove deletes the chunks stored under key, if any.
func (ix *Index) Remove(key string) {
	_ = ix.Replace(key, nil, nil)
}

// Len returns the number of chunks in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.all.chunks
}

// account adds (sign +1) or subtracts (sign -1) g's share of the corpus
// statistics, overall and for its organization.
func (ix *Index) account(g *group, sign int) {
	org := ix.orgs[g.orgID]
	if org == nil {
		org = &corpusStats{df: map[string]int{}}
		ix.orgs[g.orgID] = org
	}
	ix.all.add(g, sign)
	org.add(g, sign)
	if org.chunks == 0 {
		delete(ix.orgs, g.orgID)
	}
}

func (st *corpusStats) add(g *group, sign int) {
	for term, ps := range g.postings {
		n := st.df[term] + sign*len(ps)
		if n <= 0 {
			delete(st.df, term)
		} else {
			st.df[term] = n
		}
	}
	st.chunks += sign * len(g.chunks)
	for _, l := range g.lens {
		st.totalLen += int64(sign) * int64(l)
	}
}

func newGroup(chunks []Chunk, vectors [][]float32) (*group, error) {
	first := chunks[0]
	g := &group{
		orgID:     first.OrgID,
		meetingID: first.MeetingID,
		source:    first.Source,
		chunks:    chunks,
		lens:      make([]float32, len(chunks)),
		vectors:   make([]float32, 0, len(chunks)*hashembed.Dim),
		postings:  map[string][]posting{},
		speakers:  make([]uint64, len(chunks)),
		dominant:  make([]uint64, len(chunks)),
	}
	speakerBit := map[string]int{}
	tf := map[string]int{}
	for i, c := range chunks {
		if c.OrgID != g.orgID || c.MeetingID != g.meetingID || c.Source != g.source {
			return nil, ErrMixedGroup
		}
		clear(tf)
		terms := text.Terms(c.Text)
		for j, t := range terms {
			tf[t]++
			if j > 0 {
				tf[bigram(terms[j-1], t)]++
			}
		}
		for t, n := range tf {
			g.postings[t] = append(g.postings[t], posting{chunk: int32(i), tf: float32(n)})
		}
		g.lens[i] = float32(len(terms))
		v := hashembed.Embed(c.Text)
		if vectors != nil {
			v = vectors[i]
		}
		if len(v) != hashembed.Dim {
			return nil, fmt.Errorf("search: vector %d has %d dimensions, want %d", i, len(v), hashembed.Dim)
		}
		g.vectors = append(g.vectors, v...)
		g.speakers[i] = g.speakerBits(c, speakerBit)
		if b, ok := speakerBit[c.Speaker]; ok && b < 64 {
			g.dominant[i] = 1 << b
		}
	}
	return g, nil
}

// speakerBits returns the bit set of c's speakers, registering new names.
// Only the first 64 speakers of a group get a bit, plenty for a meeting.
func (g *group) speakerBits(c Chunk, bit map[string]int) uint64 {
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
