package rest

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/fault"
)

// Surface names an API family; each keeps its own error body.
type Surface int

// The surfaces.
const (
	SurfaceOther Surface = iota
	SurfacePartner
	SurfaceOAuth
	SurfaceCloud
	SurfaceMeetings
)

// SurfaceOf tells which surface serves a path.
func SurfaceOf(path string) Surface {
	switch {
	case strings.HasPrefix(path, "/v1/partner/"):
		return SurfacePartner
	case strings.HasPrefix(path, "/oauth2/"), strings.HasPrefix(path, "/auth/"):
		return SurfaceOAuth
	case strings.HasPrefix(path, "/cloud/"):
		return SurfaceCloud
	case strings.HasPrefix(path, "/api/"):
		return SurfaceMeetings
	}
	return SurfaceOther
}

// Error is an HTTP error with a surface-specific JSON body. It satisfies
// huma.StatusError so handlers can return it directly.
type Error struct {
	Status     int
	Body       map[string]any
	RetryAfter int // seconds; sent as Retry-After when positive
}

// Error implements error.
func (e *Error) Error() string {
	b, _ := json.Marshal(e.Body)
	return strconv.Itoa(e.Status) + " " + string(b)
}

// GetStatus implements huma.StatusError.
func (e *Error) GetStatus() int { return e.Status }

// MarshalJSON writes the body only.
func (e *Error) MarshalJSON() ([]byte, error) { return json.Marshal(e.Body) }

// GetHeaders lets huma send Retry-After with the error.
func (e *Error) GetHeaders() http.Header {
	if e.RetryAfter <= 0 {
		return nil
	}
	return http.Header{"Retry-After": []string{strconv.Itoa(e.RetryAfter)}}
}

// NewError builds the error body of a surface.
func NewError(ctx context.Context, s Surface, status int, code, msg string, extra map[string]any) *Error {
	rid := RequestID(ctx)
	var body map[string]any
	switch s {
	case SurfaceOAuth:
		// RFC 6749 fields, plus the Partner API's code and message so
		// clients of either convention read the same error.
		body = map[string]any{"error": code, "error_description": msg, "code": code, "message": msg, "request_id": rid}
	case SurfaceCloud:
		body = map[string]any{"error": map[string]any{"code": code, "message": msg}, "request_id": rid}
	case SurfaceMeetings:
		body = map[string]any{"detail": msg, "code": code}
	default:
		body = map[string]any{"code": code, "error": msg, "message": msg, "request_id": rid}
	}
	for k, v := range extra {
		body[k] = v
	}
	return &Error{Status: status, Body: body}
}

// Write sends err's body with its status.
func (e *Error) Write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	for k, v := range e.GetHeaders() {
		w.Header()[k] = v
	}
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(e.Body)
}

// FromDomain maps a domain error to a surface error. Anything that is not a
// fault.Error is logged and answered with a 500 that leaks nothing.
func FromDomain(ctx context.Context, s Surface, err error) *Error {
	var re *Error
	if errors.As(err, &re) {
		return re
	}
	var gw interface{ GatewayStatus() int }
	if errors.As(err, &gw) {
		slog.WarnContext(ctx, "upstream model call failed", "request_id", RequestID(ctx), "error", err)
		return NewError(ctx, s, gw.GatewayStatus(), "upstream_unavailable", "the configured AI model server failed; try again later", nil)
	}
	fe, ok := fault.As(err)
	if !ok {
		if errors.Is(err, context.Canceled) {
			return NewError(ctx, s, 499, "request_canceled", "request canceled", nil)
		}
		slog.ErrorContext(ctx, "internal error", "request_id", RequestID(ctx), "error", err)
		return NewError(ctx, s, http.StatusInternalServerError, "internal_error", "internal server error", nil)
	}
	status := map[fault.Kind]int{
		fault.KindInvalid:      http.StatusBadRequest,
		fault.KindNotFound:     http.StatusNotFound,
		fault.KindConflict:     http.StatusConflict,
		fault.KindForbidden:    http.StatusForbidden,
		fault.KindUnauthorized: http.StatusUnauthorized,
		fault.KindTooLarge:     http.StatusRequestEntityTooLarge,
		fault.KindRateLimited:  http.StatusTooManyRequests,
		fault.KindUnavailable:  http.StatusServiceUnavailable,
	}[fe.Kind]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	extra := fe.Extra
	if fe.Field != "" && s != SurfaceOAuth {
		extra = merge(extra, map[string]any{"field": fe.Field})
	}
	e := NewError(ctx, s, status, fe.Code, fe.Message, extra)
	if fe.RetryAfter > 0 {
		e.RetryAfter = int((fe.RetryAfter + time.Second - 1) / time.Second)
	}
	return e
}

func merge(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// hookHuma makes huma's own errors (validation, bad JSON, oversized body)
// use the body of the surface that owns the operation.
func hookHuma() {
	huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		var ctx context.Context = context.Background()
		path := ""
		if hctx != nil {
			ctx = hctx.Context()
			u := hctx.URL()
			path = u.Path
		}
		s := SurfaceOf(path)
		code := codeForStatus(status)
		if status == http.StatusUnprocessableEntity {
			// Partner and Cloud clients expect validation failures as 400.
			status, code = http.StatusBadRequest, "validation_error"
		}
		if status == http.StatusBadRequest && s == SurfaceOAuth {
			code = "invalid_request"
		}
		details := make([]string, 0, len(errs))
		for _, e := range errs {
			if e != nil {
				details = append(details, e.Error())
			}
		}
		if len(details) > 0 {
			msg = msg + ": " + strings.Join(details, "; ")
		}
		return NewError(ctx, s, status, code, msg, nil)
	}
}

func init() { hookHuma() }

func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid_request_body"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusConflict:
		return "conflict"
	case http.StatusRequestEntityTooLarge:
		return "payload_too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusTooManyRequests:
		return "rate_limited"
	}
	if status >= 500 {
		return "internal_error"
	}
	return "bad_request"
}
