// Package connection holds a partner app's user connections: one per user
// who authorized the app (the user's OAuth consent), with the state of its
// tokens. Revoking a connection revokes the consent and every token and
// pending authorization code of that user for the app in one transaction,
// so the next request with any of them is refused.
package connection

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/oauth"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// Status is a connection's state.
type Status string

// The connection statuses.
const (
	// Active: authorized, with a live token (or none issued yet).
	Active Status = "active"
	// Revoked: the app or the user revoked it.
	Revoked Status = "revoked"
	// Expired: every token issued for it has expired.
	Expired Status = "expired"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Active || s == Revoked || s == Expired }

// Connection is one user's authorization of an app.
type Connection struct {
	ID        int64
	UUID      string
	UserUUID  string
	UserName  string
	UserEmail string
	Scopes    []string
	// ExpiresAt is when the last live token expires; zero when none is live.
	ExpiresAt time.Time
	Status    Status
	RevokedAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Filter narrows a list of connections; empty fields match all.
type Filter struct {
	UserUUID string
	Status   Status
}

// Service lists and revokes an app's connections.
type Service struct {
	store  sqlStore
	queue  *jobs.Queue
	events event.Emitter
	now    func() time.Time
}

// NewService returns a Service; events may be nil.
func NewService(db *store.DB, queue *jobs.Queue, events event.Emitter) *Service {
	return &Service{store: sqlStore{db: db}, queue: queue, events: events,
		now: store.Now}
}

// Page sizes of List.
const (
	DefaultPage = 50
	MaxPage     = 100
)

// List pages through the connections of the caller's app, newest first,
// with an exact total.
func (s *Service) List(ctx context.Context, c caller.Caller, f Filter, r page.Request) (page.Page[Connection], error) {
	if r.Limit == 0 {
		r.Limit = DefaultPage
	}
	r, err := r.Normalize(MaxPage)
	if err != nil {
		return page.Page[Connection]{}, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return page.Page[Connection]{}, fault.Invalid("status", "invalid_query_parameters", "status must be active, revoked or expired")
	}
	return s.store.list(ctx, c.AppID, f, r, s.now())
}

// Get loads one connection of the caller's app; another app's, or an id
// that is not a UUID, is not found.
func (s *Service) Get(ctx context.Context, c caller.Caller, id string) (Connection, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Connection{}, fault.NotFound("connection")
	}
	return s.store.get(ctx, c.AppID, id, s.now())
}

// Revoke revokes a connection of the caller's app: its consent, every
// token and every unused authorization code of its user for the app, and
// emits user.connection.revoked, all in one transaction. Revoking a revoked
// connection changes nothing.
func (s *Service) Revoke(ctx context.Context, c caller.Caller, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return fault.NotFound("connection")
	}
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		now := s.now()
		userID, revoked, err := s.store.revokeConsent(ctx, tx.Tx, c.AppID, id, now)
		if err != nil || !revoked {
			return err
		}
		if err := s.store.revokeTokens(ctx, tx.Tx, c.AppID, userID, now); err != nil {
			return err
		}
		if c.OrgID == 0 {
			return nil // an app linked to no workspace has no webhook to tell
		}
		return event.Emit(ctx, s.events, tx, event.Event{Type: event.UserConnectionRevoked, OrgID: c.OrgID, AppID: c.AppID,
			AppOnly: true, ForUserID: userID, OccurredAt: now, Data: event.ConnectionRevoked{ConnectionID: id, RevokedAt: now}})
	})
}

// scopes splits a stored scope string.
func scopes(s string) []string {
	out := oauth.ParseScope(s)
	if out == nil {
		out = []string{}
	}
	return out
}
