// Package index keeps the search index of transcripts and documents: a
// durable job chunks and embeds a source when it changes and stores the
// chunks and vectors in the database; every replica mirrors them in an
// in-memory search.Index, which it brings up to date before each query by
// reading which sources changed since it last looked.
package index

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/ai/hashembed"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/search"
	"github.com/quorumhq/quorum/internal/store"
)

// Source kinds stored in search_chunks.source.
const (
	SourceTranscript = string(search.SourceTranscript)
	SourceDocument   = string(search.SourceDocument)
)

// Args is the job that (re)indexes one source.
type Args struct {
	OrgID    int64  `json:"org_id"`
	Source   string `json:"source"`
	SourceID int64  `json:"source_id"`
}

// Kind implements river.JobArgs.
func (Args) Kind() string { return "search_index" }

// Index jobs are deliberately not unique: River's unique jobs also match a
// running job, which may have read the source before this change. A
// redundant run costs little, since indexing reads the latest state.

// Service indexes sources and answers searches.
type Service struct {
	db       *store.DB
	meetings *meeting.Service
	logger   *slog.Logger
	cache    *search.Index

	mu   sync.Mutex // serializes cache syncs
	seen int64      // highest search_versions.version mirrored in cache
}

// NewService returns a Service with an empty cache; Sync fills it.
func NewService(db *store.DB, meetings *meeting.Service, logger *slog.Logger) *Service {
	return &Service{db: db, meetings: meetings, logger: logger, cache: search.New(search.DefaultParams())}
}

// Enqueue queues indexing of a source within the caller's transaction.
func (s *Service) Enqueue(ctx context.Context, tx *jobs.Tx, orgID int64, source string, sourceID int64) error {
	if _, err := tx.Insert(ctx, Args{OrgID: orgID, Source: source, SourceID: sourceID}, nil); err != nil {
		return fmt.Errorf("queue indexing of %s %d: %w", source, sourceID, err)
	}
	return nil
}

// Worker is the River worker of Args.
type Worker struct {
	river.WorkerDefaults[Args]
	Service *Service
}

// Work indexes the source named by the job.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	return w.Service.Reindex(ctx, job.Args)
}

// Reindex rebuilds the stored chunks of one source from its current state.
func (s *Service) Reindex(ctx context.Context, a Args) error {
	chunks, meetingUUID, err := s.chunk(ctx, a)
	if err != nil {
		return err
	}
	vectors := make([][]float32, len(chunks))
	for i, c := range chunks {
		vectors[i] = hashembed.Embed(c.Text)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM search_chunks WHERE source = ? AND source_id = ?`), a.Source, a.SourceID); err != nil {
			return fmt.Errorf("clear chunks of %s %d: %w", a.Source, a.SourceID, err)
		}
		for i, c := range chunks {
			_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO search_chunks (org_id, source, source_id, ordinal, segment_start, segment_end,
				speaker, speakers, start_sec, end_sec, text, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				a.OrgID, a.Source, a.SourceID, i, c.SegmentStart, c.SegmentEnd, c.Speaker, strings.Join(c.Speakers, "\n"), c.Start, c.End, c.Text,
				search.EncodeVector(vectors[i]))
			if err != nil {
				return fmt.Errorf("insert chunk %d of %s %d: %w", i, a.Source, a.SourceID, err)
			}
		}
		return s.bumpVersion(ctx, tx, a)
	})
	if err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "indexed", "source", a.Source, "source_id", a.SourceID, "meeting_id", meetingUUID, "chunks", len(chunks))
	return s.Sync(ctx)
}

// bumpVersion records that a source changed. Versions must become visible
// in increasing order, or a replica that already saw version n+1 would skip
// n; so writers take them one at a time (SQLite has a single writer anyway).
func (s *Service) bumpVersion(ctx context.Context, tx *sql.Tx, a Args) error {
	if s.db.Dialect == store.Postgres {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE search_versions IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock search versions: %w", err)
		}
	}
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM search_versions`).Scan(&next); err != nil {
		return fmt.Errorf("next search version: %w", err)
	}
	_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO search_versions (org_id, source, source_id, version) VALUES (?, ?, ?, ?)
		ON CONFLICT (source, source_id) DO UPDATE SET version = excluded.version`), a.OrgID, a.Source, a.SourceID, next)
	if err != nil {
		return fmt.Errorf("record search version: %w", err)
	}
	return nil
}

// chunk reads a source and cuts it into chunks.
func (s *Service) chunk(ctx context.Context, a Args) ([]search.Chunk, string, error) {
	switch a.Source {
	case SourceTranscript:
		m, err := s.meetings.GetByID(ctx, caller.ForSystem(a.OrgID), a.SourceID)
		if errors.Is(err, fault.ErrNotFound) {
			return nil, "", nil // deleted since: indexing nothing removes its chunks
		}
		if err != nil {
			return nil, "", err
		}
		segs, err := s.meetings.Segments(ctx, m)
		if err != nil {
			return nil, "", err
		}
		return search.ChunkTranscript(segs, search.DefaultMaxWords), m.UUID, nil
	case SourceDocument:
		var content string
		err := s.db.R.QueryRowContext(ctx, s.db.Rebind(`SELECT content FROM documents WHERE id = ? AND org_id = ?`), a.SourceID, a.OrgID).Scan(&content)
		if err == sql.ErrNoRows {
			return nil, "", nil
		}
		if err != nil {
			return nil, "", fmt.Errorf("load document %d: %w", a.SourceID, err)
		}
		return search.ChunkDocument(content, search.DefaultMaxWords), "", nil
	}
	return nil, "", fmt.Errorf("unknown index source %q", a.Source)
}

func key(source string, id int64) string { return source + ":" + strconv.FormatInt(id, 10) }
