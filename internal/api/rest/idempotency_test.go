package rest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

func TestIdempotency(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var calls atomic.Int32
		release := make(chan struct{})
		entered := make(chan struct{}, 1)
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := calls.Add(1)
			if r.URL.Path == "/slow" {
				entered <- struct{}{}
				<-release
			}
			if r.URL.Path == "/fail" {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"call":`+string('0'+rune(n))+`}`)
		})
		idem := NewIdempotency(db, slog.New(slog.NewTextHandler(io.Discard, nil)), 1<<20, func(r *http.Request) string { return "caller-1" })
		srv := httptest.NewServer(idem.Middleware(handler))
		defer srv.Close()
		post := func(path, key, body string) *http.Response {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
			req.Header.Set("Idempotency-Key", key)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			return resp
		}
		read := func(resp *http.Response) string {
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}

		first := post("/x", "k1", `{"a":1}`)
		require.Equal(t, 201, first.StatusCode)
		require.Equal(t, `{"call":1}`, read(first))
		replay := post("/x", "k1", `{"a":1}`)
		require.Equal(t, 201, replay.StatusCode)
		require.Equal(t, "true", replay.Header.Get("Idempotent-Replayed"))
		require.Equal(t, `{"call":1}`, read(replay))
		require.Equal(t, int32(1), calls.Load(), "a replay must not run the handler")

		mismatch := post("/x", "k1", `{"a":2}`)
		require.Equal(t, 422, mismatch.StatusCode)
		read(mismatch)

		// While the first request runs, a retry is told to come back later.
		done := make(chan *http.Response)
		go func() { done <- post("/slow", "k2", "") }()
		<-entered
		busy := post("/slow", "k2", "")
		require.Equal(t, http.StatusConflict, busy.StatusCode)
		require.Equal(t, "1", busy.Header.Get("Retry-After"))
		read(busy)
		close(release)
		require.Equal(t, 201, (<-done).StatusCode)

		// Server errors release the key so a retry runs again.
		require.Equal(t, 500, post("/fail", "k3", "").StatusCode)
		before := calls.Load()
		require.Equal(t, 500, post("/fail", "k3", "").StatusCode)
		require.Equal(t, before+1, calls.Load())
	})
}

func TestIdempotencyParallelClaims(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var calls atomic.Int32
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(http.StatusCreated)
		})
		idem := NewIdempotency(db, slog.New(slog.NewTextHandler(io.Discard, nil)), 1<<20, func(r *http.Request) string { return "caller-1" })
		srv := httptest.NewServer(idem.Middleware(handler))
		defer srv.Close()

		const racers = 50
		statuses := make(chan int, racers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := 0; i < racers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/x", strings.NewReader(`{"a":1}`))
				req.Header.Set("Idempotency-Key", "same")
				<-start
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					statuses <- 0
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		close(statuses)
		for s := range statuses {
			require.Contains(t, []int{http.StatusCreated, http.StatusConflict}, s)
		}
		require.Equal(t, int32(1), calls.Load(), "handler runs for one key")
	})
}

func TestIdempotencyExpiredKeyIsClaimedAgain(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		var calls atomic.Int32
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(http.StatusCreated)
		})
		idem := NewIdempotency(db, slog.New(slog.NewTextHandler(io.Discard, nil)), 1<<20, func(r *http.Request) string { return "caller-1" })
		now := time.Now().UTC()
		idem.now = func() time.Time { return now }
		srv := httptest.NewServer(idem.Middleware(handler))
		defer srv.Close()
		post := func(body string) int {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/x", strings.NewReader(body))
			req.Header.Set("Idempotency-Key", "k")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			return resp.StatusCode
		}
		require.Equal(t, 201, post(`{"a":1}`))
		require.Equal(t, 201, post(`{"a":1}`))
		require.Equal(t, int32(1), calls.Load())
		// Past its window the key belongs to whichever request comes next,
		// even one with another body.
		now = now.Add(IdempotencyWindow + time.Second)
		require.Equal(t, 201, post(`{"a":2}`))
		require.Equal(t, int32(2), calls.Load())
		require.Equal(t, 201, post(`{"a":2}`))
		require.Equal(t, int32(2), calls.Load())
	})
}
