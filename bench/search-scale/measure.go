package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/quorumhq/quorum/bench/internal/benchkit"
	"github.com/quorumhq/quorum/internal/eval"
	"github.com/quorumhq/quorum/internal/search"
)

// ---- the quorum server ----

// startServer execs "quorum serve" on the manifest's database and returns
// once /readyz answers 200. Its output goes to server.log in the data dir,
// one log for all the restarts.
func startServer(ctx context.Context, o options, m *manifest) (*benchkit.Server, error) {
	// QUORUM_WORKERS=0 (the default of -server-workers) runs the server
	// insert-only: no background job competes with the searches measured.
	env := append(benchkit.CleanEnv(), "QUORUM_DATA_DIR="+m.DataDir, "QUORUM_DATABASE_URL="+m.DatabaseURL, "QUORUM_LOG_LEVEL=warn",
		"QUORUM_WORKERS="+strconv.Itoa(o.serverWorkers))
	return benchkit.Start(ctx, benchkit.ServerConfig{Binary: o.binary, Env: env, LogPath: filepath.Join(m.DataDir, "server.log"),
		ReadyTimeout: o.readyTimeout, ReadyTimeoutFlag: "-ready-timeout", StopGrace: 30 * time.Second})
}

// ---- load ----

// stats are the results of one latency run, with the percentiles the
// table reports.
type stats struct {
	benchkit.Result
	p50, p99 time.Duration
}

// load calls do from clients goroutines until maxRequests calls have
// started (none when maxRequests <= 0) or d has passed, and reports the
// latency of the successful calls.
func load(ctx context.Context, clients, maxRequests int, d time.Duration, do func(context.Context) error) stats {
	r := benchkit.Load(ctx, clients, maxRequests, d, do)
	return stats{Result: r, p50: benchkit.Percentile(r.Latencies, 50), p99: benchkit.Percentile(r.Latencies, 99)}
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
		return nil, fmt.Errorf("search answered %d: %s", resp.StatusCode, benchkit.Clip(out, 200))
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

// ---- the bare net/http ceiling ----

// ratio is Quorum's search throughput over the bare server's.
type ratio struct {
	quorum, bare float64
}

// measureRatio alternates rounds on the bare server and on Quorum, bare
// first, so that load from outside falls on both alike. The bare server
// answers with the captured Quorum search responses in turn, byte for
// byte: the ceiling of the ratio.
func measureRatio(ctx context.Context, o options, quorum *searcher, bodies [][]byte) (ratio, error) {
	if len(bodies) == 0 {
		return ratio{}, errors.New("no captured responses to replay")
	}
	replay := &benchkit.Replay{}
	responses := make([]benchkit.Response, len(bodies))
	for i, b := range bodies {
		responses[i] = benchkit.Response{Status: http.StatusOK, ContentType: "application/json", Body: b}
	}
	replay.Set(responses...)
	bareURL, stopBare, err := benchkit.Serve(&http.Server{Handler: replay, ReadHeaderTimeout: 10 * time.Second})
	if err != nil {
		return ratio{}, err
	}
	defer stopBare()
	bareClient := benchkit.NewClient(o.clients, searchTimeout)
	defer bareClient.CloseIdleConnections()
	bare := &searcher{client: bareClient, url: bareURL + searchPath, token: quorum.token, queries: quorum.queries, limit: quorum.limit}
	round := o.ratioDuration / time.Duration(o.ratioRounds)
	var q, r benchkit.Result
	for range o.ratioRounds {
		br := benchkit.Load(ctx, o.clients, 0, round, bare.do)
		qr := benchkit.Load(ctx, o.clients, 0, round, quorum.do)
		if br.Failed > 0 || qr.Failed > 0 {
			return ratio{}, fmt.Errorf("failed requests in the ratio rounds: bare %d (%v), quorum %d (%v)", br.Failed, br.LastErr, qr.Failed, qr.LastErr)
		}
		r.Add(br)
		q.Add(qr)
	}
	if err := ctx.Err(); err != nil {
		return ratio{}, context.Cause(ctx)
	}
	return ratio{quorum: q.Rate(), bare: r.Rate()}, nil
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
	before, err := benchkit.Memory(os.Getpid(), "VmRSS")
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
	after, err := benchkit.Memory(os.Getpid(), "VmRSS")
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

func redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
