package jobs_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// helperDBEnv carries the database URL to the child process of
// TestJobSurvivesKill; the helper does nothing without it.
const helperDBEnv = "QUORUM_JOBS_HELPER_DB"

// TestHelperProcess is not a test: it is the child that TestJobSurvivesKill
// starts from this same binary. It enqueues a job on an insert-only queue,
// says so, and then waits to be killed.
func TestHelperProcess(t *testing.T) {
	url := os.Getenv(helperDBEnv)
	if url == "" {
		t.Skip("helper process for TestJobSurvivesKill")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	q, err := jobs.New(db, nil, jobs.Config{InsertOnly: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "new queue:", err)
		os.Exit(2)
	}
	id, err := q.Insert(ctx, recordArgs{Name: "survivor"}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "insert:", err)
		os.Exit(2)
	}
	fmt.Printf("enqueued %d\n", id)
	// Hold the database open, as a live server would, until the parent kills
	// this process; the sleep only bounds an orphan's life.
	time.Sleep(time.Minute)
	os.Exit(3)
}

// TestJobSurvivesKill enqueues a job in a child process that is SIGKILLed
// before any worker runs it, then "restarts" with a worker on the same
// database and expects the job to run.
func TestJobSurvivesKill(t *testing.T) {
	for backend, url := range storetest.URLs(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := t.Context()
			prepare(t, url)

			id := enqueueAndKill(t, url)

			db, err := store.Open(ctx, url)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			t.Cleanup(func() { db.Close() })
			workers := river.NewWorkers()
			rec := newRecorder(0)
			river.AddWorker(workers, rec)
			q := startQueue(t, db, testConfig(workers))

			waitState(t, q, id, rivertype.JobStateCompleted)
			if got := rec.count("survivor"); got != 1 {
				t.Fatalf("runs = %d, want 1", got)
			}
		})
	}
}

// prepare applies Quorum's and River's migrations, then closes the database
// so that the child and the restarted queue each open it afresh.
func prepare(t *testing.T, url string) {
	t.Helper()
	ctx := t.Context()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate jobs: %v", err)
	}
}

// enqueueAndKill runs TestHelperProcess as a child, waits for it to report
// the job it enqueued, SIGKILLs it and returns the job's id.
func enqueueAndKill(t *testing.T, url string) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperDBEnv+"="+url)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("stdout pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	timeout := time.After(30 * time.Second)
	var id int64
	for id == 0 {
		select {
		case line, ok := <-lines:
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("child exited before enqueuing: %s", stderr.String())
			}
			if rest, found := strings.CutPrefix(line, "enqueued "); found {
				if id, err = strconv.ParseInt(rest, 10, 64); err != nil {
					t.Fatalf("child said %q: %v", line, err)
				}
			}
		case <-timeout:
			t.Fatalf("child did not enqueue in time: %s", stderr.String())
		}
	}

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill child: %v", err)
	}
	killed = true
	for range lines { // read to EOF before Wait, as exec requires
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child was not killed by SIGKILL: %v", err)
	}
	return id
}
