// Package rest is the HTTP plumbing shared by Quorum's API surfaces: request
// ids, error bodies per surface, middleware, idempotency and time zones.
package rest

import (
	"context"
	"time"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	locationKey
)

// RequestID returns the id of the request being served.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// WithRequestID stores the request id in ctx.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// Location returns the caller's time zone (UTC unless X-Client-Timezone
// named a valid one).
func Location(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(locationKey).(*time.Location); ok {
		return loc
	}
	return time.UTC
}

// WithLocation stores the caller's time zone in ctx.
func WithLocation(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, locationKey, loc)
}

// Time renders t in the caller's zone as RFC 3339 ("…Z" in UTC).
func Time(ctx context.Context, t time.Time) string {
	return t.In(Location(ctx)).Format(time.RFC3339)
}

// TimePtr is Time for optional timestamps; the zero time renders as nil.
func TimePtr(ctx context.Context, t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := Time(ctx, t)
	return &s
}
