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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/quorumhq/quorum/bench/internal/benchkit"
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

func run(ctx context.Context, cfg config) error {
	var done benchkit.Cleanups
	defer func() {
		if err := done.Run(); err != nil {
			log.Print(err)
		}
	}()

	tmp, err := os.MkdirTemp("", "quorum-bench-api-*")
	if err != nil {
		return err
	}
	done.Add(func() error { return os.RemoveAll(tmp) })

	dbLabel := "sqlite (fresh data dir)"
	env := benchkit.CleanEnv()
	env = append(env, "QUORUM_DATA_DIR="+filepath.Join(tmp, "data"), "QUORUM_LOG_LEVEL=warn")
	if cfg.adminURL != "" {
		server, err := url.Parse(cfg.adminURL)
		if err != nil {
			return fmt.Errorf("-database-url: %w", err)
		}
		name := benchkit.UniqueName("quorum_bench")
		dbURL, drop, err := benchkit.CreateDatabase(ctx, server, name)
		if err != nil {
			return err
		}
		done.Add(drop)
		env = append(env, "QUORUM_DATABASE_URL="+dbURL)
		dbLabel = "postgres (fresh database " + name + ")"
	}

	srv, err := benchkit.Start(ctx, benchkit.ServerConfig{Binary: cfg.binary, Env: env, LogPath: filepath.Join(tmp, "server.log"),
		ReadyTimeout: time.Minute, StopGrace: 15 * time.Second})
	if err != nil {
		return err
	}
	done.Add(func() error { srv.Stop(); return nil })
	// The admin CLI reads the same settings as the server.
	env = append(env, "QUORUM_ADDR="+srv.Addr)

	f, err := provision(ctx, cfg.binary, env, srv.URL)
	if err != nil {
		return srv.WithLog(err)
	}

	bare := &benchkit.Replay{}
	bareURL, stopBare, err := benchkit.Serve(&http.Server{Handler: bare, ReadHeaderTimeout: 10 * time.Second})
	if err != nil {
		return err
	}
	done.Add(func() error { stopBare(); return nil })

	warmup := min(time.Second, cfg.duration/5)
	fmt.Printf("bench/api: binary %s\n", cfg.binary)
	fmt.Printf("settings: %d cores (GOMAXPROCS %d), database %s, %s per target in %d alternating rounds (bare first) after %s warm-up, concurrency %d, keep-alive\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), dbLabel, cfg.duration, cfg.rounds, warmup, cfg.workers)
	if load, err := benchkit.LoadAverage(); err == nil {
		fmt.Printf("load average at start: %s\n", load)
	}
	fmt.Println("bare: a net/http handler on another port answering the captured Quorum response byte for byte")
	fmt.Println()
	fmt.Printf("%-42s %12s %9s %9s %12s %8s\n", "endpoint", "quorum req/s", "p50", "p99", "bare req/s", "ratio")

	for _, ep := range endpoints {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped before %s: %w", ep.name, context.Cause(ctx))
		}
		row, err := measureEndpoint(ctx, cfg, ep, f, srv.URL, bare, bareURL, warmup)
		if err != nil {
			return srv.WithLog(fmt.Errorf("%s: %w", ep.name, err))
		}
		fmt.Println(row)
		if !srv.Alive() {
			return srv.WithLog(fmt.Errorf("the server exited during %s", ep.name))
		}
	}
	return nil
}

// measureEndpoint measures ep on Quorum at base and on the bare server at
// bareURL, which bare makes replay Quorum's answer to it.
func measureEndpoint(ctx context.Context, cfg config, ep endpoint, f *fixture, base string, bare *benchkit.Replay, bareURL string,
	warmup time.Duration) (string, error) {
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
	if captured.Status == http.StatusNotFound || captured.Status == http.StatusMethodNotAllowed {
		return fmt.Sprintf("%-42s %12s", ep.name, "n/a (not served)"), nil
	}
	if captured.Status >= 300 {
		return "", fmt.Errorf("answered %d: %s", captured.Status, benchkit.Clip(captured.Body, 300))
	}
	bare.Set(captured)

	// Rounds alternate so that load from outside, or from Quorum's own
	// background work, falls on both targets alike.
	bareClient := newClient(cfg.workers)
	defer bareClient.CloseIdleConnections()
	var q, b benchkit.Result
	for i := 0; i < cfg.rounds; i++ {
		br, err := measure(ctx, bareClient, func() (*http.Request, error) { return ep.build(bareURL, f) }, captured.Status, cfg, warmup)
		if err != nil {
			return "", err
		}
		qr, err := measure(ctx, client, func() (*http.Request, error) { return ep.build(base, f) }, captured.Status, cfg, warmup)
		if err != nil {
			return "", err
		}
		b.Add(br)
		q.Add(qr)
	}
	p50, p99 := benchkit.Percentile(q.Latencies, 50), benchkit.Percentile(q.Latencies, 99)
	row := fmt.Sprintf("%-42s %12.0f %9s %9s %12.0f %8.3f", ep.name, q.Rate(), ms(p50), ms(p99), b.Rate(), q.Rate()/b.Rate())
	if q.Failed > 0 || b.Failed > 0 {
		row += fmt.Sprintf("   (failed: quorum %d, bare %d)", q.Failed, b.Failed)
	}
	return row, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// newClient is the client for one target; it does not follow redirects,
// so that a redirect is measured as the answer it is.
func newClient(workers int) *http.Client {
	c := benchkit.NewClient(workers, 30*time.Second)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func capture(c *http.Client, req *http.Request) (benchkit.Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return benchkit.Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return benchkit.Response{}, err
	}
	return benchkit.Response{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: body}, nil
}

// measure runs cfg.workers loops for a warm-up and then one round's share
// of cfg.duration, counting answers with the wanted status. A request that
// cannot be built ends the measurement with that error.
func measure(ctx context.Context, c *http.Client, build func() (*http.Request, error), want int, cfg config, warmup time.Duration) (benchkit.Result, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	do := func(ctx context.Context) error {
		req, err := build()
		if err != nil {
			cancel(err)
			return err
		}
		resp, err := c.Do(req.WithContext(ctx))
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			return fmt.Errorf("answered %d, not %d", resp.StatusCode, want)
		}
		return nil
	}
	// The warm-up only opens the connections and warms what the server
	// caches; its counts are dropped.
	benchkit.Load(ctx, cfg.workers, 0, warmup, do)
	if ctx.Err() != nil {
		return benchkit.Result{}, context.Cause(ctx)
	}
	r := benchkit.Load(ctx, cfg.workers, 0, cfg.duration/time.Duration(cfg.rounds), do)
	if ctx.Err() != nil {
		return benchkit.Result{}, context.Cause(ctx)
	}
	return r, nil
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
		if r.Status == http.StatusNotFound {
			return fmt.Errorf("POST %s: %w", path, errNotServed)
		}
		if r.Status >= 300 {
			return fmt.Errorf("POST %s: %d %s", path, r.Status, benchkit.Clip(r.Body, 300))
		}
		return json.Unmarshal(r.Body, out)
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
