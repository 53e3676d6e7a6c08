// Package fault holds the typed errors that domain services return. Each API
// surface maps them, in one place, to its own status codes and error bodies.
package fault

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies a domain error.
type Kind int

// The kinds of domain error.
const (
	KindInvalid Kind = iota + 1
	KindNotFound
	KindConflict
	KindForbidden
	KindUnauthorized
	KindTooLarge
	KindRateLimited
	// KindUnavailable is work the server could not finish now but may
	// later, such as a request past its time budget.
	KindUnavailable
)

// Error is a domain error with a machine-readable code.
type Error struct {
	Kind    Kind
	Code    string // machine code, e.g. "validation_error", "invalid_grant"
	Field   string // the offending field, when there is one
	Message string // human message, safe to show to callers
	// Extra carries surface-specific detail (e.g. valid_event_types).
	Extra map[string]any
	// RetryAfter tells rate-limited callers when to come back.
	RetryAfter time.Duration
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Field, e.Message, e.Code)
	}
	return fmt.Sprintf("%s (%s)", e.Message, e.Code)
}

// Is makes errors.Is(err, fault.ErrNotFound) match any not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == "" && t.Kind == e.Kind
}

// Sentinels for errors.Is; they match any error of their kind.
var (
	ErrNotFound     = &Error{Kind: KindNotFound}
	ErrInvalid      = &Error{Kind: KindInvalid}
	ErrConflict     = &Error{Kind: KindConflict}
	ErrForbidden    = &Error{Kind: KindForbidden}
	ErrUnauthorized = &Error{Kind: KindUnauthorized}
)

// Invalid reports bad input in one field.
func Invalid(field, code, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports a missing row. Rows of other tenants are reported the
// same way so that ids leak nothing.
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: "not_found", Message: what + " not found"}
}

// Conflict reports a state conflict such as a duplicate.
func Conflict(code, format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Forbidden reports an authenticated caller lacking a permission.
func Forbidden(code, format string, args ...any) *Error {
	return &Error{Kind: KindForbidden, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Unauthorized reports missing or bad credentials.
func Unauthorized(code, format string, args ...any) *Error {
	return &Error{Kind: KindUnauthorized, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Unavailable reports work that could not be done now; callers may retry
// after retryAfter.
func Unavailable(code string, retryAfter time.Duration, format string, args ...any) *Error {
	return &Error{Kind: KindUnavailable, Code: code, Message: fmt.Sprintf(format, args...), RetryAfter: retryAfter}
}

// As returns err as a *Error when it is one.
func As(err error) (*Error, bool) {
	var fe *Error
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}
