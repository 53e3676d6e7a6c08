package realtime

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
)

// subscriberBuffer is how many events a subscriber may fall behind before
// it is dropped; a dropped client reconnects and replays from the store.
const subscriberBuffer = 256

// Hub fans the events a process receives out to its local subscribers. A
// delivery never waits for a subscriber: one whose buffer is full is
// dropped, so a stalled client cannot delay a room.
type Hub struct {
	broker Broker
	logger *slog.Logger

	mu     sync.RWMutex
	topics map[string]*topicSubs

	// brokerMu orders broker subscription changes, so an unsubscribe of
	// a topic that emptied cannot overtake a new subscriber's subscribe.
	brokerMu sync.Mutex

	dropped atomic.Int64
}

type topicSubs struct {
	subs  []*Subscriber // replaced, never modified, so readers need no lock
	ready chan struct{} // closed once the broker subscription is made
	err   error
}

// Subscriber receives one topic's events.
type Subscriber struct {
	// C carries the events in delivery order.
	C chan *Event
	// Dropped is closed when the subscriber fell too far behind.
	Dropped chan struct{}
	// Resync signals that events may have been lost upstream.
	Resync chan struct{}

	topic string
	once  sync.Once
}

func newHub(logger *slog.Logger) *Hub {
	return &Hub{logger: logger, topics: map[string]*topicSubs{}}
}

// Join subscribes s to topic, subscribing this process on the broker when
// s is the topic's first local subscriber. Once it returns, every event
// published on topic reaches s.
func (h *Hub) Join(ctx context.Context, topic string) (*Subscriber, error) {
	s := &Subscriber{C: make(chan *Event, subscriberBuffer), Dropped: make(chan struct{}), Resync: make(chan struct{}, 1), topic: topic}
	h.mu.Lock()
	t := h.topics[topic]
	first := t == nil
	if first {
		t = &topicSubs{ready: make(chan struct{})}
		h.topics[topic] = t
	}
	t.subs = append(t.subs[:len(t.subs):len(t.subs)], s)
	h.mu.Unlock()
	if first {
		h.brokerMu.Lock()
		t.err = h.broker.Subscribe(ctx, topic)
		h.brokerMu.Unlock()
		close(t.ready)
	} else {
		select {
		case <-t.ready:
		case <-ctx.Done():
			h.Leave(s)
			return nil, ctx.Err()
		}
	}
	if t.err != nil {
		h.Leave(s)
		return nil, t.err
	}
	return s, nil
}

// Leave unsubscribes s; it is safe to call more than once.
func (h *Hub) Leave(s *Subscriber) {
	h.mu.Lock()
	t := h.topics[s.topic]
	empty := false
	if t != nil {
		subs := make([]*Subscriber, 0, len(t.subs))
		for _, x := range t.subs {
			if x != s {
				subs = append(subs, x)
			}
		}
		t.subs = subs
		if len(subs) == 0 {
			delete(h.topics, s.topic)
			empty = true
		}
	}
	h.mu.Unlock()
	if !empty {
		return
	}
	h.brokerMu.Lock()
	defer h.brokerMu.Unlock()
	h.mu.RLock()
	_, back := h.topics[s.topic]
	h.mu.RUnlock()
	if back {
		return // a new subscriber joined meanwhile and keeps the subscription
	}
	if err := h.broker.Unsubscribe(context.Background(), s.topic); err != nil {
		h.logger.Warn("broker unsubscribe failed", "topic", s.topic, "error", err)
	}
}

// Deliver implements Receiver: it decodes the event once and offers it to
// every local subscriber of the topic.
func (h *Hub) Deliver(topic string, payload []byte) {
	h.mu.RLock()
	t := h.topics[topic]
	var subs []*Subscriber
	if t != nil {
		subs = t.subs
	}
	h.mu.RUnlock()
	if len(subs) == 0 {
		return
	}
	ev := &Event{}
	if err := json.Unmarshal(payload, ev); err != nil {
		h.logger.Warn("undecodable broker event", "topic", topic, "error", err)
		return
	}
	for _, s := range subs {
		select {
		case s.C <- ev:
		default:
			h.drop(s)
		}
	}
}

// Resync implements Receiver: every subscriber is told to catch up.
func (h *Hub) Resync() {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, t := range h.topics {
		for _, s := range t.subs {
			select {
			case s.Resync <- struct{}{}:
			default:
			}
		}
	}
}

func (h *Hub) drop(s *Subscriber) {
	s.once.Do(func() {
		h.dropped.Add(1)
		close(s.Dropped)
		go h.Leave(s)
	})
}

// Dropped counts the subscribers dropped for falling behind.
func (h *Hub) Dropped() int64 { return h.dropped.Load() }
