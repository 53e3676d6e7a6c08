package realtime

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// Servers for the Redis and NATS backends; each is skipped when unset.
const (
	redisEnv = "QUORUM_TEST_REDIS_URL"
	natsEnv  = "QUORUM_TEST_NATS_URL"
)

// backend is one broker and presence implementation under test.
type backend struct {
	name string
	// shared reports whether two services see each other (not so for the
	// in-process backend).
	shared bool
	config func(c *Config)
}

// backends lists the in-process backend and whichever servers the
// environment names.
func backends(t *testing.T) []backend {
	out := []backend{{name: "local", config: func(*Config) {}}}
	if u := os.Getenv(redisEnv); u != "" {
		out = append(out, backend{name: "redis", shared: true, config: func(c *Config) { c.RedisURL = u }})
	} else {
		t.Logf("%s not set: Redis backend skipped", redisEnv)
	}
	if u := os.Getenv(natsEnv); u != "" {
		out = append(out, backend{name: "nats", shared: true, config: func(c *Config) { c.NATSURL = u }})
	} else {
		t.Logf("%s not set: NATS backend skipped", natsEnv)
	}
	return out
}

// uniquePrefix namespaces one test's keys, subjects and bucket, and
// removes what they left on the servers when the test ends.
func uniquePrefix(t *testing.T) string {
	p := "qt" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if u := os.Getenv(redisEnv); u != "" {
			if opts, err := redis.ParseURL(u); err == nil {
				c := redis.NewClient(opts)
				iter := c.Scan(ctx, 0, p+":*", 1000).Iterator()
				for iter.Next(ctx) {
					c.Del(ctx, iter.Val())
				}
				c.Close()
			}
		}
		if u := os.Getenv(natsEnv); u != "" {
			if nc, err := nats.Connect(u); err == nil {
				if js, err := jetstream.New(nc); err == nil {
					_ = js.DeleteKeyValue(ctx, p+"_presence")
				}
				nc.Close()
			}
		}
	})
	return p
}

func openService(t *testing.T, db *store.DB, b backend, prefix string, ttl time.Duration) *Service {
	t.Helper()
	cfg := Config{DB: db, Prefix: prefix, PresenceTTL: ttl, KeepAlive: time.Hour}
	b.config(&cfg)
	s, err := Open(context.Background(), cfg)
	require.NoError(t, err)
	require.Equal(t, b.name, s.Backend())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, s.Close(ctx))
	})
	return s
}

// org makes an organization and a caller acting in it for user.
func org(t *testing.T, db *store.DB, user string) caller.Caller {
	t.Helper()
	ids := identity.NewService(db, false)
	o, err := ids.CreateOrg(context.Background(), "Org of "+user)
	require.NoError(t, err)
	a, _, err := ids.CreateApp(context.Background(), identity.NewApp{OrgID: o.ID, Name: "App of " + user,
		RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
	require.NoError(t, err)
	return caller.Caller{Credential: caller.CloudToken, OrgID: o.ID, AppID: a.ID, UserRef: user}
}

func as(c caller.Caller, user string) caller.Caller {
	c.UserRef = user
	return c
}

// TestBackends runs the broker and presence contract on every backend:
// the in-process one always, Redis and NATS when their servers are named.
func TestBackends(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			db := storetest.SQLite(t)
			ctx := context.Background()
			prefix := uniquePrefix(t)
			const ttl = 400 * time.Millisecond
			s1 := openService(t, db, b, prefix, ttl)
			s2 := s1
			if b.shared {
				s2 = openService(t, db, b, prefix, ttl)
			}
			ann := org(t, db, "ann@example.com")
			bob := as(ann, "bob@example.com")
			other := org(t, db, "ann@example.com")

			t.Run("presence", func(t *testing.T) {
				require.NoError(t, s1.Heartbeat(ctx, ann, ""))
				require.NoError(t, s1.Heartbeat(ctx, bob, "bob@example.com"))
				online, err := s2.Online(ctx, ann)
				require.NoError(t, err)
				require.Equal(t, []string{"ann@example.com", "bob@example.com"}, online)
				online, err = s2.Online(ctx, other)
				require.NoError(t, err)
				require.Empty(t, online, "another organization sees nobody")

				require.NoError(t, s2.Offline(ctx, bob, ""))
				online, err = s1.Online(ctx, ann)
				require.NoError(t, err)
				require.Equal(t, []string{"ann@example.com"}, online, "offline clears at once")

				// A heartbeat lasts the TTL and no longer.
				deadline := time.Now().Add(10 * time.Second)
				for {
					online, err = s2.Online(ctx, ann)
					require.NoError(t, err)
					if len(online) == 0 {
						break
					}
					require.True(t, time.Now().Before(deadline), "heartbeat never expired")
					time.Sleep(20 * time.Millisecond)
				}

				_, err = actingUser(ann, "mallory@example.com")
				require.ErrorIs(t, err, fault.ErrForbidden)
			})

			t.Run("fan-out", func(t *testing.T) {
				sub, err := s2.hub.Join(ctx, "topic-a")
				require.NoError(t, err)
				defer s2.hub.Leave(sub)
				for i := range 20 {
					s1.publish(ctx, "topic-a", "message", int64(i+1), map[string]int{"n": i})
					s1.publish(ctx, "topic-b", "message", int64(i+1), map[string]int{"n": i})
				}
				for i := range 20 {
					select {
					case ev := <-sub.C:
						require.Equal(t, int64(i+1), ev.ID, "in publish order")
						require.JSONEq(t, fmt.Sprintf(`{"n":%d}`, i), string(ev.Data))
					case <-time.After(10 * time.Second):
						t.Fatalf("event %d not delivered", i)
					}
				}
			})

			t.Run("messages across services", func(t *testing.T) {
				srv := streamServer(t, s2)
				tk, err := s2.IssueTicket(ctx, ann, ScopeRoom, "standup", "")
				require.NoError(t, err)
				st := dial(t, srv.URL+"/rooms/standup?ticket="+tk.Ticket, "")
				require.Equal(t, "ready", st.next().name)
				for i := range 5 {
					_, err := s1.Send(ctx, ann, "standup", "", "", fmt.Sprintf("m%d", i+1))
					require.NoError(t, err)
				}
				for i := range 5 {
					ev := st.next()
					require.Equal(t, "message", ev.name)
					require.Equal(t, fmt.Sprint(i+1), ev.id)
				}
			})
		})
	}
}

// TestHubDropsSlowSubscriber: a subscriber that stops draining is dropped
// once its buffer is full; delivery to the others never waits for it.
func TestHubDropsSlowSubscriber(t *testing.T) {
	h := newHub(slog.Default())
	h.broker = newLocalBroker(h)
	defer h.broker.Close()
	ctx := context.Background()
	slow, err := h.Join(ctx, "room")
	require.NoError(t, err)
	fast, err := h.Join(ctx, "room")
	require.NoError(t, err)

	// The fast subscriber reads each event before the next is published;
	// the slow one reads nothing.
	const n = subscriberBuffer * 2
	for i := range n {
		payload, err := encodeEvent("message", int64(i+1), i)
		require.NoError(t, err)
		require.NoError(t, h.broker.Publish(ctx, "room", payload))
		select {
		case ev := <-fast.C:
			require.Equal(t, int64(i+1), ev.ID)
		case <-time.After(10 * time.Second):
			t.Fatalf("fast subscriber did not get event %d", i+1)
		}
	}
	select {
	case <-slow.Dropped:
	default:
		t.Fatal("slow subscriber was not dropped")
	}
	require.Equal(t, int64(1), h.Dropped())
	require.Len(t, slow.C, subscriberBuffer)
}

// TestTicketsAreSpentOnce: of many concurrent uses of a ticket exactly one
// succeeds, and an expired ticket opens nothing.
func TestTicketsAreSpentOnce(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := openService(t, db, backend{name: "local", config: func(*Config) {}}, "q", time.Second)
		ctx := context.Background()
		ann := org(t, db, "ann@example.com")
		tk, err := s.IssueTicket(ctx, ann, "", "standup", "")
		require.NoError(t, err)
		require.Equal(t, ScopeRoom, tk.Scope)

		var wg sync.WaitGroup
		var ok, unauthorized atomic.Int64
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := s.consumeTicket(ctx, tk.Ticket, ScopeRoom, "standup")
				switch {
				case err == nil:
					require.Equal(t, ann.OrgID, c.OrgID)
					require.Equal(t, "ann@example.com", c.UserRef)
					ok.Add(1)
				case errorsIsUnauthorized(err):
					unauthorized.Add(1)
				default:
					t.Errorf("consume: %v", err)
				}
			}()
		}
		wg.Wait()
		require.Equal(t, int64(1), ok.Load())
		require.Equal(t, int64(15), unauthorized.Load())

		old, err := s.IssueTicket(ctx, ann, ScopeActiveRooms, "", "")
		require.NoError(t, err)
		require.Equal(t, "ann@example.com", old.UserID)
		s.now = func() time.Time { return time.Now().UTC().Add(TicketTTL + time.Second) }
		_, err = s.consumeTicket(ctx, old.Ticket, ScopeActiveRooms, "ann@example.com")
		require.True(t, errorsIsUnauthorized(err), "expired: %v", err)
		n, err := s.PurgeExpiredTickets(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(2), n)
	})
}

func errorsIsUnauthorized(err error) bool {
	fe, ok := fault.As(err)
	return ok && fe.Kind == fault.KindUnauthorized
}

// TestStreamFillsGaps: a message published before an earlier one (two
// senders racing, or a lost broker delivery) does not overtake it; the
// stream reads the gap from the store, and the late one is not repeated.
func TestStreamFillsGaps(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s := openService(t, db, backend{name: "local", config: func(*Config) {}}, "q", time.Second)
		ctx := context.Background()
		ann := org(t, db, "ann@example.com")
		srv := streamServer(t, s)
		tk, err := s.IssueTicket(ctx, ann, ScopeRoom, "r", "")
		require.NoError(t, err)
		st := dial(t, srv.URL+"/rooms/r?ticket="+tk.Ticket, "")
		require.Equal(t, "ready", st.next().name)

		// Stored but not yet published.
		var msgs []Message
		for i := range 3 {
			m := Message{ID: uuid.NewString(), RoomName: "r", SenderID: "ann@example.com", Text: fmt.Sprint("m", i+1), CreatedAt: s.now()}
			require.NoError(t, s.store.insertMessage(ctx, ann.OrgID, &m))
			msgs = append(msgs, m)
		}
		topic := roomTopic(ann.OrgID, "r")
		s.publish(ctx, topic, "message", 3, msgs[2])
		for i := range 3 {
			ev := st.next()
			require.Equal(t, fmt.Sprint(i+1), ev.id)
		}
		s.publish(ctx, topic, "message", 1, msgs[0])
		s.publish(ctx, topic, "message", 2, msgs[1])
		m, err := s.Send(ctx, ann, "r", "", "", "m4")
		require.NoError(t, err)
		ev := st.next()
		require.Equal(t, fmt.Sprint(m.Seq), ev.id, "late deliveries are not repeated")

		// Last-Event-ID replays exactly what followed it.
		tk, err = s.IssueTicket(ctx, ann, ScopeRoom, "r", "")
		require.NoError(t, err)
		again := dial(t, srv.URL+"/rooms/r?ticket="+tk.Ticket, "2")
		require.Equal(t, "ready", again.next().name)
		require.Equal(t, "3", again.next().id)
		require.Equal(t, "4", again.next().id)
	})
}

// TestRelationshipMatching covers the comparison of profile values.
func TestRelationshipMatching(t *testing.T) {
	tests := []struct {
		have, want any
		match      bool
	}{
		{"blue", "blue", true},
		{"blue", "red", false},
		{[]any{"m1", "m2"}, "m2", true},
		{[]any{"m1"}, []any{"m1"}, true},
		{float64(3), float64(3), true},
		{nil, "x", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.match, matches(tt.have, tt.want), "%v vs %v", tt.have, tt.want)
	}
}

// streamServer serves the service's room streams at /rooms/{room}.
func streamServer(t *testing.T, s *Service) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, err := s.OpenRoomStream(r.Context(), r.URL.Query().Get("ticket"), strings.TrimPrefix(r.URL.Path, "/rooms/"),
			r.Header.Get("Last-Event-ID"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		st.Serve(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type sseEvent struct{ id, name, data string }

type sseConn struct {
	t      *testing.T
	events chan sseEvent
}

// dial opens a stream and reads it in the background.
func dial(t *testing.T, url, lastEventID string) *sseConn {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	require.NoError(t, err)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	c := &sseConn{t: t, events: make(chan sseEvent, 1000)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "" && ev.name != "":
				c.events <- ev
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return c
}

func (c *sseConn) next() sseEvent {
	c.t.Helper()
	select {
	case ev := <-c.events:
		return ev
	case <-time.After(10 * time.Second):
		c.t.Fatal("no event before the deadline")
		return sseEvent{}
	}
}

// TestKeepAlive: an idle stream carries comment lines, so proxies and
// clients see a live connection.
func TestKeepAlive(t *testing.T) {
	db := storetest.SQLite(t)
	s, err := Open(context.Background(), Config{DB: db, KeepAlive: 20 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close(context.Background())) })
	ann := org(t, db, "ann@example.com")
	srv := streamServer(t, s)
	tk, err := s.IssueTicket(context.Background(), ann, ScopeRoom, "quiet", "")
	require.NoError(t, err)
	resp, err := http.Get(srv.URL + "/rooms/quiet?ticket=" + tk.Ticket)
	require.NoError(t, err)
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	pings := 0
	for pings < 2 {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		if line == ": ping\n" {
			pings++
		}
	}
}
