// Package bot sends meeting bots to online meetings through a provider
// (Attendee), at the time asked: a periodic job claims the bots due and
// dispatches each exactly once across replicas; the provider's signed
// webhooks move the bot's state, and when the bot is done its transcript
// and recording are imported.
package bot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/transcript"
)

// WebhookPath is where the provider posts bot webhooks (public; verified
// by signature).
const WebhookPath = "/api/v1/bots/webhook"

// DueWithin is how far ahead of its join time a bot is dispatched: the
// scheduler runs every minute, and the provider itself waits for join_at.
const DueWithin = 2 * time.Minute

// DefaultBotName is the bot's name in the meeting.
const DefaultBotName = "Quorum Notetaker"

// Meetings is what bots need of the meeting service.
type Meetings interface {
	Get(ctx context.Context, c caller.Caller, id string) (meeting.Meeting, error)
	Update(ctx context.Context, c caller.Caller, id string, p meeting.Patch) (meeting.Meeting, error)
	ReplaceTranscript(ctx context.Context, c caller.Caller, id string, segs []transcript.Segment) (meeting.Meeting, error)
}

// Importer imports a recording (media.Service).
type Importer interface {
	ImportRecording(ctx context.Context, c caller.Caller, meetingUUID, fileURL string, transcribe bool) error
}

// Config builds a Service.
type Config struct {
	DB       *store.DB
	Queue    *jobs.Queue
	Meetings Meetings
	Media    Importer
	// Provider is nil when no bot provider is configured: Schedule then
	// refuses.
	Provider Provider
	// WebhookURL is the absolute URL of WebhookPath given to the provider.
	WebhookURL string
	// WebhookSecret verifies the provider's webhook signatures.
	WebhookSecret string
	BotName       string
	Logger        *slog.Logger
}

// Bot is a meeting's bot.
type Bot struct {
	ID            int64
	OrgID         int64
	MeetingID     int64
	MeetingUUID   string
	MeetingURL    string
	JoinAt        time.Time
	DispatchedAt  time.Time // zero until claimed
	ProviderBotID string
	State         string
	Error         string
}

// Service schedules and follows bots.
type Service struct {
	cfg   Config
	store sqlStore
	now   func() time.Time
}

// NewService builds the service; its workers are bound with Workers.Bind.
func NewService(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.BotName == "" {
		cfg.BotName = DefaultBotName
	}
	return &Service{cfg: cfg, store: sqlStore{cfg.DB}, now: func() time.Time { return time.Now().UTC() }}
}

// Schedule sends a bot to meetingURL for a meeting of the caller's
// organization at joinAt (zero: now). A meeting has one bot; scheduling
// again before it was dispatched moves it.
func (s *Service) Schedule(ctx context.Context, c caller.Caller, meetingUUID, meetingURL string, joinAt time.Time) error {
	if s.cfg.Provider == nil {
		return fault.Invalid("bot_meeting_url", "invalid", "no meeting-bot provider is configured (QUORUM_BOT_PROVIDER_URL)")
	}
	if meetingURL == "" || len(meetingURL) > 2000 {
		return fault.Invalid("bot_meeting_url", "invalid", "bot_meeting_url must be 1 to 2000 characters")
	}
	m, err := s.cfg.Meetings.Get(ctx, c, meetingUUID)
	if err != nil {
		return err
	}
	now := s.now()
	if joinAt.IsZero() {
		joinAt = now
	}
	err = s.cfg.Queue.Tx(ctx, func(tx *jobs.Tx) error {
		return s.store.schedule(ctx, tx, Bot{OrgID: c.OrgID, MeetingID: m.ID, MeetingURL: meetingURL, JoinAt: joinAt.UTC()}, c.AppID, now)
	})
	if err != nil {
		return err
	}
	if !joinAt.After(now.Add(DueWithin)) {
		// Due already: dispatch without waiting for the next tick.
		_, err = s.DispatchDue(ctx, now)
	}
	return err
}

// Bot returns the bot of a meeting of the caller's organization.
func (s *Service) Bot(ctx context.Context, c caller.Caller, meetingUUID string) (Bot, error) {
	return s.store.byMeeting(ctx, c.OrgID, meetingUUID)
}

// DispatchDue claims every bot due by now+DueWithin that no replica has
// claimed yet and queues its dispatch, in one transaction: the claim is
// one conditional UPDATE, so each bot is dispatched once however many
// replicas run this at the same time. It returns how many it claimed.
func (s *Service) DispatchDue(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.cfg.Queue.Tx(ctx, func(tx *jobs.Tx) error {
		ids, err := s.store.claimDue(ctx, tx, now.Add(DueWithin), now)
		if err != nil {
			return err
		}
		for _, b := range ids {
			if _, err := tx.Insert(ctx, DispatchArgs{OrgID: b[0], BotID: b[1]}, nil); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

func (s *Service) dispatch(ctx context.Context, a DispatchArgs) error {
	b, err := s.store.byID(ctx, a.OrgID, a.BotID)
	if err != nil {
		return err
	}
	if b.ProviderBotID != "" {
		return nil // created by an earlier attempt
	}
	var joinAt time.Time
	if b.JoinAt.After(s.now()) {
		joinAt = b.JoinAt
	}
	id, err := s.cfg.Provider.Create(ctx, Request{MeetingURL: b.MeetingURL, BotName: s.cfg.BotName, JoinAt: joinAt, WebhookURL: s.cfg.WebhookURL})
	if err != nil {
		return err
	}
	return s.store.created(ctx, b, id, s.now())
}

// Verify checks a provider webhook's signature: Attendee sends
// X-Webhook-Signature, the base64 HMAC-SHA256 of the body keyed with the
// webhook secret (base64-decoded when it is valid base64, as Attendee
// shows it).
func (s *Service) Verify(body []byte, signature string) bool {
	if s.cfg.WebhookSecret == "" || signature == "" {
		return false
	}
	for _, key := range secretKeys(s.cfg.WebhookSecret) {
		m := hmac.New(sha256.New, key)
		m.Write(body)
		if hmac.Equal([]byte(base64.StdEncoding.EncodeToString(m.Sum(nil))), []byte(signature)) {
			return true
		}
	}
	return false
}

func secretKeys(secret string) [][]byte {
	keys := [][]byte{[]byte(secret)}
	if k, err := base64.StdEncoding.DecodeString(secret); err == nil && len(k) > 0 {
		keys = append(keys, k)
	}
	return keys
}

// Sign is the signature Verify accepts, for tests and fakes.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Webhook is a provider webhook delivery.
type Webhook struct {
	IdempotencyKey string `json:"idempotency_key"`
	BotID          string `json:"bot_id"`
	Trigger        string `json:"trigger"`
	Data           struct {
		NewState  string `json:"new_state"`
		OldState  string `json:"old_state"`
		EventType string `json:"event_type"`
	} `json:"data"`
}

// stateEnded is the provider state a bot reaches once its meeting is over
// and its recording and transcript are processed.
const stateEnded = "ended"

// HandleWebhook applies a verified webhook once: a redelivery (same
// idempotency key) changes nothing. A state change moves the bot and the
// meeting; the end of post-processing queues the collection of the
// transcript and the recording.
func (s *Service) HandleWebhook(ctx context.Context, body []byte) error {
	var w Webhook
	if err := json.Unmarshal(body, &w); err != nil {
		return fault.Invalid("body", "invalid", "malformed webhook: %v", err)
	}
	if w.IdempotencyKey == "" || w.BotID == "" {
		return fault.Invalid("body", "invalid", "webhook without idempotency_key or bot_id")
	}
	var b Bot
	var collect bool
	err := s.cfg.Queue.Tx(ctx, func(tx *jobs.Tx) error {
		fresh, err := s.store.remember(ctx, tx, w.IdempotencyKey, s.now())
		if err != nil || !fresh {
			return err
		}
		if b, err = s.store.byProviderID(ctx, tx, w.BotID); err != nil {
			return err
		}
		if w.Trigger != "bot.state_change" || w.Data.NewState == "" {
			return nil
		}
		done := w.Data.NewState == stateEnded
		if err := s.store.setState(ctx, tx, b, w.Data.NewState, done, s.now()); err != nil {
			return err
		}
		b.State = w.Data.NewState
		if done {
			collect = true
			_, err = tx.Insert(ctx, CollectArgs{OrgID: b.OrgID, BotID: b.ID}, nil)
		}
		return err
	})
	if errors.Is(err, fault.ErrNotFound) {
		return nil // not our bot, or a bot since deleted: nothing to apply
	}
	if err != nil || b.ID == 0 {
		return err
	}
	s.moveMeeting(ctx, b, collect)
	return nil
}

// moveMeeting mirrors the bot's state on the meeting's status; a
// transition the meeting refuses (it was completed by hand) is logged.
func (s *Service) moveMeeting(ctx context.Context, b Bot, done bool) {
	var status meeting.Status
	switch {
	case b.State == "joined_recording" || b.State == "joined_not_recording" || b.State == "joining":
		status = meeting.StatusInProgress
	case b.State == stateEnded || b.State == "leaving" || done:
		status = meeting.StatusEnded
	default:
		return
	}
	st := string(status)
	if _, err := s.cfg.Meetings.Update(ctx, caller.ForSystem(b.OrgID), b.MeetingUUID, meeting.Patch{Status: &st}); err != nil {
		s.cfg.Logger.InfoContext(ctx, "Meeting status not moved by its bot", slog.String("meeting", b.MeetingUUID),
			slog.String("state", b.State), slog.Any("error", err))
	}
}

// collect imports what a finished bot produced: its transcript directly,
// then its recording through the media pipeline (stored and, when the
// provider had no transcript, transcribed).
func (s *Service) collect(ctx context.Context, a CollectArgs) error {
	b, err := s.store.byID(ctx, a.OrgID, a.BotID)
	if err != nil {
		return err
	}
	c := caller.ForSystem(b.OrgID)
	segs, err := s.cfg.Provider.Transcript(ctx, b.ProviderBotID)
	if err != nil {
		return err
	}
	if len(segs) > 0 {
		if _, err := s.cfg.Meetings.ReplaceTranscript(ctx, c, b.MeetingUUID, segs); err != nil {
			return err
		}
	}
	u, err := s.cfg.Provider.RecordingURL(ctx, b.ProviderBotID)
	if err != nil {
		return err
	}
	if u == "" || s.cfg.Media == nil {
		return nil
	}
	return s.cfg.Media.ImportRecording(ctx, c, b.MeetingUUID, u, len(segs) == 0)
}

// WebhookHandler serves WebhookPath: it verifies the signature and
// applies the webhook.
func (s *Service) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, `{"detail":"unreadable body"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if !s.Verify(body, r.Header.Get("X-Webhook-Signature")) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"detail":"invalid webhook signature"}`))
			return
		}
		if err := s.HandleWebhook(r.Context(), body); err != nil {
			if fe, ok := fault.As(err); ok && fe.Kind == fault.KindInvalid {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = fmt.Fprintf(w, `{"detail":%q}`, fe.Error())
				return
			}
			s.cfg.Logger.ErrorContext(r.Context(), "Bot webhook failed", slog.Any("error", err))
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"detail":"internal error"}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
}

// DispatchArgs is the job that creates one claimed bot at the provider.
type DispatchArgs struct {
	OrgID int64 `json:"org_id"`
	BotID int64 `json:"bot_id"`
}

// CollectArgs is the job that imports a finished bot's results.
type CollectArgs struct {
	OrgID int64 `json:"org_id"`
	BotID int64 `json:"bot_id"`
}

// scheduleArgs is the periodic job that dispatches due bots.
type scheduleArgs struct{}

// Kind implements river.JobArgs.
func (DispatchArgs) Kind() string { return "bot_dispatch" }

// Kind implements river.JobArgs.
func (CollectArgs) Kind() string { return "bot_collect" }

// Kind implements river.JobArgs.
func (scheduleArgs) Kind() string { return "bot_schedule" }

// PeriodicJob dispatches due bots every minute.
func PeriodicJob() *river.PeriodicJob {
	return jobs.Every(time.Minute, scheduleArgs{}, nil, true)
}

// Workers are the River workers of bots.
type Workers struct {
	dispatch *dispatchWorker
	collect  *collectWorker
	schedule *scheduleWorker
}

// AddWorkers registers the workers of bots.
func AddWorkers(w *river.Workers) *Workers {
	ws := &Workers{dispatch: &dispatchWorker{}, collect: &collectWorker{}, schedule: &scheduleWorker{}}
	river.AddWorker(w, ws.dispatch)
	river.AddWorker(w, ws.collect)
	river.AddWorker(w, ws.schedule)
	return ws
}

// Bind gives the workers their service.
func (w *Workers) Bind(s *Service) { w.dispatch.s, w.collect.s, w.schedule.s = s, s, s }

type dispatchWorker struct {
	river.WorkerDefaults[DispatchArgs]
	s *Service
}

func (w *dispatchWorker) Work(ctx context.Context, job *river.Job[DispatchArgs]) error {
	err := w.s.dispatch(ctx, job.Args)
	if errors.Is(err, fault.ErrNotFound) {
		return nil
	}
	if err != nil && job.Attempt >= job.MaxAttempts {
		_ = w.s.store.failed(ctx, job.Args.OrgID, job.Args.BotID, err.Error(), w.s.now())
	}
	return err
}

type collectWorker struct {
	river.WorkerDefaults[CollectArgs]
	s *Service
}

func (w *collectWorker) Work(ctx context.Context, job *river.Job[CollectArgs]) error {
	err := w.s.collect(ctx, job.Args)
	if errors.Is(err, fault.ErrNotFound) {
		return nil
	}
	return err
}

type scheduleWorker struct {
	river.WorkerDefaults[scheduleArgs]
	s *Service
}

func (w *scheduleWorker) Work(ctx context.Context, _ *river.Job[scheduleArgs]) error {
	if w.s.cfg.Provider == nil {
		return nil
	}
	_, err := w.s.DispatchDue(ctx, w.s.now())
	return err
}
