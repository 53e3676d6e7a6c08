// Package credential rotates a partner app's credentials and keeps their
// audit history.
//
// The API key and the client secret rotate with a grace period: the new
// secret is stored (hashed) beside the old one, whose expiry is set to the
// end of the grace period, and identity accepts every live credential of an
// app until then. A rotation also returns a single-use rollback token, valid
// for an hour, which restores the old secret and retires the new one; it is
// spent by one conditional write. The webhook secret has neither grace nor
// rollback: signing switches to the new secret at once. Rotations of one
// credential are limited per hour, counted in the audit history.
package credential

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/store"
)

// Type names a rotatable credential, as the Partner API spells it.
type Type string

// The credential types.
const (
	APIKey        Type = "api_key"
	WebhookSecret Type = "webhook_secret"
	ClientSecret  Type = "client_secret"
)

// Types lists every credential type.
var Types = []Type{APIKey, WebhookSecret, ClientSecret}

// ParseType accepts a type in either spelling: api_key or api-key.
func ParseType(s string) (Type, bool) {
	t := Type(strings.ReplaceAll(s, "-", "_"))
	return t, slices.Contains(Types, t)
}

// kind maps a hashed credential type to identity's kind.
func (t Type) kind() identity.CredentialKind {
	if t == ClientSecret {
		return identity.CredClientSecret
	}
	return identity.CredAPIKey
}

// Status is a credential's state (the Partner contract's vocabulary).
type Status string

// The credential statuses.
const (
	Active Status = "active"
	// PendingRotation: rotated, with the old secret still in its grace
	// period.
	PendingRotation Status = "pending_rotation"
	// Expired: no secret of this type works.
	Expired Status = "expired"
)

// The recommended actions, by a credential's age.
const (
	RecommendOK     = "ok"
	RecommendSoon   = "rotate_soon"
	RecommendNow    = "rotate_now"
	rotateSoonAfter = 75 * 24 * time.Hour
	rotateNowAfter  = 90 * 24 * time.Hour
)

// Info is the state of one credential.
type Info struct {
	Type              Type
	Status            Status
	CreatedAt         time.Time
	LastRotatedAt     time.Time
	LastUsedAt        time.Time
	AgeDays           int
	RecommendedAction string
	GraceEndsAt       time.Time
}

// Actions of the audit history.
const (
	ActionRotated  = "rotated"
	ActionRollback = "rollback"
)

// auditActions are the actions a history may be filtered by.
var auditActions = []string{ActionRotated, "accessed", "tested", "disabled", "enabled", ActionRollback, "viewed"}

// Initiators of audited actions.
const (
	ByPartner  = "partner"
	ByInternal = "internal"
)

// Request describes who asks for a change, for the audit history.
type Request struct {
	Reason    string
	UserAgent string
	IPAddress string
}

// Rotation is the input of a rotation.
type Rotation struct {
	Request
	// Confirmation must be non-empty: rotating is never an accident.
	Confirmation string
	// Grace is how long the old secret keeps working (API key and client
	// secret only); nil means DefaultGrace.
	Grace *time.Duration
}

// Limits of rotations.
const (
	DefaultGrace     = 24 * time.Hour
	MaxGrace         = 30 * 24 * time.Hour
	RollbackValidFor = time.Hour
	// RotationsPerHour caps the rotations of one credential of an app in
	// any hour.
	RotationsPerHour = 5
)

// Rotated is the outcome of a rotation; Secret is shown once.
type Rotated struct {
	Type              Type
	Secret            string
	GraceEndsAt       time.Time
	RollbackToken     string
	RollbackExpiresAt time.Time
}

// Event is one entry of the audit history.
type Event struct {
	UUID        string
	AppUUID     string
	Type        Type
	Action      string
	InitiatedBy string
	UserAgent   string
	IPAddress   string
	Reason      string
	Metadata    map[string]any
	CreatedAt   time.Time
}

// Filter narrows the audit history; empty fields match all.
type Filter struct {
	Type   Type
	Action string
}

// WebhookSecrets rotates the secret that signs an app's webhook
// deliveries; the webhook package implements it.
type WebhookSecrets interface {
	RotateAppSecret(ctx context.Context, c caller.Caller) (string, error)
}

// Service rotates credentials and reads their history.
type Service struct {
	db       *store.DB
	store    sqlStore
	webhooks WebhookSecrets
	now      func() time.Time
}

// NewService returns a Service; webhooks may be nil (no webhook secret to
// rotate).
func NewService(db *store.DB, webhooks WebhookSecrets) *Service {
	return &Service{db: db, store: sqlStore{db: db}, webhooks: webhooks,
		now: store.Now}
}

func initiator(c caller.Caller) string {
	if c.Credential == caller.AdminKey {
		return ByPartner
	}
	return ByInternal
}

// Status returns the state of each credential of the caller's app.
func (s *Service) Status(ctx context.Context, c caller.Caller) (map[Type]Info, error) {
	now := s.now()
	out := map[Type]Info{}
	for _, t := range Types {
		info, err := s.store.info(ctx, c.AppID, t, now)
		if err != nil {
			return nil, err
		}
		if !info.CreatedAt.IsZero() {
			age := now.Sub(info.CreatedAt)
			info.AgeDays = int(age / (24 * time.Hour))
			switch {
			case age >= rotateNowAfter:
				info.RecommendedAction = RecommendNow
			case age >= rotateSoonAfter:
				info.RecommendedAction = RecommendSoon
			default:
				info.RecommendedAction = RecommendOK
			}
		} else {
			info.RecommendedAction = RecommendNow
		}
		out[t] = info
	}
	return out, nil
}

func badRequest(field, format string, args ...any) error {
	return fault.Invalid(field, "bad_request", format, args...)
}

func validRequest(r *Request) error {
	r.Reason = strings.TrimSpace(r.Reason)
	if len(r.Reason) > 1000 {
		return badRequest("reason", "reason is longer than 1000 characters")
	}
	if len(r.UserAgent) > 500 {
		r.UserAgent = r.UserAgent[:500]
	}
	return nil
}

// Rotate replaces a credential of the caller's app and returns the new
// secret. The API key and client secret keep their old value working for
// the grace period and come with a rollback token; the webhook secret
// changes at once.
func (s *Service) Rotate(ctx context.Context, c caller.Caller, t Type, r Rotation) (Rotated, error) {
	if !slices.Contains(Types, t) {
		return Rotated{}, fault.NotFound("credential type")
	}
	if strings.TrimSpace(r.Confirmation) == "" {
		return Rotated{}, badRequest("confirmation_token", "confirmation_token is required")
	}
	if err := validRequest(&r.Request); err != nil {
		return Rotated{}, err
	}
	if t == WebhookSecret {
		return s.rotateWebhookSecret(ctx, c, r)
	}
	grace := DefaultGrace
	if r.Grace != nil {
		grace = *r.Grace
	}
	if grace < 0 || grace > MaxGrace {
		return Rotated{}, badRequest("grace_period_hours", "grace_period_hours must be between 0 and %d", int(MaxGrace/time.Hour))
	}
	out := Rotated{Type: t, Secret: identity.NewCredentialValue(t.kind()), RollbackToken: secret.New("qrb_")}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		// Rotations of one app serialize on its row, so the count below
		// cannot be passed by two at once.
		if err := s.store.lockApp(ctx, tx, c.AppID); err != nil {
			return err
		}
		if err := s.checkRate(ctx, tx, c.AppID, t, now); err != nil {
			return err
		}
		out.GraceEndsAt = now.Add(grace)
		oldID, err := s.store.retireCurrent(ctx, tx, c.AppID, t.kind(), out.GraceEndsAt)
		if err != nil {
			return err
		}
		newID, err := s.store.insertCredential(ctx, tx, c.AppID, t.kind(), out.Secret, now)
		if err != nil {
			return err
		}
		if oldID != 0 {
			out.RollbackExpiresAt = now.Add(RollbackValidFor)
			if err := s.store.insertRollback(ctx, tx, c.AppID, t.kind(), secret.Hash(out.RollbackToken), oldID, newID,
				out.RollbackExpiresAt, now); err != nil {
				return err
			}
		} else {
			out.RollbackToken, out.GraceEndsAt = "", time.Time{}
		}
		return s.store.insertEvent(ctx, tx, c.AppID, s.event(c, t, ActionRotated, r.Request, map[string]any{
			"grace_period_hours": grace.Hours(), "new_credential_hint": secret.Hint(out.Secret)}, now))
	})
	if err != nil {
		return Rotated{}, err
	}
	return out, nil
}

// checkRate refuses a rotation past RotationsPerHour, saying when the
// oldest rotation of the last hour stops counting.
func (s *Service) checkRate(ctx context.Context, tx *sql.Tx, appID int64, t Type, now time.Time) error {
	oldest, over, err := s.store.rotationsSince(ctx, tx, appID, t, now.Add(-time.Hour), RotationsPerHour)
	if err != nil || !over {
		return err
	}
	return &fault.Error{Kind: fault.KindRateLimited, Code: "rate_limit_exceeded",
		Message:    "too many rotations of this credential; at most 5 an hour",
		RetryAfter: max(oldest.Add(time.Hour).Sub(now), time.Second)}
}

// rotateWebhookSecret switches signing to a new secret at once. The
// webhook package writes the secret in its own statement, so the rate is
// checked before and the audit entry written after it.
func (s *Service) rotateWebhookSecret(ctx context.Context, c caller.Caller, r Rotation) (Rotated, error) {
	if s.webhooks == nil {
		return Rotated{}, fault.NotFound("webhook secret")
	}
	if err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.checkRate(ctx, tx, c.AppID, WebhookSecret, s.now()) }); err != nil {
		return Rotated{}, err
	}
	value, err := s.webhooks.RotateAppSecret(ctx, c)
	if err != nil {
		return Rotated{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.store.insertEvent(ctx, tx, c.AppID, s.event(c, WebhookSecret, ActionRotated, r.Request,
			map[string]any{"new_credential_hint": secret.Hint(value)}, s.now()))
	})
	if err != nil {
		return Rotated{}, err
	}
	return Rotated{Type: WebhookSecret, Secret: value}, nil
}

// Rollback spends a rollback token of the caller's app: the secret it
// replaced works again, the one it issued stops at once. A token works once,
// within RollbackValidFor, and only for the type it was issued for.
func (s *Service) Rollback(ctx context.Context, c caller.Caller, t Type, token string, r Request) error {
	if t != APIKey && t != ClientSecret {
		return badRequest("credential_type", "only api-key and client-secret can be rolled back")
	}
	if token == "" {
		return badRequest("rollback_token", "rollback_token is required")
	}
	if err := validRequest(&r); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		oldID, newID, ok, err := s.store.spendRollback(ctx, tx, c.AppID, t.kind(), secret.Hash(token), now)
		if err != nil {
			return err
		}
		if !ok {
			return badRequest("rollback_token", "the rollback token is invalid, expired or already used")
		}
		if err := s.store.restore(ctx, tx, c.AppID, oldID, newID, now); err != nil {
			return err
		}
		return s.store.insertEvent(ctx, tx, c.AppID, s.event(c, t, ActionRollback, r, nil, now))
	})
}

func (s *Service) event(c caller.Caller, t Type, action string, r Request, meta map[string]any, now time.Time) Event {
	return Event{UUID: uuid.NewString(), Type: t, Action: action, InitiatedBy: initiator(c), UserAgent: r.UserAgent,
		IPAddress: r.IPAddress, Reason: r.Reason, Metadata: meta, CreatedAt: now}
}

// Page sizes of History.
const (
	DefaultHistoryPage = 20
	MaxHistoryPage     = 100
)

// History pages through the caller's app's credential audit history,
// newest first.
func (s *Service) History(ctx context.Context, c caller.Caller, f Filter, r page.Request) (page.Page[Event], error) {
	if r.Limit == 0 {
		r.Limit = DefaultHistoryPage
	}
	r, err := r.Normalize(MaxHistoryPage)
	if err != nil {
		return page.Page[Event]{}, err
	}
	if f.Type != "" && !slices.Contains(Types, f.Type) {
		return page.Page[Event]{}, fault.Invalid("credential_type", "invalid_query_parameters",
			"credential_type must be api_key, webhook_secret or client_secret")
	}
	if f.Action != "" && !slices.Contains(auditActions, f.Action) {
		return page.Page[Event]{}, fault.Invalid("action", "invalid_query_parameters", "action must be one of %s",
			strings.Join(auditActions, ", "))
	}
	return s.store.history(ctx, c.AppID, f, r)
}
