package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"
)

// Sentinels an *UpstreamError matches with errors.Is. Every upstream failure
// matches ErrUpstream; at most one of the others says why. A surface maps
// ErrRateLimited and ErrUnavailable to 503 (try again later) and any other
// ErrUpstream to 502 (the model server misbehaved or is misconfigured — a
// rejected key is Quorum's configuration problem, not the caller's).
//
// A cancelled or expired caller context is returned as the context's own
// error, never as ErrUpstream.
var (
	// ErrUpstream is any failure of the model server or of reaching it.
	ErrUpstream = errors.New("openai: upstream error")
	// ErrUnauthorized is a 401 or 403: the API key is missing, wrong or
	// lacks access to the model.
	ErrUnauthorized = errors.New("openai: upstream rejected the credentials")
	// ErrRateLimited is a 429 that outlived the SDK's retries, including
	// OpenAI's "insufficient_quota".
	ErrRateLimited = errors.New("openai: upstream rate limit")
	// ErrUnavailable is a 5xx, a connection failure, an attempt that ran
	// past Config.Timeout, or a stream cut off before it finished.
	ErrUnavailable = errors.New("openai: upstream unavailable")
	// ErrBadResponse is a successful response Quorum could not use: not
	// JSON, no choices, vectors missing.
	ErrBadResponse = errors.New("openai: unusable upstream response")
)

// UpstreamError is a failed call to the model server.
type UpstreamError struct {
	// Op is the provider operation: "chat", "chat stream", "embed",
	// "transcribe", or an ai.Engine method name.
	Op string
	// StatusCode is the upstream's HTTP status, 0 when none was received.
	StatusCode int
	// Code and Message are the upstream's error code and message, when its
	// body carried an OpenAI-style {"error": {...}} object.
	Code    string
	Message string
	// Err is the underlying cause.
	Err error

	kind error // ErrUnauthorized, ErrRateLimited, ErrUnavailable, ErrBadResponse or nil
}

// Error describes the failure without the request URL or headers, which may
// carry secrets.
func (e *UpstreamError) Error() string {
	msg := "openai: " + e.Op
	if e.StatusCode != 0 {
		msg += fmt.Sprintf(": upstream status %d", e.StatusCode)
	}
	if e.Message != "" {
		msg += ": " + e.Message
	} else if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *UpstreamError) Unwrap() error { return e.Err }

// Is matches ErrUpstream and the sentinel for the failure's cause.
func (e *UpstreamError) Is(target error) bool {
	return target == ErrUpstream || (e.kind != nil && target == e.kind)
}

// wrapErr turns an SDK or transport error into the package's errors. The
// caller's own cancellation wins over whatever the SDK made of it, so a
// client hanging up is never reported as an upstream failure.
func wrapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("openai: %s: %w", op, cerr)
	}
	var ue *UpstreamError
	if errors.As(err, &ue) {
		return err
	}
	e := &UpstreamError{Op: op, Err: err}
	var apiErr *oai.Error
	var streamErr *ssestream.StreamError
	var netErr net.Error
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &apiErr):
		e.StatusCode, e.Code, e.Message = apiErr.StatusCode, apiErr.Code, apiErr.Message
		e.kind = statusKind(apiErr.StatusCode)
	case errors.As(err, &streamErr):
		// An {"error": ...} event mid-stream: the server failed while
		// generating, after it had already answered 200.
		e.Message, e.kind = streamErr.Message, ErrUnavailable
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr),
		errors.Is(err, io.ErrUnexpectedEOF):
		// The caller's context is alive, so this is Config.Timeout, the
		// transport giving up on the server or the server hanging up.
		e.kind = ErrUnavailable
	case errors.As(err, &syntaxErr), errors.As(err, &typeErr):
		e.kind = ErrBadResponse
	}
	return e
}

// statusKind classifies an upstream HTTP status.
func statusKind(status int) error {
	switch {
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return ErrUnauthorized
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrUnavailable
	}
	return nil
}

// badResponse reports a successful response Quorum cannot use.
func badResponse(op, format string, args ...any) error {
	return &UpstreamError{Op: op, Err: fmt.Errorf(format, args...), kind: ErrBadResponse}
}

// maxErrorBody caps how much of an error response is read to normalize it.
const maxErrorBody = 1 << 20

// normalizeErrorBody is SDK middleware that rewrites an error response into
// OpenAI's {"error": {"message": ...}} shape when a compatible server uses
// another one: {"error": "text"} (Ollama's native style), or a top-level
// "message" (vLLM) or "detail" (FastAPI-based speech servers). Without it the
// SDK fails to decode {"error": "text"} and the status code is lost, so a
// 404 for a missing model would surface as a malformed response.
func normalizeErrorBody(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	res, err := next(req)
	if err != nil || res.StatusCode < 400 || res.Body == nil {
		return res, err
	}
	body, readErr := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	_ = res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(body))
	if readErr != nil {
		return res, nil // the SDK reports the status without a message
	}
	var shape struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &shape) != nil {
		return res, nil
	}
	var msg string
	switch {
	case len(shape.Error) > 0 && shape.Error[0] == '{':
		return res, nil // already OpenAI's shape
	case json.Unmarshal(shape.Error, &msg) == nil && msg != "":
	case shape.Message != "":
		msg = shape.Message
	case json.Unmarshal(shape.Detail, &msg) == nil && msg != "":
	case len(shape.Detail) > 0:
		msg = string(shape.Detail) // FastAPI validation errors are a list
	default:
		return res, nil
	}
	fixed, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg}})
	res.Body = io.NopCloser(bytes.NewReader(fixed))
	res.ContentLength = int64(len(fixed))
	res.Header.Del("Content-Length")
	return res, nil
}

// GatewayStatus is the status a Quorum API answers with when this upstream
// call fails: 503 when the model server is busy or down, 502 otherwise (a
// rejected key is our configuration problem, not the caller's).
func (e *UpstreamError) GatewayStatus() int {
	if errors.Is(e, ErrRateLimited) || errors.Is(e, ErrUnavailable) {
		return http.StatusServiceUnavailable
	}
	return http.StatusBadGateway
}
