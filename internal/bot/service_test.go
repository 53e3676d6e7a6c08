package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/bot"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/media"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

const (
	apiKey        = "attendee-key"
	webhookSecret = "attendee-webhook-secret"
)

// attendee is a fake Attendee server: it creates bots, and serves a
// transcript and a recording URL for each.
type attendee struct {
	*httptest.Server
	mu      sync.Mutex
	created []map[string]any
	files   *httptest.Server
}

func newAttendee(t *testing.T) *attendee {
	f := &attendee{}
	f.files = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/vtt")
		_, _ = io.WriteString(w, "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ann>From the recording.\n")
	}))
	t.Cleanup(f.files.Close)
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Token "+apiKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/api/v1/bots":
			var body map[string]any
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			f.mu.Lock()
			f.created = append(f.created, body)
			n := len(f.created)
			f.mu.Unlock()
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(map[string]any{"id": "bot_" + string(rune('a'+n-1)), "state": "ready"})
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/bots/bot_a/transcript":
			_, _ = io.WriteString(w, `[{"speaker_name":"Ann","speaker_uuid":"u1","timestamp_ms":1000,"duration_ms":2500,
				"transcription":{"transcript":"Let us start the review."}},
				{"speaker_name":"Ben","timestamp_ms":4000,"duration_ms":1000,"transcription":{"transcript":"Agreed."}}]`)
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/bots/bot_a/recording":
			_ = json.NewEncoder(w).Encode(map[string]any{"url": f.files.URL + "/rec.vtt", "start_timestamp_ms": 0})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *attendee) bots() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.created...)
}

func openApp(t *testing.T, dbURL string, f *attendee) *app.App {
	t.Helper()
	cfg, _, err := config.Load([]string{"--database-url", dbURL, "--data-dir", t.TempDir(), "--blob-url", "mem://", "--allow-private-urls",
		"--bot-provider-url", f.URL, "--bot-provider-key", apiKey, "--bot-webhook-secret", webhookSecret,
		"--public-url", "https://quorum.example"}, nil, io.Discard)
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatalf("start app: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Close(ctx)
	})
	return a
}

func tenant(t *testing.T, a *app.App, name string) caller.Caller {
	t.Helper()
	org, err := a.Identities.CreateOrg(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	ap, _, err := a.Identities.CreateApp(context.Background(), identity.NewApp{OrgID: org.ID, Name: "App", RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	return caller.Caller{Credential: caller.AdminKey, OrgID: org.ID, AppID: ap.ID}
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestScheduledBotDispatchedOnce schedules a bot 3 minutes ahead and runs
// the scheduler of two app instances sharing the database, at the same
// time and with clocks before and inside the dispatch window: the bot is
// claimed once and created once at the provider, with its join time and
// webhook.
func TestScheduledBotDispatchedOnce(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			f := newAttendee(t)
			a1, a2 := openApp(t, url, f), openApp(t, url, f)
			ctx := context.Background()
			c, other := tenant(t, a1, "Acme"), tenant(t, a1, "Other")
			m, err := a1.Meetings.Create(ctx, c, meeting.New{Title: "Weekly"})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			joinAt := now.Add(3 * time.Minute).Truncate(time.Second)
			if err := a1.Bots.Schedule(ctx, other, m.UUID, "https://meet.example/abc", joinAt); !errors.Is(err, fault.ErrNotFound) {
				t.Fatalf("schedule for another organization's meeting: %v", err)
			}
			if err := a1.Bots.Schedule(ctx, c, m.UUID, "https://meet.example/abc", joinAt); err != nil {
				t.Fatal(err)
			}
			if n, err := a1.Bots.DispatchDue(ctx, now); err != nil || n != 0 {
				t.Fatalf("dispatch 3 minutes early: %d, %v", n, err)
			}
			inWindow := now.Add(90 * time.Second)
			var wg sync.WaitGroup
			counts := make([]int, 6)
			for i := range counts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					a := a1
					if i%2 == 1 {
						a = a2
					}
					n, err := a.Bots.DispatchDue(ctx, inWindow)
					if err != nil {
						t.Error(err)
					}
					counts[i] = n
				}()
			}
			wg.Wait()
			total := 0
			for _, n := range counts {
				total += n
			}
			if total != 1 {
				t.Fatalf("claimed %d times (%v), want once", total, counts)
			}
			waitFor(t, 20*time.Second, "the bot at the provider", func() bool { return len(f.bots()) == 1 })
			b := f.bots()[0]
			if b["meeting_url"] != "https://meet.example/abc" || b["join_at"] != joinAt.Format(time.RFC3339) || b["bot_name"] == "" {
				t.Fatalf("created bot %v", b)
			}
			hooks, _ := b["webhooks"].([]any)
			if len(hooks) != 1 || hooks[0].(map[string]any)["url"] != "https://quorum.example"+bot.WebhookPath {
				t.Fatalf("bot webhooks %v", b["webhooks"])
			}
			waitFor(t, 10*time.Second, "the provider's bot id", func() bool {
				got, err := a2.Bots.Bot(ctx, c, m.UUID)
				return err == nil && got.ProviderBotID == "bot_a"
			})
			if _, err := a2.Bots.Bot(ctx, other, m.UUID); !errors.Is(err, fault.ErrNotFound) {
				t.Fatalf("another organization reads the bot: %v", err)
			}
			if len(f.bots()) != 1 {
				t.Fatalf("%d bots created", len(f.bots()))
			}
		})
	}
}

func post(t *testing.T, h http.Handler, body []byte, signature string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, bot.WebhookPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-Webhook-Signature", signature)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

func stateChange(key, state, eventType string) []byte {
	b, _ := json.Marshal(map[string]any{"idempotency_key": key, "bot_id": "bot_a", "bot_metadata": nil, "trigger": "bot.state_change",
		"data": map[string]any{"new_state": state, "old_state": "x", "event_type": eventType, "created_at": time.Now().UTC()}})
	return b
}

// TestBotWebhooks: an unsigned or badly signed webhook is refused; a
// state change moves the bot once however often it is delivered; the end
// of the meeting imports the provider's transcript and stores the
// recording without transcribing it again.
func TestBotWebhooks(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			f := newAttendee(t)
			a := openApp(t, url, f)
			ctx := context.Background()
			c := tenant(t, a, "Acme")
			m, err := a.Meetings.Create(ctx, c, meeting.New{Title: "Standup"})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Bots.Schedule(ctx, c, m.UUID, "https://meet.example/now", time.Time{}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 20*time.Second, "the bot", func() bool {
				b, err := a.Bots.Bot(ctx, c, m.UUID)
				return err == nil && b.ProviderBotID == "bot_a"
			})
			if _, ok := f.bots()[0]["join_at"]; ok {
				t.Fatalf("a bot joining now was sent a join_at: %v", f.bots()[0])
			}
			h := a.Handler()
			joined := stateChange("k1", "joined_recording", "bot_joined_meeting")
			if code := post(t, h, joined, ""); code != http.StatusUnauthorized {
				t.Fatalf("unsigned webhook: %d", code)
			}
			if code := post(t, h, joined, bot.Sign("wrong", joined)); code != http.StatusUnauthorized {
				t.Fatalf("badly signed webhook: %d", code)
			}
			for range 2 {
				if code := post(t, h, joined, bot.Sign(webhookSecret, joined)); code != http.StatusOK {
					t.Fatalf("webhook: %d", code)
				}
			}
			b, err := a.Bots.Bot(ctx, c, m.UUID)
			if err != nil || b.State != "joined_recording" {
				t.Fatalf("bot %+v, %v", b, err)
			}
			got, err := a.Meetings.Get(ctx, c, m.UUID)
			if err != nil || got.Status != meeting.StatusInProgress {
				t.Fatalf("meeting status %s, %v; want in_progress", got.Status, err)
			}
			ended := stateChange("k2", "ended", "post_processing_completed")
			for range 2 {
				if code := post(t, h, ended, bot.Sign(webhookSecret, ended)); code != http.StatusOK {
					t.Fatalf("webhook: %d", code)
				}
			}
			waitFor(t, 30*time.Second, "the recording import", func() bool {
				imp, err := a.Media.Import(ctx, c, m.UUID)
				return err == nil && imp.Status == media.StatusSummarized
			})
			got, err = a.Meetings.Get(ctx, c, m.UUID)
			if err != nil {
				t.Fatal(err)
			}
			// The recording here is a VTT file, which imports as a transcript;
			// what matters is that the provider's transcript was imported first
			// and the recording followed.
			segs, err := a.Meetings.Segments(ctx, got)
			if err != nil || len(segs) == 0 {
				t.Fatalf("segments %v, %v", segs, err)
			}
			if got.TranscriptVersion < 2 {
				t.Fatalf("transcript version %d: want the provider's transcript then the recording's", got.TranscriptVersion)
			}
		})
	}
}
