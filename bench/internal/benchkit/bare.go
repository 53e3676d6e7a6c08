package benchkit

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Serve serves srv on a free loopback port and returns its base URL and a
// function that stops it, waiting at most 10s for the requests in flight.
// The caller sets up srv (handler, timeouts, error log), because the
// benches' servers differ there.
func Serve(srv *http.Server) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen on loopback: %w", err)
	}
	go func() { _ = srv.Serve(ln) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			_ = srv.Close()
		}
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// Response is one answer as a bare server replays it.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Replay is the bare net/http ceiling the benches compare Quorum with: a
// handler that answers each request with the next of the responses it was
// given, captured from Quorum, byte for byte, and does nothing else, so
// that the ratio prices Quorum's own work rather than the bytes on the
// wire. Set must be called before it serves.
type Replay struct {
	responses atomic.Pointer[[]Response]
	next      atomic.Int64
}

// Set replaces the responses; requests go through them in turn.
func (p *Replay) Set(rs ...Response) { p.responses.Store(&rs) }

// ServeHTTP reads the request and writes the next response.
func (p *Replay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	rs := *p.responses.Load()
	resp := rs[0]
	// A single response needs no turn, and the ceiling no shared counter
	// its clients would contend on.
	if len(rs) > 1 {
		resp = rs[int(p.next.Add(1)-1)%len(rs)]
	}
	if resp.ContentType != "" {
		w.Header().Set("Content-Type", resp.ContentType)
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}
