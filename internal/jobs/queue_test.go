package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// recordArgs is a job that its recorder counts by name.
type recordArgs struct {
	Name string `json:"name"`
}

func (recordArgs) Kind() string { return "jobs_test_record" }

// recorder works recordArgs jobs: it counts runs per name and fails the
// first failFirst attempts of each job.
type recorder struct {
	river.WorkerDefaults[recordArgs]
	failFirst int

	mu   sync.Mutex
	runs map[string]int
}

func newRecorder(failFirst int) *recorder {
	return &recorder{failFirst: failFirst, runs: map[string]int{}}
}

func (r *recorder) Work(ctx context.Context, job *river.Job[recordArgs]) error {
	if job.Attempt <= r.failFirst {
		return errors.New("failing on purpose")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs[job.Args.Name]++
	return nil
}

// NextRetry keeps retries quick in tests; production workers leave it to
// River's exponential backoff.
func (r *recorder) NextRetry(*river.Job[recordArgs]) time.Time {
	return time.Now().Add(50 * time.Millisecond)
}

func (r *recorder) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[name]
}

// testConfig is a worker configuration that polls often, so tests do not
// wait on River's production poll interval.
func testConfig(workers *river.Workers) jobs.Config {
	return jobs.Config{
		Workers:           workers,
		MaxWorkers:        4,
		FetchPollInterval: 50 * time.Millisecond,
		FetchCooldown:     10 * time.Millisecond,
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// startQueue migrates River's tables, then starts a queue that is stopped
// when the test ends.
func startQueue(t *testing.T, db *store.DB, cfg jobs.Config) *jobs.Queue {
	t.Helper()
	ctx := t.Context()
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	q, err := jobs.New(db, testLogger(t), cfg)
	if err != nil {
		t.Fatalf("new queue: %v", err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return q
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitState polls until job id reaches state.
func waitState(t *testing.T, q *jobs.Queue, id int64, state rivertype.JobState) *rivertype.JobRow {
	t.Helper()
	var job *rivertype.JobRow
	waitFor(t, "job to be "+string(state), func() bool {
		var err error
		job, err = q.Job(t.Context(), id)
		if err != nil {
			t.Fatalf("get job %d: %v", id, err)
		}
		return job.State == state
	})
	return job
}

func TestMigratePending(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		n, err := jobs.Pending(ctx, db)
		if err != nil {
			t.Fatalf("pending before migrate: %v", err)
		}
		if n == 0 {
			t.Fatal("pending before migrate = 0, want > 0")
		}
		for range 2 { // the second run must be a no-op
			if err := jobs.Migrate(ctx, db); err != nil {
				t.Fatalf("migrate: %v", err)
			}
		}
		if n, err := jobs.Pending(ctx, db); err != nil || n != 0 {
			t.Fatalf("pending after migrate = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestJobRuns(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		workers := river.NewWorkers()
		rec := newRecorder(0)
		river.AddWorker(workers, rec)
		q := startQueue(t, db, testConfig(workers))

		id, err := q.Insert(t.Context(), recordArgs{Name: "once"}, nil)
		if err != nil {
			t.Fatalf("insert: %v", err)
		}
		waitState(t, q, id, rivertype.JobStateCompleted)
		if got := rec.count("once"); got != 1 {
			t.Fatalf("runs = %d, want 1", got)
		}
	})
}

func TestFailingJobIsRetried(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		workers := river.NewWorkers()
		rec := newRecorder(2)
		river.AddWorker(workers, rec)
		q := startQueue(t, db, testConfig(workers))

		id, err := q.Insert(t.Context(), recordArgs{Name: "flaky"}, nil)
		if err != nil {
			t.Fatalf("insert: %v", err)
		}
		job := waitState(t, q, id, rivertype.JobStateCompleted)
		if job.Attempt != 3 || len(job.Errors) != 2 {
			t.Fatalf("attempt = %d with %d errors, want 3 with 2", job.Attempt, len(job.Errors))
		}
		if got := rec.count("flaky"); got != 1 {
			t.Fatalf("successful runs = %d, want 1", got)
		}
	})
}

func TestMaxAttemptsDiscards(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		workers := river.NewWorkers()
		river.AddWorker(workers, newRecorder(100))
		q := startQueue(t, db, testConfig(workers))

		id, err := q.Insert(t.Context(), recordArgs{Name: "doomed"}, &river.InsertOpts{MaxAttempts: 2})
		if err != nil {
			t.Fatalf("insert: %v", err)
		}
		job := waitState(t, q, id, rivertype.JobStateDiscarded)
		if job.Attempt != 2 {
			t.Fatalf("attempt = %d, want 2", job.Attempt)
		}
	})
}

func TestUniqueInsertDedupes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		q, err := jobs.New(db, testLogger(t), jobs.Config{InsertOnly: true})
		if err != nil {
			t.Fatalf("new queue: %v", err)
		}
		unique := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Hour}}
		first, err := q.Insert(ctx, recordArgs{Name: "a"}, unique)
		if err != nil {
			t.Fatalf("insert: %v", err)
		}
		again, err := q.Insert(ctx, recordArgs{Name: "a"}, unique)
		if err != nil {
			t.Fatalf("insert again: %v", err)
		}
		if again != first {
			t.Fatalf("duplicate insert got id %d, want existing %d", again, first)
		}
		other, err := q.Insert(ctx, recordArgs{Name: "b"}, unique)
		if err != nil {
			t.Fatalf("insert other: %v", err)
		}
		if other == first {
			t.Fatalf("different args got the same id %d", other)
		}
	})
}

// tickArgs is enqueued by a periodic job.
type tickArgs struct{}

func (tickArgs) Kind() string { return "jobs_test_tick" }

func TestPeriodicJobFires(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var (
			mu    sync.Mutex
			ticks int
		)
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[tickArgs]) error {
			mu.Lock()
			defer mu.Unlock()
			ticks++
			return nil
		}))
		cfg := testConfig(workers)
		cfg.PeriodicJobs = []*river.PeriodicJob{jobs.Every(300*time.Millisecond, tickArgs{}, nil, false)}
		startQueue(t, db, cfg)

		waitFor(t, "two periodic runs", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return ticks >= 2
		})
	})
}

func TestTxInsert(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		workers := river.NewWorkers()
		rec := newRecorder(0)
		river.AddWorker(workers, rec)
		q := startQueue(t, db, testConfig(workers))
		if _, err := db.W.ExecContext(ctx, "CREATE TABLE jobs_tx_test (name TEXT NOT NULL)"); err != nil {
			t.Fatalf("create table: %v", err)
		}
		enqueue := func(name string, fail bool) (id int64, err error) {
			err = q.Tx(ctx, func(tx *jobs.Tx) error {
				if _, err := tx.ExecContext(ctx, db.Rebind("INSERT INTO jobs_tx_test (name) VALUES (?)"), name); err != nil {
					return err
				}
				if id, err = tx.Insert(ctx, recordArgs{Name: name}, nil); err != nil {
					return err
				}
				if fail {
					return errors.New("roll back")
				}
				return nil
			})
			return id, err
		}
		rows := func(name string) int {
			var n int
			if err := db.R.QueryRowContext(ctx, db.Rebind("SELECT count(*) FROM jobs_tx_test WHERE name = ?"), name).Scan(&n); err != nil {
				t.Fatalf("count rows: %v", err)
			}
			return n
		}

		rolledBack, err := enqueue("dropped", true)
		if err == nil {
			t.Fatal("failing tx returned nil")
		}
		if _, err := q.Job(ctx, rolledBack); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("job of rolled back tx: err = %v, want fault.ErrNotFound", err)
		}
		if rows("dropped") != 0 {
			t.Fatal("row of rolled back tx exists")
		}

		committed, err := enqueue("kept", false)
		if err != nil {
			t.Fatalf("committed tx: %v", err)
		}
		if rows("kept") != 1 {
			t.Fatal("row of committed tx missing")
		}
		waitState(t, q, committed, rivertype.JobStateCompleted)
		if rec.count("kept") != 1 || rec.count("dropped") != 0 {
			t.Fatalf("runs: kept %d, dropped %d; want 1, 0", rec.count("kept"), rec.count("dropped"))
		}
	})
}

// slowArgs is a job that runs until its context ends, or for Run if set.
type slowArgs struct {
	Run time.Duration `json:"run"`
}

func (slowArgs) Kind() string { return "jobs_test_slow" }

func TestStop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		started := make(chan int64, 2)
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[slowArgs]) error {
			started <- job.ID
			if job.Args.Run == 0 {
				<-ctx.Done()
				return ctx.Err()
			}
			select {
			case <-time.After(job.Args.Run):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}))
		ctx := t.Context()
		stopWithin := func(q *jobs.Queue, d time.Duration) {
			t.Helper()
			sctx, cancel := context.WithTimeout(ctx, d)
			defer cancel()
			if err := q.Stop(sctx); err != nil {
				t.Fatalf("stop: %v", err)
			}
		}

		t.Run("lets running jobs finish", func(t *testing.T) {
			q := startQueue(t, db, testConfig(workers))
			id, err := q.Insert(ctx, slowArgs{Run: 300 * time.Millisecond}, nil)
			if err != nil {
				t.Fatalf("insert: %v", err)
			}
			<-started
			stopWithin(q, 15*time.Second)
			job, err := q.Job(ctx, id)
			if err != nil {
				t.Fatalf("get job: %v", err)
			}
			if job.State != rivertype.JobStateCompleted {
				t.Fatalf("job after graceful stop is %s, want completed", job.State)
			}
		})

		t.Run("cancels jobs at the deadline", func(t *testing.T) {
			q := startQueue(t, db, testConfig(workers))
			id, err := q.Insert(ctx, slowArgs{}, nil)
			if err != nil {
				t.Fatalf("insert: %v", err)
			}
			<-started
			stopWithin(q, 200*time.Millisecond)
			job, err := q.Job(ctx, id)
			if err != nil {
				t.Fatalf("get job: %v", err)
			}
			// River puts an interrupted job back in the queue without
			// counting the attempt, so it runs again on the next start.
			if job.State != rivertype.JobStateAvailable || job.Attempt != 0 || len(job.Errors) != 0 {
				t.Fatalf("job after cancelled stop: %s, attempt %d, %d errors; want available, 0, 0",
					job.State, job.Attempt, len(job.Errors))
			}
		})
	})
}
