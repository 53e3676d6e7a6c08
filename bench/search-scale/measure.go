package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/quorumhq/quorum/internal/eval"
	"github.com/quorumhq/quorum/internal/search"
)

// ---- the quorum server ----

type server struct {
	base   string
	cmd    *exec.Cmd
	exited chan struct{}
}

// startServer execs "quorum serve" on the manifest's database and returns
// once /readyz answers 200, with the time from exec to that answer.
func startServer(ctx context.Context, o options, m *manifest, logPath string) (*server, time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	s := &server{base: "http://" + addr, exited: make(chan struct{})}
	s.cmd = exec.Command(o.binary, "serve")
	// QUORUM_WORKERS=0 (the default of -server-workers) runs the server
	// insert-only: no background job competes with the searches measured.
	s.cmd.Env = append(cleanEnv(), "QUORUM_ADDR="+addr, "QUORUM_PUBLIC_URL="+s.base, "QUORUM_DATA_DIR="+m.DataDir,
		"QUORUM_DATABASE_URL="+m.DatabaseURL, "QUORUM_LOG_LEVEL=warn", "QUORUM_WORKERS="+strconv.Itoa(o.serverWorkers))
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return nil, 0, fmt.Errorf("start %s: %w", o.binary, err)
	}
	go func() {
		_ = s.cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	probe := &http.Client{Timeout: 5 * time.Second}
	deadline := start.Add(o.readyTimeout)
	for {
		resp, err := probe.Get(s.base + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, time.Since(start), nil
			}
		}
		select {
		case <-s.exited:
			return nil, 0, fmt.Errorf("the server exited before it was ready\nserver log (tail):\n%s", tail(logPath, 30))
		case <-ctx.Done():
			s.stop()
			return nil, 0, context.Cause(ctx)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, 0, fmt.Errorf("the server was not ready after %s (see -ready-timeout)\nserver log (tail):\n%s", o.readyTimeout, tail(logPath, 30))
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

// stop asks the server to stop and kills it if it has not within 30s.
func (s *server) stop() {
	if !s.alive() {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// memory reads a field of /proc/<pid>/status (VmRSS, VmHWM) in bytes.
func memory(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse %s of process %d: %w", field, pid, err)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
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

// ---- load ----

// stats are the results of one load run.
type stats struct {
	ok, failed int
	elapsed    time.Duration
	p50, p99   time.Duration
	// lastErr is an example failure, for the report.
	lastErr error
}

func (s stats) rate() float64 {
	if s.elapsed <= 0 {
		return 0
	}
	return float64(s.ok) / s.elapsed.Seconds()
}

// load calls do from clients goroutines until maxRequests calls have
// started (none when maxRequests <= 0) or d has passed, and reports the
// latency of the successful calls.
func load(ctx context.Context, clients, maxRequests int, d time.Duration, do func(context.Context) error) stats {
	var issued, failed atomic.Int64
	var lastErr atomic.Value
	lat := make([][]time.Duration, clients)
	start := time.Now()
	until := start.Add(d)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(until) {
				if maxRequests > 0 && issued.Add(1) > int64(maxRequests) {
					return
				}
				t0 := time.Now()
				if err := do(ctx); err != nil {
					failed.Add(1)
					lastErr.Store(err)
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	s := stats{elapsed: time.Since(start), failed: int(failed.Load())}
	s.lastErr, _ = lastErr.Load().(error)
	all := slices.Concat(lat...)
	slices.Sort(all)
	s.ok = len(all)
	if n := len(all); n > 0 {
		s.p50 = all[n/2]
		s.p99 = all[min(n-1, n*99/100)]
	}
	return s
}

// searcher sends Cloud API searches, rotating through the queries and,
// when scoped, through the meetings, one meeting per request. Its sequence
// continues across runs, so each run asks new combinations.
type searcher struct {
	client  *http.Client
	url     string
	token   string
	queries []string
	// scope holds the meetings to scope requests to; nil searches all of
	// the organization's meetings.
	scope []string
	limit int
	seq   atomic.Int64
	// keep receives each response body when set (the bare server replays
	// them).
	keep func([]byte)
}

type searchBody struct {
	Query      string   `json:"query"`
	MeetingIDs []string `json:"meetingIds,omitempty"`
	Limit      int      `json:"limit,omitempty"`
}

func (s *searcher) do(ctx context.Context) error {
	i := int(s.seq.Add(1) - 1)
	body := searchBody{Query: s.queries[i%len(s.queries)], Limit: s.limit}
	if s.scope != nil {
		body.MeetingIDs = []string{s.scope[i%len(s.scope)]}
	}
	_, err := s.send(ctx, body)
	return err
}

// send posts one search and returns the response body of a 200.
func (s *searcher) send(ctx context.Context, body searchBody) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("search answered %d: %s", resp.StatusCode, clip(out, 200))
	}
	if s.keep != nil {
		s.keep(out)
	}
	return out, nil
}

// checkSearch makes sure, before anything is timed, that a search over
// all meetings finds something and that one scoped to a meeting finds
// that meeting's words and nothing of other meetings.
func checkSearch(ctx context.Context, s *searcher, scopeID, scopeQuery string) error {
	for _, body := range []searchBody{{Query: s.queries[0]}, {Query: scopeQuery, MeetingIDs: []string{scopeID}}} {
		body.Limit = s.limit
		b, err := s.send(ctx, body)
		if err != nil {
			return err
		}
		var res struct {
			Results []struct {
				MeetingID string `json:"meetingId"`
			} `json:"results"`
		}
		if err := json.Unmarshal(b, &res); err != nil {
			return fmt.Errorf("decode search response: %w", err)
		}
		if len(res.Results) == 0 {
			return fmt.Errorf("a search for %q (meetings %v) found nothing: is the corpus indexed?", body.Query, body.MeetingIDs)
		}
		for _, h := range res.Results {
			if len(body.MeetingIDs) > 0 && h.MeetingID != scopeID {
				return fmt.Errorf("a search scoped to meeting %s returned a hit of meeting %s", scopeID, h.MeetingID)
			}
		}
	}
	return nil
}

// newClient is a keep-alive client for clients concurrent workers,
// without compression (the bare server replays raw bytes).
func newClient(clients int) *http.Client {
	return &http.Client{
		Timeout: 2 * time.Minute,
		Transport: &http.Transport{
			MaxIdleConns: 2 * clients, MaxIdleConnsPerHost: clients, IdleConnTimeout: 90 * time.Second, DisableCompression: true,
			DialContext: (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		},
	}
}

// ---- the bare net/http ceiling ----

// bareServer answers every request with the next of the captured Quorum
// search responses, byte for byte: the ceiling of the ratio.
type bareServer struct {
	url    string
	srv    *http.Server
	bodies [][]byte
	next   atomic.Int64
}

func startBare(bodies [][]byte) (*bareServer, error) {
	if len(bodies) == 0 {
		return nil, errors.New("no captured responses to replay")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	b := &bareServer{url: "http://" + ln.Addr().String() + searchPath, bodies: bodies}
	b.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		body := b.bodies[int(b.next.Add(1)-1)%len(b.bodies)]
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

func (b *bareServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.srv.Shutdown(ctx)
}

// ratio is Quorum's search throughput over the bare server's.
type ratio struct {
	quorum, bare float64
}

// measureRatio alternates rounds on the bare server and on Quorum, bare
// first, so that load from outside falls on both alike.
func measureRatio(ctx context.Context, o options, quorum *searcher, bodies [][]byte) (ratio, error) {
	b, err := startBare(bodies)
	if err != nil {
		return ratio{}, err
	}
	defer b.stop()
	bareClient := newClient(o.clients)
	defer bareClient.CloseIdleConnections()
	bare := &searcher{client: bareClient, url: b.url, token: quorum.token, queries: quorum.queries, limit: quorum.limit}
	round := o.ratioDuration / time.Duration(o.ratioRounds)
	var q, r stats
	for range o.ratioRounds {
		br := load(ctx, o.clients, 0, round, bare.do)
		qr := load(ctx, o.clients, 0, round, quorum.do)
		if br.failed > 0 || qr.failed > 0 {
			return ratio{}, fmt.Errorf("failed requests in the ratio rounds: bare %d (%v), quorum %d (%v)", br.failed, br.lastErr, qr.failed, qr.lastErr)
		}
		r.ok, r.elapsed = r.ok+br.ok, r.elapsed+br.elapsed
		q.ok, q.elapsed = q.ok+qr.ok, q.elapsed+qr.elapsed
	}
	if err := ctx.Err(); err != nil {
		return ratio{}, context.Cause(ctx)
	}
	return ratio{quorum: q.rate(), bare: r.rate()}, nil
}

// ---- the BM25-over-turns baseline ----

// baselineResult is the in-process baseline's latency and memory.
type baselineResult struct {
	stats
	rssGrowth int64
}

// measureBaseline builds plain BM25 over single turns (one chunk per
// segment) of the same meetings, in this process, and times the same
// queries over all meetings from one client. eval.Direct with MaxWords 0
// is exactly eval's baseline index.
func measureBaseline(ctx context.Context, o options, c *corpus, ids []string) (baselineResult, error) {
	runtime.GC()
	debug.FreeOSMemory()
	before, err := memory(os.Getpid(), "VmRSS")
	if err != nil {
		return baselineResult{}, err
	}
	d := eval.NewDirect(search.BaselineParams())
	d.MaxWords = 0
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return baselineResult{}, context.Cause(ctx)
		}
		_, segs := c.replica(i)
		if err := d.Import(ctx, id, segs); err != nil {
			return baselineResult{}, fmt.Errorf("baseline: import meeting %s: %w", id, err)
		}
	}
	runtime.GC()
	after, err := memory(os.Getpid(), "VmRSS")
	if err != nil {
		return baselineResult{}, err
	}
	var seq atomic.Int64
	ask := func(ctx context.Context) error {
		q := c.queries[int(seq.Add(1)-1)%len(c.queries)]
		_, err := d.Search(ctx, "", q, o.limit)
		return err
	}
	for range o.warmup {
		_ = ask(ctx)
	}
	s := load(ctx, 1, o.requests, o.duration, ask)
	runtime.KeepAlive(d)
	return baselineResult{stats: s, rssGrowth: after - before}, nil
}

// ---- PostgreSQL ----

// createDatabase creates the database name on the server of adminURL and
// returns its URL and a function that drops it.
func createDatabase(ctx context.Context, adminURL, name string) (string, func() error, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("-postgres-url: %w", err)
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	db := *u
	db.Path = "/" + name
	return db.String(), drop, nil
}

func pgDatabaseSize(ctx context.Context, dbURL string) (int64, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, fmt.Errorf("connect to %s: %w", redact(dbURL), err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return n, nil
}

// uniqueName is a database name no other run uses.
func uniqueName(prefix string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s_%d_%s", prefix, os.Getpid(), hex.EncodeToString(b))
}

func redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
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
