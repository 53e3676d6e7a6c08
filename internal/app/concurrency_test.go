package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConcurrentIdempotencyKey fires 50 identical POSTs carrying one
// Idempotency-Key at once: exactly one runs, every other one is told the
// request is in flight (409) or gets the stored response replayed.
func TestConcurrentIdempotencyKey(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("ivy@example.com")
		ct, err := e.client().CreateCloudToken(ctx, f.cloudKey, "ivy@example.com")
		require.NoError(t, err)

		const racers = 50
		var (
			wg                         sync.WaitGroup
			mu                         sync.Mutex
			executed, replayed, flight int
			other                      []string
		)
		start := make(chan struct{})
		for i := 0; i < racers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/cloud/v1/meetings", strings.NewReader(`{"title":"Weekly sync"}`))
				req.Header.Set("Authorization", "Bearer "+ct.CloudToken)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", "import-weekly-sync")
				<-start
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					mu.Lock()
					other = append(other, err.Error())
					mu.Unlock()
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				defer mu.Unlock()
				switch {
				case resp.StatusCode == http.StatusCreated && resp.Header.Get("Idempotent-Replayed") == "true":
					replayed++
				case resp.StatusCode == http.StatusCreated:
					executed++
				case resp.StatusCode == http.StatusConflict:
					flight++
				default:
					other = append(other, resp.Status+" "+string(body))
				}
			}()
		}
		close(start)
		wg.Wait()
		require.Empty(t, other)
		require.Equal(t, 1, executed, "requests that ran (replayed %d, in flight %d)", replayed, flight)
		require.Equal(t, racers-1, replayed+flight)

		var meetings int
		require.NoError(t, e.app.DB.R.QueryRowContext(ctx, e.app.DB.Rebind(`SELECT COUNT(*) FROM meetings WHERE org_id = ?`), f.org.ID).Scan(&meetings))
		require.Equal(t, 1, meetings)
	})
}
