package rest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/store"
)

// IdempotencyWindow is how long a completed response is replayed.
const IdempotencyWindow = 24 * time.Hour

// Idempotency replays responses of write requests that carry an
// Idempotency-Key, so client retries cannot apply a change twice.
type Idempotency struct {
	db     *store.DB
	logger *slog.Logger
	// Scope names the credential a key belongs to; keys of different
	// callers never collide. An empty scope skips idempotency.
	Scope func(r *http.Request) string
	// MaxBody caps the bytes read to hash the request.
	MaxBody int64
	now     func() time.Time
}

// NewIdempotency returns the middleware's state.
func NewIdempotency(db *store.DB, logger *slog.Logger, maxBody int64, scope func(*http.Request) string) *Idempotency {
	return &Idempotency{db: db, logger: logger, Scope: scope, MaxBody: maxBody, now: func() time.Time { return time.Now().UTC() }}
}

func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// recorder captures a response while passing it through.
type recorder struct {
	statusWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.statusWriter.Write(b)
}

// Middleware is the http middleware.
func (m *Idempotency) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			next.ServeHTTP(w, r)
			return
		}
		if key == "" || strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			next.ServeHTTP(w, r)
			return
		}
		s := SurfaceFrom(r.Context())
		if !validIdempotencyKey(key) {
			s.Error(r.Context(), http.StatusBadRequest, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 printable ASCII characters", nil).Write(w)
			return
		}
		scope := m.Scope(r)
		if scope == "" {
			next.ServeHTTP(w, r)
			return
		}
		// The fingerprint covers the first MaxBody bytes and the declared
		// length; the rest of a larger body (a transcript upload) is passed
		// on unread, for the operation's own size limit to judge.
		head, err := io.ReadAll(io.LimitReader(r.Body, m.MaxBody))
		if err != nil {
			s.Error(r.Context(), http.StatusBadRequest, "invalid_request_body", "could not read request body", nil).Write(w)
			return
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s %s?%s\n%d\n%s", r.Method, r.URL.Path, r.URL.RawQuery, r.ContentLength, head)))
		hash := hex.EncodeToString(sum[:])

		replay, err := m.begin(r.Context(), s, scope, key, hash)
		if err != nil {
			var re *Error
			if errors.As(err, &re) {
				re.Write(w)
				return
			}
			s.Fail(r.Context(), err).Write(w)
			return
		}
		if replay != nil {
			w.Header().Set("Content-Type", replay.contentType)
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(replay.status)
			_, _ = w.Write(replay.body)
			return
		}
		rec := &recorder{statusWriter: statusWriter{ResponseWriter: w}}
		completed := false
		defer func() {
			// On a panic or a server error the key is released so that a
			// retry runs the request again.
			ctx := context.WithoutCancel(r.Context())
			if !completed || rec.status >= 500 {
				m.release(ctx, scope, key)
				return
			}
			m.finish(ctx, scope, key, rec.status, rec.Header().Get("Content-Type"), rec.body.Bytes())
		}()
		next.ServeHTTP(rec, r)
		completed = true
	})
}

type storedResponse struct {
	status      int
	contentType string
	body        []byte
}

// begin claims the key, or returns the stored response to replay.
func (m *Idempotency) begin(ctx context.Context, s *Surface, scope, key, hash string) (*storedResponse, error) {
	now := m.now()
	for attempt := 0; attempt < 2; attempt++ {
		claimed, err := m.claim(ctx, scope, key, hash, now)
		if err != nil {
			return nil, err
		}
		if claimed {
			return nil, nil
		}
		stored, storedHash, found, err := m.load(ctx, scope, key)
		if err != nil {
			return nil, err
		}
		if !found {
			continue // released between our claim and this read
		}
		if storedHash != hash {
			return nil, s.Error(ctx, http.StatusUnprocessableEntity, "idempotency_key_reused",
				"this Idempotency-Key was used with a different request", nil)
		}
		if stored.status == 0 {
			e := s.Error(ctx, http.StatusConflict, "conflict", "a request with this Idempotency-Key is still in progress", nil)
			e.RetryAfter = 1
			return nil, e
		}
		return stored, nil
	}
	return nil, errors.New("idempotency key kept changing")
}
