package index_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/transcript"
)

// measureEnv turns on TestMeasureReindex, which times indexing to size the
// index job's timeout (index.JobTimeout); it is too slow for every run.
const measureEnv = "QUORUM_MEASURE_INDEX"

// qmsumTrain is the QMSum train split; only it is read, never test data.
const qmsumTrain = "/work/shared/data/qmsum/train.jsonl"

// TestMeasureReindex times Reindex of the largest QMSum train meetings, and
// of a transcript as large as the default 1 MiB request body allows, and
// logs p50, p99 and the maximum.
func TestMeasureReindex(t *testing.T) {
	if os.Getenv(measureEnv) == "" {
		t.Skip("set " + measureEnv + "=1 to measure indexing durations")
	}
	largest := largestQMSum(t, 20)
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		meetings, svc, org := f.meetings, f.svc, f.org

		create := func(segs []transcript.Segment) index.Args {
			m, err := meetings.Create(ctx, caller.ForSystem(org.ID), meeting.New{Title: "QMSum", Segments: segs})
			require.NoError(t, err)
			return index.Args{OrgID: org.ID, Source: index.SourceTranscript, SourceID: m.ID}
		}
		var qmsum []index.Args
		for _, segs := range largest {
			qmsum = append(qmsum, create(segs))
		}
		var times []time.Duration
		for range 5 {
			for _, a := range qmsum {
				start := time.Now()
				require.NoError(t, svc.Reindex(ctx, a))
				times = append(times, time.Since(start))
			}
		}
		t.Logf("largest QMSum meetings (%d to %d segments), %d runs: %s", len(largest[len(largest)-1]), len(largest[0]), len(times), percentiles(times))

		big := create(fillBody(largest, 1<<20))
		times = times[:0]
		for range 5 {
			start := time.Now()
			require.NoError(t, svc.Reindex(ctx, big))
			times = append(times, time.Since(start))
		}
		t.Logf("1 MiB transcript, %d runs: %s", len(times), percentiles(times))

		// A replica works up to jobs.DefaultMaxWorkers jobs at once; time
		// that many 1 MiB transcripts indexed together.
		concurrent := make([]index.Args, jobs.DefaultMaxWorkers)
		for i := range concurrent {
			concurrent[i] = create(fillBody(largest[i%len(largest):], 1<<20))
		}
		times = times[:0]
		var mu sync.Mutex
		for range 3 {
			var wg sync.WaitGroup
			for _, a := range concurrent {
				wg.Go(func() {
					start := time.Now()
					assert.NoError(t, svc.Reindex(ctx, a))
					mu.Lock()
					times = append(times, time.Since(start))
					mu.Unlock()
				})
			}
			wg.Wait()
		}
		t.Logf("%d 1 MiB transcripts at once, %d runs: %s", len(concurrent), len(times), percentiles(times))
	})
}

func percentiles(d []time.Duration) string {
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return "p50 " + at(0.50).Round(time.Millisecond).String() + ", p99 " + at(0.99).Round(time.Millisecond).String() +
		", max " + s[len(s)-1].Round(time.Millisecond).String()
}

// largestQMSum returns the n QMSum train meetings with the most segments,
// largest first.
func largestQMSum(t *testing.T, n int) [][]transcript.Segment {
	t.Helper()
	f, err := os.Open(qmsumTrain)
	if err != nil {
		t.Skipf("QMSum train split not available: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<26)
	var all [][]transcript.Segment
	for sc.Scan() {
		var m struct {
			Transcript []struct {
				Speaker string `json:"speaker"`
				Content string `json:"content"`
			} `json:"meeting_transcripts"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m))
		segs := make([]transcript.Segment, 0, len(m.Transcript))
		for i, x := range m.Transcript {
			segs = append(segs, transcript.Segment{Speaker: x.Speaker, Text: x.Content, Start: float64(i), End: float64(i + 1)})
		}
		all = append(all, segs)
	}
	require.NoError(t, sc.Err())
	sort.Slice(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	return all[:min(n, len(all))]
}

// fillBody repeats the meetings' turns until their JSON reaches size bytes,
// the largest transcript one request may carry by default.
func fillBody(meetings [][]transcript.Segment, size int) []transcript.Segment {
	var out []transcript.Segment
	total := 0
	for total < size {
		for _, segs := range meetings {
			for _, s := range segs {
				b, _ := json.Marshal(s)
				total += len(b) + 1
				s.Start, s.End = float64(len(out)), float64(len(out)+1)
				out = append(out, s)
				if total >= size {
					return out
				}
			}
		}
	}
	return out
}
