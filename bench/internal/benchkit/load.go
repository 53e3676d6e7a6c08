package benchkit

import (
	"context"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// NewClient is an HTTP client for workers concurrent loops on one host:
// an idle keep-alive connection kept per worker, so that no measured call
// pays for a handshake, and no compression, because the bare server
// replays raw bytes and both targets must be read alike.
func NewClient(workers int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			MaxIdleConns: 2 * workers, MaxIdleConnsPerHost: workers, IdleConnTimeout: 90 * time.Second, DisableCompression: true,
			DialContext: (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		},
	}
}

// Result is what one load run measured, or several added up.
type Result struct {
	// OK and Failed count the calls that succeeded and those that failed.
	OK, Failed int
	// Elapsed is the wall time of the run, or of the runs added up.
	Elapsed time.Duration
	// Latencies are the durations of the successful calls, in no
	// particular order.
	Latencies []time.Duration
	// LastErr is an example of the failures, for a report.
	LastErr error
}

// Rate is the successful calls per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

// Add adds the run o to r, so that the rounds a target is measured in,
// alternating with another target's, report as one.
func (r *Result) Add(o Result) {
	r.OK += o.OK
	r.Failed += o.Failed
	r.Elapsed += o.Elapsed
	r.Latencies = append(r.Latencies, o.Latencies...)
	if o.LastErr != nil {
		r.LastErr = o.LastErr
	}
}

// Load calls do from workers goroutines until d has passed, ctx has ended
// or, when maxCalls > 0, maxCalls calls have started, and returns the
// counts and the latency of each successful call. A call that returns an
// error counts as failed and the loop goes on: a bench reports failures
// next to its numbers rather than losing the run to one of them.
func Load(ctx context.Context, workers, maxCalls int, d time.Duration, do func(context.Context) error) Result {
	var issued, failed atomic.Int64
	// A pointer, because the failures differ in type and atomic.Value
	// holds values of one type only.
	var lastErr atomic.Pointer[error]
	lat := make([][]time.Duration, workers)
	start := time.Now()
	until := start.Add(d)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(until) {
				if maxCalls > 0 && issued.Add(1) > int64(maxCalls) {
					return
				}
				t0 := time.Now()
				if err := do(ctx); err != nil {
					failed.Add(1)
					lastErr.Store(&err)
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	r := Result{Elapsed: time.Since(start), Failed: int(failed.Load()), Latencies: slices.Concat(lat...)}
	r.OK = len(r.Latencies)
	if err := lastErr.Load(); err != nil {
		r.LastErr = *err
	}
	return r
}

// Percentile returns the p-th percentile of d by the nearest rank below
// (d[n*p/100] of the sorted n), or 0 when d is empty. It sorts d in place
// rather than copy it: latencies are many and their order means nothing.
func Percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, len(d)*p/100)]
}
