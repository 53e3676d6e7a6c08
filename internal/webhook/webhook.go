// Package webhook delivers domain events over HTTP, durably and signed.
//
// # Outbox
//
// [Service.Emit] writes an event (internal/event) in the caller's
// transaction and queues a fan-out job in the same transaction, so an event
// exists exactly when its change does. The fan-out job creates one delivery
// per matching subscription (insert-if-absent on (subscription, event)) and
// queues one delivery job per new delivery, in one transaction. Every job
// re-reads the database and is harmless to run again, so a crash at any
// point loses nothing: at worst an attempt whose answer was not recorded is
// sent again (a repeat of the same delivery, with the same event id and
// delivery id).
//
// # Subscriptions
//
// A Partner app has one webhook, signed with the Contio scheme: its URL,
// switch and include/exclude filter are the app's settings, and its secret
// is created with the app. An organization may also have endpoints of its
// own (for the Meetings API), each with a URL, an event list and a whsec_
// secret, signed with the Standard Webhooks scheme. Workspace events go to
// every app linked to the organization, whichever app caused them; an event
// marked AppOnly goes to its app alone.
//
// # Delivery
//
// An attempt succeeds on a 2xx answer within the timeout (5 s). Failed
// attempts are retried on the retry schedule (Standard Webhooks: at once,
// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); after the last the delivery is
// abandoned. A subscription is disabled after 50 consecutive abandoned
// deliveries or 72 h of failures without a success; while it is off, its
// deliveries wait as pending, and turning it back on delivers or abandons
// them. Each replica lets at most Config.Concurrency deliveries to one
// subscription run at once; a delivery job that finds no free slot is
// snoozed briefly, so a slow receiver holds only its own slots. Requests go
// through a client that checks every resolved address at connect time and
// never follows redirects.
package webhook

import (
	"time"
)

// Scheme names how a subscription's deliveries are signed.
type Scheme string

// The signing schemes.
const (
	// SchemeContio signs with X-Contio-Signature: sha256=<hex HMAC>.
	SchemeContio Scheme = "contio"
	// SchemeStandard signs as Standard Webhooks: webhook-id,
	// webhook-timestamp and webhook-signature: v1,<base64 HMAC>.
	SchemeStandard Scheme = "standard"
)

// Status is a delivery's state.
type Status string

// The delivery statuses of the Partner API.
const (
	// StatusPending: not attempted yet, or held while the subscription is
	// off.
	StatusPending Status = "pending"
	// StatusFailed: the last attempt failed and another is scheduled.
	StatusFailed Status = "failed"
	// StatusDelivered: an attempt got a 2xx answer.
	StatusDelivered Status = "delivered"
	// StatusAbandoned: every scheduled attempt failed, or held deliveries
	// were abandoned when the subscription was turned back on.
	StatusAbandoned Status = "abandoned"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusFailed, StatusDelivered, StatusAbandoned:
		return true
	}
	return false
}

// Disposition decides the fate of deliveries held while a subscription was
// off, when it is turned back on.
type Disposition string

// The pending dispositions.
const (
	Deliver Disposition = "deliver"
	Abandon Disposition = "abandon"
)

// Delivery is one event's delivery to one subscription.
type Delivery struct {
	ID        int64
	UUID      string
	AppUUID   string
	EventUUID string
	EventType string
	Status    Status
	// Attempts counts every attempt made; Failures those that failed.
	Attempts      int
	Failures      int
	HTTPStatus    int // of the last attempt; 0 if none answered
	ErrorMessage  string
	NextAttemptAt time.Time // zero when none is scheduled
	DeliveredAt   time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Attempt is one HTTP attempt of a delivery.
type Attempt struct {
	Attempt         int
	Status          Status // delivered, failed or abandoned (the last failure)
	HTTPStatus      int
	Duration        time.Duration
	ErrorMessage    string
	ResponseSnippet string // at most MaxSnippet bytes of the answer
	NextAttemptAt   time.Time
	StartedAt       time.Time
}

// MaxSnippet bounds the part of a receiver's answer that is recorded.
const MaxSnippet = 1024

// Endpoint is a webhook endpoint of one organization.
type Endpoint struct {
	ID          int64
	UUID        string
	AppID       int64
	OrgID       int64
	URL         string
	Scheme      Scheme
	Events      []string
	Description string
	Enabled     bool
	// Secret is the signing secret in clear; it is filled only when the
	// endpoint is created or its secret rotated.
	Secret     string
	SecretHint string
	// DisabledReason says why delivery was turned off automatically.
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// NewEndpoint is the input for creating an endpoint.
type NewEndpoint struct {
	URL         string
	Events      []string
	Description string
	// Scheme defaults to SchemeStandard.
	Scheme Scheme
}

// DeliveryFilter narrows a list of deliveries; empty fields match all.
type DeliveryFilter struct {
	Status    Status
	EventType string
}

// Retry is the outcome of a manual retry.
type Retry struct {
	Scheduled bool
	Message   string
	Delivery  Delivery
}
