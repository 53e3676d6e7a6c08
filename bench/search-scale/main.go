// Command search-scale measures search across all of one tenant's
// meetings as the corpus grows. QMSum meetings (train and val; never test)
// are replicated, turns rotated, to N meetings of one organization, created
// in process through the meeting service and indexed with
// index.Service.Reindex from a worker pool. Then the built quorum binary is
// started on that database three times (time to ready, RSS) and searched
// over HTTP through the Cloud API with the QMSum train and val queries, across all
// meetings and scoped to one meeting, from 1 client and from 16. Beside
// Quorum's numbers: the database's size on disk, plain BM25 over single
// turns of the same meetings in process, and, at the smallest size,
// Quorum's search throughput over a bare net/http handler replaying its
// responses, measured back to back.
//
//	go build -o /tmp/quorum ./cmd/quorum
//	go run ./bench/search-scale -binary /tmp/quorum -sizes 197,1000 -db both
//	go run ./bench/search-scale -binary /tmp/quorum -sizes 30000 -db postgres -dir /var/tmp/qss -keep
//
// Generating 30,000 meetings takes long, so -keep keeps each database with
// a manifest in -dir, and a later run with the same -dir measures it again
// without generating it. Everything else the run starts or creates is
// removed on exit, on error and on interrupt.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/quorumhq/quorum/bench/internal/benchkit"
	"github.com/quorumhq/quorum/internal/ai"
)

// searchPath is the Cloud API search over transcripts and documents.
const searchPath = "/cloud/v1/search"

// searchTimeout bounds one search request, generously: across 30,000
// meetings on a loaded machine one takes seconds.
const searchTimeout = 2 * time.Minute

type options struct {
	binary, data, postgresURL, dir string
	sizes                          []int
	dbs                            []string
	keep                           bool
	genWorkers, indexWorkers       int
	serverWorkers, restarts        int
	requests, clients, warmup      int
	limit, baselineMax             int
	ratioRounds                    int
	duration, ratioDuration        time.Duration
	readyTimeout                   time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.binary, "binary", "", "built quorum binary to measure (required)")
	flag.StringVar(&o.data, "data", "../shared/data/qmsum", "directory holding QMSum's train.jsonl and val.jsonl")
	sizes := flag.String("sizes", "1000,10000,30000", "meetings to generate, comma-separated (197: each train and val meeting once)")
	db := flag.String("db", "sqlite", "sqlite, postgres or both")
	flag.StringVar(&o.postgresURL, "postgres-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"PostgreSQL server to create the bench databases on")
	flag.StringVar(&o.dir, "dir", "", "directory for SQLite data dirs and manifests; a database with a manifest here is reused (default: a temporary one)")
	flag.BoolVar(&o.keep, "keep", false, "keep the databases this run generates, with their manifests in -dir")
	flag.IntVar(&o.genWorkers, "gen-workers", 2, "goroutines creating meetings")
	flag.IntVar(&o.indexWorkers, "index-workers", 2, "goroutines calling index.Service.Reindex")
	flag.IntVar(&o.serverWorkers, "server-workers", 0, "QUORUM_WORKERS of the measured server (0: no background jobs run)")
	flag.IntVar(&o.restarts, "restarts", 3, "server starts on each database; the median time to ready and RSS are reported")
	flag.IntVar(&o.requests, "requests", 300, "bound on the requests of each latency run")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "bound on the time of each latency run")
	flag.IntVar(&o.clients, "clients", 16, "concurrent clients of the concurrent runs")
	flag.IntVar(&o.warmup, "warmup", 10, "untimed requests of each kind before the latency runs")
	flag.IntVar(&o.limit, "limit", 10, "hits per search")
	flag.IntVar(&o.baselineMax, "baseline-max", 3000, "build the in-process BM25 baseline only up to this many meetings")
	flag.DurationVar(&o.ratioDuration, "ratio-duration", 6*time.Second, "time per target of the Quorum/bare throughput ratio, at the smallest size")
	flag.IntVar(&o.ratioRounds, "ratio-rounds", 2, "alternating bare/Quorum rounds the ratio time is split into")
	flag.DurationVar(&o.readyTimeout, "ready-timeout", 10*time.Minute, "bound on one server start")
	flag.Parse()

	var err error
	if o.sizes, err = parseSizes(*sizes); err != nil {
		fmt.Fprintf(os.Stderr, "-sizes: %v\n", err)
		os.Exit(2)
	}
	switch *db {
	case "sqlite", "postgres":
		o.dbs = []string{*db}
	case "both":
		o.dbs = []string{"sqlite", "postgres"}
	default:
		fmt.Fprintln(os.Stderr, "-db: want sqlite, postgres or both")
		os.Exit(2)
	}
	if o.binary == "" || o.clients < 1 || o.requests < 1 || o.duration <= 0 || o.restarts < 1 || o.ratioRounds < 1 ||
		o.ratioDuration <= 0 || o.limit < 1 {
		flag.Usage()
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, o, logger)
	stop()
	if err != nil {
		logger.Error("search-scale failed", "err", err)
		os.Exit(1)
	}
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number of meetings", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(ctx context.Context, o options, logger *slog.Logger) error {
	c, err := loadCorpus(o.data)
	if err != nil {
		return err
	}
	dir := o.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "quorum-search-scale-*"); err != nil {
			return err
		}
		if !o.keep {
			defer os.RemoveAll(dir)
		}
	} else if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if o.keep {
		defer fmt.Printf("\nkept the generated databases; measure them again with -dir %s\n", dir)
	}

	fmt.Printf("bench/search-scale: binary %s\n", o.binary)
	fmt.Printf("settings: %d cores (GOMAXPROCS %d); QMSum: %d train+val meetings, %d distinct train+val queries (%d of val); %d hits per search; "+
		"latency runs of at most %d requests or %s after %d warm-up requests; %d concurrent clients; server QUORUM_WORKERS=%d\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), len(c.base), len(c.queries), len(c.repeated), o.limit, o.requests, o.duration, o.warmup,
		o.clients, o.serverWorkers)
	if load, err := benchkit.LoadAverage(); err == nil {
		fmt.Printf("load average at start: %s\n", load)
	}

	smallest := slices.Min(o.sizes)
	for _, kind := range o.dbs {
		var rows []row
		for _, n := range o.sizes {
			logger.Info("measuring", "db", kind, "meetings", n)
			r, err := measureSize(ctx, o, c, dir, kind, n, n == smallest, logger)
			if err != nil {
				printTable(os.Stdout, kind, rows)
				return fmt.Errorf("%s, %d meetings: %w", kind, n, err)
			}
			rows = append(rows, r)
			logger.Info("measured", "db", kind, "meetings", n)
		}
		printTable(os.Stdout, kind, rows)
	}
	return nil
}

// row is one size's results on one database.
type row struct {
	meetings, segments int
	disk               int64
	generateSecs       float64
	indexSecs          float64
	// reused is when the database was generated, for a database measured
	// again from its manifest; zero otherwise.
	reused            time.Time
	ready             time.Duration
	rssReady, rssPeak int64
	all1, all16       stats
	scoped1, scoped16 stats
	baseline          *baselineResult
	ratio             *ratio
	ratioRepeated     *ratio
}

func measureSize(ctx context.Context, o options, c *corpus, dir, kind string, n int, smallest bool, logger *slog.Logger) (r row, err error) {
	var done benchkit.Cleanups
	defer func() {
		if cerr := done.Run(); cerr != nil {
			logger.Warn("cleanup", "err", cerr)
		}
	}()
	m, token, reused, err := prepare(ctx, o, c, dir, kind, n, &done, logger)
	if err != nil {
		return r, err
	}
	// The in-process app is closed; what it held (on the in-memory index,
	// every chunk) goes back before the server starts.
	runtime.GC()
	debug.FreeOSMemory()
	r = row{meetings: n, segments: m.Segments, generateSecs: m.GenerateSecs, indexSecs: m.IndexSecs}
	if reused {
		r.reused = m.Created
	}
	if r.disk, err = diskSize(ctx, m); err != nil {
		return r, err
	}

	var readies []time.Duration
	var rss []int64
	var srv *benchkit.Server
	for i := range o.restarts {
		s, err := startServer(ctx, o, m)
		if err != nil {
			return r, err
		}
		done.Add(func() error { s.Stop(); return nil })
		mem, err := benchkit.Memory(s.Pid(), "VmRSS")
		if err != nil {
			return r, err
		}
		logger.Info("server ready", "seconds", s.Ready.Seconds(), "rss_mb", mem>>20)
		readies, rss = append(readies, s.Ready), append(rss, mem)
		if i < o.restarts-1 {
			s.Stop()
		}
		srv = s
	}
	r.ready, r.rssReady = median(readies), median(rss)

	client := benchkit.NewClient(o.clients, searchTimeout)
	defer client.CloseIdleConnections()
	all := &searcher{client: client, url: srv.URL + searchPath, token: token, queries: c.queries, limit: o.limit}
	scoped := &searcher{client: client, url: srv.URL + searchPath, token: token, queries: c.queries, limit: o.limit, scope: m.MeetingIDs}
	_, segs := c.replica(n / 2)
	if err := checkSearch(ctx, all, m.MeetingIDs[n/2], distinctiveWords(segs, 8)); err != nil {
		return r, srv.WithLog(err)
	}
	for range o.warmup {
		if err := all.do(ctx); err != nil {
			return r, srv.WithLog(err)
		}
		if err := scoped.do(ctx); err != nil {
			return r, srv.WithLog(err)
		}
	}
	// The bare server of the ratio replays the responses of the first run.
	var bodies [][]byte
	var mu sync.Mutex
	all.keep = func(b []byte) {
		mu.Lock()
		defer mu.Unlock()
		if len(bodies) < 64 {
			bodies = append(bodies, b)
		}
	}
	r.all1 = load(ctx, 1, o.requests, o.duration, all.do)
	all.keep = nil
	logger.Info("all meetings, 1 client", "p50_ms", ms(r.all1.p50), "p99_ms", ms(r.all1.p99))
	r.all16 = load(ctx, o.clients, o.requests, o.duration, all.do)
	logger.Info("all meetings, concurrent", "p99_ms", ms(r.all16.p99), "req_per_s", r.all16.Rate())
	r.scoped1 = load(ctx, 1, o.requests, o.duration, scoped.do)
	logger.Info("scoped, 1 client", "p50_ms", ms(r.scoped1.p50), "p99_ms", ms(r.scoped1.p99))
	r.scoped16 = load(ctx, o.clients, o.requests, o.duration, scoped.do)
	logger.Info("scoped, concurrent", "p99_ms", ms(r.scoped16.p99), "req_per_s", r.scoped16.Rate())
	if err := ctx.Err(); err != nil {
		return r, context.Cause(ctx)
	}
	if smallest {
		rt, err := measureRatio(ctx, o, all, bodies)
		if err != nil {
			return r, srv.WithLog(err)
		}
		r.ratio = &rt
		logger.Info("ratio, new queries", "quorum_req_per_s", rt.quorum, "bare_req_per_s", rt.bare, "ratio", rt.quorum/rt.bare)
		// The same measurement with queries that repeat, once each has been
		// asked: answered from the result cache.
		again := &searcher{client: client, url: all.url, token: token, queries: c.repeated, limit: o.limit}
		for range c.repeated {
			if err := again.do(ctx); err != nil {
				return r, srv.WithLog(err)
			}
		}
		rr, err := measureRatio(ctx, o, again, bodies)
		if err != nil {
			return r, srv.WithLog(err)
		}
		r.ratioRepeated = &rr
		logger.Info("ratio, repeated queries", "quorum_req_per_s", rr.quorum, "bare_req_per_s", rr.bare, "ratio", rr.quorum/rr.bare)
	}
	if !srv.Alive() {
		return r, srv.WithLog(errors.New("the server exited during the measurement"))
	}
	if r.rssPeak, err = benchkit.Memory(srv.Pid(), "VmHWM"); err != nil {
		return r, err
	}
	srv.Stop()

	if n <= o.baselineMax {
		b, err := measureBaseline(ctx, o, c, m.MeetingIDs)
		if err != nil {
			return r, err
		}
		r.baseline = &b
		logger.Info("baseline", "p50_ms", ms(b.p50), "p99_ms", ms(b.p99), "rss_growth_mb", b.rssGrowth>>20)
		runtime.GC()
		debug.FreeOSMemory()
	}
	return r, nil
}

// prepare returns the manifest of a database of n meetings and a Cloud API
// token for its organization: a kept one from dir, or a new one it
// generates and indexes.
func prepare(ctx context.Context, o options, c *corpus, dir, kind string, n int, done *benchkit.Cleanups, logger *slog.Logger) (*manifest, string, bool, error) {
	// The app logs only what goes wrong: an "indexed" line per meeting
	// would drown the progress.
	appLogger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	path := filepath.Join(dir, fmt.Sprintf("%s-%d.json", kind, n))
	m, err := readManifest(path)
	if err == nil {
		if m.DB != kind || len(m.MeetingIDs) != n || m.BaseMeetings != len(c.base) {
			return nil, "", false, fmt.Errorf("%s describes %d %s meetings from %d QMSum meetings, not %d from %d; remove it (and its database) to generate anew",
				path, len(m.MeetingIDs), m.DB, m.BaseMeetings, n, len(c.base))
		}
		logger.Info("reusing a kept database", "manifest", path, "database", redact(m.DatabaseURL), "created", m.Created)
		a, err := openApp(ctx, m.DataDir, m.DatabaseURL, appLogger)
		if err != nil {
			return nil, "", false, err
		}
		tok, err := cloudToken(ctx, a, m.OrgID)
		return m, tok, true, errors.Join(err, closeApp(a))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, "", false, err
	}

	// A data dir without a manifest is what an interrupted run left.
	dataDir := filepath.Join(dir, fmt.Sprintf("%s-%d", kind, n))
	if err := os.RemoveAll(dataDir); err != nil {
		return nil, "", false, err
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, "", false, err
	}
	complete := false
	done.Add(func() error {
		if o.keep && complete {
			return nil
		}
		return errors.Join(os.RemoveAll(dataDir), os.RemoveAll(path))
	})
	dbURL := sqliteURL(dataDir)
	if kind == "postgres" {
		server, err := url.Parse(o.postgresURL)
		if err != nil {
			return nil, "", false, fmt.Errorf("-postgres-url: %w", err)
		}
		u, drop, err := benchkit.CreateDatabase(ctx, server, benchkit.UniqueName("quorum_bench_search"))
		if err != nil {
			return nil, "", false, err
		}
		done.Add(func() error {
			if o.keep && complete {
				return nil
			}
			return drop()
		})
		dbURL = u
	}
	logger.Info("generating", "db", kind, "database", redact(dbURL), "meetings", n)
	a, err := openApp(ctx, dataDir, dbURL, appLogger)
	if err != nil {
		return nil, "", false, err
	}
	m, err = build(ctx, a, c, n, o, logger)
	var tok string
	if err == nil {
		tok, err = cloudToken(ctx, a, m.OrgID)
	}
	if err = errors.Join(err, closeApp(a)); err != nil {
		return nil, "", false, err
	}
	m.DB, m.DatabaseURL, m.DataDir = kind, dbURL, dataDir
	if err := m.write(path); err != nil {
		return nil, "", false, err
	}
	complete = true
	return m, tok, false, nil
}

// plainWord skips QMSum's annotation tokens such as {disfmarker}.
var plainWord = regexp.MustCompile(`^[A-Za-z]{4,}$`)

// distinctiveWords returns up to n plain words of the meeting's longest
// turn: a query its own transcript answers.
func distinctiveWords(segs []ai.Segment, n int) string {
	longest := ""
	for _, s := range segs {
		if len(s.Text) > len(longest) {
			longest = s.Text
		}
	}
	var w []string
	for _, f := range strings.Fields(longest) {
		if plainWord.MatchString(f) && len(w) < n {
			w = append(w, f)
		}
	}
	return strings.Join(w, " ")
}

func median[T int64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// ---- the table ----

func printTable(w io.Writer, kind string, rows []row) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "\n### %s\n\n", kind)
	fmt.Fprintln(w, "| meetings | segments | on disk | indexing meetings/s (segments/s) | restart to ready | RSS after restart | peak RSS under load "+
		"| all: p50 / p99, 1 client | all: p99, 16 clients | all: req/s, 16 clients | scoped: p50 / p99, 1 client | scoped: p99, 16 clients "+
		"| baseline: p50 / p99 | baseline RSS growth |")
	fmt.Fprintln(w, "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	var notes []string
	for _, r := range rows {
		indexing := fmt.Sprintf("%.1f (%s)", float64(r.meetings)/r.indexSecs, thousands(int(float64(r.segments)/r.indexSecs)))
		if !r.reused.IsZero() {
			indexing += " *"
			notes = append(notes, fmt.Sprintf("\\* %d meetings: indexing measured when the kept database was generated (%s).",
				r.meetings, r.reused.Format(time.RFC3339)))
		}
		base, baseRSS := "skipped (size)", "skipped (size)"
		if r.baseline != nil {
			base, baseRSS = pair(r.baseline.stats), size(r.baseline.rssGrowth)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			thousands(r.meetings), thousands(r.segments), size(r.disk), indexing, seconds(r.ready), size(r.rssReady), size(r.rssPeak),
			pair(r.all1), one(r.all16.p99, r.all16), perSecond(r.all16), pair(r.scoped1), one(r.scoped16.p99, r.scoped16), base, baseRSS)
		var counts []string
		for _, run := range []struct {
			name string
			s    stats
		}{{"all/1", r.all1}, {"all/16", r.all16}, {"scoped/1", r.scoped1}, {"scoped/16", r.scoped16}} {
			counts = append(counts, fmt.Sprintf("%s %d in %s", run.name, run.s.OK, seconds(run.s.Elapsed)))
			if run.s.Failed > 0 {
				notes = append(notes, fmt.Sprintf("%d meetings, %s: %d failed requests, e.g. %v", r.meetings, run.name, run.s.Failed, run.s.LastErr))
			}
		}
		notes = append(notes, fmt.Sprintf("%d meetings: generated in %.1f s (%.1f ms per meeting), indexed in %.1f s; requests timed (run/clients): %s",
			r.meetings, r.generateSecs, 1000*r.generateSecs/float64(r.meetings), r.indexSecs, strings.Join(counts, ", ")))
		if r.ratio != nil {
			notes = append(notes, fmt.Sprintf("throughput ratio at %d meetings, all meetings, 16 clients, new queries: Quorum %.0f req/s / bare net/http %.0f req/s = %.3f (target >= 0.12)",
				r.meetings, r.ratio.quorum, r.ratio.bare, r.ratio.quorum/r.ratio.bare))
		}
		if r.ratioRepeated != nil {
			notes = append(notes, fmt.Sprintf("throughput ratio at %d meetings, all meetings, 16 clients, the val queries repeated (result cache): Quorum %.0f req/s / bare net/http %.0f req/s = %.3f",
				r.meetings, r.ratioRepeated.quorum, r.ratioRepeated.bare, r.ratioRepeated.quorum/r.ratioRepeated.bare))
		}
	}
	fmt.Fprintln(w)
	for _, n := range notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pair(s stats) string {
	if s.OK == 0 {
		return "n/a"
	}
	return latency(s.p50) + " / " + latency(s.p99)
}

func one(d time.Duration, s stats) string {
	if s.OK == 0 {
		return "n/a"
	}
	return latency(d)
}

func perSecond(s stats) string {
	if s.OK == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", s.Rate())
}

func latency(d time.Duration) string {
	if d < 100*time.Millisecond {
		return fmt.Sprintf("%.1f ms", ms(d))
	}
	return fmt.Sprintf("%.0f ms", ms(d))
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func size(b int64) string {
	if b >= 10<<30 {
		return fmt.Sprintf("%.1f GB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.0f MB", float64(b)/(1<<20))
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
