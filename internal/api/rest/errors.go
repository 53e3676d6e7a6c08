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

// Error builds an error in the surface's shape.
func (s *Surface) Error(ctx context.Context, status int, code, msg string, extra map[string]any) *Error {
	return &Error{Status: status, Body: s.Body(ErrorInfo{RequestID: RequestID(ctx), Code: code, Message: msg, Extra: extra})}
}

// NewError builds an error in the shape of the surface serving ctx's
// request, for plumbing that runs before an operation is chosen.
func NewError(ctx context.Context, status int, code, msg string, extra map[string]any) *Error {
	return SurfaceFrom(ctx).Error(ctx, status, code, msg, extra)
}

// PartnerBody is the Partner API's error body.
func PartnerBody(e ErrorInfo) map[string]any {
	body := map[string]any{"code": e.Code, "error": e.Message, "message": e.Message, "request_id": e.RequestID}
	if e.Field != "" {
		body["field"] = e.Field
	}
	return withExtra(body, e.Extra)
}

// OAuthBody is RFC 6749's error body plus the Partner API's code and
// message, so clients of either convention read the same error.
func OAuthBody(e ErrorInfo) map[string]any {
	body := map[string]any{"error": e.Code, "error_description": e.Message, "code": e.Code, "message": e.Message, "request_id": e.RequestID}
	return withExtra(body, e.Extra)
}

// CloudBody is the Cloud API's error body.
func CloudBody(e ErrorInfo) map[string]any {
	body := map[string]any{"error": map[string]any{"code": e.Code, "message": e.Message}, "request_id": e.RequestID}
	if e.Field != "" {
		body["field"] = e.Field
	}
	return withExtra(body, e.Extra)
}

// MeetingsBody is the Meetings API's (Django REST framework) error body:
// {"field": ["message"]} for an invalid field, {"detail": ...} otherwise.
func MeetingsBody(e ErrorInfo) map[string]any {
	if e.Field != "" {
		return withExtra(map[string]any{e.Field: []string{e.Message}}, e.Extra)
	}
	return withExtra(map[string]any{"detail": e.Message, "code": e.Code}, e.Extra)
}

func withExtra(body, extra map[string]any) map[string]any {
	for k, v := range extra {
		body[k] = v
	}
	return body
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

// Fail maps a domain error to the surface's error. Anything that is not a
// fault.Error is logged and answered with a 500 that leaks nothing.
func (s *Surface) Fail(ctx context.Context, err error) *Error {
	var re *Error
	if errors.As(err, &re) {
		return re
	}
	var gw interface{ GatewayStatus() int }
	if errors.As(err, &gw) {
		slog.WarnContext(ctx, "upstream model call failed", "request_id", RequestID(ctx), "error", err)
		return s.Error(ctx, gw.GatewayStatus(), "upstream_unavailable", "the configured AI model server failed; try again later", nil)
	}
	fe, ok := fault.As(err)
	if !ok {
		if errors.Is(err, context.Canceled) {
			return s.Error(ctx, 499, "request_canceled", "request canceled", nil)
		}
		slog.ErrorContext(ctx, "internal error", "request_id", RequestID(ctx), "error", err)
		return s.Error(ctx, http.StatusInternalServerError, "internal_error", "internal server error", nil)
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
	e := &Error{Status: status, Body: s.Body(ErrorInfo{RequestID: RequestID(ctx), Code: fe.Code, Message: fe.Message, Field: fe.Field, Extra: fe.Extra})}
	if fe.RetryAfter > 0 {
		e.RetryAfter = int((fe.RetryAfter + time.Second - 1) / time.Second)
	}
	return e
}

// HumaError is huma's error constructor for Quorum: huma's own errors
// (validation, bad JSON, oversized body) take the body of the surface
// serving the request. api.New installs it as huma.NewErrorWithContext.
func HumaError(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
	ctx := context.Background()
	if hctx != nil {
		ctx = hctx.Context()
	}
	s := SurfaceFrom(ctx)
	code := codeForStatus(status)
	if status == http.StatusUnprocessableEntity {
		// Partner and Cloud clients expect validation failures as 400.
		status, code = http.StatusBadRequest, "validation_error"
	}
	if status == http.StatusBadRequest && s.OAuthCodes {
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
	return s.Error(ctx, status, code, msg, nil)
}

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
