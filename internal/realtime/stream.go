package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/page"
)

// Stream timings.
const (
	// writeTimeout bounds one write to a client: a client that stops
	// reading is disconnected rather than holding a goroutine forever.
	writeTimeout = 10 * time.Second
	// farewellTimeout bounds the final event to a client being dropped.
	farewellTimeout = time.Second
	// replayBatch is how many stored messages one replay query reads.
	replayBatch = 500
	// batchEvents is how many queued events one flush may carry.
	batchEvents = 64
	// retryMillis is the reconnection delay suggested to EventSource.
	retryMillis = 2000
)

// Stream is an open SSE stream: its ticket is spent, it holds a place
// under the subscriber limits and is subscribed to its topic. Serve writes
// it; a Stream that is never served must be closed.
type Stream struct {
	svc     *Service
	sub     *Subscriber
	release func()
	caller  caller.Caller
	logger  loggerFunc

	room string // room streams
	last int64  // the room's last message number sent
	user string // discovery streams
}

type loggerFunc func(msg string, args ...any)

// OpenRoomStream validates ticket for room and subscribes to it. With a
// lastEventID (a message number), Serve first replays the messages after
// it; without, the stream starts with the next message.
func (s *Service) OpenRoomStream(ctx context.Context, ticket, room, lastEventID string) (*Stream, error) {
	room, err := validRoom("room", room)
	if err != nil {
		return nil, err
	}
	after := int64(-1)
	if v := strings.TrimSpace(lastEventID); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			return nil, fault.Invalid("Last-Event-ID", "validation_error", "Last-Event-ID must be a message number from this stream")
		}
	}
	c, err := s.consumeTicket(ctx, ticket, ScopeRoom, room)
	if err != nil {
		return nil, err
	}
	st, err := s.openStream(ctx, c, roomTopic(c.OrgID, room))
	if err != nil {
		return nil, err
	}
	st.room = room
	// The position is read after subscribing, so nothing committed in
	// between is missed: it is either in the replay or in the live feed.
	cur, err := s.store.lastSeq(ctx, c.OrgID, room)
	if err != nil {
		st.Close()
		return nil, err
	}
	st.last = cur
	if after >= 0 && after < cur {
		st.last = after
	}
	return st, nil
}

// OpenDiscoveryStream validates ticket for userID's discovery stream and
// subscribes to the organization's room changes.
func (s *Service) OpenDiscoveryStream(ctx context.Context, ticket, userID string) (*Stream, error) {
	if strings.TrimSpace(userID) == "" {
		return nil, fault.Invalid("userId", "validation_error", "userId is required")
	}
	user, err := validID("userId", userID)
	if err != nil {
		return nil, err
	}
	c, err := s.consumeTicket(ctx, ticket, ScopeActiveRooms, user)
	if err != nil {
		return nil, err
	}
	st, err := s.openStream(ctx, c, discoveryTopic(c.OrgID))
	if err != nil {
		return nil, err
	}
	st.user = user
	return st, nil
}

func (s *Service) openStream(ctx context.Context, c caller.Caller, topic string) (*Stream, error) {
	release, err := s.admit(c.OrgID)
	if err != nil {
		return nil, err
	}
	sub, err := s.hub.Join(ctx, topic)
	if err != nil {
		release()
		return nil, err
	}
	return &Stream{svc: s, sub: sub, release: release, caller: c,
		logger: func(msg string, args ...any) { s.logger.Warn(msg, append(args, "topic", topic)...) }}, nil
}

// Close leaves the topic and frees the stream's place.
func (st *Stream) Close() {
	st.svc.hub.Leave(st.sub)
	st.release()
}

// Serve writes the stream until the client goes away, falls too far
// behind, or the server shuts down (the client then gets a final
// "shutdown" event). It closes the stream.
func (st *Stream) Serve(w http.ResponseWriter, r *http.Request) {
	defer st.Close()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	ctx := r.Context()
	sw := &sseWriter{w: w, rc: rc}

	// The connection may serve further requests after the stream.
	defer func() { _ = rc.SetWriteDeadline(time.Time{}) }()
	if err := st.start(ctx, sw); err != nil {
		st.fail(ctx, sw, err)
		return
	}
	keepAlive := time.NewTicker(st.svc.cfg.KeepAlive)
	defer keepAlive.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-st.svc.closing:
			sw.deadline(farewellTimeout)
			sw.write(sseFrame(0, "shutdown", []byte(`{"reason":"the server is shutting down; reconnect"}`)))
			_ = sw.flush()
			return
		case <-st.sub.Dropped:
			sw.deadline(farewellTimeout)
			sw.write(sseFrame(0, "error", []byte(`{"code":"slow_consumer","message":"the stream fell too far behind; reconnect with Last-Event-ID"}`)))
			_ = sw.flush()
			return
		case <-keepAlive.C:
			sw.write([]byte(": ping\n\n"))
			err = sw.flush()
		case <-st.sub.Resync:
			err = st.catchUp(ctx, sw)
		case ev := <-st.sub.C:
			err = st.handle(ctx, sw, ev)
			// What else is queued goes out in the same flush; only this
			// goroutine receives, so a non-empty channel will not block.
			for n := 1; err == nil && n < batchEvents && len(st.sub.C) > 0; n++ {
				err = st.handle(ctx, sw, <-st.sub.C)
			}
			if err == nil {
				err = sw.flush()
			}
		}
		if err != nil {
			if !errors.Is(err, context.Canceled) && ctx.Err() == nil {
				st.logger("stream ended", "error", err)
			}
			return
		}
	}
}

// fail reports an error that ended the stream before it started; the
// status line is already sent, so it goes out as an event.
func (st *Stream) fail(ctx context.Context, sw *sseWriter, err error) {
	if ctx.Err() != nil {
		return
	}
	st.logger("stream failed", "error", err)
	sw.deadline(farewellTimeout)
	sw.write(sseFrame(0, "error", []byte(`{"code":"internal_error","message":"the stream could not start; reconnect"}`)))
	_ = sw.flush()
}

// start sends the opening events: ready and the replay of a room, the
// snapshot of discovery.
func (st *Stream) start(ctx context.Context, sw *sseWriter) error {
	sw.deadline(writeTimeout)
	sw.write([]byte("retry: " + strconv.Itoa(retryMillis) + "\n\n"))
	if st.room != "" {
		ready, _ := json.Marshal(map[string]string{"roomName": st.room})
		sw.write(sseFrame(0, "ready", ready))
		return st.catchUp(ctx, sw)
	}
	return st.snapshot(ctx, sw)
}

// handle writes one live event (without flushing).
func (st *Stream) handle(ctx context.Context, sw *sseWriter, ev *Event) error {
	if st.room == "" {
		return st.discoveryEvent(sw, ev)
	}
	switch {
	case ev.ID <= st.last:
		return nil // already sent by a replay
	case ev.ID == st.last+1:
		sw.deadline(writeTimeout)
		sw.write(ev.Frame())
		st.last = ev.ID
		return sw.err
	default:
		// A gap: an earlier message is committed but not yet delivered
		// (published out of order, or lost by the broker).
		return st.catchUp(ctx, sw)
	}
}

// catchUp sends what the store holds after the last message sent (for a
// room) or a fresh snapshot (for discovery).
func (st *Stream) catchUp(ctx context.Context, sw *sseWriter) error {
	if st.room == "" {
		return st.snapshot(ctx, sw)
	}
	for {
		msgs, err := st.svc.store.messagesAfter(ctx, st.caller.OrgID, st.room, st.last, replayBatch)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			data, err := json.Marshal(m)
			if err != nil {
				return err
			}
			sw.deadline(writeTimeout)
			sw.write(sseFrame(m.Seq, "message", data))
			st.last = m.Seq
		}
		if err := sw.flush(); err != nil {
			return err
		}
		if len(msgs) < replayBatch {
			return nil
		}
	}
}

// snapshot sends every room that targets the stream's user.
func (st *Stream) snapshot(ctx context.Context, sw *sseWriter) error {
	p, err := st.svc.ActiveRooms(ctx, st.caller, st.user, page.Request{Limit: page.MaxLimit})
	if err != nil {
		return err
	}
	rooms := p.Items
	for p.Next != "" && len(rooms) < maxSnapshot {
		if p, err = st.svc.ActiveRooms(ctx, st.caller, st.user, page.Request{Limit: page.MaxLimit, After: p.Next}); err != nil {
			return err
		}
		rooms = append(rooms, p.Items...)
	}
	data, err := json.Marshal(map[string]any{"rooms": rooms})
	if err != nil {
		return err
	}
	sw.deadline(writeTimeout)
	sw.write(sseFrame(0, "snapshot", data))
	return sw.flush()
}

// discoveryEvent turns a room change into what it means for the stream's
// user: added, updated or removed, or nothing if it never concerned them.
func (st *Stream) discoveryEvent(sw *sseWriter, ev *Event) error {
	var ch discoveryChange
	if err := json.Unmarshal(ev.Data, &ch); err != nil {
		return nil
	}
	was := slices.Contains(ch.PreviousTargets, st.user)
	is := !ch.Removed && slices.Contains(ch.Room.TargetUserIDs, st.user)
	var name string
	var data []byte
	switch {
	case is && was:
		name, data = "room-updated", mustJSON(map[string]any{"room": ch.Room})
	case is:
		name, data = "room-added", mustJSON(map[string]any{"room": ch.Room})
	case was:
		name, data = "room-removed", mustJSON(map[string]any{"name": ch.Room.Name})
	default:
		return nil
	}
	sw.deadline(writeTimeout)
	sw.write(sseFrame(0, name, data))
	return sw.err
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// sseWriter remembers the first write error, so a sequence of writes
// needs one check.
type sseWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	err   error
	until time.Time // the write deadline set last
}

// deadline makes the next writes fail if they take longer than d. A
// deadline still most of d away is kept: moving it costs more than the
// write itself when a busy room streams many small events.
func (s *sseWriter) deadline(d time.Duration) {
	now := time.Now()
	if s.until.Sub(now) > 3*d/4 && s.until.Sub(now) <= d {
		return
	}
	s.until = now.Add(d)
	_ = s.rc.SetWriteDeadline(s.until)
}

func (s *sseWriter) write(b []byte) {
	if s.err == nil {
		_, s.err = s.w.Write(b)
	}
}

func (s *sseWriter) flush() error {
	if s.err == nil {
		s.err = s.rc.Flush()
	}
	return s.err
}
