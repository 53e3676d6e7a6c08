package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
)

// Broker carries events between the processes of one deployment. A process
// subscribes once per topic that has local subscribers, whatever their
// number; the Hub fans each delivery out to them.
type Broker interface {
	// Publish sends payload to every process subscribed to topic, this one
	// included.
	Publish(ctx context.Context, topic string, payload []byte) error
	// Subscribe starts delivering topic's payloads to the receiver; it
	// returns once deliveries are flowing. Subscribing twice is harmless.
	Subscribe(ctx context.Context, topic string) error
	// Unsubscribe stops deliveries of topic.
	Unsubscribe(ctx context.Context, topic string) error
	// Close releases the connection.
	Close() error
}

// Receiver gets what a Broker delivers.
type Receiver interface {
	// Deliver hands over one payload; it must not block for long.
	Deliver(topic string, payload []byte)
	// Resync reports that deliveries may have been lost (the connection to
	// the broker went down and came back), so subscribers catch up from the
	// store.
	Resync()
}

// localBroker is the in-process broker. One goroutine delivers in
// publish order, so a sender's request does not wait for the fan-out to a
// large room, as with Redis and NATS.
type localBroker struct {
	recv  Receiver
	queue chan delivery
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

type delivery struct {
	topic   string
	payload []byte
}

func newLocalBroker(recv Receiver) *localBroker {
	b := &localBroker{recv: recv, queue: make(chan delivery, 4096), stop: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

func (b *localBroker) run() {
	defer close(b.done)
	for {
		select {
		case d := <-b.queue:
			b.recv.Deliver(d.topic, d.payload)
		case <-b.stop:
			return
		}
	}
}

// Publish queues the delivery; it waits only when the queue is full.
func (b *localBroker) Publish(ctx context.Context, topic string, payload []byte) error {
	select {
	case b.queue <- delivery{topic, payload}:
		return nil
	case <-b.stop:
		return errors.New("broker closed")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (*localBroker) Subscribe(context.Context, string) error   { return nil }
func (*localBroker) Unsubscribe(context.Context, string) error { return nil }

func (b *localBroker) Close() error {
	b.once.Do(func() { close(b.stop) })
	<-b.done
	return nil
}

// Event is one stream event, as it travels between processes and to the
// subscribers of a topic.
type Event struct {
	// Name is the SSE event name ("message", ...), or an internal one that
	// a stream translates ("discovery").
	Name string `json:"name"`
	// ID is a room message's sequence number (0 when the event has none).
	ID   int64           `json:"id,omitempty"`
	Data json.RawMessage `json:"data"`

	once  sync.Once
	frame []byte
}

// Frame is the event in SSE wire form, built once however many
// subscribers write it.
func (e *Event) Frame() []byte {
	e.once.Do(func() { e.frame = sseFrame(e.ID, e.Name, e.Data) })
	return e.frame
}

// sseFrame renders one event; data is single-line JSON.
func sseFrame(id int64, name string, data []byte) []byte {
	b := make([]byte, 0, len(data)+len(name)+32)
	if id > 0 {
		b = append(b, "id: "...)
		b = strconv.AppendInt(b, id, 10)
		b = append(b, '\n')
	}
	b = append(b, "event: "...)
	b = append(b, name...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...)
}
