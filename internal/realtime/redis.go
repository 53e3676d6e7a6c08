package realtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// redisBackend is one Redis connection pool shared by the broker (pub/sub)
// and presence (keys with a TTL).
type redisBackend struct {
	client *redis.Client
	prefix string
	ttl    time.Duration
	logger *slog.Logger
}

func openRedis(ctx context.Context, rawURL, prefix string, ttl time.Duration, logger *slog.Logger) (*redisBackend, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("QUORUM_REDIS_URL: %w", err)
	}
	// The name lets an operator tell each replica's connections apart in
	// CLIENT LIST.
	opts.ClientName = prefix + "-" + uuid.NewString()[:8]
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("connect to redis: %w", err)
	}
	return &redisBackend{client: client, prefix: prefix + ":", ttl: ttl, logger: logger}, nil
}

func (b *redisBackend) presence() Presence {
	return redisPresence{client: b.client, prefix: b.prefix + "presence:", ttl: b.ttl}
}

// broker opens the subscription connection and starts reading it.
func (b *redisBackend) broker(ctx context.Context, recv Receiver) (*redisBroker, error) {
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rb := &redisBroker{client: b.client, ps: b.client.Subscribe(loopCtx), prefix: b.prefix + "topic:", recv: recv,
		logger: b.logger, cancel: cancel, done: make(chan struct{}), waiters: map[string][]chan struct{}{}}
	go rb.loop(loopCtx)
	return rb, nil
}

// redisBroker publishes with PUBLISH and receives on one pub/sub
// connection per process. go-redis re-dials a broken subscription and
// subscribes again; what was published meanwhile is gone, so the first
// delivery after an error triggers a resync from the store.
type redisBroker struct {
	client *redis.Client
	ps     *redis.PubSub
	prefix string
	recv   Receiver
	logger *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	waiters map[string][]chan struct{}
}

func (b *redisBroker) Publish(ctx context.Context, topic string, payload []byte) error {
	if err := b.client.Publish(ctx, b.prefix+topic, payload).Err(); err != nil {
		return fmt.Errorf("redis publish %s: %w", topic, err)
	}
	return nil
}

// Subscribe waits for Redis to confirm the subscription, so nothing
// published after it returns can be missed.
func (b *redisBroker) Subscribe(ctx context.Context, topic string) error {
	ch := b.prefix + topic
	w := make(chan struct{})
	b.mu.Lock()
	b.waiters[ch] = append(b.waiters[ch], w)
	b.mu.Unlock()
	if err := b.ps.Subscribe(ctx, ch); err != nil {
		return fmt.Errorf("redis subscribe %s: %w", topic, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	select {
	case <-w:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("redis subscribe %s: no confirmation: %w", topic, ctx.Err())
	}
}

func (b *redisBroker) Unsubscribe(ctx context.Context, topic string) error {
	if err := b.ps.Unsubscribe(ctx, b.prefix+topic); err != nil {
		return fmt.Errorf("redis unsubscribe %s: %w", topic, err)
	}
	return nil
}

func (b *redisBroker) Close() error {
	b.cancel()
	err := b.ps.Close()
	<-b.done
	return err
}

func (b *redisBroker) loop(ctx context.Context) {
	defer close(b.done)
	lost := false
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		msg, err := b.ps.ReceiveTimeout(ctx, 5*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// An idle connection: a ping proves it is still alive (the
				// pong arrives as the next message).
				if err = b.ps.Ping(ctx); err == nil {
					continue
				}
			}
			if !lost {
				b.logger.Warn("redis subscription lost; reconnecting", "error", err)
			}
			lost = true
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		if lost {
			lost = false
			b.logger.Info("redis subscription restored")
			b.recv.Resync()
		}
		switch m := msg.(type) {
		case *redis.Message:
			if topic, ok := strings.CutPrefix(m.Channel, b.prefix); ok {
				b.recv.Deliver(topic, []byte(m.Payload))
			}
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				b.mu.Lock()
				for _, w := range b.waiters[m.Channel] {
					close(w)
				}
				delete(b.waiters, m.Channel)
				b.mu.Unlock()
			}
		}
	}
}

// redisPresence keeps one key per online user, {prefix}presence:{org}:{user},
// that expires after the TTL unless a heartbeat renews it.
type redisPresence struct {
	client *redis.Client
	prefix string
	ttl    time.Duration
}

func (p redisPresence) key(orgID int64, user string) string {
	return p.prefix + strconv.FormatInt(orgID, 10) + ":" + user
}

func (p redisPresence) Set(ctx context.Context, orgID int64, user string) error {
	if err := p.client.Set(ctx, p.key(orgID, user), "1", p.ttl).Err(); err != nil {
		return fmt.Errorf("redis presence set: %w", err)
	}
	return nil
}

func (p redisPresence) Clear(ctx context.Context, orgID int64, user string) error {
	if err := p.client.Del(ctx, p.key(orgID, user)).Err(); err != nil {
		return fmt.Errorf("redis presence clear: %w", err)
	}
	return nil
}

func (p redisPresence) Online(ctx context.Context, orgID int64) ([]string, error) {
	base := p.key(orgID, "")
	var keys []string
	iter := p.client.Scan(ctx, 0, base+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("redis presence scan: %w", err)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	// SCAN may still list a key whose TTL just ran out; reading it makes
	// Redis expire it.
	vals, err := p.client.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("redis presence read: %w", err)
	}
	users := make([]string, 0, len(keys))
	for i, k := range keys {
		if vals[i] != nil {
			users = append(users, strings.TrimPrefix(k, base))
		}
	}
	return users, nil
}

func (redisPresence) Close() error { return nil }
