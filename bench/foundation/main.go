// Command foundation measures the foundation's numbers in one run, so the
// ratios are comparable on a noisy machine: POST /oauth2/token
// (client_credentials) throughput against a bare net/http handler serving a
// body of the same size, and, given a built binary, cold start to ready.
//
//	go build -o /tmp/quorum ./cmd/quorum
//	go run ./bench/foundation -binary /tmp/quorum
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/quorumhq/quorum/bench/internal/benchkit"
	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/identity"
)

func main() {
	binary := flag.String("binary", "", "built quorum binary, for the cold-start measurement")
	duration := flag.Duration("duration", 3*time.Second, "length of each throughput round")
	rounds := flag.Int("rounds", 3, "alternating rounds per target")
	workers := flag.Int("concurrency", 16, "concurrent clients")
	dbURL := flag.String("database-url", "", "database for the token benchmark (default: SQLite in a temp dir)")
	flag.Parse()

	if *binary != "" {
		if fi, err := os.Stat(*binary); err == nil {
			fmt.Printf("binary size: %.1f MB\n", float64(fi.Size())/(1<<20))
		}
		coldStart(*binary)
	}
	tokenThroughput(*dbURL, *duration, *rounds, *workers)
}

// coldStart starts the binary on a fresh data dir five times and reports
// the time from exec to the first 200 from /readyz.
func coldStart(binary string) {
	var samples []time.Duration
	for i := 0; i < 5; i++ {
		dir, err := os.MkdirTemp("", "quorum-cold-*")
		if err != nil {
			log.Fatal(err)
		}
		addr, err := benchkit.FreeAddr()
		if err != nil {
			log.Fatal(err)
		}
		cmd := exec.Command(binary, "serve")
		cmd.Env = append(os.Environ(), "QUORUM_ADDR="+addr, "QUORUM_DATA_DIR="+filepath.Join(dir, "data"), "QUORUM_LOG_LEVEL=warn")
		start := time.Now()
		if err := cmd.Start(); err != nil {
			log.Fatal(err)
		}
		deadline := start.Add(30 * time.Second)
		for time.Now().Before(deadline) {
			resp, err := http.Get("http://" + addr + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					samples = append(samples, time.Since(start))
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		os.RemoveAll(dir)
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	if len(samples) == 0 {
		log.Fatal("server never became ready")
	}
	fmt.Printf("cold start to ready (fresh SQLite, migrations included): median %d ms, min %d ms, max %d ms over %d runs\n",
		samples[len(samples)/2].Milliseconds(), samples[0].Milliseconds(), samples[len(samples)-1].Milliseconds(), len(samples))
}

func tokenThroughput(dbURL string, d time.Duration, rounds, workers int) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "quorum-bench-*")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if dbURL == "" {
		dbURL = "sqlite://" + filepath.Join(dir, "q.db")
	}
	cfg, _, err := config.Load([]string{"--data-dir", dir, "--database-url", dbURL}, nil, io.Discard)
	if err != nil {
		log.Fatal(err)
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close(ctx)
	org, err := a.Identities.CreateOrg(ctx, "Bench")
	if err != nil {
		log.Fatal(err)
	}
	ap, creds, err := a.Identities.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "Bench", RedirectURIs: []string{"http://127.0.0.1/cb"}})
	if err != nil {
		log.Fatal(err)
	}
	quorum := httptest.NewServer(a.Handler())
	defer quorum.Close()

	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"meetings:read"}}.Encode()
	send := func(base string) func() (int, error) {
		return func() (int, error) {
			req, _ := http.NewRequest(http.MethodPost, base+"/oauth2/token", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(ap.ClientID, creds.ClientSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			n, _ := io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != 200 {
				return 0, fmt.Errorf("status %d", resp.StatusCode)
			}
			return int(n), nil
		}
	}
	// The baseline answers with a body as long as Quorum's, so the ratio
	// measures Quorum's work rather than bytes on the wire.
	n, err := send(quorum.URL)()
	if err != nil {
		log.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"pad": strings.Repeat("x", max(0, n-10))})
	replay := &benchkit.Replay{}
	replay.Set(benchkit.Response{Status: http.StatusOK, ContentType: "application/json", Body: body})
	// Served like Quorum, by httptest, so that the two differ only in the
	// handler.
	bare := httptest.NewServer(replay)
	defer bare.Close()
	http.DefaultTransport.(*http.Transport).MaxIdleConnsPerHost = workers

	var q, b float64
	for i := 0; i < rounds; i++ {
		b += run(send(bare.URL), d, workers)
		q += run(send(quorum.URL), d, workers)
	}
	q, b = q/float64(rounds), b/float64(rounds)
	fmt.Printf("POST /oauth2/token client_credentials (%s): %.0f req/s\n", a.DB.Dialect, q)
	fmt.Printf("bare net/http handler, same response size: %.0f req/s\n", b)
	fmt.Printf("ratio quorum/bare: %.3f (concurrency %d, %d alternating rounds of %s)\n", q/b, workers, rounds, d)
}

// run calls fn from workers goroutines for d and returns successes/second.
func run(fn func() (int, error), d time.Duration, workers int) float64 {
	r := benchkit.Load(context.Background(), workers, 0, d, func(context.Context) error {
		_, err := fn()
		return err
	})
	if r.Failed > 0 {
		log.Printf("%d failed requests", r.Failed)
	}
	return float64(r.OK) / d.Seconds()
}
