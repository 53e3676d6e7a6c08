// Command fanout measures SSE fan-out on loopback: N subscribers on one
// room, messages sent through the HTTP API, delivery latency (p50, p99)
// and messages delivered per second. Each configuration runs next to a
// minimal hand-written net/http SSE fan-out, measured in the same run, as
// the ceiling; Quorum is measured on the in-process broker and, given
// -redis-url, on Redis.
//
// Two phases per target: latency (one message at a time, the next sent
// when every subscriber has the previous one) and burst (messages sent
// back to back; the rate is deliveries divided by the time from the first
// send to the last delivery). The subscribers run in a child process, so
// that neither process needs more than N file descriptors.
//
//	go run ./bench/fanout -n 1000,10000 -redis-url redis://127.0.0.1:6379/0
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/quorumhq/quorum/bench/internal/benchkit"
	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/identity"
)

func main() {
	role := flag.String("role", "bench", "bench, or subscribers (the child process)")
	ns := flag.String("n", "1000,10000", "subscriber counts, comma-separated")
	latencyMsgs := flag.Int("latency-messages", 20, "messages of the latency phase")
	burstMsgs := flag.Int("burst-messages", 100, "messages of the burst phase (at most 256, the subscriber buffer)")
	size := flag.Int("size", 100, "message text length")
	redisURL := flag.String("redis-url", "", "also measure Quorum on this Redis")
	timeout := flag.Duration("timeout", 2*time.Minute, "bound of each phase")
	rounds := flag.Int("rounds", 3, "alternating rounds per target; medians are reported")
	verbose := flag.Bool("v", false, "print every round")
	only := flag.String("only", "", "measure only this target: ceiling, local or redis")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the servers to this file")
	// The child's flags.
	n := flag.Int("subscribers", 0, "child: subscribers to open")
	streamURL := flag.String("stream-url", "", "child: stream URL (ceiling)")
	base := flag.String("base", "", "child: Quorum base URL, for tickets")
	room := flag.String("room", "", "child: room to stream")
	total := flag.Int("messages", 0, "child: messages to expect")
	flag.Parse()
	raiseFileLimit()

	if *role == "subscribers" {
		subscribers(*n, *total, *streamURL, *base, *room, os.Getenv("FANOUT_TOKEN"))
		return
	}
	if *cpuProfile != "" {
		stop, err := benchkit.StartCPUProfile(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		defer stop()
	}
	want := func(name string) bool { return *only == "" || *only == name }
	for _, f := range strings.Split(*ns, ",") {
		count, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			log.Fatalf("-n: %v", err)
		}
		p := params{n: count, latency: *latencyMsgs, burst: *burstMsgs, size: *size, timeout: *timeout}
		load, err := benchkit.LoadAverage()
		if err != nil {
			load = "?"
		}
		fmt.Printf("\n== N = %d subscribers, %d latency + %d burst messages of %d characters; load %s\n",
			count, p.latency, p.burst, p.size, load)
		fmt.Printf("%-18s %10s %10s %14s %10s %10s %8s\n", "target", "lat p50", "lat p99", "burst msg/s", "burst p99", "delivered", "ratio")
		// The targets alternate, round after round, so that a change in
		// the machine's load affects them alike; medians are reported.
		type named struct {
			name string
			t    target
		}
		var targets []named
		if want("ceiling") {
			targets = append(targets, named{"ceiling", ceilingTarget()})
		}
		if want("local") {
			targets = append(targets, named{"quorum/local", quorumTarget("")})
		}
		if *redisURL != "" && want("redis") {
			targets = append(targets, named{"quorum/redis", quorumTarget(*redisURL)})
		}
		runs := map[string][]result{}
		for round := 0; round < *rounds; round++ {
			for _, t := range targets {
				r := measure(p, t.t)
				if *verbose {
					report(fmt.Sprintf("%s #%d", t.name, round+1), r, result{burstRate: 1})
				}
				runs[t.name] = append(runs[t.name], r)
			}
		}
		ceil := median(runs["ceiling"])
		if len(runs["ceiling"]) == 0 {
			ceil = result{burstRate: 1}
		}
		for _, t := range targets {
			report(t.name, median(runs[t.name]), ceil)
		}
	}
}

type params struct {
	n, latency, burst, size int
	timeout                 time.Duration
}

// result is one target's measurement.
type result struct {
	latP50, latP99, burstP99 time.Duration
	burstRate                float64
	delivered, expected      int
	err                      error
}

// median takes each metric's median over the rounds; an error in any
// round is reported instead.
func median(rs []result) result {
	if len(rs) == 0 {
		return result{err: errors.New("not measured")}
	}
	for _, r := range rs {
		if r.err != nil {
			return r
		}
	}
	mid := func(f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return result{
		latP50:    time.Duration(mid(func(r result) float64 { return float64(r.latP50) })),
		latP99:    time.Duration(mid(func(r result) float64 { return float64(r.latP99) })),
		burstP99:  time.Duration(mid(func(r result) float64 { return float64(r.burstP99) })),
		burstRate: mid(func(r result) float64 { return r.burstRate }),
		delivered: int(mid(func(r result) float64 { return float64(r.delivered) })),
		expected:  rs[0].expected,
	}
}

func report(name string, r, ceil result) {
	if r.err != nil {
		fmt.Printf("%-18s error: %v\n", name, r.err)
		return
	}
	ratio := r.burstRate / ceil.burstRate
	fmt.Printf("%-18s %10s %10s %14.0f %10s %10s %7.2fx\n", name, ms(r.latP50), ms(r.latP99), r.burstRate, ms(r.burstP99),
		fmt.Sprintf("%d/%d", r.delivered, r.expected), ratio)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// target is a server under test.
type target struct {
	start func() (send func(text string) error, child []string, env []string, stop func(), err error)
}

func measure(p params, t target) result {
	send, childArgs, childEnv, stop, err := t.start()
	if err != nil {
		return result{err: err}
	}
	defer stop()
	exe, err := os.Executable()
	if err != nil {
		return result{err: err}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*p.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, append([]string{"-role", "subscribers", "-subscribers", strconv.Itoa(p.n),
		"-messages", strconv.Itoa(p.latency + p.burst)}, childArgs...)...)
	cmd.Env = append(os.Environ(), childEnv...)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return result{err: err}
	}
	defer func() { _ = cmd.Wait() }()
	defer stdin.Close()
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	wait := func(want string) (string, error) {
		deadline := time.After(p.timeout)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return "", errors.New("subscribers exited")
				}
				if strings.HasPrefix(l, want) {
					return l, nil
				}
			case <-deadline:
				return "", fmt.Errorf("no %q before the deadline", want)
			}
		}
	}
	if _, err := wait("ready"); err != nil {
		return result{err: err}
	}
	pad := strings.Repeat("x", max(0, p.size-40))
	text := func(k int) string { return fmt.Sprintf("k=%d;t=%d;%s", k, time.Now().UnixNano(), pad) }
	for k := 0; k < p.latency; k++ {
		if err := send(text(k)); err != nil {
			return result{err: err}
		}
		if _, err := wait(fmt.Sprintf("all %d", k)); err != nil {
			return result{err: err}
		}
	}
	burstStart := time.Now()
	for k := p.latency; k < p.latency+p.burst; k++ {
		if err := send(text(k)); err != nil {
			return result{err: err}
		}
	}
	if _, err := wait(fmt.Sprintf("all %d", p.latency+p.burst-1)); err != nil {
		return result{err: err}
	}
	fmt.Fprintln(stdin, "report", p.latency)
	l, err := wait("stats ")
	if err != nil {
		return result{err: err}
	}
	var st stats
	if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "stats ")), &st); err != nil {
		return result{err: err}
	}
	r := result{latP50: st.LatP50, latP99: st.LatP99, burstP99: st.BurstP99, delivered: st.Delivered, expected: p.n * (p.latency + p.burst)}
	r.burstRate = float64(st.BurstDelivered) / time.Unix(0, st.LastRecv).Sub(burstStart).Seconds()
	return r
}

// ceilingTarget is a minimal hand-written SSE fan-out: a channel per
// subscriber, a POST that offers each message to every channel, no
// database, authentication or broker.
func ceilingTarget() target {
	return target{start: func() (func(string) error, []string, []string, func(), error) {
		var mu sync.Mutex
		subs := map[chan []byte]bool{}
		var seq atomic.Int64
		mux := http.NewServeMux()
		mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
			ch := make(chan []byte, 256)
			mu.Lock()
			subs[ch] = true
			mu.Unlock()
			defer func() { mu.Lock(); delete(subs, ch); mu.Unlock() }()
			w.Header().Set("Content-Type", "text/event-stream")
			fl := w.(http.Flusher)
			_, _ = io.WriteString(w, "event: ready\ndata: {}\n\n")
			fl.Flush()
			for {
				select {
				case <-r.Context().Done():
					return
				case frame := <-ch:
					// Frames queued meanwhile share the flush, as Quorum's
					// streams do, so the ceiling is not handicapped.
					_, err := w.Write(frame)
					for n := 1; err == nil && n < 64 && len(ch) > 0; n++ {
						_, err = w.Write(<-ch)
					}
					if err != nil {
						return
					}
					fl.Flush()
				}
			}
		})
		mux.HandleFunc("POST /send", func(w http.ResponseWriter, r *http.Request) {
			var in struct{ Text string }
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			data, _ := json.Marshal(map[string]string{"text": in.Text})
			frame := []byte(fmt.Sprintf("id: %d\nevent: message\ndata: %s\n\n", seq.Add(1), data))
			mu.Lock()
			for ch := range subs {
				select {
				case ch <- frame:
				default:
				}
			}
			mu.Unlock()
			w.WriteHeader(http.StatusCreated)
		})
		base, stop, err := serve(mux)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		send := func(text string) error { return post(base+"/send", "", map[string]string{"text": text}) }
		return send, []string{"-stream-url", base + "/stream"}, nil, stop, nil
	}}
}

// quorumTarget is Quorum on a fresh SQLite database, with the in-process
// broker or, given redisURL, Redis.
func quorumTarget(redisURL string) target {
	return target{start: func() (func(string) error, []string, []string, func(), error) {
		dir, err := os.MkdirTemp("", "quorum-fanout-*")
		if err != nil {
			return nil, nil, nil, nil, err
		}
		args := []string{"--data-dir", dir, "--database-url", "sqlite://" + filepath.Join(dir, "q.db"),
			"--max-streams", "100000", "--max-streams-per-org", "100000",
			"--realtime-prefix", fmt.Sprintf("fanout%d", time.Now().UnixNano())}
		if redisURL != "" {
			args = append(args, "--redis-url", redisURL)
		}
		cfg, _, err := config.Load(args, nil, io.Discard)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		ctx, cancel := context.WithCancel(context.Background())
		logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		a, err := app.Open(ctx, cfg, logger)
		if err != nil {
			cancel()
			return nil, nil, nil, nil, err
		}
		if err := a.Start(ctx); err != nil {
			cancel()
			return nil, nil, nil, nil, err
		}
		base, stopHTTP, err := serve(a.Handler())
		if err != nil {
			cancel()
			return nil, nil, nil, nil, err
		}
		stop := func() {
			cancel() // ends the streams
			stopHTTP()
			sctx, c := context.WithTimeout(context.Background(), 30*time.Second)
			defer c()
			_ = a.Close(sctx)
			os.RemoveAll(dir)
		}
		org, err := a.Identities.CreateOrg(ctx, "Bench")
		if err == nil {
			var creds identity.Credentials
			_, creds, err = a.Identities.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "Bench", RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
			if err == nil {
				var tok struct{ CloudToken string }
				err = postJSON(base+"/cloud/v1/cloud-token", creds.CloudAPIKey, map[string]string{"userId": "bench@example.com"}, &tok)
				if err == nil {
					send := func(text string) error {
						return post(base+"/cloud/v1/rooms/bench/messages", tok.CloudToken, map[string]string{"text": text})
					}
					return send, []string{"-base", base, "-room", "bench"}, []string{"FANOUT_TOKEN=" + tok.CloudToken}, stop, nil
				}
			}
		}
		stop()
		return nil, nil, nil, nil, err
	}}
}

// serve serves h on a free loopback port, for the ceiling and for Quorum
// alike, with net/http's error log discarded: with thousands of streams,
// connection errors would bury the report.
func serve(h http.Handler) (string, func(), error) {
	return benchkit.Serve(&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)})
}

var sender = &http.Client{Timeout: 30 * time.Second}

func post(u, bearer string, body any) error { return postJSON(u, bearer, body, nil) }

func postJSON(u, bearer string, body, out any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequest("POST", u, strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := sender.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("POST %s: %d %s", u, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// stats is what the child reports.
type stats struct {
	LatP50, LatP99, BurstP99 time.Duration
	Delivered                int
	BurstDelivered           int
	LastRecv                 int64
}

// subscribers is the child process: it opens n streams, says "ready",
// prints "all K" when every stream has message K, and on "report L"
// prints the statistics (messages below L are the latency phase).
func subscribers(n, total int, streamURL, base, room, token string) {
	urls := make([]string, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	var ticketErr atomic.Value
	for i := range urls {
		if streamURL != "" {
			urls[i] = streamURL
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var t struct{ StreamPath string }
			if err := postJSON(base+"/cloud/v1/stream-tickets", token, map[string]string{"roomName": room}, &t); err != nil {
				ticketErr.Store(err)
				return
			}
			urls[i] = base + t.StreamPath
		}()
	}
	wg.Wait()
	if err, _ := ticketErr.Load().(error); err != nil {
		log.Fatalf("tickets: %v", err)
	}

	// lat[i][k] is subscriber i's latency for message k (0: not yet).
	lat := make([][]atomic.Int64, n)
	counts := make([]atomic.Int64, total)
	var lastRecv atomic.Int64
	var out sync.Mutex
	var ready sync.WaitGroup
	ready.Add(n)
	for i := range urls {
		lat[i] = make([]atomic.Int64, total)
		sem <- struct{}{}
		go func() {
			conn, r, err := dialStream(urls[i])
			<-sem
			if err != nil {
				log.Fatalf("stream %d: %v", i, err)
			}
			defer conn.Close()
			isReady := false
			for {
				line, err := r.ReadSlice('\n')
				if err != nil {
					return
				}
				switch {
				case !isReady && strings.HasPrefix(string(line), "event: ready"):
					isReady = true
					ready.Done()
				case len(line) > 6 && string(line[:6]) == "data: ":
					k, sent, ok := parseStamp(line)
					if !ok || k < 0 || k >= total {
						continue
					}
					now := time.Now().UnixNano()
					lat[i][k].Store(max(1, now-sent))
					for {
						old := lastRecv.Load()
						if now <= old || lastRecv.CompareAndSwap(old, now) {
							break
						}
					}
					if counts[k].Add(1) == int64(n) {
						out.Lock()
						fmt.Printf("all %d\n", k)
						out.Unlock()
					}
				}
			}
		}()
	}
	ready.Wait()
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var split int
		if _, err := fmt.Sscanf(in.Text(), "report %d", &split); err != nil {
			continue
		}
		var latency, burst []time.Duration
		delivered := 0
		for i := range lat {
			for k := range lat[i] {
				d := time.Duration(lat[i][k].Load())
				if d == 0 {
					continue
				}
				delivered++
				if k < split {
					latency = append(latency, d)
				} else {
					burst = append(burst, d)
				}
			}
		}
		st := stats{LatP50: benchkit.Percentile(latency, 50), LatP99: benchkit.Percentile(latency, 99), BurstP99: benchkit.Percentile(burst, 99),
			Delivered: delivered, BurstDelivered: len(burst), LastRecv: lastRecv.Load()}
		b, _ := json.Marshal(st)
		out.Lock()
		fmt.Printf("stats %s\n", b)
		out.Unlock()
	}
}

// dialStream opens an SSE connection by hand (one goroutine per
// subscriber, none of net/http's client machinery) and returns a reader
// of its de-chunked body.
func dialStream(raw string) (net.Conn, *bufio.Reader, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, nil, err
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		return nil, nil, err
	}
	req, _ := http.NewRequest("GET", raw, nil)
	req.Header.Set("Accept", "text/event-stream")
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 4096), req)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		conn.Close()
		return nil, nil, fmt.Errorf("%d %s", resp.StatusCode, b)
	}
	return conn, bufio.NewReaderSize(resp.Body, 4096), nil
}

// parseStamp finds "k=K;t=T" in a data line.
func parseStamp(line []byte) (int, int64, bool) {
	s := string(line)
	i := strings.Index(s, "k=")
	if i < 0 {
		return 0, 0, false
	}
	rest := s[i+2:]
	kEnd := strings.IndexByte(rest, ';')
	if kEnd < 0 || !strings.HasPrefix(rest[kEnd+1:], "t=") {
		return 0, 0, false
	}
	k, err1 := strconv.Atoi(rest[:kEnd])
	rest = rest[kEnd+3:]
	tEnd := strings.IndexByte(rest, ';')
	if tEnd < 0 {
		return 0, 0, false
	}
	t, err2 := strconv.ParseInt(rest[:tEnd], 10, 64)
	return k, t, err1 == nil && err2 == nil
}

// raiseFileLimit lifts the soft descriptor limit to the hard one: each
// process holds one socket per subscriber.
func raiseFileLimit() {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}
