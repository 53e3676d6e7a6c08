package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// The child of TestWebhooksSurviveKill reads its database and secret key
// from these; without them TestWebhookChild does nothing.
const (
	webhookChildDBEnv  = "QUORUM_TEST_WEBHOOK_CHILD_DB"
	webhookChildKeyEnv = "QUORUM_TEST_WEBHOOK_CHILD_KEY"
)

// webhookCrashSchedule retries every few seconds for about two minutes,
// longer than the receiver stays down; every delay is under River's
// scheduler interval, so a snoozed delivery needs no leader to run again.
var webhookCrashSchedule = "0s,500ms,1s,1s" + strings.Repeat(",2s", 6) + strings.Repeat(",3s", 36)

// webhookSettings are the settings of the parent and of each child.
func webhookSettings(url, dataDir, key string, workers int) []string {
	return []string{"--database-url", url, "--data-dir", dataDir, "--workers", fmt.Sprint(workers), "--allow-private-urls",
		"--secret-key", key, "--webhook-retry-schedule", webhookCrashSchedule}
}

// TestWebhookChild is not a test: it is the Quorum process that
// TestWebhooksSurviveKill starts from this test binary and kills. It runs
// every job worker, says "started", and waits.
func TestWebhookChild(t *testing.T) {
	url := os.Getenv(webhookChildDBEnv)
	if url == "" {
		t.Skip("child process of TestWebhooksSurviveKill")
	}
	jobTiming = crashTiming
	webhookTiming.staleAfter, webhookTiming.sweepEvery = 3*time.Second, time.Second
	cfg, _, err := config.Load(webhookSettings(url, t.TempDir(), os.Getenv(webhookChildKeyEnv), 8), nil, io.Discard)
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := Open(context.Background(), cfg, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	if err := a.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		os.Exit(2)
	}
	fmt.Println("started")
	time.Sleep(4 * time.Minute)
	os.Exit(3)
}

// crashHook is the receiver of TestWebhooksSurviveKill.
type crashHook struct {
	mu  sync.Mutex
	got []crashDelivery
}

type crashDelivery struct {
	eventID, deliveryID, signature string
	body                           []byte
}

func (h *crashHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var env struct {
		EventID string `json:"event_id"`
	}
	_ = json.Unmarshal(body, &env)
	h.mu.Lock()
	h.got = append(h.got, crashDelivery{eventID: env.EventID, deliveryID: r.Header.Get("Quorum-Delivery-Id"),
		signature: r.Header.Get("X-Contio-Signature"), body: body})
	h.mu.Unlock()
}

func (h *crashHook) events() map[string]map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]map[string]int{} // event id -> delivery id -> requests
	for _, d := range h.got {
		if out[d.eventID] == nil {
			out[d.eventID] = map[string]int{}
		}
		out[d.eventID][d.deliveryID]++
	}
	return out
}

// TestWebhooksSurviveKill: 200 events are produced while their receiver
// is down; the Quorum process delivering them is SIGKILLed in the middle
// and restarted; the receiver comes back. Every event must arrive, each
// under exactly one delivery id, with a valid signature. A delivery may
// arrive more than once (an attempt whose answer the killed process never
// recorded); the test reports how often that happened.
func TestWebhooksSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a server")
	}
	for backend, url := range storetest.URLs(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := t.Context()
			raw := make([]byte, 32)
			_, _ = rand.Read(raw)
			key := base64.StdEncoding.EncodeToString(raw)

			cfg, _, err := config.Load(webhookSettings(url, t.TempDir(), key, 0), nil, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			a, err := Open(ctx, cfg, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = a.Close(context.Background()) })

			// Reserve a port for the receiver, which stays down for now.
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := l.Addr().String()
			l.Close()

			org, err := a.Identities.CreateOrg(ctx, "Crash")
			if err != nil {
				t.Fatal(err)
			}
			ap, creds, err := a.Identities.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "Receiver", RedirectURIs: []string{"https://example.com/cb"}})
			if err != nil {
				t.Fatal(err)
			}
			hookURL := "http://" + addr + "/hook"
			if _, err := a.Identities.UpdateApp(ctx, ap.ID, identity.AppPatch{WebhookURL: &hookURL}); err != nil {
				t.Fatal(err)
			}
			count := func(query string) int {
				var n int
				if err := a.DB.R.QueryRowContext(ctx, query).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			produce := func(from, to int) {
				for i := from; i < to; i++ {
					if _, err := a.Meetings.Create(ctx, caller.ForSystem(org.ID), meeting.New{Title: fmt.Sprintf("Meeting %d", i)}); err != nil {
						t.Fatal(err)
					}
				}
			}

			env := []string{webhookChildDBEnv + "=" + url, webhookChildKeyEnv + "=" + key}
			first := startChild(t, "TestWebhookChild", env...)
			produce(0, 100)
			waitFor(t, 60*time.Second, "failed attempts before the kill", func() bool {
				return count(`SELECT COUNT(*) FROM webhook_attempts`) >= 150
			})
			first.kill(t)
			beforeRestart := count(`SELECT COUNT(*) FROM webhook_attempts`)
			produce(100, 200)
			startChild(t, "TestWebhookChild", env...)
			waitFor(t, 60*time.Second, "failed attempts after the restart", func() bool {
				return count(`SELECT COUNT(*) FROM webhook_attempts`) >= beforeRestart+200
			})

			h := &crashHook{}
			srv := &http.Server{Handler: h}
			l, err = net.Listen("tcp", addr)
			if err != nil {
				t.Fatalf("the receiver's port was taken meanwhile: %v", err)
			}
			go func() { _ = srv.Serve(l) }()
			t.Cleanup(func() { _ = srv.Close() })
			up := time.Now()

			waitFor(t, 150*time.Second, "all 200 events at the receiver", func() bool { return len(h.events()) == 200 })
			drained := time.Since(up)
			waitFor(t, 30*time.Second, "every delivery recorded as delivered", func() bool {
				return count(`SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'delivered'`) == 200
			})

			if n := count(`SELECT COUNT(*) FROM events`); n != 200 {
				t.Fatalf("%d events stored, want 200", n)
			}
			if n := count(`SELECT COUNT(*) FROM webhook_deliveries`); n != 200 {
				t.Fatalf("%d deliveries, want 200", n)
			}
			repeats, requests := 0, 0
			for ev, byDelivery := range h.events() {
				if len(byDelivery) != 1 {
					t.Fatalf("event %s arrived as %d different deliveries: %v", ev, len(byDelivery), byDelivery)
				}
				for _, n := range byDelivery {
					requests += n
					repeats += n - 1
				}
			}
			h.mu.Lock()
			for _, d := range h.got {
				if err := client.VerifyContioSignature(creds.WebhookSecret, d.body, d.signature); err != nil {
					h.mu.Unlock()
					t.Fatalf("delivery %s: %v", d.deliveryID, err)
				}
			}
			h.mu.Unlock()
			t.Logf("200 events, 200 deliveries, %d requests received, %d repeats of a delivery; %d failed attempts before the kill, "+
				"%d in all; all delivered %s after the receiver came back",
				requests, repeats, beforeRestart, count(`SELECT COUNT(*) FROM webhook_attempts`), drained.Round(100*time.Millisecond))
		})
	}
}
