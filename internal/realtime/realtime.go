// Package realtime carries Quorum's live features for the Cloud API: chat
// rooms and their messages, SSE streams opened with single-use tickets,
// presence with a per-user TTL, and discovery of advertised rooms.
//
// A message is persisted first, then published on the broker (in process,
// Redis or NATS) and fanned out by each process's Hub to its local
// subscribers. Room messages are numbered densely per room, so a stream that
// sees a gap, reconnects with Last-Event-ID or outlives a broker outage
// fills what it missed from the store: the broker only has to be fast, the
// database is what makes delivery complete.
package realtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/store"
)

// Defaults of Config.
const (
	DefaultPresenceTTL      = 8 * time.Second
	DefaultMaxStreams       = 20000
	DefaultMaxStreamsPerOrg = 10000
	DefaultKeepAlive        = 15 * time.Second
	// TicketTTL is how long a stream ticket may wait to be used.
	TicketTTL = 60 * time.Second
)

// Config configures the realtime service.
type Config struct {
	DB     *store.DB
	Logger *slog.Logger
	// RedisURL selects Redis for fan-out and presence.
	RedisURL string
	// NATSURL selects NATS for fan-out and, without Redis, for presence
	// (a JetStream key-value bucket). With both set, NATS carries fan-out
	// and Redis presence.
	NATSURL string
	// Prefix namespaces Redis keys and channels, NATS subjects and the
	// presence bucket, so deployments (and tests) can share a server.
	Prefix string
	// PresenceTTL is how long a heartbeat keeps a user online.
	PresenceTTL time.Duration
	// MaxStreams caps open streams in this process; MaxStreamsPerOrg caps
	// one organization's streams in this process.
	MaxStreams, MaxStreamsPerOrg int
	// KeepAlive is the interval of SSE comment lines on idle streams.
	KeepAlive time.Duration
}

// Service is the realtime domain: rooms, messages, tickets, streams,
// presence and discovery.
type Service struct {
	store    sqlStore
	logger   *slog.Logger
	hub      *Hub
	broker   Broker
	presence Presence
	backend  string
	// closers release the backends' connections after broker and presence.
	closers []func() error
	cfg     Config
	now     func() time.Time

	// closing is closed when the process shuts down: every stream sends a
	// final event and ends, and no new stream opens.
	closing   chan struct{}
	closeOnce sync.Once
	streams   sync.WaitGroup

	mu      sync.Mutex
	open    int
	openOrg map[int64]int
}

var validPrefix = regexp.MustCompile(`^[A-Za-z0-9_-]{1,48}$`)

// Open builds the service on the backends that cfg selects.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = "quorum"
	}
	if !validPrefix.MatchString(cfg.Prefix) {
		return nil, fmt.Errorf("realtime prefix %q: want 1 to 48 letters, digits, - or _", cfg.Prefix)
	}
	if cfg.PresenceTTL <= 0 {
		cfg.PresenceTTL = DefaultPresenceTTL
	}
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = DefaultMaxStreams
	}
	if cfg.MaxStreamsPerOrg <= 0 {
		cfg.MaxStreamsPerOrg = DefaultMaxStreamsPerOrg
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = DefaultKeepAlive
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{store: sqlStore{db: cfg.DB}, logger: cfg.Logger, cfg: cfg, now: func() time.Time { return time.Now().UTC() },
		closing: make(chan struct{}), openOrg: map[int64]int{}}
	s.hub = newHub(cfg.Logger)
	if err := s.openBackends(ctx); err != nil {
		return nil, err
	}
	s.hub.broker = s.broker
	return s, nil
}

func (s *Service) openBackends(ctx context.Context) error {
	var closers []func() error
	fail := func(err error) error {
		for _, c := range closers {
			_ = c()
		}
		return err
	}
	var rb *redisBackend
	if s.cfg.RedisURL != "" {
		var err error
		rb, err = openRedis(ctx, s.cfg.RedisURL, s.cfg.Prefix, s.cfg.PresenceTTL, s.logger)
		if err != nil {
			return fail(err)
		}
		closers = append(closers, rb.client.Close)
	}
	var nb *natsBackend
	if s.cfg.NATSURL != "" {
		var err error
		nb, err = openNATS(s.cfg.NATSURL, s.cfg.Prefix, s.hub, s.logger)
		if err != nil {
			return fail(err)
		}
		closers = append(closers, nb.close)
	}
	switch {
	case nb != nil:
		s.broker, s.backend = nb.broker(), "nats"
	case rb != nil:
		b, err := rb.broker(ctx, s.hub)
		if err != nil {
			return fail(err)
		}
		s.broker, s.backend = b, "redis"
	default:
		s.broker, s.backend = newLocalBroker(s.hub), "local"
	}
	switch {
	case rb != nil:
		s.presence = rb.presence()
	case nb != nil:
		p, err := nb.presence(ctx, s.cfg.PresenceTTL)
		if err != nil {
			return fail(err)
		}
		s.presence = p
	default:
		s.presence = newLocalPresence(s.cfg.PresenceTTL)
	}
	s.closers = closers
	return nil
}

// Backend names the broker in use: local, redis or nats.
func (s *Service) Backend() string { return s.backend }

// Hub is this process's fan-out, for tests and metrics.
func (s *Service) Hub() *Hub { return s.hub }

// Drain ends every open stream with a final event and refuses new ones;
// it returns at once. The process calls it when shutdown begins, so that
// the HTTP server's graceful shutdown does not wait on endless streams.
func (s *Service) Drain() {
	s.closeOnce.Do(func() { close(s.closing) })
}

// Close drains the streams, waits for them to end (bounded by ctx) and
// closes the broker and presence connections.
func (s *Service) Close(ctx context.Context) error {
	s.Drain()
	done := make(chan struct{})
	go func() { s.streams.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("streams still open at shutdown: %w", ctx.Err())
	}
	err = errors.Join(err, s.broker.Close(), s.presence.Close())
	for _, c := range s.closers {
		err = errors.Join(err, c())
	}
	return err
}

// admit counts a new stream against the process and organization limits.
func (s *Service) admit(orgID int64) (release func(), err error) {
	select {
	case <-s.closing:
		return nil, &fault.Error{Kind: fault.KindRateLimited, Code: "shutting_down",
			Message: "the server is shutting down; reconnect", RetryAfter: time.Second}
	default:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open >= s.cfg.MaxStreams {
		return nil, &fault.Error{Kind: fault.KindRateLimited, Code: "too_many_streams",
			Message: fmt.Sprintf("this server has %d open streams, the most it serves; retry later", s.open), RetryAfter: 5 * time.Second}
	}
	if s.openOrg[orgID] >= s.cfg.MaxStreamsPerOrg {
		return nil, &fault.Error{Kind: fault.KindRateLimited, Code: "too_many_streams",
			Message: fmt.Sprintf("this organization has %d open streams on this server, the most allowed; close one or retry later",
				s.openOrg[orgID]), RetryAfter: 5 * time.Second}
	}
	s.open++
	s.openOrg[orgID]++
	s.streams.Add(1)
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.open--
			if s.openOrg[orgID]--; s.openOrg[orgID] == 0 {
				delete(s.openOrg, orgID)
			}
			s.mu.Unlock()
			s.streams.Done()
		})
	}, nil
}

// OpenStreams is the number of streams open in this process.
func (s *Service) OpenStreams() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}
