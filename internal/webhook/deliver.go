package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/quorumhq/quorum/internal/jobs"
)

// fanoutArgs turns one event into deliveries. It is not unique: a second
// fan-out of an event finds its deliveries there and adds nothing.
type fanoutArgs struct {
	EventID int64 `json:"event_id"`
}

func (fanoutArgs) Kind() string { return "webhook_fanout" }

// deliverArgs makes the attempts of one delivery. Gen is the delivery's
// generation when the job was queued: a manual retry, a resume or the sweep
// starts a new generation with a new job, and a job of an older one stops.
type deliverArgs struct {
	DeliveryID int64 `json:"delivery_id"`
	Gen        int64 `json:"gen"`
}

func (deliverArgs) Kind() string { return "webhook_deliver" }

// InsertOpts makes a delivery job unique per generation while it is queued
// or running, so re-queuing one that exists is a no-op.
func (deliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// sweepArgs re-queues deliveries and fan-outs whose jobs were lost.
type sweepArgs struct{}

func (sweepArgs) Kind() string { return "webhook_sweep" }

// Workers are the package's job workers. Register them with AddWorkers
// before the queue is built, and Bind the service once it exists.
type Workers struct {
	svc *Service
}

// AddWorkers registers the fan-out, delivery and sweep workers.
func AddWorkers(w *river.Workers) *Workers {
	ws := &Workers{}
	river.AddWorker(w, &fanoutWorker{ws: ws})
	river.AddWorker(w, &deliverWorker{ws: ws})
	river.AddWorker(w, &sweepWorker{ws: ws})
	return ws
}

// Bind gives the workers their service.
func (w *Workers) Bind(s *Service) { w.svc = s }

// PeriodicJob is the sweep, for the queue's periodic jobs.
func PeriodicJob(every time.Duration) *river.PeriodicJob {
	if every <= 0 {
		every = DefaultSweepEvery
	}
	return jobs.Every(every, sweepArgs{}, nil, true)
}

type fanoutWorker struct {
	river.WorkerDefaults[fanoutArgs]
	ws *Workers
}

func (w *fanoutWorker) Work(ctx context.Context, job *river.Job[fanoutArgs]) error {
	return w.ws.svc.fanout(ctx, job.Args.EventID)
}

type deliverWorker struct {
	river.WorkerDefaults[deliverArgs]
	ws *Workers
}

// JobTimeout bounds one run of a delivery job: one attempt (at most
// MaxTimeout) and the writes around it.
const JobTimeout = 30 * time.Second

// Timeout implements river.Worker.
func (w *deliverWorker) Timeout(*river.Job[deliverArgs]) time.Duration { return JobTimeout }

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	return w.ws.svc.deliver(ctx, job.Args)
}

type sweepWorker struct {
	river.WorkerDefaults[sweepArgs]
	ws *Workers
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[sweepArgs]) error {
	return w.ws.svc.Sweep(ctx)
}

// fanout creates the deliveries of one event, and their jobs, in one
// transaction.
func (s *Service) fanout(ctx context.Context, eventID int64) error {
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		ev, err := s.store.eventForFanout(ctx, tx.Tx, eventID)
		if err != nil || ev.fannedOut {
			return err
		}
		targets, err := s.store.targets(ctx, tx.Tx, ev)
		if err != nil {
			return err
		}
		now := s.now()
		due := now.Add(s.cfg.RetrySchedule[0])
		for _, t := range targets {
			if !t.wants(ev.typ) {
				continue
			}
			var next *time.Time
			if t.enabled {
				next = &due
			}
			id, inserted, err := s.store.insertDelivery(ctx, tx.Tx, t, ev, next, now)
			if err != nil {
				return err
			}
			if inserted && t.enabled {
				if err := s.enqueueDelivery(ctx, tx, id, 0, due); err != nil {
					return err
				}
			}
		}
		return s.store.markFannedOut(ctx, tx.Tx, eventID, now)
	})
}

// deliver makes the next attempt of a delivery when it is due, and snoozes
// its job until the attempt after that.
func (s *Service) deliver(ctx context.Context, a deliverArgs) error {
	d, err := s.store.loadSend(ctx, a.DeliveryID)
	if errors.Is(err, errGone) {
		return nil
	}
	if err != nil {
		return err
	}
	if d.gen != a.Gen || d.status == StatusDelivered || d.status == StatusAbandoned || d.nextAttemptAt.IsZero() {
		return nil
	}
	if !d.on {
		// Held until the subscription is turned back on.
		return s.store.hold(ctx, d.id, d.gen, s.now())
	}
	if wait := d.nextAttemptAt.Sub(s.now()); wait > 0 {
		return river.JobSnooze(wait)
	}
	release, ok := s.slots.acquire(ctx, d.subID)
	if !ok {
		// The subscription has all its slots busy: come back shortly rather
		// than hold a worker another receiver could use.
		return river.JobSnooze(time.Duration(50+rand.IntN(200)) * time.Millisecond)
	}
	res := s.attempt(ctx, d)
	release()
	next, recorded, err := s.record(ctx, d, res)
	if err != nil {
		return err
	}
	if !recorded {
		// Another job of this delivery recorded the attempt first; look
		// again shortly (an older generation then stops).
		return river.JobSnooze(time.Second)
	}
	if next.IsZero() {
		return nil
	}
	return river.JobSnooze(max(next.Sub(s.now()), 0))
}

// result is the outcome of one HTTP attempt.
type result struct {
	started  time.Time
	duration time.Duration
	status   int
	err      string
	snippet  string
}

func (r result) ok() bool { return r.err == "" && r.status >= 200 && r.status < 300 }

// attempt signs the delivery with the subscription's current secret (so a
// rotation applies to the next attempt) and posts it.
func (s *Service) attempt(ctx context.Context, d sendRow) result {
	res := result{started: s.now()}
	req, err := s.request(ctx, d)
	if err != nil {
		res.err = err.Error()
		return res
	}
	actx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	resp, err := s.client.Do(req.WithContext(actx))
	if err != nil {
		res.duration = time.Since(res.started)
		res.err = describeError(err, s.cfg.Timeout)
		return res
	}
	res.status = resp.StatusCode
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, MaxSnippet))
	// Drain a little more so the connection can be reused, then drop it.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	res.duration = time.Since(res.started)
	res.snippet = cleanText(snippet)
	if actx.Err() != nil {
		res.err = fmt.Sprintf("no complete answer within %s", s.cfg.Timeout)
		return res
	}
	if !res.ok() {
		res.err = "HTTP " + strconv.Itoa(res.status)
		if res.status >= 300 && res.status < 400 {
			res.err += " (redirects are not followed)"
		}
	}
	return res
}

// request builds the signed POST of a delivery.
func (s *Service) request(ctx context.Context, d sendRow) (*http.Request, error) {
	if d.url == "" {
		return nil, errors.New("the webhook has no URL")
	}
	secretValue, err := s.box.Open(d.sealed, sealFor(d.subUUID))
	if err != nil {
		return nil, fmt.Errorf("open the signing secret: %w", err)
	}
	ts := d.occurredAt.UTC().Format(timestampFormat)
	var body []byte
	if d.scheme == SchemeStandard {
		body, err = compactJSON(standardEnvelope{Type: d.eventType, Timestamp: ts, Data: d.payload})
	} else {
		env := contioEnvelope{EventType: d.eventType, EventID: d.eventUUID, Timestamp: ts, PartnerAppID: d.appUUID,
			Data: d.payload, ActorUserID: d.actorUUID}
		if d.forUserUUID != "" {
			env.ForUser = &forUser{ID: d.forUserUUID, Email: d.forUserEmail}
		}
		body, err = compactJSON(env)
	}
	if err != nil {
		return nil, fmt.Errorf("encode delivery: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Quorum-Webhooks/1")
	req.Header.Set("Quorum-Delivery-Id", d.uuid)
	req.Header.Set("Quorum-Event-Type", d.eventType)
	if d.scheme == SchemeStandard {
		now := time.Now()
		sig, err := SignStandard(string(secretValue), d.eventUUID, now, body)
		if err != nil {
			return nil, err
		}
		req.Header.Set("webhook-id", d.eventUUID)
		req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
		req.Header.Set("webhook-signature", sig)
	} else {
		req.Header.Set("X-Contio-Signature", SignContio(string(secretValue), body))
	}
	return req, nil
}

func describeError(err error, timeout time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s", timeout)
	}
	msg := err.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return msg
}

// cleanText makes a receiver's bytes storable text: valid UTF-8, no NUL.
func cleanText(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	for len(s) > MaxSnippet {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// record stores an attempt and its consequences in one transaction: the
// attempt row, the delivery's new state, the subscription's health and, if
// it crossed a limit, its automatic disabling. It returns when the next
// attempt is due (zero when none is), and false when another job recorded
// this attempt first.
func (s *Service) record(ctx context.Context, d sendRow, res result) (time.Time, bool, error) {
	now := s.now()
	st := StatusDelivered
	var next time.Time
	pos := d.schedulePos + 1
	if !res.ok() {
		st = StatusAbandoned
		if pos < len(s.cfg.RetrySchedule) {
			st, next = StatusFailed, now.Add(s.cfg.RetrySchedule[pos])
		}
	}
	var disabled string
	recorded := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if recorded, err = s.store.recordAttempt(ctx, tx, d, res, st, pos, next, now); err != nil || !recorded {
			return err
		}
		if st == StatusDelivered {
			return s.store.markHealthy(ctx, tx, d.subID, now)
		}
		h, err := s.store.markFailing(ctx, tx, d.subID, st == StatusAbandoned, res.err, now)
		if err != nil {
			return err
		}
		switch {
		case h.abandonedStreak >= int64(s.cfg.DisableAfterAbandoned):
			disabled = fmt.Sprintf("%d deliveries in a row were abandoned", h.abandonedStreak)
		case !h.failingSince.IsZero() && now.Sub(h.failingSince) >= s.cfg.DisableAfterFailing:
			disabled = fmt.Sprintf("no delivery succeeded since %s", h.failingSince.Format(time.RFC3339))
		default:
			return nil
		}
		return s.store.disable(ctx, tx, d, disabled, now)
	})
	if err != nil {
		return time.Time{}, false, err
	}
	if disabled != "" {
		s.logger.WarnContext(ctx, "Webhook disabled automatically", slog.String("subscription_id", d.subUUID),
			slog.String("app_id", d.appUUID), slog.String("reason", disabled))
	}
	return next, recorded, nil
}

// Sweep re-queues work whose job was lost: deliveries due for longer than
// StaleAfter get a new generation and job (the old job, if it ever runs,
// stops), and events not fanned out StaleAfter after they occurred get a
// fan-out job. It runs periodically; calling it again is harmless.
func (s *Service) Sweep(ctx context.Context) error {
	cutoff := s.now().Add(-s.cfg.StaleAfter)
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		due, err := s.store.rearmStale(ctx, tx.Tx, cutoff, s.now())
		if err != nil {
			return err
		}
		for _, d := range due {
			if err := s.enqueueDelivery(ctx, tx, d.id, d.gen, s.now()); err != nil {
				return err
			}
		}
		events, err := s.store.unfannedEvents(ctx, tx.Tx, cutoff)
		if err != nil {
			return err
		}
		for _, id := range events {
			if _, err := tx.Insert(ctx, fanoutArgs{EventID: id}, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// slots caps the attempts in flight per subscription on this replica.
type slots struct {
	cap   int
	mu    sync.Mutex
	bySub map[int64]chan struct{}
}

// slotWait is how long a delivery waits for a free slot before its job is
// snoozed instead.
const slotWait = 100 * time.Millisecond

func (s *slots) acquire(ctx context.Context, subID int64) (func(), bool) {
	s.mu.Lock()
	ch, ok := s.bySub[subID]
	if !ok {
		ch = make(chan struct{}, s.cap)
		s.bySub[subID] = ch
	}
	s.mu.Unlock()
	release := func() { <-ch }
	select {
	case ch <- struct{}{}:
		return release, true
	default:
	}
	t := time.NewTimer(slotWait)
	defer t.Stop()
	select {
	case ch <- struct{}{}:
		return release, true
	case <-t.C:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
}
