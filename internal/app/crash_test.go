package app

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/search"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/transcript"
)

// crashChildEnv carries the database URL to TestCrashChild; without it
// that test does nothing.
const crashChildEnv = "QUORUM_CRASH_CHILD_DB"

// crashTiming replaces jobTiming in the crash test's child, so that a job
// killed mid-run is rescued in seconds rather than minutes. The index
// timeout stays well above an index run of the test's meetings (tens of
// milliseconds each), so no job times out on its own.
var crashTiming = struct{ index, purge, context, chat, rescueAfter time.Duration }{
	index: 5 * time.Second, purge: 5 * time.Second, context: 5 * time.Second, chat: 5 * time.Second, rescueAfter: 6 * time.Second,
}

// rescueBound is how long after a restart every job that was running at
// the kill must have finished: rescueAfter, plus up to 21 s for the
// restarted process to take over leadership from the killed one (River's
// leader TTL of 15 s and its 5-6 s election interval), River's rescuer
// interval of 30 s (fixed in River v0.51.1, not configurable; it also runs
// once as soon as a leader is elected), its scheduler interval of 5 s, the
// first retry's backoff of about 1 s, and the run itself. The terms for
// leadership and the rescuer's first run overlap, so this is generous.
const rescueBound = 6*time.Second + 60*time.Second

// TestCrashChild is not a test: it is the Quorum process that
// TestKilledJobsComplete starts from this test binary and kills. It runs the
// app's job workers on the given database, says "started", and waits.
func TestCrashChild(t *testing.T) {
	url := os.Getenv(crashChildEnv)
	if url == "" {
		t.Skip("child process of TestKilledJobsComplete")
	}
	jobTiming = crashTiming
	cfg, _, err := config.Load([]string{"--database-url", url, "--data-dir", t.TempDir(), "--workers", "8"}, nil, io.Discard)
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := Open(context.Background(), cfg, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	if err := a.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		os.Exit(2)
	}
	fmt.Println("started")
	// Work until the parent kills this process; the timer only bounds an
	// orphan's life.
	time.Sleep(3 * time.Minute)
	os.Exit(3)
}

// TestKilledJobsComplete imports meetings, starts a Quorum process that
// indexes them, SIGKILLs it while index jobs are running, restarts it, and
// expects every meeting to become searchable within rescueBound of the
// restart, each stored once and counted once in the statistics.
func TestKilledJobsComplete(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a server; takes about half a minute per database")
	}
	for backend, url := range storetest.URLs(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := t.Context()
			a := openInsertOnly(t, url)
			org, err := a.Identities.CreateOrg(ctx, "Crash")
			if err != nil {
				t.Fatal(err)
			}
			markers := map[string]string{} // meeting UUID -> its unique word
			for i, word := range markerWords {
				m, err := a.Meetings.Create(ctx, caller.ForSystem(org.ID), meeting.New{Title: fmt.Sprintf("Meeting %d", i), Segments: crashTranscript(i, word)})
				if err != nil {
					t.Fatal(err)
				}
				markers[m.UUID] = word
			}

			first := startCrashChild(t, url)
			waitFor(t, 60*time.Second, "index jobs running", func() bool { return indexJobs(t, a, "running") > 0 })
			first.kill(t)
			stuck := indexJobs(t, a, "running")
			if stuck == 0 {
				t.Fatal("no index job was left running by the kill; the test exercised nothing")
			}

			restarted := time.Now()
			startCrashChild(t, url)
			waitFor(t, rescueBound, "every meeting searchable", func() bool {
				for id, word := range markers {
					hits, err := a.Index.Search(ctx, index.Query{OrgID: org.ID, Text: word, Limit: 3})
					if err != nil {
						t.Fatalf("search: %v", err)
					}
					if !slices.ContainsFunc(hits, func(h search.Hit) bool { return h.MeetingID == id }) {
						return false
					}
				}
				return true
			})
			t.Logf("%d index jobs were running at the kill; all %d meetings searchable %s after the restart (bound %s)",
				stuck, len(markers), time.Since(restarted).Round(time.Second), rescueBound)
			waitFor(t, 30*time.Second, "every index job completed", func() bool {
				return indexJobs(t, a, "running")+indexJobs(t, a, "available")+indexJobs(t, a, "retryable") == 0
			})
			// Each meeting is stored once, and the organization's statistics
			// count each once: no run was applied twice or half.
			var groups, stats [2]int64
			err = a.DB.R.QueryRowContext(ctx, a.DB.Rebind(`SELECT COUNT(*), COALESCE(SUM(chunks), 0) FROM search_groups WHERE org_id = ?`), org.ID).
				Scan(&groups[0], &groups[1])
			if err != nil {
				t.Fatal(err)
			}
			err = a.DB.R.QueryRowContext(ctx, a.DB.Rebind(`SELECT n_groups, n_chunks FROM search_stats WHERE org_id = ?`), org.ID).Scan(&stats[0], &stats[1])
			if err != nil {
				t.Fatal(err)
			}
			if groups[0] != int64(len(markers)) || groups != stats {
				t.Fatalf("stored groups (count, chunks) %v, statistics %v, want %d groups", groups, stats, len(markers))
			}
		})
	}
}

// markerWords are words that only one test meeting says, one each.
var markerWords = strings.Fields(`aardvark bassoon cormorant dulcimer echidna flamingo gazelle harpsichord
	iguana jackal kingfisher lemur mandolin narwhal ocelot pelican quokka raccoon sitar tapir ukulele vicuna
	walrus xylophone`)

// openInsertOnly opens the app without job workers, as an API-only
// replica: the test's view of the database the child works on.
func openInsertOnly(t *testing.T, url string) *App {
	t.Helper()
	cfg, _, err := config.Load([]string{"--database-url", url, "--data-dir", t.TempDir(), "--workers", "0"}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Close(ctx); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	return a
}

// crashTranscript is a 2,000-turn transcript, large enough that indexing
// it takes a while, that says word once.
func crashTranscript(n int, word string) []transcript.Segment {
	segs := make([]transcript.Segment, 0, 2000)
	for i := range 2000 {
		segs = append(segs, transcript.Segment{Speaker: fmt.Sprintf("Speaker %d", i%4),
			Text: fmt.Sprintf("In meeting %d turn %d we weigh the budget, the schedule and the hardware order again.", n, i)})
	}
	segs[1000].Text = "The code word of this meeting is " + word + "."
	return segs
}

// indexJobs counts the index jobs in a River state.
func indexJobs(t *testing.T, a *App, state string) int {
	t.Helper()
	var n int
	err := a.DB.R.QueryRowContext(t.Context(), a.DB.Rebind(`SELECT COUNT(*) FROM river_job WHERE kind = ? AND state = ?`),
		index.Args{}.Kind(), state).Scan(&n)
	if err != nil {
		t.Fatalf("count %s index jobs: %v", state, err)
	}
	return n
}

// waitFor polls cond until it holds, failing the test after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// crashChild is a running TestCrashChild process.
type crashChild struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *lockedBuffer
	done   bool
}

// startCrashChild starts TestCrashChild on url and waits until its workers
// run. The child is killed when the test ends, if it has not been already.
func startCrashChild(t *testing.T, url string) *crashChild {
	t.Helper()
	return startChild(t, "TestCrashChild", crashChildEnv+"="+url)
}

// startChild runs the test named run of this binary as a child process
// with env added, and waits until it prints "started".
func startChild(t *testing.T, run string, env ...string) *crashChild {
	t.Helper()
	c := &crashChild{cmd: exec.Command(os.Args[0], "-test.run=^"+run+"$", "-test.count=1"),
		lines: make(chan string), stderr: &lockedBuffer{}}
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stderr = c.stderr
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("stdout pipe: %v", err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("child log (last lines):\n%s", c.stderr.tail(30))
		}
		if !c.done {
			c.kill(t)
		}
	})
	timeout := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				_ = c.cmd.Wait()
				c.done = true
				t.Fatalf("child exited before starting:\n%s", c.stderr.tail(30))
			}
			if line == "started" {
				return c
			}
		case <-timeout:
			t.Fatalf("child did not start in time:\n%s", c.stderr.tail(30))
		}
	}
}

// kill SIGKILLs the child and reaps it.
func (c *crashChild) kill(t *testing.T) {
	t.Helper()
	c.done = true
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Errorf("kill child: %v", err)
	}
	for range c.lines { // read to EOF before Wait, as exec requires
	}
	err := c.cmd.Wait()
	if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("child was not killed by SIGKILL: %v", err)
	}
}

// lockedBuffer collects a child's log as it writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimRight(b.buf.String(), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
