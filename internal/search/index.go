package search

import (
	"sync"
)

// Index is an in-memory hybrid index over chunks, safe for concurrent use,
// for collections small enough to hold in memory: the meetings an answer is
// drawn from, or an evaluation's corpus. The server's index lives in the
// database (package index) and shares this package's scoring.
//
// Chunks are added and removed in groups: all chunks of one meeting's
// transcript, or of one document, under a key the caller chooses (for
// example "transcript:<meeting id>").
//
// BM25's corpus statistics are kept per organization as well as overall,
// so a query scoped to one organization is scored as if no other tenant
// shared the index: their text cannot shift its ranking.
type Index struct {
	params Params

	mu     sync.RWMutex
	groups map[string]*Group
	all    corpusStats
	orgs   map[string]*corpusStats
}

// corpusStats are the document frequencies and lengths BM25 needs.
type corpusStats struct {
	df       map[string]int
	chunks   int
	totalLen int64
}

// New returns an empty index that scores with p.
func New(p Params) *Index {
	return &Index{params: p, groups: map[string]*Group{}, all: corpusStats{df: map[string]int{}}, orgs: map[string]*corpusStats{}}
}

// Params returns the scoring parameters of the index.
func (ix *Index) Params() Params { return ix.params }

// Replace sets the chunks stored under key, replacing any previous ones;
// they must share one organization, meeting, document and source. An empty
// chunks slice removes the group.
func (ix *Index) Replace(key string, chunks []Chunk) error {
	var g *Group
	if len(chunks) > 0 {
		var err error
		if g, err = NewGroup(chunks); err != nil {
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
	_ = ix.Replace(key, nil)
}

// Len returns the number of chunks in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.all.chunks
}

// account adds (sign +1) or subtracts (sign -1) g's share of the corpus
// statistics, overall and for its organization.
func (ix *Index) account(g *Group, sign int) {
	org := ix.orgs[g.orgID]
	if org == nil {
		org = &corpusStats{df: map[string]int{}}
		ix.orgs[g.orgID] = org
	}
	g.eachChunkTerm(func(term string) {
		for _, st := range []*corpusStats{&ix.all, org} {
			if n := st.df[term] + sign; n <= 0 {
				delete(st.df, term)
			} else {
				st.df[term] = n
			}
		}
	})
	for _, st := range []*corpusStats{&ix.all, org} {
		st.chunks += sign * g.Len()
		st.totalLen += int64(sign * g.Terms())
	}
	if org.chunks == 0 {
		delete(ix.orgs, g.orgID)
	}
}

// Search returns the best chunks for q.
func (ix *Index) Search(q Query) []Hit {
	terms, _ := queryTerms(q.Text, ix.params.RewriteQuery, ix.params.PhraseWeight)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := &ix.all
	if q.OrgID != "" {
		st = ix.orgs[q.OrgID]
	}
	if st == nil || st.chunks == 0 {
		return nil
	}
	corpus := Corpus{Chunks: st.chunks, Length: st.totalLen, DF: make(map[string]int, len(terms))}
	for t := range terms {
		if n, ok := st.df[t]; ok {
			corpus.DF[t] = n
		}
	}
	var groups []*Group
	for _, g := range ix.groups {
		if (q.OrgID == "" || g.orgID == q.OrgID) && (q.MeetingID == "" || g.meetingID == q.MeetingID) &&
			(q.Source == "" || g.source == q.Source) {
			groups = append(groups, g)
		}
	}
	return ix.params.Rank(groups, corpus, q.Text, q.Limit)
}
