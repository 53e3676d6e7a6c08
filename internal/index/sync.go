package index

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/quorumhq/quorum/internal/search"
)

type changed struct {
	orgID    int64
	source   string
	sourceID int64
	version  int64
}

// Sync brings the in-memory index up to date with the database: it reloads
// every source whose version is newer than the last one mirrored. With
// nothing new it costs one indexed query.
func (s *Service) Sync(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, err := s.db.R.QueryContext(ctx, s.db.Rebind(`SELECT org_id, source, source_id, version FROM search_versions
		WHERE version > ? ORDER BY version`), s.seen)
	if err != nil {
		return fmt.Errorf("list changed search sources: %w", err)
	}
	var todo []changed
	for rows.Next() {
		var c changed
		if err := rows.Scan(&c.orgID, &c.source, &c.sourceID, &c.version); err != nil {
			rows.Close()
			return fmt.Errorf("scan search version: %w", err)
		}
		todo = append(todo, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range todo {
		chunks, vectors, err := s.load(ctx, c)
		if err != nil {
			return err
		}
		if err := s.cache.Replace(key(c.source, c.sourceID), chunks, vectors); err != nil {
			return fmt.Errorf("cache %s %d: %w", c.source, c.sourceID, err)
		}
		s.seen = c.version
	}
	return nil
}

// load reads the stored chunks of one source with the public ids search
// hits report.
func (s *Service) load(ctx context.Context, c changed) ([]search.Chunk, [][]float32, error) {
	rows, err := s.db.R.QueryContext(ctx, s.db.Rebind(`SELECT c.segment_start, c.segment_end, c.speaker, c.speakers, c.start_sec, c.end_sec, c.text, c.vector,
		COALESCE(m.uuid, dm.uuid, ''), COALESCE(d.uuid, '')
		FROM search_chunks c
		LEFT JOIN meetings m ON c.source = 'transcript' AND m.id = c.source_id
		LEFT JOIN documents d ON c.source = 'document' AND d.id = c.source_id
		LEFT JOIN meetings dm ON dm.id = d.meeting_id
		WHERE c.source = ? AND c.source_id = ? ORDER BY c.ordinal`), c.source, c.sourceID)
	if err != nil {
		return nil, nil, fmt.Errorf("load chunks of %s %d: %w", c.source, c.sourceID, err)
	}
	defer rows.Close()
	var chunks []search.Chunk
	var vectors [][]float32
	org := strconv.FormatInt(c.orgID, 10)
	for rows.Next() {
		ch := search.Chunk{OrgID: org, Source: search.Source(c.source)}
		var vec []byte
		var speakers string
		if err := rows.Scan(&ch.SegmentStart, &ch.SegmentEnd, &ch.Speaker, &speakers, &ch.Start, &ch.End, &ch.Text, &vec, &ch.MeetingID, &ch.DocumentID); err != nil {
			return nil, nil, fmt.Errorf("scan chunk: %w", err)
		}
		v, err := search.DecodeVector(vec)
		if err != nil {
			return nil, nil, fmt.Errorf("decode vector of %s %d: %w", c.source, c.sourceID, err)
		}
		if speakers != "" {
			ch.Speakers = strings.Split(speakers, "\n")
		}
		chunks = append(chunks, ch)
		vectors = append(vectors, v)
	}
	return chunks, vectors, rows.Err()
}

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

// Search brings the cache up to date and returns the best hits.
func (s *Service) Search(ctx context.Context, q Query) ([]search.Hit, error) {
	if err := s.Sync(ctx); err != nil {
		return nil, err
	}
	base := search.Query{Text: q.Text, OrgID: strconv.FormatInt(q.OrgID, 10), Source: search.Source(q.Source), Limit: q.Limit}
	if len(q.MeetingUUIDs) == 0 {
		return s.cache.Search(base), nil
	}
	// BM25 statistics are index-wide, so scores from per-meeting queries
	// are comparable and can be merged.
	var hits []search.Hit
	for _, id := range q.MeetingUUIDs {
		mq := base
		mq.MeetingID = id
		hits = append(hits, s.cache.Search(mq)...)
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	if limit := base.Limit; limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}
