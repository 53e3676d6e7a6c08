package realtime

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// natsBackend is one NATS connection: core subjects for fan-out and, when
// Redis is not configured, a JetStream key-value bucket for presence.
type natsBackend struct {
	nc     *nats.Conn
	prefix string
	recv   Receiver
	logger *slog.Logger

	mu   sync.Mutex
	subs map[string]*nats.Subscription
}

func openNATS(rawURL, prefix string, recv Receiver, logger *slog.Logger) (*natsBackend, error) {
	b := &natsBackend{prefix: prefix, recv: recv, logger: logger, subs: map[string]*nats.Subscription{}}
	nc, err := nats.Connect(rawURL,
		nats.Name(prefix+"-"+uuid.NewString()[:8]),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			logger.Warn("nats connection lost; reconnecting", "error", err)
		}),
		// nats.go subscribes again on the new connection, but whatever was
		// published meanwhile is gone: streams catch up from the store.
		nats.ReconnectHandler(func(*nats.Conn) {
			logger.Info("nats connection restored")
			recv.Resync()
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			logger.Warn("nats error", "error", err)
			if errors.Is(err, nats.ErrSlowConsumer) {
				recv.Resync()
			}
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("connect to nats: %w", err)
	}
	b.nc = nc
	return b, nil
}

func (b *natsBackend) close() error {
	b.nc.Close()
	return nil
}

// subject maps a topic (any string) to a valid NATS subject.
func (b *natsBackend) subject(topic string) string {
	return b.prefix + ".rt." + base64.RawURLEncoding.EncodeToString([]byte(topic))
}

func (b *natsBackend) broker() Broker { return natsBroker{b} }

// natsBroker publishes and subscribes on core NATS subjects.
type natsBroker struct{ b *natsBackend }

func (n natsBroker) Publish(_ context.Context, topic string, payload []byte) error {
	if err := n.b.nc.Publish(n.b.subject(topic), payload); err != nil {
		return fmt.Errorf("nats publish %s: %w", topic, err)
	}
	return nil
}

// Subscribe flushes the subscription to the server, so nothing published
// after it returns can be missed.
func (n natsBroker) Subscribe(ctx context.Context, topic string) error {
	n.b.mu.Lock()
	defer n.b.mu.Unlock()
	if _, ok := n.b.subs[topic]; ok {
		return nil
	}
	sub, err := n.b.nc.Subscribe(n.b.subject(topic), func(m *nats.Msg) { n.b.recv.Deliver(topic, m.Data) })
	if err != nil {
		return fmt.Errorf("nats subscribe %s: %w", topic, err)
	}
	// A busy room must not trip the client's default pending limits.
	_ = sub.SetPendingLimits(1<<20, 256<<20)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := n.b.nc.FlushWithContext(ctx); err != nil {
		_ = sub.Unsubscribe()
		return fmt.Errorf("nats subscribe %s: %w", topic, err)
	}
	n.b.subs[topic] = sub
	return nil
}

func (n natsBroker) Unsubscribe(_ context.Context, topic string) error {
	n.b.mu.Lock()
	defer n.b.mu.Unlock()
	sub, ok := n.b.subs[topic]
	if !ok {
		return nil
	}
	delete(n.b.subs, topic)
	if err := sub.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		return fmt.Errorf("nats unsubscribe %s: %w", topic, err)
	}
	return nil
}

func (n natsBroker) Close() error {
	n.b.mu.Lock()
	defer n.b.mu.Unlock()
	for topic, sub := range n.b.subs {
		_ = sub.Unsubscribe()
		delete(n.b.subs, topic)
	}
	return nil
}

// presence opens (or creates) the bucket {prefix}_presence whose entries
// live for the TTL; a heartbeat writes the key again, which restarts it.
func (b *natsBackend) presence(ctx context.Context, ttl time.Duration) (Presence, error) {
	js, err := jetstream.New(b.nc)
	if err != nil {
		return nil, fmt.Errorf("nats jetstream: %w", err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: b.prefix + "_presence", TTL: ttl, History: 1,
		Description: "Quorum presence: one key per online user"})
	if err != nil {
		return nil, fmt.Errorf("nats presence bucket: %w", err)
	}
	return natsPresence{kv: kv, ttl: ttl}, nil
}

// natsPresence keys are {org}.{base64url(user)}.
type natsPresence struct {
	kv  jetstream.KeyValue
	ttl time.Duration
}

func natsKey(orgID int64, user string) string {
	return strconv.FormatInt(orgID, 10) + "." + base64.RawURLEncoding.EncodeToString([]byte(user))
}

func (p natsPresence) Set(ctx context.Context, orgID int64, user string) error {
	if _, err := p.kv.Put(ctx, natsKey(orgID, user), []byte("1")); err != nil {
		return fmt.Errorf("nats presence set: %w", err)
	}
	return nil
}

func (p natsPresence) Clear(ctx context.Context, orgID int64, user string) error {
	if err := p.kv.Purge(ctx, natsKey(orgID, user)); err != nil {
		return fmt.Errorf("nats presence clear: %w", err)
	}
	return nil
}

// Online reads the organization's keys; an entry older than the TTL that
// the server has not yet removed is not online.
func (p natsPresence) Online(ctx context.Context, orgID int64) ([]string, error) {
	w, err := p.kv.WatchFiltered(ctx, []string{strconv.FormatInt(orgID, 10) + ".*"}, jetstream.IgnoreDeletes(), jetstream.MetaOnly())
	if err != nil {
		return nil, fmt.Errorf("nats presence list: %w", err)
	}
	defer func() { _ = w.Stop() }()
	cutoff := time.Now().Add(-p.ttl)
	var users []string
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e := <-w.Updates():
			if e == nil {
				return users, nil
			}
			if e.Created().Before(cutoff) {
				continue
			}
			_, enc, _ := strings.Cut(e.Key(), ".")
			if u, err := base64.RawURLEncoding.DecodeString(enc); err == nil {
				users = append(users, string(u))
			}
		}
	}
}

func (natsPresence) Close() error { return nil }
