package rest

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies middleware so that the first one listed runs first.
func Chain(h http.Handler, mw ...Middleware) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// RequestIDs gives every request an id (reusing a sane incoming
// X-Request-Id), echoes it in the response and puts it in the context.
func RequestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			id = uuid.NewString()
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(WithRequestID(r.Context(), id)))
	})
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Flush keeps server-sent events working through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// AccessLog logs one line per request and turns panics into a 500 that
// leaks nothing; the stack goes to the log with the request id.
func AccessLog(logger *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					logger.ErrorContext(r.Context(), "panic serving request", "request_id", RequestID(r.Context()),
						"method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
					if sw.status == 0 {
						NewError(r.Context(), http.StatusInternalServerError, "internal_error", "internal server error", nil).Write(sw)
					}
				}
				logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
					slog.String("request_id", RequestID(r.Context())), slog.String("method", r.Method),
					slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
					slog.Duration("duration", time.Since(start)))
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// CleanPath collapses duplicate slashes in place. http.ServeMux would
// answer them with a redirect, which clients turn from POST into GET.
func CleanPath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "//") {
			p := r.URL.Path
			for strings.Contains(p, "//") {
				p = strings.ReplaceAll(p, "//", "/")
			}
			r.URL.Path = p
			r.URL.RawPath = ""
		}
		next.ServeHTTP(w, r)
	})
}

// EmptyJSONBody lets a JSON request with an empty body be read as {}: the
// Partner SDK sends many POSTs with a JSON content type and no body.
func EmptyJSONBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch:
			if r.ContentLength == 0 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				r.Body = io.NopCloser(bytes.NewReader([]byte("{}")))
				r.ContentLength = 2
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Timezone reads X-Client-Timezone into the context.
func Timezone(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tz := r.Header.Get("X-Client-Timezone"); tz != "" {
			r = r.WithContext(WithLocation(r.Context(), ParseTimezone(tz)))
		}
		next.ServeHTTP(w, r)
	})
}

// NoSniff stops browsers from reading a response as another content type
// than the one declared, so an uploaded transcript can never run as HTML.
func NoSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}
