package app_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// Test servers for the realtime backends; a backend is skipped when its
// variable is unset.
const (
	redisEnv = "QUORUM_TEST_REDIS_URL"
	natsEnv  = "QUORUM_TEST_NATS_URL"
)

// sink collects one stream's events.
type sink struct {
	t      *testing.T
	events chan client.StreamEvent
	done   chan error
	cancel context.CancelFunc
	once   sync.Once
}

// openStream runs a room stream (or, with room "", userID's discovery
// stream) in the background until the test ends.
func openStream(t *testing.T, c *client.Client, room, userID string, opts ...client.StreamOption) *sink {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &sink{t: t, events: make(chan client.StreamEvent, 10000), done: make(chan error, 1), cancel: cancel}
	fn := func(e client.StreamEvent) error { s.events <- e; return nil }
	opts = append([]client.StreamOption{client.ReconnectDelay(20*time.Millisecond, 200*time.Millisecond)}, opts...)
	go func() {
		if room != "" {
			s.done <- c.StreamRoom(ctx, room, fn, opts...)
		} else {
			s.done <- c.StreamActiveRooms(ctx, userID, fn, opts...)
		}
	}()
	t.Cleanup(s.close)
	return s
}

// close stops the stream and waits for it to end.
func (s *sink) close() {
	s.once.Do(func() {
		s.cancel()
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			s.t.Errorf("stream did not end")
		}
	})
}

// next returns the next event of one of the types, skipping others.
func (s *sink) next(types ...string) client.StreamEvent {
	s.t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case e := <-s.events:
			for _, typ := range types {
				if e.Type == typ {
					return e
				}
			}
		case err := <-s.done:
			s.t.Fatalf("stream ended while waiting for %v: %v", types, err)
		case <-deadline:
			s.t.Fatalf("no %v event before the deadline", types)
		}
	}
}

// messages returns the next n message events' texts.
func (s *sink) messages(n int) []string {
	s.t.Helper()
	out := make([]string, 0, n)
	for len(out) < n {
		m, err := s.next("message").Message()
		require.NoError(s.t, err)
		out = append(out, m.Text)
	}
	return out
}

func send(t *testing.T, c *client.Client, room string, texts ...string) []client.RoomMessage {
	t.Helper()
	var out []client.RoomMessage
	for _, text := range texts {
		m, err := c.SendMessage(context.Background(), room, text, "")
		require.NoError(t, err)
		out = append(out, *m)
	}
	return out
}

func texts(prefix string, from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, prefix+strconv.Itoa(i))
	}
	return out
}

func TestRealtimeMessages(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("ann@example.com")
		ann := cloudUser(t, e, f, "ann@example.com")
		bob := cloudUser(t, e, f, "bob@example.com")

		m, err := ann.SendMessage(ctx, "standup", "  Good morning  ", "Ann")
		require.NoError(t, err)
		require.Equal(t, "Good morning", m.Text)
		require.Equal(t, "ann@example.com", m.SenderID)
		require.Equal(t, "Ann", m.SenderName)
		require.Equal(t, int64(1), m.Seq)
		require.NotEmpty(t, m.ID)

		// Length is counted in characters after trimming.
		_, err = ann.SendMessage(ctx, "standup", " "+strings.Repeat("é", 1000)+"\n", "")
		require.NoError(t, err)
		_, err = ann.SendMessage(ctx, "standup", strings.Repeat("a", 1001), "")
		apiErr(t, err, http.StatusBadRequest, "validation_error")
		_, err = ann.SendMessage(ctx, "standup", "   ", "")
		apiErr(t, err, http.StatusBadRequest, "validation_error")
		// The SDK's userId must be the token's user.
		resp, body := raw(t, "POST", e.srv.URL+"/cloud/v1/rooms/standup/messages", "application/json",
			`{"text":"hi","userId":"mallory@example.com"}`, bearerOf(t, ann))
		require.Equal(t, http.StatusForbidden, resp.StatusCode, "%v", body)
		resp, body = raw(t, "POST", e.srv.URL+"/cloud/v1/rooms/standup/messages", "application/json",
			`{"message":"from the SDK","userId":"ann@example.com","extra":1}`, bearerOf(t, ann))
		require.Equal(t, http.StatusCreated, resp.StatusCode, "%v", body)
		require.Equal(t, "from the SDK", body["text"])

		// An Idempotency-Key makes a retried send store one message.
		keyed := bob.With(client.WithHeader("Idempotency-Key", "send-1"))
		first, err := keyed.SendMessage(ctx, "standup", "once", "")
		require.NoError(t, err)
		again, err := keyed.SendMessage(ctx, "standup", "once", "")
		require.NoError(t, err)
		require.Equal(t, first.ID, again.ID)
		send(t, bob, "standup", texts("b", 1, 4)...)

		// History: newest first, in pages, every message once.
		p, err := ann.MessageHistory(ctx, "standup", 3, "")
		require.NoError(t, err)
		require.Len(t, p.Messages, 3)
		require.Equal(t, "b4", p.Messages[0].Text)
		require.NotEmpty(t, p.NextCursor)
		var seqs []int64
		for m, err := range ann.History(ctx, "standup") {
			require.NoError(t, err)
			seqs = append(seqs, m.Seq)
		}
		require.Equal(t, []int64{8, 7, 6, 5, 4, 3, 2, 1}, seqs)
		_, err = ann.MessageHistory(ctx, "standup", 101, "")
		apiErr(t, err, http.StatusBadRequest, "validation_error")
		_, err = ann.MessageHistory(ctx, "standup", 0, "garbage!")
		apiErr(t, err, http.StatusBadRequest, "invalid_cursor")
		empty, err := ann.MessageHistory(ctx, "nobody-here", 0, "")
		require.NoError(t, err)
		require.Empty(t, empty.Messages)
		require.Empty(t, empty.NextCursor)

		// Conversations: the rooms the user wrote in, most recent first.
		send(t, ann, "retro", "later")
		cs, err := ann.Conversations(ctx, 0, "")
		require.NoError(t, err)
		require.Len(t, cs.Conversations, 2)
		require.Equal(t, "retro", cs.Conversations[0].RoomName)
		require.Equal(t, "later", cs.Conversations[0].LastMessage.Text)
		require.Equal(t, int64(1), cs.Conversations[0].MessageCount)
		require.Equal(t, "standup", cs.Conversations[1].RoomName)
		require.Equal(t, int64(8), cs.Conversations[1].MessageCount)
		require.Equal(t, "b4", cs.Conversations[1].LastMessage.Text)
		bobs, err := bob.Conversations(ctx, 1, "")
		require.NoError(t, err)
		require.Len(t, bobs.Conversations, 1)
		require.Empty(t, bobs.NextCursor)

		// A long last message is previewed.
		send(t, bob, "long", strings.Repeat("x", 500))
		bobs, err = bob.Conversations(ctx, 1, "")
		require.NoError(t, err)
		require.Equal(t, 101, len([]rune(bobs.Conversations[0].LastMessage.Text)))
		require.NotEmpty(t, bobs.NextCursor)
	})
}

func TestRealtimeStreamTickets(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("ann@example.com")
		ann := cloudUser(t, e, f, "ann@example.com")

		get := func(path string, header map[string]string) (*http.Response, map[string]any) {
			return raw(t, "GET", e.srv.URL+path, "", "", header)
		}
		tk, err := ann.RoomTicket(ctx, "standup")
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(tk.Ticket, "st_"))
		require.WithinDuration(t, time.Now().Add(time.Minute), tk.ExpiresAt, 10*time.Second)

		// A ticket for another room is refused (and spent).
		other, err := ann.RoomTicket(ctx, "other")
		require.NoError(t, err)
		resp, body := get("/cloud/v1/rooms/standup/stream?ticket="+other.Ticket, nil)
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		require.Equal(t, "ticket_scope", body["error"].(map[string]any)["code"])

		// The ticket works once, without a bearer token.
		s := openStreamRaw(t, e.srv.URL+tk.StreamPath, nil)
		require.Equal(t, "ready", s.next().Type)
		s.close()
		resp, body = get(tk.StreamPath, nil)
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		require.Equal(t, "invalid_ticket", body["error"].(map[string]any)["code"])

		// Missing and made-up tickets.
		resp, _ = get("/cloud/v1/rooms/standup/stream", nil)
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		resp, _ = get("/cloud/v1/rooms/standup/stream?ticket=st_madeup", nil)
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		// A cloud token is not a ticket.
		resp, _ = get("/cloud/v1/rooms/standup/stream", bearerOf(t, ann))
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

		// Discovery tickets are for one user's stream.
		dt, err := ann.ActiveRoomsTicket(ctx, "")
		require.NoError(t, err)
		require.Equal(t, "ann@example.com", dt.UserID)
		resp, _ = get("/cloud/v1/active-rooms/stream?ticket="+dt.Ticket, nil)
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "userId is required")
		resp, _ = get("/cloud/v1/active-rooms/stream?userId=bob@example.com&ticket="+dt.Ticket, nil)
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		rt, err := ann.RoomTicket(ctx, "standup")
		require.NoError(t, err)
		resp, _ = get("/cloud/v1/active-rooms/stream?userId=ann@example.com&ticket="+rt.Ticket, nil)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, "a room ticket does not open discovery")

		_, err = ann.RoomTicket(ctx, "")
		apiErr(t, err, http.StatusBadRequest, "validation_error")

		// The SDK's request: no scope, a room name and its userId.
		resp, body = raw(t, "POST", e.srv.URL+"/cloud/v1/stream-tickets", "application/json",
			`{"roomName":"standup","userId":"ann@example.com"}`, bearerOf(t, ann))
		require.Equal(t, http.StatusCreated, resp.StatusCode, "%v", body)
		require.Equal(t, "room", body["scope"])
		require.Contains(t, body["streamPath"], "/cloud/v1/rooms/standup/stream?ticket=st_")
	})
}

func TestRealtimeStreamReplay(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		f := e.fixture("ann@example.com")
		ann := cloudUser(t, e, f, "ann@example.com")
		bob := cloudUser(t, e, f, "bob@example.com")

		s := openStream(t, bob, "standup", "", client.NoReconnect())
		s.next("ready")
		sent := send(t, ann, "standup", texts("m", 1, 3)...)
		var last client.StreamEvent
		for i := range 3 {
			last = s.next("message")
			m, err := last.Message()
			require.NoError(t, err)
			require.Equal(t, sent[i].ID, m.ID)
			require.Equal(t, strconv.FormatInt(m.Seq, 10), last.ID)
		}
		s.close()

		// Missed while away: replayed exactly, in order, then live ones.
		send(t, ann, "standup", texts("m", 4, 6)...)
		s = openStream(t, bob, "standup", "", client.AfterEventID(last.ID))
		s.next("ready")
		require.Equal(t, texts("m", 4, 6), s.messages(3))
		send(t, ann, "standup", "m7")
		require.Equal(t, []string{"m7"}, s.messages(1))

		// The client reconnects by itself after losing the connection and
		// gets what was sent meanwhile, once each.
		e.srv.CloseClientConnections()
		fresh := ann.With(client.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}))
		send(t, fresh, "standup", texts("m", 8, 10)...)
		s.next("ready")
		require.Equal(t, texts("m", 8, 10), s.messages(3))
		send(t, ann, "standup", "m11")
		require.Equal(t, []string{"m11"}, s.messages(1))

		// A made-up or future Last-Event-ID starts at the room's end.
		future := openStream(t, bob, "standup", "", client.AfterEventID("999"))
		future.next("ready")
		send(t, ann, "standup", "m12")
		require.Equal(t, []string{"m12"}, future.messages(1))
	})
}

// rawStream is an SSE connection read line by line, for tests that need
// control over reading (or not reading) the socket.
type rawStream struct {
	t    *testing.T
	resp *http.Response
	r    *bufio.Reader
}

func openStreamRaw(t *testing.T, url string, header map[string]string) *rawStream {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	s := &rawStream{t: t, resp: resp, r: bufio.NewReader(resp.Body)}
	t.Cleanup(s.close)
	return s
}

func (s *rawStream) close() { s.resp.Body.Close() }

// next reads the next event (comments and retry lines are skipped).
func (s *rawStream) next() client.StreamEvent {
	s.t.Helper()
	var e client.StreamEvent
	for {
		line, err := s.r.ReadString('\n')
		require.NoError(s.t, err)
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && e.Type != "":
			return e
		case strings.HasPrefix(line, "id: "):
			e.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			e.Type = line[7:]
		case strings.HasPrefix(line, "data: "):
			e.Data = []byte(line[6:])
		}
	}
}

func TestRealtimeStalledSubscriberDoesNotDelayOthers(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("ann@example.com")
		ann := cloudUser(t, e, f, "ann@example.com")

		// The stalled subscriber connects and then never reads.
		tk, err := ann.RoomTicket(ctx, "busy")
		require.NoError(t, err)
		stalled := openStreamRaw(t, e.srv.URL+tk.StreamPath, nil)
		require.Equal(t, "ready", stalled.next().Type)

		healthy := []*sink{openStream(t, ann, "busy", ""), openStream(t, ann, "busy", "")}
		for _, s := range healthy {
			s.next("ready")
		}
		// Enough to fill the stalled client's socket buffers and its queue.
		const n = 400
		big := strings.Repeat("x", 990)
		want := make([]string, n)
		for i := range want {
			want[i] = fmt.Sprintf("%04d%s", i, big)
		}
		send(t, ann, "busy", want...)
		for _, s := range healthy {
			require.Equal(t, want, s.messages(n))
		}
	})
}

func TestRealtimeStreamLimits(t *testing.T) {
	e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db", "--max-streams-per-org", "2")
	f := e.fixture("ann@example.com")
	ann := cloudUser(t, e, f, "ann@example.com")
	for range 2 {
		openStream(t, ann, "r", "").next("ready")
	}
	tk, err := ann.RoomTicket(context.Background(), "r")
	require.NoError(t, err)
	resp, body := raw(t, "GET", e.srv.URL+tk.StreamPath, "", "", nil)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "too_many_streams", body["error"].(map[string]any)["code"])
	require.NotEmpty(t, resp.Header.Get("Retry-After"))

	// Another organization has its own allowance.
	g := e.fixture("zed@example.com")
	openStream(t, cloudUser(t, e, g, "zed@example.com"), "r", "").next("ready")
}

func TestRealtimeShutdownEndsStreams(t *testing.T) {
	// Run like `quorum serve`: started with the context that SIGTERM
	// cancels, behind an http.Server that shuts down gracefully.
	cfg, _, err := config.Load([]string{"--database-url", "sqlite://" + t.TempDir() + "/q.db", "--data-dir", t.TempDir()}, nil, io.Discard)
	require.NoError(t, err)
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	require.NoError(t, a.Start(ctx))
	srv := &http.Server{Handler: a.Handler()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	e := &env{t: t, app: a, srv: &httptest.Server{URL: base}}
	ann := cloudUser(t, e, e.fixture("ann@example.com"), "ann@example.com")

	tk, err := ann.RoomTicket(context.Background(), "r")
	require.NoError(t, err)
	s := openStreamRaw(t, base+tk.StreamPath, nil)
	require.Equal(t, "ready", s.next().Type)
	late, err := ann.RoomTicket(context.Background(), "r")
	require.NoError(t, err)

	stop()
	require.Equal(t, "shutdown", s.next().Type)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, srv.Shutdown(sctx), "graceful shutdown waited on a stream")

	// New streams are refused while shutting down.
	late2 := httptest.NewServer(a.Handler())
	defer late2.Close()
	resp, body := raw(t, "GET", late2.URL+late.StreamPath, "", "", nil)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "shutting_down", body["error"].(map[string]any)["code"])
	require.NoError(t, a.Close(sctx))
}

func TestRealtimePresence(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("ann@example.com")
		ann := cloudUser(t, e, f, "ann@example.com")
		bob := cloudUser(t, e, f, "bob@example.com")
		cat := cloudUser(t, e, f, "cat@example.com")

		require.NoError(t, ann.Heartbeat(ctx))
		require.NoError(t, bob.Heartbeat(ctx))
		online, err := cat.OnlineUsers(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"ann@example.com", "bob@example.com"}, online)

		// Offline clears at once.
		require.NoError(t, bob.Offline(ctx))
		online, err = cat.OnlineUsers(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"ann@example.com"}, online)

		// Without heartbeats a user goes offline after the TTL.
		waitOnline(t, cat, "ann@example.com", false)

		// One may only speak for oneself.
		resp, _ := raw(t, "POST", e.srv.URL+"/cloud/v1/presence/heartbeat", "application/json", `{"userId":"bob@example.com"}`,
			bearerOf(t, ann))
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		resp, _ = raw(t, "POST", e.srv.URL+"/cloud/v1/presence/heartbeat", "application/json", `{"userId":"ann@example.com"}`,
			bearerOf(t, ann))
		require.Equal(t, http.StatusNoContent, resp.StatusCode)

		// The heartbeat loop keeps a user online and marks them offline
		// when it stops.
		loop, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- cat.KeepPresence(loop, 100*time.Millisecond) }()
		waitOnline(t, ann, "cat@example.com", true)
		stop()
		require.NoError(t, <-done)
		online, err = ann.OnlineUsers(ctx)
		require.NoError(t, err)
		require.NotContains(t, online, "cat@example.com")

		// Relationships: online users whose profile matches the caller's.
		_, err = ann.PutProfile(ctx, "p-ann", map[string]any{"team": "blue", "mentor": "m1"})
		require.NoError(t, err)
		_, err = bob.PutProfile(ctx, "p-bob", map[string]any{"team": "blue"})
		require.NoError(t, err)
		_, err = cat.PutProfile(ctx, "p-cat", map[string]any{"team": "red", "mentees": []any{"m1", "m2"}})
		require.NoError(t, err)
		require.NoError(t, ann.Heartbeat(ctx))
		require.NoError(t, bob.Heartbeat(ctx))
		require.NoError(t, cat.Heartbeat(ctx))
		got, err := ann.Relationships(ctx, "p-ann", "team", "team")
		require.NoError(t, err)
		require.Equal(t, []string{"bob@example.com"}, got)
		got, err = ann.Relationships(ctx, "p-ann", "mentees", "mentor")
		require.NoError(t, err)
		require.Equal(t, []string{"cat@example.com"}, got)
		require.NoError(t, bob.Offline(ctx))
		got, err = ann.Relationships(ctx, "p-ann", "team", "team")
		require.NoError(t, err)
		require.Empty(t, got, "only online users match")

		_, err = ann.Relationships(ctx, "p-bob", "team", "team")
		apiErr(t, err, http.StatusForbidden, "")
		_, err = ann.Relationships(ctx, "p-none", "team", "team")
		apiErr(t, err, http.StatusNotFound, "")
		_, err = ann.Relationships(ctx, "p-ann", "", "team")
		apiErr(t, err, http.StatusBadRequest, "")
		_, err = bob.PutProfile(ctx, "p-ann", map[string]any{"team": "red"})
		apiErr(t, err, http.StatusForbidden, "")
	}, "--presence-ttl", "500ms")
}

// waitOnline polls until user is (or is no longer) online.
func waitOnline(t *testing.T, c *client.Client, user string, want bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		online, err := c.OnlineUsers(context.Background())
		require.NoError(t, err)
		is := false
		for _, u := range online {
			is = is || u == user
		}
		if is == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s online = %v, want %v", user, is, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRealtimeDiscovery(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("ann@example.com")
		ann := cloudUser(t, e, f, "ann@example.com")
		bob := cloudUser(t, e, f, "bob@example.com")

		_, err := ann.AdvertiseRoom(ctx, client.ActiveRoom{Name: "design", OwnerDisplayName: "Ann",
			TargetUserIDs: []string{"bob@example.com", "cat@example.com"}, Metadata: map[string]any{"topic": "logo"}})
		require.NoError(t, err)
		disc := openStream(t, bob, "", "bob@example.com")
		snap := disc.next("snapshot")
		require.Contains(t, string(snap.Data), `"design"`)

		r, err := ann.AdvertiseRoom(ctx, client.ActiveRoom{Name: "standup", OwnerDisplayName: "Ann", TargetUserIDs: []string{"bob@example.com"}})
		require.NoError(t, err)
		require.Equal(t, "ann@example.com", r.OwnerID)
		require.Contains(t, string(disc.next("room-added").Data), `"standup"`)

		rooms, err := bob.ActiveRooms(ctx, "bob@example.com")
		require.NoError(t, err)
		require.Len(t, rooms, 2)
		require.Equal(t, "standup", rooms[0].Name)
		rooms, err = bob.ActiveRooms(ctx, "cat@example.com")
		require.NoError(t, err)
		require.Len(t, rooms, 1)
		require.Equal(t, map[string]any{"topic": "logo"}, rooms[0].Metadata)
		rooms, err = bob.ActiveRooms(ctx, "")
		require.NoError(t, err)
		require.Len(t, rooms, 2)

		// Only the owner changes a room.
		title := "Daily standup"
		_, err = bob.UpdateActiveRoom(ctx, "standup", client.ActiveRoomPatch{OwnerDisplayName: &title})
		apiErr(t, err, http.StatusForbidden, "not_owner")
		apiErr(t, bob.RemoveActiveRoom(ctx, "standup"), http.StatusForbidden, "not_owner")
		_, err = bob.AdvertiseRoom(ctx, client.ActiveRoom{Name: "standup"})
		apiErr(t, err, http.StatusForbidden, "not_owner")
		_, err = ann.UpdateActiveRoom(ctx, "nope", client.ActiveRoomPatch{OwnerDisplayName: &title})
		apiErr(t, err, http.StatusNotFound, "")

		up, err := ann.UpdateActiveRoom(ctx, "standup", client.ActiveRoomPatch{OwnerDisplayName: &title})
		require.NoError(t, err)
		require.Equal(t, title, up.OwnerDisplayName)
		require.Equal(t, []string{"bob@example.com"}, up.TargetUserIDs)
		require.Contains(t, string(disc.next("room-updated").Data), title)

		// Dropping bob from the targets removes the room from his view.
		targets := []string{"cat@example.com"}
		_, err = ann.UpdateActiveRoom(ctx, "design", client.ActiveRoomPatch{TargetUserIDs: &targets})
		require.NoError(t, err)
		require.JSONEq(t, `{"name":"design"}`, string(disc.next("room-removed").Data))
		require.NoError(t, ann.RemoveActiveRoom(ctx, "standup"))
		require.JSONEq(t, `{"name":"standup"}`, string(disc.next("room-removed").Data))
		rooms, err = bob.ActiveRooms(ctx, "bob@example.com")
		require.NoError(t, err)
		require.Empty(t, rooms)
		apiErr(t, ann.RemoveActiveRoom(ctx, "standup"), http.StatusNotFound, "")
	})
}

// TestRealtimeTenantIsolation: another organization's token sees none of
// this one's rooms, messages, presence, profiles or discovery.
func TestRealtimeTenantIsolation(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		owner := cloudUser(t, e, e.fixture("owner@example.com"), "owner@example.com")
		// The intruder uses the same user and room names in their own org.
		intruder := cloudUser(t, e, e.fixture("intruder@example.com"), "owner@example.com")

		spy := openStream(t, intruder, "secret", "")
		spy.next("ready")
		spyDisc := openStream(t, intruder, "", "owner@example.com")
		spyDisc.next("snapshot")

		send(t, owner, "secret", "the plan")
		require.NoError(t, owner.Heartbeat(ctx))
		_, err := owner.PutProfile(ctx, "p-owner", map[string]any{"team": "blue"})
		require.NoError(t, err)
		_, err = owner.AdvertiseRoom(ctx, client.ActiveRoom{Name: "secret", TargetUserIDs: []string{"owner@example.com"}})
		require.NoError(t, err)

		h, err := intruder.MessageHistory(ctx, "secret", 0, "")
		require.NoError(t, err)
		require.Empty(t, h.Messages)
		cs, err := intruder.Conversations(ctx, 0, "")
		require.NoError(t, err)
		require.Empty(t, cs.Conversations)
		online, err := intruder.OnlineUsers(ctx)
		require.NoError(t, err)
		require.Empty(t, online)
		rooms, err := intruder.ActiveRooms(ctx, "")
		require.NoError(t, err)
		require.Empty(t, rooms)
		_, err = intruder.Relationships(ctx, "p-owner", "team", "team")
		apiErr(t, err, http.StatusNotFound, "")
		title := "x"
		_, err = intruder.UpdateActiveRoom(ctx, "secret", client.ActiveRoomPatch{OwnerDisplayName: &title})
		apiErr(t, err, http.StatusNotFound, "")
		apiErr(t, intruder.RemoveActiveRoom(ctx, "secret"), http.StatusNotFound, "")

		// Nothing reached the intruder's streams; their own message does.
		send(t, intruder, "secret", "mine")
		m, err := spy.next("message").Message()
		require.NoError(t, err)
		require.Equal(t, "mine", m.Text)
		_, err = intruder.AdvertiseRoom(ctx, client.ActiveRoom{Name: "theirs", TargetUserIDs: []string{"owner@example.com"}})
		require.NoError(t, err)
		require.Contains(t, string(spyDisc.next("room-added", "room-updated", "room-removed").Data), `"theirs"`)

		// And the owner's room is untouched.
		rooms, err = owner.ActiveRooms(ctx, "")
		require.NoError(t, err)
		require.Len(t, rooms, 1)
	})
}

// realtimeBackends lists the broker settings to test across replicas.
func realtimeBackends(t *testing.T) map[string][]string {
	out := map[string][]string{}
	if u := os.Getenv(redisEnv); u != "" {
		out["redis"] = []string{"--redis-url", u}
	} else {
		t.Logf("%s not set: skipping Redis", redisEnv)
	}
	if u := os.Getenv(natsEnv); u != "" {
		out["nats"] = []string{"--nats-url", u}
	} else {
		t.Logf("%s not set: skipping NATS", natsEnv)
	}
	return out
}

// TestRealtimeAcrossReplicas runs two servers on one database and one
// broker: a message sent on one reaches a subscriber on the other, and so
// does presence. The second server reaches the broker through a proxy
// that the test cuts: after the outage it catches up from the store.
func TestRealtimeAcrossReplicas(t *testing.T) {
	backends := realtimeBackends(t)
	if len(backends) == 0 {
		t.Skip("no broker to test across replicas")
	}
	for name, settings := range backends {
		t.Run(name, func(t *testing.T) {
			for dbName, dbURL := range sharedDBURLs(t) {
				t.Run(dbName, func(t *testing.T) {
					prefix := "qt" + strings.ReplaceAll(uuid.NewString()[:12], "-", "")
					t.Cleanup(func() { removeRealtimeState(prefix) })
					brokerURL := settings[1]
					proxy := newTCPProxy(t, hostOf(t, brokerURL))
					a := newEnv(t, dbURL, settings[0], brokerURL, "--realtime-prefix", prefix, "--presence-ttl", "30s")
					b := newEnv(t, dbURL, settings[0], strings.Replace(brokerURL, hostOf(t, brokerURL), proxy.addr(), 1),
						"--realtime-prefix", prefix, "--presence-ttl", "30s")
					require.Equal(t, name, a.app.Realtime.Backend())
					ctx := context.Background()
					f := a.fixture("ann@example.com")
					token, err := a.client().CreateCloudToken(ctx, f.cloudKey, "ann@example.com")
					require.NoError(t, err)
					onA := a.client(client.WithBearer(token.CloudToken))
					onB := b.client(client.WithBearer(token.CloudToken))

					s := openStream(t, onB, "standup", "")
					s.next("ready")
					send(t, onA, "standup", "hello from A")
					require.Equal(t, []string{"hello from A"}, s.messages(1))

					require.NoError(t, onA.Heartbeat(ctx))
					online, err := onB.OnlineUsers(ctx)
					require.NoError(t, err)
					require.Equal(t, []string{"ann@example.com"}, online)
					require.NoError(t, onB.Offline(ctx))
					online, err = onA.OnlineUsers(ctx)
					require.NoError(t, err)
					require.Empty(t, online)

					disc := openStream(t, onB, "", "ann@example.com")
					disc.next("snapshot")
					_, err = onA.AdvertiseRoom(ctx, client.ActiveRoom{Name: "r", TargetUserIDs: []string{"ann@example.com"}})
					require.NoError(t, err)
					disc.next("room-added")

					// B loses the broker; what A sends meanwhile is stored, and B
					// replays it once the connection is back.
					proxy.cut()
					send(t, onA, "standup", texts("gap", 1, 5)...)
					proxy.restore()
					require.Equal(t, texts("gap", 1, 5), s.messages(5))
					send(t, onA, "standup", "after")
					require.Equal(t, []string{"after"}, s.messages(1))
				})
			}
		})
	}
}

// removeRealtimeState deletes what servers with this realtime prefix left
// on the Redis and NATS test servers.
func removeRealtimeState(prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if u := os.Getenv(redisEnv); u != "" {
		if opts, err := redis.ParseURL(u); err == nil {
			c := redis.NewClient(opts)
			iter := c.Scan(ctx, 0, prefix+":*", 1000).Iterator()
			for iter.Next(ctx) {
				c.Del(ctx, iter.Val())
			}
			c.Close()
		}
	}
	if u := os.Getenv(natsEnv); u != "" {
		if nc, err := nats.Connect(u); err == nil {
			if js, err := jetstream.New(nc); err == nil {
				_ = js.DeleteKeyValue(ctx, prefix+"_presence")
			}
			nc.Close()
		}
	}
}

// sharedDBURLs is one database per backend for two servers to share.
func sharedDBURLs(t *testing.T) map[string]string {
	return storetest.URLs(t)
}

func hostOf(t *testing.T, rawURL string) string {
	t.Helper()
	_, rest, ok := strings.Cut(rawURL, "://")
	require.True(t, ok, rawURL)
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[i+1:]
	}
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// tcpProxy forwards connections to a backend until cut, which drops them
// and refuses new ones until restore.
type tcpProxy struct {
	t      *testing.T
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &tcpProxy{t: t, ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.accept()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *tcpProxy) addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *tcpProxy) pipe(dst, src net.Conn) {
	_, err := io.Copy(dst, src)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		p.t.Logf("proxy: %v", err)
	}
	dst.Close()
	src.Close()
}

func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *tcpProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// cloudUser is cloudClient that remembers the token, for raw requests.
func cloudUser(t *testing.T, e *env, f fixture, user string) *client.Client {
	t.Helper()
	c := cloudClient(t, e, f, user)
	tok, err := e.client().CreateCloudToken(context.Background(), f.cloudKey, user)
	require.NoError(t, err)
	c = c.With(client.WithBearer(tok.CloudToken))
	cloudTokens.Store(c, tok.CloudToken)
	return c
}

// cloudTokens holds the token of each client cloudUser made.
var cloudTokens sync.Map

// bearerOf is the Authorization header of a client made by cloudUser.
func bearerOf(t *testing.T, c *client.Client) map[string]string {
	t.Helper()
	tok, ok := cloudTokens.Load(c)
	require.True(t, ok, "not a cloudUser client")
	return map[string]string{"Authorization": "Bearer " + tok.(string)}
}
