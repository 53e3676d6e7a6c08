// Command webhooks measures webhook delivery: how many deliveries a second
// Quorum makes to a local receiver, and the delay from the transaction that
// commits an event to the moment the receiver has its delivery, against a
// bare Go loop posting the same bodies to the same receiver in the same run.
//
//	go run ./bench/webhooks
//	go run ./bench/webhooks -database-url 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//
// Quorum runs in this process with its production wiring (internal/app): a
// fresh SQLite data dir, or a fresh PostgreSQL database created on the given
// server and dropped at the end. Events go through the outbox (one
// transaction each, as a meeting import writes them), fan-out and delivery
// jobs, signing and the guarded HTTP client. Two phases: a burst of -events
// events emitted as fast as -emitters goroutines can commit them (throughput,
// and delay under that backlog), then -paced events at -rate a second (delay
// when idle). The baseline posts the burst's bodies with as many concurrent
// keep-alive clients as Quorum may use per subscription.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quorumhq/quorum/bench/internal/benchkit"
	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
)

func main() {
	dbURL := flag.String("database-url", "", "PostgreSQL server to create a fresh database on (default: SQLite in a temp dir)")
	events := flag.Int("events", 2000, "events in the burst")
	emitters := flag.Int("emitters", 4, "goroutines committing burst events")
	paced := flag.Int("paced", 200, "events in the paced phase")
	rate := flag.Int("rate", 50, "events a second in the paced phase")
	workers := flag.Int("workers", 8, "job workers (QUORUM_WORKERS)")
	concurrency := flag.Int("concurrency", 4, "deliveries in flight per subscription (QUORUM_WEBHOOK_CONCURRENCY)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	stopProfile := func() {}
	if *cpuProfile != "" {
		stop, err := benchkit.StartCPUProfile(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		stopProfile = stop
	}
	defer stopProfile()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := run(ctx, *dbURL, *events, *emitters, *paced, *rate, *workers, *concurrency); err != nil {
		log.Printf("bench/webhooks: %v", err)
		cancel()
		stopProfile()
		os.Exit(1)
	}
}

// receiver records when each event first arrives and keeps the bodies.
type receiver struct {
	mu      sync.Mutex
	arrived map[string]time.Time
	bodies  [][]byte
	n       atomic.Int64
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	now := time.Now()
	var env struct {
		EventID string `json:"event_id"`
	}
	_ = json.Unmarshal(body, &env)
	r.mu.Lock()
	if _, ok := r.arrived[env.EventID]; !ok {
		r.arrived[env.EventID] = now
		r.bodies = append(r.bodies, body)
	}
	r.mu.Unlock()
	r.n.Add(1)
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) has(n int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.arrived) >= n
}

func run(ctx context.Context, adminURL string, nEvents, emitters, nPaced, rate, workers, concurrency int) error {
	tmp, err := os.MkdirTemp("", "quorum-bench-webhooks-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	dbURL := "sqlite://" + filepath.Join(tmp, "quorum.db")
	backend := "sqlite"
	if adminURL != "" {
		backend = "postgres"
		server, err := url.Parse(adminURL)
		if err != nil {
			return fmt.Errorf("-database-url: %w", err)
		}
		var drop func() error
		if dbURL, drop, err = benchkit.CreateDatabase(ctx, server, benchkit.UniqueName("quorum_bench_webhooks")); err != nil {
			return err
		}
		defer func() { _ = drop() }()
	}

	rcv := &receiver{arrived: map[string]time.Time{}}
	rcvURL, stopReceiver, err := benchkit.Serve(&http.Server{Handler: rcv})
	if err != nil {
		return err
	}
	defer stopReceiver()

	key := make([]byte, 32)
	_, _ = rand.Read(key)
	cfg, _, err := config.Load([]string{"--database-url", dbURL, "--data-dir", filepath.Join(tmp, "data"), "--workers", fmt.Sprint(workers),
		"--allow-private-urls", "--secret-key", base64.StdEncoding.EncodeToString(key),
		"--webhook-concurrency", fmt.Sprint(concurrency)}, nil, io.Discard)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Close(cctx)
	}()
	if err := a.Start(ctx); err != nil {
		return err
	}
	org, err := a.Identities.CreateOrg(ctx, "Bench")
	if err != nil {
		return err
	}
	ap, _, err := a.Identities.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "Bench", RedirectURIs: []string{"https://example.com/cb"}})
	if err != nil {
		return err
	}
	hook := rcvURL + "/hook"
	if _, err := a.Identities.UpdateApp(ctx, ap.ID, identity.AppPatch{WebhookURL: &hook}); err != nil {
		return err
	}

	committed := sync.Map{} // event id -> commit time
	emit := func(i int) error {
		ev := event.Event{ID: newID(), Type: event.MeetingCreated, OrgID: org.ID, Data: &event.Meeting{MeetingID: newID(),
			Title: fmt.Sprintf("Weekly planning %d", i), CreatedByUserID: "bench-user", CreatedAt: time.Now().UTC()}}
		err := a.Jobs.Tx(ctx, func(tx *jobs.Tx) error { return a.Webhooks.Emit(ctx, tx, ev) })
		committed.Store(ev.ID, time.Now())
		return err
	}
	wait := func(n int) error {
		for !rcv.has(n) {
			if ctx.Err() != nil {
				return fmt.Errorf("only %d of %d events arrived", len(rcv.arrived), n)
			}
			time.Sleep(2 * time.Millisecond)
		}
		return nil
	}
	delays := func(from int) []time.Duration {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		var out []time.Duration
		committed.Range(func(k, v any) bool {
			if at, ok := rcv.arrived[k.(string)]; ok {
				out = append(out, at.Sub(v.(time.Time)))
			}
			return true
		})
		committed.Clear()
		return out
	}

	// Warm up (connections, statements, leadership) with a few events.
	for i := range 20 {
		if err := emit(i); err != nil {
			return err
		}
	}
	if err := wait(20); err != nil {
		return err
	}
	delays(0)
	rcv.mu.Lock()
	rcv.bodies = nil
	rcv.mu.Unlock()

	// Burst.
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, emitters)
	for range emitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > nEvents {
					return
				}
				if err := emit(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	emitted := time.Since(start)
	select {
	case err := <-errs:
		return err
	default:
	}
	if err := wait(20 + nEvents); err != nil {
		return err
	}
	burst := time.Since(start)
	burstDelays := delays(0)
	rcv.mu.Lock()
	bodies := rcv.bodies
	rcv.mu.Unlock()

	// Paced.
	tick := time.NewTicker(time.Second / time.Duration(rate))
	for i := range nPaced {
		<-tick.C
		if err := emit(nEvents + 100 + i); err != nil {
			return err
		}
	}
	tick.Stop()
	if err := wait(20 + nEvents + nPaced); err != nil {
		return err
	}
	pacedDelays := delays(0)

	// Bare loop: the same bodies, the same receiver, as many keep-alive
	// clients as Quorum may use for one subscription.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	bareStart := time.Now()
	var idx atomic.Int64
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(idx.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				resp, err := client.Post(hook, "application/json", bytes.NewReader(bodies[i]))
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	bare := time.Since(bareStart)

	fmt.Printf("bench/webhooks: %s, %d CPUs, %d job workers, %d deliveries in flight per subscription\n",
		backend, runtime.NumCPU(), workers, concurrency)
	fmt.Printf("%-34s %12s %10s %10s\n", "", "deliveries/s", "p50", "p99")
	fmt.Printf("%-34s %12.0f %10s %10s\n", fmt.Sprintf("quorum burst of %d (%d emitters)", nEvents, emitters),
		float64(nEvents)/burst.Seconds(), pct(burstDelays, 50), pct(burstDelays, 99))
	fmt.Printf("%-34s %12.0f %10s %10s\n", fmt.Sprintf("quorum paced, %d at %d/s", nPaced, rate), float64(rate),
		pct(pacedDelays, 50), pct(pacedDelays, 99))
	fmt.Printf("%-34s %12.0f %10s %10s\n", fmt.Sprintf("bare Go loop, %d clients", concurrency),
		float64(len(bodies))/bare.Seconds(), "", "")
	fmt.Printf("burst commits took %s (%.0f events/s); quorum reached %.1f%% of the bare loop's rate; receiver saw %d requests for %d events\n",
		emitted.Round(time.Millisecond), float64(nEvents)/emitted.Seconds(),
		100*(float64(nEvents)/burst.Seconds())/(float64(len(bodies))/bare.Seconds()), rcv.n.Load()-int64(len(bodies)), 20+nEvents+nPaced)
	return nil
}

func pct(d []time.Duration, p int) string {
	if len(d) == 0 {
		return "-"
	}
	return benchkit.Percentile(d, p).Round(100 * time.Microsecond).String()
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
