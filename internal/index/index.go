// Package index keeps the search index of transcripts and documents: a
// durable job chunks and embeds a source when it changes and stores the
// chunks and vectors in the database; every replica mirrors them in an
// in-memory search.Index, which it brings up to date before each query by
// reading which sources changed since it last looked.
package index

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

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
// redundant run costs little, since indexing reads the latest state, and
// runs of one source never interleave (see Reindex), so a job may run again
// after a crash or a timeout, or alongside another job for its source.

// JobTimeout bounds one run of an index job. Measured on the 2-core
// development host (TestMeasureReindex): the 20 largest QMSum train
// meetings (985 to 1832 turns) index in p99 130 ms, a 1 MiB transcript (the
// largest one request carries by default) in p99 290 ms, and ten of those at
// once, a full worker pool, in p99 2.3 s. A minute is over 25 times that
// worst case, room for a loaded host and a queued SQLite writer.
const JobTimeout = time.Minute

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
	// JobTimeout bounds one run (the package's JobTimeout when zero).
	JobTimeout time.Duration
}

// Timeout implements river.Worker.
func (w *Worker) Timeout(*river.Job[Args]) time.Duration {
	return cmp.Or(w.JobTimeout, JobTimeout)
}

// Work indexes the source named by the job.
func (w *Worker) Work(ctx context.Context, job *river.Job[Args]) error {
	return w.Service.Reindex(ctx, job.Args)
}

// Reindex rebuilds the stored chunks of one source from its current state.
// It may run any number of times, also concurrently for one source: the
// chunks of a source are replaced in one transaction, under a lock on that
// source, and a run that read a transcript which has since been replaced
// writes nothing, leaving the source to the job that the change queued.
func (s *Service) Reindex(ctx context.Context, a Args) error {
	chunks, read, err := s.chunk(ctx, a)
	if err != nil {
		return err
	}
	return s.store(ctx, a, chunks, read)
}

// store replaces the chunks of a source with chunks cut from what chunk read.
func (s *Service) store(ctx context.Context, a Args, chunks []search.Chunk, read readState) error {
	vectors := make([][]float32, len(chunks))
	for i, c := range chunks {
		vectors[i] = hashembed.Embed(c.Text)
	}
	superseded := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockSource(ctx, tx, a); err != nil {
			return err
		}
		if a.Source == SourceTranscript {
			current, err := s.transcriptVersion(ctx, tx, a)
			if err != nil {
				return err
			}
			if current != read.transcriptVersion {
				superseded = true
				return nil
			}
		}
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
	if superseded {
		s.logger.InfoContext(ctx, "index run superseded by a newer transcript", "source", a.Source, "source_id", a.SourceID, "meeting_id", read.meetingUUID)
		return nil
	}
	s.logger.InfoContext(ctx, "indexed", "source", a.Source, "source_id", a.SourceID, "meeting_id", read.meetingUUID, "chunks", len(chunks))
	return s.Sync(ctx)
}

// lockSource makes concurrent runs for one source take turns on
// PostgreSQL, so that one run's delete cannot miss the rows another is
// inserting and leave both sets; SQLite's single writer already does so.
func (s *Service) lockSource(ctx context.Context, tx *sql.Tx, a Args) error {
	if s.db.Dialect != store.Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "search_index:"+key(a.Source, a.SourceID)); err != nil {
		return fmt.Errorf("lock %s %d for indexing: %w", a.Source, a.SourceID, err)
	}
	return nil
}

// transcriptVersion returns the meeting's current transcript version, or
// noMeeting when it no longer exists.
func (s *Service) transcriptVersion(ctx context.Context, tx *sql.Tx, a Args) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT transcript_version FROM meetings WHERE id = ? AND org_id = ?`), a.SourceID, a.OrgID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return noMeeting, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read transcript version of meeting %d: %w", a.SourceID, err)
	}
	return v, nil
}

// noMeeting is the transcript version of a meeting that does not exist.
const noMeeting = -1

// readState is what chunk saw of a source.
type readState struct {
	meetingUUID       string
	transcriptVersion int64
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

// chunk reads a source and cuts it into chunks. A transcript's version is
// read before its segments, so a replacement in between makes the version
// look stale, never the segments look current.
func (s *Service) chunk(ctx context.Context, a Args) ([]search.Chunk, readState, error) {
	switch a.Source {
	case SourceTranscript:
		m, err := s.meetings.GetByID(ctx, caller.ForSystem(a.OrgID), a.SourceID)
		if errors.Is(err, fault.ErrNotFound) {
			// Deleted since: indexing nothing removes its chunks.
			return nil, readState{transcriptVersion: noMeeting}, nil
		}
		if err != nil {
			return nil, readState{}, err
		}
		read := readState{meetingUUID: m.UUID, transcriptVersion: m.TranscriptVersion}
		segs, err := s.meetings.Segments(ctx, m)
		if err != nil {
			return nil, read, err
		}
		return search.ChunkTranscript(segs, search.DefaultMaxWords), read, nil
	case SourceDocument:
		var content string
		err := s.db.R.QueryRowContext(ctx, s.db.Rebind(`SELECT content FROM documents WHERE id = ? AND org_id = ?`), a.SourceID, a.OrgID).Scan(&content)
		if err == sql.ErrNoRows {
			return nil, readState{}, nil
		}
		if err != nil {
			return nil, readState{}, fmt.Errorf("load document %d: %w", a.SourceID, err)
		}
		return search.ChunkDocument(content, search.DefaultMaxWords), readState{}, nil
	}
	return nil, readState{}, fmt.Errorf("unknown index source %q", a.Source)
}

func key(source string, id int64) string { return source + ":" + strconv.FormatInt(id, 10) }
