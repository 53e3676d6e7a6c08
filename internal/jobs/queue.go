// Package jobs is Quorum's durable job queue. It runs River on the same
// database as the rest of Quorum (SQLite or PostgreSQL), so a job that was
// enqueued survives a crash and runs once some replica with a worker for it
// is up again.
//
// Callers describe work as River job args and workers: register workers with
// river.AddWorker on a river.Workers, hand it to New in Config, and enqueue
// with Queue.Insert, or with Tx.Insert to enqueue atomically with their own
// writes.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/store"
)

// DefaultMaxWorkers is the worker pool size when Config.MaxWorkers is zero.
const DefaultMaxWorkers = 10

// cancelGrace bounds how long Stop waits for running jobs to return once
// their contexts are cancelled, after the caller's own deadline has passed.
const cancelGrace = 5 * time.Second

// Config tunes a Queue. The zero value (with Workers set) is a working
// configuration with River's defaults.
type Config struct {
	// Workers holds the worker of every job kind this replica runs.
	// Register them with river.AddWorker before calling New. It may be nil
	// when InsertOnly is set.
	Workers *river.Workers

	// MaxWorkers is how many jobs run at once on this replica
	// (DefaultMaxWorkers when zero).
	MaxWorkers int

	// PeriodicJobs are enqueued on schedule by whichever replica is the
	// elected leader; see Every.
	PeriodicJobs []*river.PeriodicJob

	// InsertOnly makes a queue that enqueues but never works jobs, for
	// API-only replicas. Start and Stop do nothing on it.
	InsertOnly bool

	// MaxAttempts is how many times a job runs before it is discarded, for
	// kinds whose args do not say otherwise (River's default, 25, when zero).
	// A kind sets its own by implementing river.JobArgsWithInsertOpts; a
	// single insert overrides both with river.InsertOpts.MaxAttempts.
	MaxAttempts int

	// JobTimeout bounds one run of a job (River's default, one minute, when
	// zero; -1 for none). A worker may override it with a Timeout method.
	JobTimeout time.Duration

	// RescueStuckJobsAfter is how long a job may stay running before it is
	// taken to belong to a crashed replica and made available again (River's
	// default, an hour or JobTimeout plus an hour, when zero). It must exceed
	// JobTimeout. Jobs that were only enqueued are never affected by a crash;
	// this only bounds the delay for jobs that were running at the time.
	RescueStuckJobsAfter time.Duration

	// FetchPollInterval is how often an idle replica looks for new jobs when
	// no insert notification reached it, and FetchCooldown the least time
	// between two fetches (River's defaults, 1s and 100ms, when zero). Tests
	// shorten both.
	FetchPollInterval time.Duration
	FetchCooldown     time.Duration
}

// riverClient is the part of river.Client that does not depend on the
// driver's transaction type, so Queue can hold either client behind it.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
}

// Queue enqueues jobs and, unless insert-only, works them.
type Queue struct {
	db      *store.DB
	logger  *slog.Logger
	cfg     Config
	client  riverClient
	sqlite  *river.Client[*sql.Tx] // set on SQLite
	pg      *river.Client[pgx.Tx]  // set on PostgreSQL
	started atomic.Bool
}

// New builds a queue on db. River's migrations must have been applied (see
// Migrate). Nothing runs until Start.
func New(db *store.DB, logger *slog.Logger, cfg Config) (*Queue, error) {
	if logger == nil {
		logger = slog.Default()
	}
	logger = logger.With(slog.String("component", "jobs"))
	if !cfg.InsertOnly && cfg.Workers == nil {
		return nil, errors.New("jobs: Config.Workers is required unless InsertOnly")
	}
	rc := &river.Config{
		Logger:               logger,
		MaxAttempts:          cfg.MaxAttempts,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueStuckJobsAfter,
		FetchPollInterval:    cfg.FetchPollInterval,
		FetchCooldown:        cfg.FetchCooldown,
		Workers:              cfg.Workers,
	}
	if !cfg.InsertOnly {
		n := cfg.MaxWorkers
		if n <= 0 {
			n = DefaultMaxWorkers
		}
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}}
		rc.PeriodicJobs = cfg.PeriodicJobs
	}
	if rc.FetchPollInterval > 0 && cmp.Or(rc.FetchCooldown, river.FetchCooldownDefault) > rc.FetchPollInterval {
		// River rejects a cooldown longer than the poll interval; shorten it
		// rather than fail on a setting that only tunes latency.
		rc.FetchCooldown = rc.FetchPollInterval
	}

	q := &Queue{db: db, logger: logger, cfg: cfg}
	var err error
	switch db.Dialect {
	case store.Postgres:
		q.pg, err = river.NewClient(riverpgxv5.New(db.Pool), rc)
		q.client = q.pg
	case store.SQLite:
		// The driver needs a pool of exactly one connection, which is what
		// db.W is: River's writes then queue behind Quorum's instead of
		// failing with SQLITE_BUSY.
		q.sqlite, err = river.NewClient(riversqlite.New(db.W), rc)
		q.client = q.sqlite
	default:
		return nil, fmt.Errorf("jobs: unsupported dialect %q", db.Dialect)
	}
	if err != nil {
		return nil, fmt.Errorf("new river client: %w", err)
	}
	return q, nil
}

// Start begins fetching and working jobs in the background. It returns once
// the workers are running; stop them with Stop.
func (q *Queue) Start(ctx context.Context) error {
	if q.cfg.InsertOnly {
		return nil
	}
	// River cancels every running job the moment the context given to Start
	// ends, which would skip the graceful drain; shutdown goes through Stop
	// instead, so the workers get a context that is never cancelled.
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	q.started.Store(true)
	return nil
}

// Stop shuts the queue down gracefully: it stops fetching, lets running jobs
// finish until ctx is done, then cancels whatever still runs and waits a few
// seconds for it to return. River puts a job interrupted that way back in
// the queue without counting the attempt, so nothing is lost either way.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.started.CompareAndSwap(true, false) {
		return nil
	}
	err := q.client.Stop(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() == nil {
		return fmt.Errorf("stop job queue: %w", err)
	}
	q.logger.WarnContext(ctx, "Jobs still running at shutdown deadline; cancelling them")
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelGrace)
	defer cancel()
	if err := q.client.StopAndCancel(cctx); err != nil {
		return fmt.Errorf("stop job queue after cancelling running jobs: %w", err)
	}
	return nil
}

// Insert enqueues a job and returns its id. opts may be nil. When the job is
// unique (river.InsertOpts.UniqueOpts, or the args' own InsertOpts) and an
// equal job already exists, nothing is inserted and the existing job's id is
// returned.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error) {
	res, err := q.client.Insert(ctx, args, opts)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s job: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// Job returns a job by id, with its state, attempts and errors. A job that
// does not exist (or was already cleaned up after completing) is
// fault.ErrNotFound.
func (q *Queue) Job(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	job, err := q.client.JobGet(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return nil, fault.NotFound("job")
	}
	if err != nil {
		return nil, fmt.Errorf("get job %d: %w", id, err)
	}
	return job, nil
}
