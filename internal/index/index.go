// Package index keeps the search index of transcripts and documents in the
// database. A durable job analyses a source when it changes (search.Group)
// and stores it with its postings and the organization's term statistics in
// one transaction; a search reads the postings of its terms to pick a few
// candidate groups, loads those and ranks their chunks in process. No
// replica holds index state beyond bounded caches of immutable rows, so
// every replica answers from what has committed, and start-up builds
// nothing.
package index

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/search"
	"github.com/quorumhq/quorum/internal/store"
)

// Source kinds stored in search_groups.source.
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
// runs for one organization take turns (see store), so a job may run again
// after a crash or a timeout, or alongside another job for its source.

// JobTimeout bounds one run of an index job. Measured on the 2-core
// development host (TestMeasureReindex): the 20 largest QMSum train
// meetings (985 to 1832 turns) index in p99 130 ms, a 1 MiB transcript (the
// largest one request carries by default) in p99 290 ms, and ten of those at
// once, a full worker pool, in p99 2.3 s. A minute is over 25 times that
// worst case, room for a loaded host and a queued SQLite writer.
const JobTimeout = time.Minute

// Cache sizes. Cached groups are immutable (a changed source gets a new
// row), so they never go stale; a decoded QMSum meeting takes about 300
// KiB, and groups stored in more than maxCachedBody bytes are not cached,
// so the group cache holds some 80 MiB and never more than 256 MiB.
// Results are keyed by the organization's index version, which every
// indexing run bumps.
const (
	maxCachedBody   = 1 << 20
	groupCacheSize  = 256
	resultCacheSize = 1024
)

// Service indexes sources and answers searches.
type Service struct {
	db       *store.DB
	meetings *meeting.Service
	logger   *slog.Logger
	params   search.Params
	groups   *lru.Cache[int64, *search.Group]
	results  *lru.Cache[string, []search.Hit]
}

// NewService returns a Service that scores with the product's parameters.
func NewService(db *store.DB, meetings *meeting.Service, logger *slog.Logger) *Service {
	groups, err := lru.New[int64, *search.Group](groupCacheSize)
	if err != nil {
		panic(err) // only for a non-positive size
	}
	results, err := lru.New[string, []search.Hit](resultCacheSize)
	if err != nil {
		panic(err)
	}
	return &Service{db: db, meetings: meetings, logger: logger, params: search.DefaultParams(), groups: groups, results: results}
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

// Reindex rebuilds the stored group of one source from its current state.
// It may run any number of times, also concurrently for one source: runs
// for one organization take turns, and a run that read a transcript which
// has since been replaced writes nothing, leaving the source to the job
// that the change queued.
func (s *Service) Reindex(ctx context.Context, a Args) error {
	g, read, err := s.analyse(ctx, a)
	if err != nil {
		return err
	}
	superseded, err := s.store(ctx, a, g, read)
	if err != nil {
		return err
	}
	if superseded {
		s.logger.InfoContext(ctx, "index run superseded by a newer transcript", "source", a.Source, "source_id", a.SourceID, "meeting_id", read.meetingUUID)
		return nil
	}
	chunks := 0
	if g != nil {
		chunks = g.Len()
	}
	s.logger.InfoContext(ctx, "indexed", "source", a.Source, "source_id", a.SourceID, "meeting_id", read.meetingUUID, "chunks", chunks)
	return nil
}

// noMeeting is the transcript version of a meeting that does not exist.
const noMeeting = -1

// readState is what analyse saw of a source.
type readState struct {
	meetingID         sql.NullInt64
	meetingUUID       string
	transcriptVersion int64
}

// analyse reads a source and builds its group, nil for a source that is
// gone or empty. A transcript's version is read before its segments, so a
// replacement in between makes the version look stale, never the segments
// look current.
func (s *Service) analyse(ctx context.Context, a Args) (*search.Group, readState, error) {
	var chunks []search.Chunk
	var read readState
	org := fmt.Sprint(a.OrgID)
	switch a.Source {
	case SourceTranscript:
		m, err := s.meetings.GetByID(ctx, caller.ForSystem(a.OrgID), a.SourceID)
		if errors.Is(err, fault.ErrNotFound) {
			// Deleted since: indexing nothing removes its group.
			return nil, readState{transcriptVersion: noMeeting}, nil
		}
		if err != nil {
			return nil, readState{}, err
		}
		read = readState{meetingID: sql.NullInt64{Int64: m.ID, Valid: true}, meetingUUID: m.UUID, transcriptVersion: m.TranscriptVersion}
		segs, err := s.meetings.Segments(ctx, m)
		if err != nil {
			return nil, read, err
		}
		chunks = search.ChunkTranscript(segs, search.DefaultMaxWords)
		for i := range chunks {
			chunks[i].OrgID, chunks[i].MeetingID = org, m.UUID
		}
	case SourceDocument:
		doc, found, err := s.document(ctx, a)
		if err != nil || !found {
			return nil, readState{}, err
		}
		read = readState{meetingID: doc.meetingID, meetingUUID: doc.meetingUUID}
		chunks = search.ChunkDocument(doc.content, search.DefaultMaxWords)
		for i := range chunks {
			chunks[i].OrgID, chunks[i].MeetingID, chunks[i].DocumentID = org, doc.meetingUUID, doc.uuid
		}
	default:
		return nil, readState{}, fmt.Errorf("unknown index source %q", a.Source)
	}
	if len(chunks) == 0 {
		return nil, read, nil
	}
	g, err := search.NewGroup(chunks)
	if err != nil {
		return nil, read, fmt.Errorf("analyse %s %d: %w", a.Source, a.SourceID, err)
	}
	return g, read, nil
}
