// Command api measures the request path of a built quorum binary against
// the ceiling of this machine: for each endpoint it captures one real
// response, then measures Quorum and a bare net/http handler replaying
// exactly those bytes, with the same keep-alive clients, in the same run,
// and prints the ratio.
//
//	go build -o /tmp/quorum ./cmd/quorum
//	go run ./bench/api -binary /tmp/quorum
//	go run ./bench/api -binary /tmp/quorum -database-url 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
//	go run ./bench/api -binary /tmp/quorum -only /v1/partner/user/
//
// It builds nothing. The server runs on a free port with a fresh SQLite
// data dir, or a fresh PostgreSQL database created on the given server
// (the URL names the server to connect to for CREATE/DROP DATABASE) and
// dropped at the end; the organization, user, app and tokens come from the
// binary's own admin CLI. Everything it starts or creates is removed on
// exit, on error and on interrupt.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	binary := flag.String("binary", "", "built quorum binary to measure (required)")
	dbURL := flag.String("database-url", "", "PostgreSQL server to create a fresh database on (default: SQLite in a temp dir)")
	duration := flag.Duration("duration", 5*time.Second, "measured time per endpoint and target")
	rounds := flag.Int("rounds", 2, "alternating bare/quorum rounds the measured time is split into")
	workers := flag.Int("concurrency", 16, "concurrent keep-alive clients")
	timeout := flag.Duration("timeout", 0, "bound on the whole run (default: 3 minutes plus twice the measured time)")
	only := flag.String("only", "", "measure only the endpoints whose name contains this text")
	flag.Parse()
	if *only != "" {
		var kept []endpoint
		for _, ep := range endpoints {
			if strings.Contains(ep.name, *only) {
				kept = append(kept, ep)
			}
		}
		endpoints = kept
	}
	if *binary == "" || *workers < 1 || *duration <= 0 || *rounds < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if *timeout == 0 {
		// Setup, then each endpoint's two targets measured and warmed up
		// every round, with room to spare.
		*timeout = 3*time.Minute + time.Duration(len(endpoints)*2)*(2**duration+time.Duration(*rounds)*time.Second)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	err := run(ctx, config{binary: *binary, adminURL: *dbURL, duration: *duration, rounds: *rounds, workers: *workers})
	cancel()
	stop()
	if err != nil {
		log.Printf("bench/api: %v", err)
		os.Exit(1)
	}
}

type config struct {
	binary, adminURL string
	duration         time.Duration
	rounds, workers  int
}

// endpoint is one measured request. build returns a fresh request for the
// given base URL; the fixture is filled in before any is built.
type endpoint struct {
	name  string
	build func(base string, f *fixture) (*http.Request, error)
}

type fixture struct {
	accessToken, cloudToken, clientID, clientSecret, meetingID string
	// partnerMeetingID is a meeting created through the Partner user API.
	partnerMeetingID string
}

var endpoints = []endpoint{
	{"GET /v1/partner/user/profile", func(base string, f *fixture) (*http.Request, error) {
		return request(http.MethodGet, base+"/v1/partner/user/profile", "", nil, "Bearer "+f.accessToken)
	}},
	{"GET /cloud/v1/meetings/{id}", func(base string, f *fixture) (*http.Request, error) {
		return request(http.MethodGet, base+"/cloud/v1/meetings/"+f.meetingID, "", nil, "Bearer "+f.cloudToken)
	}},
	{"POST /oauth2/token (client_credentials)", func(base string, f *fixture) (*http.Request, error) {
		r, err := request(http.MethodPost, base+"/oauth2/token", "application/x-www-form-urlencoded",
			[]byte("grant_type=client_credentials&scope=meetings%3Aread"), "")
		if err == nil {
			r.SetBasicAuth(f.clientID, f.clientSecret)
		}
		return r, err
	}},
	{"POST /cloud/v1/meetings (3 segments)", func(base string, f *fixture) (*http.Request, error) {
		return request(http.MethodPost, base+"/cloud/v1/meetings", "application/json", smallMeeting, "Bearer "+f.cloudToken)
	}},
	{"GET /cloud/v1/meetings?limit=25", func(base string, f *fixture) (*http.Request, error) {
		return request(http.MethodGet, base+"/cloud/v1/meetings?limit=25", "", nil, "Bearer "+f.cloudToken)
	}},
	{"GET /v1/partner/user/meetings (25 items)", func(base string, f *fixture) (*http.Request, error) {
		return request(http.MethodGet, base+"/v1/partner/user/meetings?limit=25", "", nil, "Bearer "+f.accessToken)
	}},
	{"GET /v1/partner/user/meetings/{id}", func(base string, f *fixture) (*http.Request, error) {
		return request(http.MethodGet, base+"/v1/partner/user/meetings/"+f.partnerMeetingID, "", nil, "Bearer "+f.accessToken)
	}},
	{"POST /v1/partner/user/action-items", func(base string, f *fixture) (*http.Request, error) {
		body := []byte(`{"meeting_id":"` + f.partnerMeetingID + `","title":"Send the summary to the customers","due_date":"2031-04-01"}`)
		return request(http.MethodPost, base+"/v1/partner/user/action-items", "application/json", body, "Bearer "+f.accessToken)
	}},
}

var smallMeeting = []byte(`{"title":"Bench sync","segments":[` +
	`{"speaker":"Ann","text":"The launch moves to March.","start":0,"end":4},` +
	`{"speaker":"Raj","text":"I will update the plan by Friday.","start":4,"end":9},` +
	`{"speaker":"Ann","text":"Good, then we tell the customers next week.","start":9,"end":14}]}`)

func request(method, u, ctype string, body []byte, auth string) (*http.Request, error) {
	r, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r, nil
}

// cleanups run in reverse order, once, whatever happens.
type cleanups struct{ fns []func() }

func (c *cleanups) add(fn func()) { c.fns = append(c.fns, fn) }
func (c *cleanups) run() {
	for i := len(c.fns) - 1; i >= 0; i-- {
		c.fns[i]()
	}
	c.fns = nil
}

func run(ctx context.Context, cfg config) (err error) {
	var done cleanups
	defer done.run()

	tmp, err := os.MkdirTemp("", "quorum-bench-api-*")
	if err != nil {
		return err
	}
	done.add(func() { os.RemoveAll(tmp) })

	dbLabel := "sqlite (fresh data dir)"
	env := cleanEnv()
	env = append(env, "QUORUM_DATA_DIR="+filepath.Join(tmp, "data"), "QUORUM_LOG_LEVEL=warn")
	if cfg.adminURL != "" {
		dbURL, drop, err := createDatabase(ctx, cfg.adminURL)
		if err != nil {
			return err
		}
		done.add(drop)
		env = append(env, "QUORUM_DATABASE_URL="+dbURL)
		dbLabel = "postgres (fresh database " + strings.TrimPrefix(mustURL(dbURL).Path, "/") + ")"
	}

	srv, err := startServer(ctx, cfg.binary, env, tmp)
	if err != nil {
		return err
	}
	done.add(srv.stop)
	// The admin CLI reads the same settings as the server.
	env = append(env, "QUORUM_ADDR="+srv.addr)

	f, err := provision(ctx, cfg.binary, env, srv.base)
	if err != nil {
		return fmt.Errorf("%w\nserver log (tail):\n%s", err, tail(srv.logPath, 30))
	}

	bare, err := startBare()
	if err != nil {
		return err
	}
	done.add(bare.stop)

	warmup := min(time.Second, cfg.duration/5)
	fmt.Printf("bench/api: binary %s\n", cfg.binary)
	fmt.Printf("settings: %d cores (GOMAXPROCS %d), database %s, %s per target in %d alternating rounds (bare first) after %s warm-up, concurrency %d, keep-alive\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), dbLabel, cfg.duration, cfg.rounds, warmup, cfg.workers)
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Printf("load average at start: %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	fmt.Println("bare: a net/http handler on another port answering the captured Quorum response byte for byte")
	fmt.Println()
	fmt.Printf("%-42s %12s %9s %9s %12s %8s\n", "endpoint", "quorum req/s", "p50", "p99", "bare req/s", "ratio")

	for _, ep := range endpoints {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped before %s: %w", ep.name, context.Cause(ctx))
		}
		row, err := measureEndpoint(ctx, cfg, ep, f, srv.base, bare, warmup)
		if err != nil {
			return fmt.Errorf("%s: %w\nserver log (tail):\n%s", ep.name, err, tail(srv.logPath, 30))
		}
		fmt.Println(row)
		if !srv.alive() {
			return fmt.Errorf("the server exited during %s\nserver log (tail):\n%s", ep.name, tail(srv.logPath, 30))
		}
	}
	return nil
}

func measureEndpoint(ctx context.Context, cfg config, ep endpoint, f *fixture, base string, bare *bareServer, warmup time.Duration) (string, error) {
	client := newClient(cfg.workers)
	defer client.CloseIdleConnections()
	req, err := ep.build(base, f)
	if err != nil {
		return "", err
	}
	captured, err := capture(client, req)
	if err != nil {
		return "", err
	}
	if captured.status == http.StatusNotFound || captured.status == http.StatusMethodNotAllowed {
		return fmt.Sprintf("%-42s %12s", ep.name, "n/a (not served)"), nil
	}
	if captured.status >= 300 {
		return "", fmt.Errorf("answered %d: %s", captured.status, clip(captured.body, 300))
	}
	bare.serve(captured)

	// Rounds alternate so that load from outside, or from Quorum's own
	// background work, falls on both targets alike.
	bareClient := newClient(cfg.workers)
	defer bareClient.CloseIdleConnections()
	var q, b result
	for i := 0; i < cfg.rounds; i++ {
		br, err := measure(ctx, bareClient, func() (*http.Request, error) { return ep.build(bare.base, f) }, captured.status, cfg, warmup)
		if err != nil {
			return "", err
		}
		qr, err := measure(ctx, client, func() (*http.Request, error) { return ep.build(base, f) }, captured.status, cfg, warmup)
		if err != nil {
			return "", err
		}
		b.add(br)
		q.add(qr)
	}
	q.finish()
	b.finish()
	row := fmt.Sprintf("%-42s %12.0f %9s %9s %12.0f %8.3f", ep.name, q.rate, ms(q.p50), ms(q.p99), b.rate, q.rate/b.rate)
	if q.failed > 0 || b.failed > 0 {
		row += fmt.Sprintf("   (failed: quorum %d, bare %d)", q.failed, b.failed)
	}
	return row, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// newClient is the client for one target: keep-alive connections, one per
// concurrent worker, no compression (the bare replay serves raw bytes).
func newClient(workers int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: workers * 2, MaxIdleConnsPerHost: workers, MaxConnsPerHost: 0,
			IdleConnTimeout: 90 * time.Second, DisableCompression: true,
			DialContext: (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type response struct {
	status int
	ctype  string
	body   []byte
}

func capture(c *http.Client, req *http.Request) (response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: body}, nil
}

type result struct {
	ok, failed int64
	elapsed    time.Duration
	latencies  []time.Duration

	rate     float64
	p50, p99 time.Duration
}

func (r *result) add(o result) {
	r.ok += o.ok
	r.failed += o.failed
	r.elapsed += o.elapsed
	r.latencies = append(r.latencies, o.latencies...)
}

func (r *result) finish() {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	if r.elapsed > 0 {
		r.rate = float64(r.ok) / r.elapsed.Seconds()
	}
	if n := len(r.latencies); n > 0 {
		r.p50 = r.latencies[n/2]
		r.p99 = r.latencies[min(n-1, n*99/100)]
	}
}

// measure runs cfg.workers loops for a warm-up and then one round's share
// of cfg.duration, counting answers with the wanted status.
func measure(ctx context.Context, c *http.Client, build func() (*http.Request, error), want int, cfg config, warmup time.Duration) (result, error) {
	loop := func(until time.Time, record bool) ([][]time.Duration, int64, int64, error) {
		lat := make([][]time.Duration, cfg.workers)
		var ok, failed atomic.Int64
		var firstErr atomic.Value
		var wg sync.WaitGroup
		for w := 0; w < cfg.workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil && time.Now().Before(until) {
					req, err := build()
					if err != nil {
						firstErr.CompareAndSwap(nil, err)
						return
					}
					start := time.Now()
					resp, err := c.Do(req.WithContext(ctx))
					if err != nil {
						failed.Add(1)
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != want {
						failed.Add(1)
						continue
					}
					ok.Add(1)
					if record {
						lat[w] = append(lat[w], time.Since(start))
					}
				}
			}()
		}
		wg.Wait()
		if err, _ := firstErr.Load().(error); err != nil {
			return nil, 0, 0, err
		}
		return lat, ok.Load(), failed.Load(), nil
	}
	if _, _, _, err := loop(time.Now().Add(warmup), false); err != nil {
		return result{}, err
	}
	start := time.Now()
	lat, ok, failed, err := loop(start.Add(cfg.duration/time.Duration(cfg.rounds)), true)
	if err != nil {
		return result{}, err
	}
	if err := ctx.Err(); err != nil {
		return result{}, context.Cause(ctx)
	}
	r := result{ok: ok, failed: failed, elapsed: time.Since(start)}
	for _, l := range lat {
		r.latencies = append(r.latencies, l...)
	}
	return r, nil
}

// ---- the bare ceiling ----

type bareServer struct {
	base string
	srv  *http.Server
	cur  atomic.Pointer[response]
}

func startBare() (*bareServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &bareServer{base: "http://" + ln.Addr().String()}
	b.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		resp := b.cur.Load()
		if resp.ctype != "" {
			w.Header().Set("Content-Type", resp.ctype)
		}
		w.WriteHeader(resp.status)
		_, _ = w.Write(resp.body)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

func (b *bareServer) serve(r response) { b.cur.Store(&r) }

func (b *bareServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.srv.Shutdown(ctx)
}

// ---- the quorum server ----

type server struct {
	addr, base, logPath string
	cmd                 *exec.Cmd
	exited              chan struct{}
}

// cleanEnv is the environment without QUORUM_* settings, so a leaked
// setting cannot change what is measured.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QUORUM_") {
			out = append(out, kv)
		}
	}
	return out
}

func startServer(ctx context.Context, binary string, env []string, tmp string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{addr: addr, base: "http://" + addr, logPath: filepath.Join(tmp, "server.log"), exited: make(chan struct{})}
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(binary, "serve")
	s.cmd.Env = append(env, "QUORUM_ADDR="+addr, "QUORUM_PUBLIC_URL="+s.base)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	go func() {
		_ = s.cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("the server exited before it was ready\nserver log (tail):\n%s", tail(s.logPath, 30))
		case <-ctx.Done():
			s.stop()
			return nil, context.Cause(ctx)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("the server was not ready after 60s\nserver log (tail):\n%s", tail(s.logPath, 30))
		}
	}
}

func (s *server) alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// stop asks the server to stop and kills it if it has not within 15s.
func (s *server) stop() {
	if !s.alive() {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// ---- provisioning through the admin CLI ----

func provision(ctx context.Context, binary string, env []string, base string) (*fixture, error) {
	admin := func(args ...string) (map[string]any, error) {
		cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(cctx, binary, append(append([]string{"admin"}, args...), "--json")...)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("quorum admin %s: %w: %s", strings.Join(args, " "), err, stderr.String())
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			return nil, fmt.Errorf("quorum admin %s: %w: %s", strings.Join(args, " "), err, out)
		}
		return m, nil
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }

	const email = "bench@example.com"
	org, err := admin("org", "create", "--name", "Bench")
	if err != nil {
		return nil, err
	}
	orgRef := fmt.Sprint(org["id"])
	if _, err := admin("user", "create", "--org", orgRef, "--email", email, "--name", "Bench User", "--password", "a long bench password"); err != nil {
		return nil, err
	}
	app, err := admin("app", "create", "--org", orgRef, "--name", "Bench", "--redirect-uri", "http://127.0.0.1:9/callback")
	if err != nil {
		return nil, err
	}
	f := &fixture{clientID: str(app, "client_id"), clientSecret: str(app, "client_secret")}
	tok, err := admin("token", "create", "--client-id", f.clientID, "--user", email, "--scope", "profile", "--scope", "meetings:read",
		"--scope", "meetings:write", "--scope", "action-items:write")
	if err != nil {
		return nil, err
	}
	f.accessToken = str(tok, "access_token")
	if f.clientID == "" || f.clientSecret == "" || f.accessToken == "" || str(app, "cloud_api_key") == "" {
		return nil, fmt.Errorf("admin CLI output lacks credentials: app %v, token %v", app, tok)
	}

	c := newClient(1)
	defer c.CloseIdleConnections()
	post := func(path, auth string, body any, out any) error {
		b, _ := json.Marshal(body)
		req, err := request(http.MethodPost, base+path, "application/json", b, auth)
		if err != nil {
			return err
		}
		r, err := capture(c, req.WithContext(ctx))
		if err != nil {
			return err
		}
		if r.status == http.StatusNotFound {
			return fmt.Errorf("POST %s: %w", path, errNotServed)
		}
		if r.status >= 300 {
			return fmt.Errorf("POST %s: %d %s", path, r.status, clip(r.body, 300))
		}
		return json.Unmarshal(r.body, out)
	}
	var ct struct {
		CloudToken string `json:"cloudToken"`
	}
	if err := post("/cloud/v1/cloud-token", "Bearer "+str(app, "cloud_api_key"), map[string]string{"userId": email}, &ct); err != nil {
		return nil, err
	}
	f.cloudToken = ct.CloudToken

	type segment struct {
		Speaker string  `json:"speaker"`
		Text    string  `json:"text"`
		Start   float64 `json:"start"`
		End     float64 `json:"end"`
	}
	speakers := []string{"Ann", "Raj", "Lee", "Mia"}
	lines := []string{"The launch moves to March.", "I will update the plan by Friday.", "Budget review is next week.",
		"We agreed to ship the beta to five customers.", "Risks: the vendor contract and hiring.", "Let us decide on pricing."}
	for i, n := range []int{100, 3, 10, 25, 5} {
		segs := make([]segment, n)
		for j := range segs {
			segs[j] = segment{Speaker: speakers[j%len(speakers)], Text: lines[(i+j)%len(lines)], Start: float64(j * 5), End: float64(j*5 + 4)}
		}
		var m struct {
			ID string `json:"id"`
		}
		if err := post("/cloud/v1/meetings", "Bearer "+f.cloudToken, map[string]any{"title": fmt.Sprintf("Bench meeting %d", i+1), "segments": segs}, &m); err != nil {
			return nil, err
		}
		if i == 0 {
			f.meetingID = m.ID
		}
	}
	// Planned meetings of the Partner API, more than a page of 25 of them;
	// each has a time, a detail level and its creator as a participant. An
	// older binary without that API measures the rest (its rows read n/a).
	for i := range 30 {
		var m struct {
			ID string `json:"id"`
		}
		body := map[string]any{"title": fmt.Sprintf("Partner meeting %d", i+1), "start_time": "2031-03-02T15:00:00Z",
			"end_time": "2031-03-02T16:00:00Z", "detail_level": "STANDARD"}
		err := post("/v1/partner/user/meetings", "Bearer "+f.accessToken, body, &m)
		if errors.Is(err, errNotServed) {
			break
		}
		if err != nil {
			return nil, err
		}
		f.partnerMeetingID = m.ID
	}
	return f, nil
}

// errNotServed marks a route the measured binary does not have.
var errNotServed = errors.New("not served by this binary")

// ---- PostgreSQL ----

// createDatabase creates a uniquely named database on the server of
// adminURL and returns its URL and a function that drops it.
func createDatabase(ctx context.Context, adminURL string) (string, func(), error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("-database-url: %w", err)
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := fmt.Sprintf("quorum_bench_%d_%s", os.Getpid(), hex.EncodeToString(suffix))
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	defer conn.Close(cctx)
	if _, err := conn.Exec(cctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err == nil {
			defer conn.Close(ctx)
			_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}
		if err != nil {
			log.Printf("drop database %s: %v", name, err)
		}
	}
	db := *u
	db.Path = "/" + name
	return db.String(), drop, nil
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		return &url.URL{}
	}
	return u
}

// ---- output helpers ----

func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

func clip(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
