package index

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/search"
	"github.com/quorumhq/quorum/internal/store"
)

// Query is a search within one organization.
type Query struct {
	OrgID int64
	Text  string
	// MeetingUUIDs limits hits to these meetings (their transcripts and
	// documents); the caller has checked they belong to OrgID.
	MeetingUUIDs []string
	// Source limits hits to transcripts or documents; empty means both.
	Source string
	Limit  int
}

// Plan says how a search was answered, for `quorum search explain`.
type Plan struct {
	// Version is the organization's index version the search read.
	Version int64
	// Words are the query's terms after stemming and stopword removal.
	Words []string
	// Postings is how many postings were read to pick candidate groups,
	// Candidates how many groups they named.
	Postings, Candidates int
	// Groups and Chunks are what was ranked in full; CachedGroups of the
	// groups were already decoded in this replica's cache.
	Groups, Chunks, CachedGroups int
	// Retrieval is the time spent reading statistics and postings, Load
	// reading and decoding groups, Rerank scoring their chunks.
	Retrieval, Load, Rerank time.Duration
}

const (
	// postingsPerTerm is how many of a term's best groups (by impact) a
	// search across meetings reads, per source.
	postingsPerTerm = 200
	// rankedGroups is how many of the candidates a search across meetings
	// ranks chunk by chunk.
	rankedGroups = 16
)

// Search returns the best hits for q. The hits may be shared with other
// callers through the result cache and must not be modified.
func (s *Service) Search(ctx context.Context, q Query) ([]search.Hit, error) {
	hits, _, err := s.search(ctx, q, false)
	return hits, err
}

// Explain runs q without the result cache and reports how it was answered.
func (s *Service) Explain(ctx context.Context, q Query) (Plan, []search.Hit, error) {
	hits, p, err := s.search(ctx, q, true)
	return p, hits, err
}

// orgStats are an organization's index totals and version.
type orgStats struct {
	groups, chunks, terms, version int64
}

// search answers q, from the result cache unless explain is set. Its reads
// are separate statements, not one snapshot: a group that an indexing run
// replaces in between is skipped by load, and a result computed across a
// commit is cached under the older version, which later searches no longer
// read.
func (s *Service) search(ctx context.Context, q Query, explain bool) (hits []search.Hit, plan Plan, err error) {
	start := time.Now()
	st, err := s.stats(ctx, q.OrgID)
	if err != nil {
		return nil, plan, err
	}
	plan.Version = st.version
	if st.chunks <= 0 {
		return nil, plan, nil
	}
	key := fmt.Sprintf("%d\x00%d\x00%s\x00%d\x00%s\x00%s", q.OrgID, st.version, q.Source, q.Limit, strings.Join(q.MeetingUUIDs, ","), q.Text)
	if hits, ok := s.results.Get(key); ok && !explain {
		return hits, plan, nil
	}
	plan.Words = s.params.Words(q.Text)
	df, err := s.termStats(ctx, q.OrgID, plan.Words)
	if err != nil {
		return nil, plan, err
	}
	var ids []int64
	if len(q.MeetingUUIDs) > 0 {
		ids, err = s.meetingGroups(ctx, q)
	} else {
		ids, err = s.candidates(ctx, q, &plan, df, st)
	}
	if err != nil {
		return nil, plan, err
	}
	plan.Retrieval = time.Since(start)

	start = time.Now()
	groups, err := s.load(ctx, q.OrgID, ids, &plan)
	if err != nil {
		return nil, plan, err
	}
	plan.Load = time.Since(start)

	start = time.Now()
	corpus := search.Corpus{Chunks: int(st.chunks), Length: st.terms, DF: make(map[string]int, len(df))}
	for t, n := range df {
		corpus.DF[t] = int(n.chunks)
	}
	hits = s.params.Rank(groups, corpus, q.Text, q.Limit)
	plan.Rerank = time.Since(start)
	s.results.Add(key, hits)
	return hits, plan, nil
}

func (s *Service) stats(ctx context.Context, orgID int64) (orgStats, error) {
	var st orgStats
	err := s.db.QueryRow(ctx, `SELECT n_groups, n_chunks, n_terms, version FROM search_stats WHERE org_id = ?`, orgID).
		Scan(&st.groups, &st.chunks, &st.terms, &st.version)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("load index statistics of organization %d: %w", orgID, err)
	}
	return st, nil
}

// termStat is how many groups and chunks of an organization hold a term.
type termStat struct{ groups, chunks int64 }

func (s *Service) termStats(ctx context.Context, orgID int64, words []string) (map[string]termStat, error) {
	out := make(map[string]termStat, len(words))
	if len(words) == 0 {
		return out, nil
	}
	in := padded(store.Args(words), "")
	rows, err := s.db.Query(ctx, `SELECT term, n_groups, n_chunks FROM search_terms
		WHERE org_id = ? AND term IN (`+store.Placeholders(len(in))+`)`, append([]any{orgID}, in...)...)
	if err != nil {
		return nil, fmt.Errorf("load term statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		var n termStat
		if err := rows.Scan(&t, &n.groups, &n.chunks); err != nil {
			return nil, fmt.Errorf("scan term statistics: %w", err)
		}
		if n.chunks > 0 {
			out[t] = n
		}
	}
	return out, rows.Err()
}

// meetingGroups returns the groups of the meetings q is limited to.
func (s *Service) meetingGroups(ctx context.Context, q Query) ([]int64, error) {
	in := padded(store.Args(q.MeetingUUIDs), "")
	query := `SELECT g.id FROM search_groups g JOIN meetings m ON m.id = g.meeting_id
		WHERE g.org_id = ? AND m.org_id = ? AND m.uuid IN (` + store.Placeholders(len(in)) + `)`
	args := append([]any{q.OrgID, q.OrgID}, in...)
	if q.Source != "" {
		query += ` AND g.source = ?`
		args = append(args, q.Source)
	}
	return s.ids(ctx, query+` ORDER BY g.id`, args)
}

// candidates picks the groups a search across all meetings ranks: it reads
// the postingsPerTerm best groups of each query word (per source) and
// keeps the rankedGroups with the highest sum of impact times the word's
// group-level idf.
func (s *Service) candidates(ctx context.Context, q Query, plan *Plan, df map[string]termStat, st orgStats) ([]int64, error) {
	sources := []string{SourceTranscript, SourceDocument}
	if q.Source != "" {
		sources = []string{q.Source}
	}
	var parts []string
	var args []any
	idf := map[string]float64{}
	for _, w := range plan.Words {
		n, ok := df[w]
		if !ok {
			continue
		}
		idf[w] = math.Log(1 + (float64(st.groups)-float64(n.groups)+0.5)/(float64(n.groups)+0.5))
		for _, src := range sources {
			parts = append(parts, fmt.Sprintf(`SELECT * FROM (SELECT group_id, term, impact FROM search_postings
				WHERE org_id = ? AND source = ? AND term = ? ORDER BY impact DESC LIMIT ?) AS p%d`, len(parts)))
			args = append(args, q.OrgID, src, w, postingsPerTerm)
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	for len(parts) < paddedLen(len(parts)) {
		parts = append(parts, fmt.Sprintf(`SELECT * FROM (SELECT group_id, term, impact FROM search_postings
				WHERE org_id = ? AND source = ? AND term = ? ORDER BY impact DESC LIMIT ?) AS p%d`, len(parts)))
		args = append(args, q.OrgID, sources[0], "", postingsPerTerm) // no term is empty
	}
	rows, err := s.db.Query(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return nil, fmt.Errorf("read postings: %w", err)
	}
	defer rows.Close()
	score := map[int64]float64{}
	for rows.Next() {
		var id int64
		var term string
		var imp int
		if err := rows.Scan(&id, &term, &imp); err != nil {
			return nil, fmt.Errorf("scan posting: %w", err)
		}
		plan.Postings++
		score[id] += idf[term] * float64(imp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read postings: %w", err)
	}
	plan.Candidates = len(score)
	ids := make([]int64, 0, len(score))
	for id := range score {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b int64) int {
		return cmp.Or(cmp.Compare(score[b], score[a]), cmp.Compare(a, b))
	})
	return ids[:min(len(ids), rankedGroups)], nil
}

// load returns the groups with the given ids, from the cache or the
// database.
func (s *Service) load(ctx context.Context, orgID int64, ids []int64, plan *Plan) ([]*search.Group, error) {
	// Groups are returned in the order of ids, whatever the cache holds,
	// so that ties rank alike on every replica.
	byID := make(map[int64]*search.Group, len(ids))
	var missing []int64
	for _, id := range ids {
		if g, ok := s.groups.Get(id); ok {
			byID[id] = g
			plan.CachedGroups++
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		in := padded(store.Args(missing), int64(0))
		rows, err := s.db.Query(ctx, `SELECT id, body FROM search_groups
			WHERE org_id = ? AND id IN (`+store.Placeholders(len(in))+`)`, append([]any{orgID}, in...)...)
		if err != nil {
			return nil, fmt.Errorf("load groups: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var body []byte
			if err := rows.Scan(&id, &body); err != nil {
				return nil, fmt.Errorf("scan group: %w", err)
			}
			g, err := search.DecodeGroup(body)
			if err != nil {
				return nil, fmt.Errorf("decode group %d: %w", id, err)
			}
			if len(body) <= maxCachedBody {
				s.groups.Add(id, g)
			}
			byID[id] = g
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("load groups: %w", err)
		}
	}
	groups := make([]*search.Group, 0, len(ids))
	for _, id := range ids {
		if g, ok := byID[id]; ok {
			groups = append(groups, g)
			plan.Chunks += g.Len()
		}
	}
	plan.Groups = len(groups)
	return groups, nil
}

func (s *Service) ids(ctx context.Context, query string, args []any) ([]int64, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan group id: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// padded returns args followed by copies of filler, a value that matches
// nothing, up to the next power of two, so that the queries built for lists
// of any length take a handful of shapes, each prepared once and cached.
func padded(args []any, filler any) []any {
	for len(args) < paddedLen(len(args)) {
		args = append(args, filler)
	}
	return args
}

// paddedLen returns the least power of two that is at least n.
func paddedLen(n int) int {
	p := 1
	for p < n {
		p *= 2
	}
	return p
}
