package webhook

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/netguard"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/store"
)

// DefaultRetrySchedule is the Standard Webhooks schedule: the delay before
// each attempt, the first counted from the event.
var DefaultRetrySchedule = []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute,
	2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// Defaults of Config.
const (
	DefaultConcurrency           = 4
	DefaultTimeout               = 5 * time.Second
	MaxTimeout                   = 20 * time.Second
	DefaultDisableAfterAbandoned = 50
	DefaultDisableAfterFailing   = 72 * time.Hour
	DefaultStaleAfter            = time.Minute
	DefaultSweepEvery            = 30 * time.Second
)

// Config holds a Service's dependencies and tuning; zero tuning fields take
// the defaults above.
type Config struct {
	DB     *store.DB
	Queue  *jobs.Queue
	Box    *secret.Box
	Logger *slog.Logger
	// Client sends deliveries; nil means netguard's guarded client, which
	// refuses non-public addresses at connect time unless AllowPrivateURLs,
	// and never follows a redirect.
	Client           Doer
	AllowPrivateURLs bool
	RetrySchedule    []time.Duration
	// Concurrency caps the deliveries in flight to one subscription on this
	// replica.
	Concurrency int
	// Timeout bounds one attempt, from connecting to the end of the answer.
	Timeout               time.Duration
	DisableAfterAbandoned int
	DisableAfterFailing   time.Duration
	// StaleAfter is how long after it was due a delivery (or after it
	// occurred an event not fanned out) is taken to have lost its job; the
	// sweep then queues a new one.
	StaleAfter time.Duration
	// SweepEvery is the period of that sweep (see PeriodicJob).
	SweepEvery time.Duration

	resolver netguard.Resolver // tests resolve names their own way
}

// Doer sends one HTTP request; *http.Client satisfies it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Service is the outbox, the subscriptions and their deliveries.
type Service struct {
	db     *store.DB
	queue  *jobs.Queue
	box    *secret.Box
	logger *slog.Logger
	client Doer
	cfg    Config
	store  sqlStore
	now    func() time.Time

	orgUUIDs sync.Map // int64 -> string; an organization's UUID never changes
	slots    slots
	// consumers read the outbox besides fan-out (see AddConsumer).
	consumers []Consumer
}

// Consumer is another reader of the outbox, such as automations. Emit
// calls it in the event's transaction once the event is stored, with the
// event's outbox id; it queues its own durable job there when the event
// concerns it.
type Consumer interface {
	Consume(ctx context.Context, tx *jobs.Tx, eventID int64, e event.Event) error
}

// AddConsumer makes every emitted event reach c. Call it while wiring,
// before the service is used.
func (s *Service) AddConsumer(c Consumer) { s.consumers = append(s.consumers, c) }

// NewService returns a Service.
func NewService(cfg Config) *Service {
	if len(cfg.RetrySchedule) == 0 {
		cfg.RetrySchedule = DefaultRetrySchedule
	}
	cfg.Concurrency = cmp.Or(cfg.Concurrency, DefaultConcurrency)
	cfg.Timeout = min(cmp.Or(cfg.Timeout, DefaultTimeout), MaxTimeout)
	cfg.DisableAfterAbandoned = cmp.Or(cfg.DisableAfterAbandoned, DefaultDisableAfterAbandoned)
	cfg.DisableAfterFailing = cmp.Or(cfg.DisableAfterFailing, DefaultDisableAfterFailing)
	cfg.StaleAfter = cmp.Or(cfg.StaleAfter, DefaultStaleAfter)
	cfg.SweepEvery = cmp.Or(cfg.SweepEvery, DefaultSweepEvery)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	client := cfg.Client
	if client == nil {
		client = netguard.Guard{AllowPrivate: cfg.AllowPrivateURLs, Resolver: cfg.resolver}.Client(cfg.Timeout)
	}
	return &Service{
		db: cfg.DB, queue: cfg.Queue, box: cfg.Box, logger: cfg.Logger.With(slog.String("component", "webhook")),
		client: client, cfg: cfg, store: sqlStore{db: cfg.DB}, now: func() time.Time { return time.Now().UTC() },
		slots: slots{cap: cfg.Concurrency, bySub: map[int64]chan struct{}{}},
	}
}

var _ event.Emitter = (*Service)(nil)

// Emit writes e to the outbox in tx and, if any subscription may want it,
// queues its fan-out in the same transaction. Internal events are stored
// for the consumers alone and never fanned out.
func (s *Service) Emit(ctx context.Context, tx *jobs.Tx, e event.Event) error {
	if e.Type == "" || e.OrgID == 0 {
		return fmt.Errorf("emit: an event needs a type and an organization")
	}
	if e.ID == "" {
		e.ID = uuid.NewString()
	}
	if e.OccurredAt.IsZero() {
		e.OccurredAt = s.now()
	}
	if w, ok := e.Data.(event.Workspaced); ok {
		org, err := s.orgUUID(ctx, tx.Tx, e.OrgID)
		if err != nil {
			return err
		}
		w.SetWorkspaceID(org)
	}
	data := e.Data
	if data == nil {
		data = struct{}{}
	}
	payload, err := compactJSON(data)
	if err != nil {
		return fmt.Errorf("encode %s payload: %w", e.Type, err)
	}
	wanted := false
	if !event.Internal(e.Type) {
		if wanted, err = s.store.orgHasSubscribers(ctx, tx.Tx, e.OrgID); err != nil {
			return err
		}
	}
	var fanned *time.Time
	if !wanted {
		// Nobody listens: keep the event, mark it fanned out, queue nothing.
		now := s.now()
		fanned = &now
	}
	id, err := s.store.insertEvent(ctx, tx.Tx, e, string(payload), fanned)
	if err != nil {
		return err
	}
	for _, c := range s.consumers {
		if err := c.Consume(ctx, tx, id, e); err != nil {
			return err
		}
	}
	if !wanted {
		return nil
	}
	if _, err := tx.Insert(ctx, fanoutArgs{EventID: id}, nil); err != nil {
		return err
	}
	return nil
}

func (s *Service) orgUUID(ctx context.Context, tx *sql.Tx, orgID int64) (string, error) {
	if v, ok := s.orgUUIDs.Load(orgID); ok {
		return v.(string), nil
	}
	id, err := s.store.orgUUID(ctx, tx, orgID)
	if err != nil {
		return "", err
	}
	s.orgUUIDs.Store(orgID, id)
	return id, nil
}

// sealFor binds a sealed secret to its subscription.
func sealFor(subUUID string) []byte { return []byte("webhook_subscription:" + subUUID) }

func (s *Service) seal(subUUID, value string) ([]byte, error) {
	if s.box == nil {
		return nil, fmt.Errorf("webhook: no secret box configured")
	}
	return s.box.Seal([]byte(value), sealFor(subUUID)), nil
}

// IssueAppSecret creates the Partner webhook subscription of a new app in
// the transaction that creates the app, and returns its signing secret in
// clear (shown once). It implements identity.WebhookSecretIssuer.
func (s *Service) IssueAppSecret(ctx context.Context, tx *sql.Tx, appID int64) (string, error) {
	value := newSecret()
	subUUID := uuid.NewString()
	sealed, err := s.seal(subUUID, value)
	if err != nil {
		return "", err
	}
	now := s.now()
	if err := s.store.insertAppSubscription(ctx, tx, appID, subUUID, sealed, secret.Hint(value), now); err != nil {
		return "", err
	}
	return value, nil
}

// RotateAppSecret replaces the caller's app's webhook secret and returns
// the new one in clear. The next attempt of every delivery signs with it;
// the old secret stops working at once, as the Partner contract says.
func (s *Service) RotateAppSecret(ctx context.Context, c caller.Caller) (string, error) {
	subUUID, err := s.store.appSubscriptionUUID(ctx, c.AppID)
	if err != nil {
		return "", err
	}
	value := newSecret()
	sealed, err := s.seal(subUUID, value)
	if err != nil {
		return "", err
	}
	if err := s.store.setSecret(ctx, subUUID, sealed, secret.Hint(value), s.now()); err != nil {
		return "", err
	}
	return value, nil
}

// SetAppWebhookEnabled turns the caller's app's webhook on or off. Turning
// it on resets its failure counters and settles the deliveries held while
// it was off: Deliver (the default) schedules them now, Abandon marks them
// abandoned. Both happen in one transaction with the switch.
func (s *Service) SetAppWebhookEnabled(ctx context.Context, c caller.Caller, enabled bool, d Disposition) error {
	if err := validDisposition(d); err != nil {
		return err
	}
	subID, err := s.store.appSubscriptionID(ctx, c.AppID)
	if err != nil {
		return err
	}
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.setAppWebhookEnabled(ctx, tx.Tx, c.AppID, enabled, s.now()); err != nil {
			return err
		}
		if !enabled {
			return nil
		}
		return s.resume(ctx, tx, subID, d)
	})
}

func validDisposition(d Disposition) error {
	if d != "" && d != Deliver && d != Abandon {
		return fault.Invalid("pending_disposition", "validation_error", "pending_disposition must be abandon or deliver")
	}
	return nil
}

// resume settles the held deliveries of a subscription that was turned
// back on, and clears its failure counters.
func (s *Service) resume(ctx context.Context, tx *jobs.Tx, subID int64, d Disposition) error {
	now := s.now()
	if err := s.store.resetHealth(ctx, tx.Tx, subID, now); err != nil {
		return err
	}
	if d == Abandon {
		return s.store.abandonHeld(ctx, tx.Tx, subID, now)
	}
	due := now.Add(s.cfg.RetrySchedule[0])
	held, err := s.store.releaseHeld(ctx, tx.Tx, subID, due, now)
	if err != nil {
		return err
	}
	for _, h := range held {
		if err := s.enqueueDelivery(ctx, tx, h.id, h.gen, due); err != nil {
			return err
		}
	}
	return nil
}

// CreateEndpoint adds a webhook endpoint to the caller's organization and
// returns it with its whsec_ secret in clear (shown once).
func (s *Service) CreateEndpoint(ctx context.Context, c caller.Caller, n NewEndpoint) (Endpoint, error) {
	if n.Scheme == "" {
		n.Scheme = SchemeStandard
	}
	if n.Scheme != SchemeStandard && n.Scheme != SchemeContio {
		return Endpoint{}, fault.Invalid("scheme", "validation_error", "scheme must be standard or contio")
	}
	if err := s.validateURL(ctx, "target_url", n.URL); err != nil {
		return Endpoint{}, err
	}
	if len(n.Events) == 0 || len(n.Events) > 100 {
		return Endpoint{}, fault.Invalid("events", "validation_error", "events must name 1 to 100 event types")
	}
	for _, e := range n.Events {
		if e == "" || len(e) > 100 {
			return Endpoint{}, fault.Invalid("events", "validation_error", "event types must be 1 to 100 characters")
		}
	}
	if len(n.Description) > 1000 {
		return Endpoint{}, fault.Invalid("description", "validation_error", "description is longer than 1000 characters")
	}
	now := s.now()
	e := Endpoint{UUID: uuid.NewString(), AppID: c.AppID, OrgID: c.OrgID, URL: n.URL, Scheme: n.Scheme,
		Events: slices.Compact(slices.Sorted(slices.Values(n.Events))), Description: n.Description, Enabled: true,
		Secret: newSecret(), CreatedAt: now, UpdatedAt: now}
	e.SecretHint = secret.Hint(e.Secret)
	sealed, err := s.seal(e.UUID, e.Secret)
	if err != nil {
		return Endpoint{}, err
	}
	if err := s.store.insertEndpoint(ctx, &e, sealed); err != nil {
		return Endpoint{}, err
	}
	return e, nil
}

func (s *Service) validateURL(ctx context.Context, field, raw string) error {
	if raw == "" || len(raw) > 2000 {
		return fault.Invalid(field, "validation_error", "%s must be 1 to 2000 characters", field)
	}
	g := netguard.Guard{AllowPrivate: s.cfg.AllowPrivateURLs, Resolver: s.cfg.resolver}
	if err := g.CheckURL(ctx, raw); err != nil {
		return fault.Invalid(field, "validation_error", "%s: %v", field, err)
	}
	return nil
}

// Endpoints lists the endpoints of the caller's organization that the
// caller's app created, oldest first.
func (s *Service) Endpoints(ctx context.Context, c caller.Caller) ([]Endpoint, error) {
	return s.store.endpoints(ctx, c.OrgID, c.AppID)
}

// Endpoint loads one endpoint of the caller's organization and app.
func (s *Service) Endpoint(ctx context.Context, c caller.Caller, id string) (Endpoint, error) {
	return s.store.endpoint(ctx, c.OrgID, c.AppID, id)
}

// DeleteEndpoint removes an endpoint with its deliveries.
func (s *Service) DeleteEndpoint(ctx context.Context, c caller.Caller, id string) error {
	return s.store.deleteEndpoint(ctx, c.OrgID, c.AppID, id)
}

// SetEndpointEnabled turns an endpoint on or off; see SetAppWebhookEnabled
// for the disposition.
func (s *Service) SetEndpointEnabled(ctx context.Context, c caller.Caller, id string, enabled bool, d Disposition) error {
	if err := validDisposition(d); err != nil {
		return err
	}
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		subID, err := s.store.setEndpointEnabled(ctx, tx.Tx, c.OrgID, c.AppID, id, enabled, s.now())
		if err != nil {
			return err
		}
		if !enabled {
			return nil
		}
		return s.resume(ctx, tx, subID, d)
	})
}

// RotateEndpointSecret replaces an endpoint's secret and returns the new
// one in clear; the next attempt signs with it.
func (s *Service) RotateEndpointSecret(ctx context.Context, c caller.Caller, id string) (string, error) {
	e, err := s.store.endpoint(ctx, c.OrgID, c.AppID, id)
	if err != nil {
		return "", err
	}
	value := newSecret()
	sealed, err := s.seal(e.UUID, value)
	if err != nil {
		return "", err
	}
	if err := s.store.setSecret(ctx, e.UUID, sealed, secret.Hint(value), s.now()); err != nil {
		return "", err
	}
	return value, nil
}

// MaxDeliveryPage is the largest page of deliveries; DefaultDeliveryPage
// the page when none is asked.
const (
	MaxDeliveryPage     = 100
	DefaultDeliveryPage = 50
)

// Deliveries pages through the deliveries of the caller's app's webhook,
// newest first, with an exact total.
func (s *Service) Deliveries(ctx context.Context, c caller.Caller, f DeliveryFilter, r page.Request) (page.Page[Delivery], error) {
	if r.Limit == 0 {
		r.Limit = DefaultDeliveryPage
	}
	r, err := r.Normalize(MaxDeliveryPage)
	if err != nil {
		return page.Page[Delivery]{}, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return page.Page[Delivery]{}, fault.Invalid("status", "invalid_query_parameters", "status must be pending, delivered, failed or abandoned")
	}
	return s.store.deliveries(ctx, c.AppID, f, r)
}

// Delivery loads one delivery of the caller's app's webhook; another app's
// is not found.
func (s *Service) Delivery(ctx context.Context, c caller.Caller, id string) (Delivery, error) {
	return s.store.delivery(ctx, c.AppID, id)
}

// Attempts lists a delivery's attempts, first first.
func (s *Service) Attempts(ctx context.Context, c caller.Caller, id string) ([]Attempt, error) {
	d, err := s.store.delivery(ctx, c.AppID, id)
	if err != nil {
		return nil, err
	}
	return s.store.attempts(ctx, d.ID)
}

// RetryDelivery schedules one more attempt of a delivery now. A failed
// delivery's next attempt is brought forward; an abandoned one gets one
// last attempt. A delivered one, or one held while the webhook is off, is
// not retried, and the answer says why.
func (s *Service) RetryDelivery(ctx context.Context, c caller.Caller, id string) (Retry, error) {
	var out Retry
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		d, pos, on, err := s.store.deliveryForRetry(ctx, tx.Tx, c.AppID, id)
		if err != nil {
			return err
		}
		out.Delivery = d
		switch {
		case d.Status == StatusDelivered:
			out.Message = "the delivery already succeeded"
			return nil
		case !on:
			out.Message = "webhook delivery is disabled; enable it to deliver pending events"
			return nil
		}
		now := s.now()
		pos = min(pos, len(s.cfg.RetrySchedule)-1)
		if d.Status == StatusAbandoned {
			pos = len(s.cfg.RetrySchedule) - 1
		}
		gen, err := s.store.scheduleRetry(ctx, tx.Tx, d.ID, pos, now)
		if err != nil {
			return err
		}
		if err := s.enqueueDelivery(ctx, tx, d.ID, gen, now); err != nil {
			return err
		}
		out.Scheduled, out.Message = true, "retry scheduled"
		if d.Status == StatusAbandoned {
			out.Delivery.Status = StatusFailed
		}
		out.Delivery.NextAttemptAt = now
		return nil
	})
	return out, err
}

// enqueueDelivery queues the job of one generation of a delivery. A job of
// the same generation that is still queued or running makes this a no-op.
func (s *Service) enqueueDelivery(ctx context.Context, tx *jobs.Tx, id, gen int64, at time.Time) error {
	var opts *river.InsertOpts
	// River parks any job given a ScheduledAt until its scheduler's next
	// pass (every 5 s), so a job due now is queued without one.
	if at.After(s.now()) {
		opts = &river.InsertOpts{ScheduledAt: at}
	}
	_, err := tx.Insert(ctx, deliverArgs{DeliveryID: id, Gen: gen}, opts)
	return err
}
