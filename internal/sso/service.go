package sso

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/netguard"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/store"
)

// Resolver looks up DNS TXT records; *net.Resolver is one.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// ResolverAt returns a resolver that asks the DNS server at addr
// (host:port) over UDP, falling back to TCP for large answers, instead of
// the system's.
func ResolverAt(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// Options build a Service.
type Options struct {
	DB         *store.DB
	Queue      *jobs.Queue
	Events     event.Emitter
	Box        *secret.Box
	Identities *identity.Service
	Logger     *slog.Logger
	// PublicURL is Quorum's external base URL; the provider sends users
	// back to PublicURL + CallbackPath.
	PublicURL string
	// AllowPrivateURLs lets discovery, token and key requests reach private
	// networks (QUORUM_ALLOW_PRIVATE_URLS).
	AllowPrivateURLs bool
	// Resolver checks domain challenges (net.DefaultResolver when nil).
	Resolver Resolver
	// Timeout bounds one request to a provider (10 s when zero).
	Timeout time.Duration
}

// CallbackPath is where identity providers send users back to Quorum.
const CallbackPath = "/oauth2/sso/callback"

// Service holds the rules of identity provider configurations, domain
// verifications and sign-ins through a provider.
type Service struct {
	db         *store.DB
	queue      *jobs.Queue
	events     event.Emitter
	box        *secret.Box
	identities *identity.Service
	logger     *slog.Logger
	store      sqlStore
	guard      netguard.Guard
	client     *http.Client
	resolver   Resolver
	callback   string
	now        func() time.Time
	// providers caches one relying party per configuration version, so
	// that signing keys are fetched once, not at every sign-in.
	providers sync.Map // config id -> *relyingParty
}

// NewService returns a Service.
func NewService(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	var r Resolver = net.DefaultResolver
	if o.Resolver != nil {
		r = o.Resolver
	}
	g := netguard.Guard{AllowPrivate: o.AllowPrivateURLs}
	return &Service{db: o.DB, queue: o.Queue, events: o.Events, box: o.Box, identities: o.Identities,
		logger: o.Logger.With(slog.String("component", "sso")), store: sqlStore{db: o.DB}, guard: g, client: g.Client(o.Timeout),
		resolver: r, callback: strings.TrimRight(o.PublicURL, "/") + CallbackPath, now: func() time.Time { return time.Now().UTC() }}
}

// CallbackURL is the redirect URI to register at the identity provider.
func (s *Service) CallbackURL() string { return s.callback }

func appCaller(c caller.Caller) error {
	if c.AppID == 0 || c.OrgID == 0 {
		return fault.Forbidden("forbidden", "only a partner app manages its identity provider")
	}
	return nil
}

func sealFor(configUUID string) []byte { return []byte("idp_config:" + configUUID) }

func (s *Service) seal(c *Config, clientSecret string) error {
	if s.box == nil {
		return fmt.Errorf("sso: no secret box configured")
	}
	c.sealedSecret = s.box.Seal([]byte(clientSecret), sealFor(c.UUID))
	return nil
}

func (s *Service) clientSecret(c Config) (string, error) {
	if s.box == nil {
		return "", fmt.Errorf("sso: no secret box configured")
	}
	b, err := s.box.Open(c.sealedSecret, sealFor(c.UUID))
	if err != nil {
		return "", fmt.Errorf("open client secret of idp config %s: %w", c.UUID, err)
	}
	return string(b), nil
}

func checkSecret(v string) error {
	if strings.TrimSpace(v) == "" || len(v) > maxCredLen {
		return fault.Invalid("idp_client_secret", "invalid_idp_credentials",
			"idp_client_secret is required (the client secret of Quorum at your identity provider)")
	}
	return nil
}

// Create stores the calling app's identity provider after fetching and
// checking its discovery document. Every listed domain must be verified by
// the app and claimed by no other configuration.
func (s *Service) Create(ctx context.Context, c caller.Caller, n NewConfig) (Config, error) {
	if err := appCaller(c); err != nil {
		return Config{}, err
	}
	if _, err := s.store.configOfApp(ctx, c.OrgID, c.AppID); err == nil {
		return Config{}, fault.Conflict("idp_config_exists", "this app already has an IdP configuration; update or delete it")
	} else if !errors.Is(err, fault.ErrNotFound) {
		return Config{}, err
	}
	now := s.now()
	cfg := Config{UUID: uuid.NewString(), AppID: c.AppID, OrgID: c.OrgID, Name: n.Name, DiscoveryURL: strings.TrimSpace(n.DiscoveryURL),
		ClientID: n.ClientID, Mode: n.Mode, Scopes: n.Scopes, ClaimMappings: n.ClaimMappings, AllowedEmailDomains: n.AllowedEmailDomains,
		IsActive: true, CreatedAt: now, UpdatedAt: now}
	if cfg.Scopes == nil {
		cfg.Scopes = slices.Clone(DefaultScopes)
	}
	if cfg.ClaimMappings == nil {
		cfg.ClaimMappings = DefaultClaimMappings()
	}
	if err := cfg.normalize(); err != nil {
		return Config{}, err
	}
	if err := checkSecret(n.ClientSecret); err != nil {
		return Config{}, err
	}
	d, err := s.discover(ctx, cfg.DiscoveryURL)
	if err != nil {
		return Config{}, err
	}
	cfg.apply(d)
	cfg.DiscoveryLastFetchedAt = now
	if err := s.seal(&cfg, n.ClientSecret); err != nil {
		return Config{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.insertConfig(ctx, tx, &cfg); err != nil {
			return err
		}
		return s.claim(ctx, tx, cfg, func(d string) error {
			return fault.Invalid("allowed_email_domains", "domain_already_claimed", "%s is already claimed by another IdP configuration", d)
		})
	})
	if err != nil {
		return Config{}, err
	}
	return s.store.configOfApp(ctx, c.OrgID, c.AppID)
}

// claim checks that the configuration's domains are verified by its app
// and makes them its claims.
func (s *Service) claim(ctx context.Context, tx *sql.Tx, cfg Config, claimed func(string) error) error {
	if len(cfg.AllowedEmailDomains) > 0 {
		verified, err := s.store.verifiedDomains(ctx, tx, cfg.OrgID, cfg.AppID)
		if err != nil {
			return err
		}
		for _, d := range cfg.AllowedEmailDomains {
			if !slices.Contains(verified, d) {
				return fault.Invalid("allowed_email_domains", "domain_not_verified",
					"%s is not verified; publish its TXT record and check it (POST /idp/domains/%s/verify, then /check) first", d, d)
			}
		}
	}
	return s.store.replaceClaims(ctx, tx, cfg.ID, cfg.AllowedEmailDomains, claimed)
}

// Get returns the calling app's identity provider configuration.
func (s *Service) Get(ctx context.Context, c caller.Caller) (Config, error) {
	if err := appCaller(c); err != nil {
		return Config{}, err
	}
	return s.store.configOfApp(ctx, c.OrgID, c.AppID)
}

// Update changes the fields a patch sets. A discovery URL given is fetched
// and checked again; a new client secret replaces the sealed one.
func (s *Service) Update(ctx context.Context, c caller.Caller, p Patch) (Config, error) {
	cfg, err := s.Get(ctx, c)
	if err != nil {
		return Config{}, err
	}
	rediscover := false
	if p.Name != nil {
		cfg.Name = *p.Name
	}
	if p.DiscoveryURL != nil {
		// Sending the discovery URL, even unchanged, fetches the document
		// again: that is how an app picks up its provider's new endpoints.
		rediscover = true
		cfg.DiscoveryURL = strings.TrimSpace(*p.DiscoveryURL)
	}
	if p.ClientID != nil {
		cfg.ClientID = *p.ClientID
	}
	if p.Mode != nil {
		cfg.Mode = *p.Mode
	}
	if p.Scopes != nil {
		cfg.Scopes = p.Scopes
	}
	if p.ClaimMappings != nil {
		cfg.ClaimMappings = p.ClaimMappings
	}
	if p.AllowedEmailDomains != nil {
		cfg.AllowedEmailDomains = *p.AllowedEmailDomains
	}
	if p.IsActive != nil {
		cfg.IsActive = *p.IsActive
	}
	if err := cfg.normalize(); err != nil {
		return Config{}, err
	}
	now := s.now()
	if rediscover {
		d, err := s.discover(ctx, cfg.DiscoveryURL)
		if err != nil {
			return Config{}, err
		}
		cfg.apply(d)
		cfg.DiscoveryLastFetchedAt = now
	}
	if p.ClientSecret != nil {
		if err := checkSecret(*p.ClientSecret); err != nil {
			return Config{}, err
		}
		if err := s.seal(&cfg, *p.ClientSecret); err != nil {
			return Config{}, err
		}
	}
	cfg.UpdatedAt = now
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.updateConfig(ctx, tx, &cfg); err != nil {
			return err
		}
		return s.claim(ctx, tx, cfg, func(d string) error {
			return fault.Conflict("domain_already_claimed", "%s is already claimed by another IdP configuration", d)
		})
	})
	if err != nil {
		return Config{}, err
	}
	return s.store.configOfApp(ctx, c.OrgID, c.AppID)
}

// Delete removes the calling app's configuration and revokes every domain
// it had verified, emitting partner.idp.domain_revoked for each.
func (s *Service) Delete(ctx context.Context, c caller.Caller) error {
	if err := appCaller(c); err != nil {
		return err
	}
	now := s.now()
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.deleteConfig(ctx, tx.Tx, c.OrgID, c.AppID); err != nil {
			return err
		}
		revoked, err := s.store.revokeAll(ctx, tx.Tx, c.OrgID, c.AppID)
		if err != nil {
			return err
		}
		for _, d := range revoked {
			e := s.appEvent(c, event.IdPDomainRevoked, &event.IdPDomainRevocation{Domain: d, RevokedAt: now, Status: "revoked"}, now)
			if err := event.Emit(ctx, s.events, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// appEvent is an event for the calling app's webhook alone.
func (s *Service) appEvent(c caller.Caller, typ string, data any, at time.Time) event.Event {
	e := event.From(c, typ, data)
	e.AppOnly, e.OccurredAt = true, at
	return e
}
