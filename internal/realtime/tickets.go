package realtime

import (
	"context"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/secret"
)

// TicketPrefix starts every stream ticket.
const TicketPrefix = "st_"

// Ticket scopes: a ticket opens one room's stream, or the discovery stream
// of one user.
const (
	ScopeRoom        = "room"
	ScopeActiveRooms = "active-rooms"
)

// Ticket is a single-use credential for one stream.
type Ticket struct {
	Ticket    string    `json:"ticket"`
	ExpiresAt time.Time `json:"expiresAt"`
	Scope     string    `json:"scope"`
	// RoomName or UserID is what the ticket is good for.
	RoomName string `json:"roomName,omitempty"`
	UserID   string `json:"userId,omitempty"`
}

// ticketGrant is what consuming a ticket yields.
type ticketGrant struct {
	caller caller.Caller
	scope  string
	target string
}

// IssueTicket creates a ticket for the room stream of roomName (scope
// "room", the default when a room is named) or for the discovery stream of
// userID (scope "active-rooms"; userID defaults to the caller's user). The
// ticket lets the SSE client connect without its cloud token in the URL.
func (s *Service) IssueTicket(ctx context.Context, c caller.Caller, scope, roomName, userID string) (Ticket, error) {
	scope = strings.TrimSpace(scope)
	if scope == "" {
		scope = ScopeActiveRooms
		if strings.TrimSpace(roomName) != "" {
			scope = ScopeRoom
		}
	}
	if scope == "discovery" {
		scope = ScopeActiveRooms
	}
	t := Ticket{Scope: scope}
	var target string
	var err error
	switch scope {
	case ScopeRoom:
		if target, err = validRoom("roomName", roomName); err != nil {
			return Ticket{}, err
		}
		t.RoomName = target
	case ScopeActiveRooms:
		if strings.TrimSpace(userID) == "" {
			userID = c.UserRef
		}
		if target, err = validID("userId", userID); err != nil {
			return Ticket{}, err
		}
		t.UserID = target
	default:
		return Ticket{}, fault.Invalid("scope", "validation_error", "scope must be room or active-rooms")
	}
	t.Ticket = secret.New(TicketPrefix)
	now := s.now()
	t.ExpiresAt = now.Add(TicketTTL)
	if err := s.store.insertTicket(ctx, c, secret.Hash(t.Ticket), scope, target, now, t.ExpiresAt); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

var errBadTicket = fault.Unauthorized("invalid_ticket", "missing, invalid, expired or already used stream ticket")

// consumeTicket spends a ticket (once, atomically) and checks that it was
// issued for this stream: an unknown, expired or spent ticket is 401, a
// ticket for another stream 403.
func (s *Service) consumeTicket(ctx context.Context, ticket, scope, target string) (caller.Caller, error) {
	if !strings.HasPrefix(ticket, TicketPrefix) {
		return caller.Caller{}, errBadTicket
	}
	g, err := s.store.consumeTicket(ctx, secret.Hash(ticket), s.now())
	if err != nil {
		return caller.Caller{}, err
	}
	if g.scope != scope || g.target != target {
		return caller.Caller{}, fault.Forbidden("ticket_scope", "this ticket was issued for another stream")
	}
	return g.caller, nil
}

// PurgeExpiredTickets deletes tickets past their lifetime; a periodic job
// calls it.
func (s *Service) PurgeExpiredTickets(ctx context.Context) (int64, error) {
	return s.store.purgeTickets(ctx, s.now())
}
