package automation

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/netguard"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// Meetings is what runs need of meetings: the event's meeting and its
// transcript.
type Meetings interface {
	Get(ctx context.Context, c caller.Caller, id string) (meeting.Meeting, error)
	GetByID(ctx context.Context, c caller.Caller, id int64) (meeting.Meeting, error)
	Segments(ctx context.Context, m meeting.Meeting) ([]ai.Segment, error)
}

// ActionItems creates the action items that assignments make.
type ActionItems interface {
	Create(ctx context.Context, c caller.Caller, meetingUUID string, n actionitem.New) (actionitem.ActionItem, error)
}

// Doer sends one HTTP request; *http.Client satisfies it.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Config holds a Service's dependencies.
type Config struct {
	DB          *store.DB
	Queue       *jobs.Queue
	Events      event.Emitter
	Meetings    Meetings
	ActionItems ActionItems
	Logger      *slog.Logger
	// Client posts webhook actions; nil means netguard's guarded client,
	// which refuses non-public addresses at connect time unless
	// AllowPrivateURLs, and never follows a redirect.
	Client           Doer
	AllowPrivateURLs bool
	// Timeout bounds one webhook call (default 10 s).
	Timeout time.Duration
}

// Service holds automations and runs them.
type Service struct {
	store   sqlStore
	queue   *jobs.Queue
	events  event.Emitter
	meets   Meetings
	actions ActionItems
	logger  *slog.Logger
	client  Doer
	guard   netguard.Guard
	timeout time.Duration
	now     func() time.Time
}

// NewService returns a Service.
func NewService(cfg Config) *Service {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	timeout := cmp.Or(cfg.Timeout, 10*time.Second)
	guard := netguard.Guard{AllowPrivate: cfg.AllowPrivateURLs}
	client := cfg.Client
	if client == nil {
		client = guard.Client(timeout)
	}
	return &Service{store: sqlStore{db: cfg.DB}, queue: cfg.Queue, events: cfg.Events, meets: cfg.Meetings,
		actions: cfg.ActionItems, logger: logger.With(slog.String("component", "automation")), client: client,
		guard: guard, timeout: timeout, now: store.Now}
}

// Page sizes of List.
const (
	DefaultPage = 50
	MaxPage     = 100
)

func (s *Service) checkURLs(ctx context.Context, a Automation) error {
	for i, act := range a.Actions {
		if act.Type != ActionWebhook {
			continue
		}
		u, _ := act.Config["url"].(string)
		if len(u) > 2000 {
			return invalid("actions", "action %d: config.url is longer than 2000 characters", i)
		}
		if err := s.guard.CheckURL(ctx, u); err != nil {
			return invalid("actions", "action %d: config.url: %v", i, err)
		}
	}
	return nil
}

// Create adds an automation to the caller's app; it starts active.
func (s *Service) Create(ctx context.Context, c caller.Caller, n New) (Automation, error) {
	now := s.now()
	a := Automation{UUID: uuid.NewString(), AppID: c.AppID, Name: n.Name, Description: n.Description,
		TriggerType: n.TriggerType, Actions: n.Actions, Status: Active, CreatedAt: now, UpdatedAt: now}
	if err := validate(&a); err != nil {
		return Automation{}, err
	}
	if err := s.checkURLs(ctx, a); err != nil {
		return Automation{}, err
	}
	if err := s.store.insert(ctx, &a); err != nil {
		return Automation{}, err
	}
	return s.store.get(ctx, c.AppID, a.UUID)
}

// List pages through the caller's app's automations, newest first, with an
// exact total.
func (s *Service) List(ctx context.Context, c caller.Caller, r page.Request) (page.Page[Automation], error) {
	if r.Limit == 0 {
		r.Limit = DefaultPage
	}
	r, err := r.Normalize(MaxPage)
	if err != nil {
		return page.Page[Automation]{}, err
	}
	return s.store.list(ctx, c.AppID, r)
}

// Get loads one automation of the caller's app; another app's, or an id
// that is not a UUID, is not found.
func (s *Service) Get(ctx context.Context, c caller.Caller, id string) (Automation, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Automation{}, fault.NotFound("automation")
	}
	return s.store.get(ctx, c.AppID, id)
}

// Update changes an automation of the caller's app.
func (s *Service) Update(ctx context.Context, c caller.Caller, id string, p Patch) (Automation, error) {
	a, err := s.Get(ctx, c, id)
	if err != nil {
		return Automation{}, err
	}
	if err := applyPatch(&a, p); err != nil {
		return Automation{}, err
	}
	if err := validate(&a); err != nil {
		return Automation{}, err
	}
	if p.Actions != nil {
		if err := s.checkURLs(ctx, a); err != nil {
			return Automation{}, err
		}
	}
	a.UpdatedAt = s.now()
	if err := s.store.update(ctx, a); err != nil {
		return Automation{}, err
	}
	return a, nil
}

// Delete removes an automation of the caller's app with its runs.
func (s *Service) Delete(ctx context.Context, c caller.Caller, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return fault.NotFound("automation")
	}
	return s.store.delete(ctx, c.AppID, id)
}

// Runs lists the runs of an automation of the caller's app, newest first
// (at most 100).
func (s *Service) Runs(ctx context.Context, c caller.Caller, id string) ([]Run, error) {
	a, err := s.Get(ctx, c, id)
	if err != nil {
		return nil, err
	}
	return s.store.runs(ctx, a.ID)
}

// Consume implements webhook.Consumer: when an active automation of an app
// of the event's organization has a trigger the event fires, it queues the
// event's dispatch in the event's transaction.
func (s *Service) Consume(ctx context.Context, tx *jobs.Tx, eventID int64, e event.Event) error {
	triggers := triggersOf[e.Type]
	if len(triggers) == 0 {
		return nil
	}
	ok, err := s.store.anyActive(ctx, tx.Tx, e.OrgID, appFilter(e), triggers)
	if err != nil || !ok {
		return err
	}
	_, err = tx.Insert(ctx, dispatchArgs{EventID: eventID}, nil)
	return err
}

// appFilter names the only app whose automations an app-only event may
// trigger (0: every app linked to the organization).
func appFilter(e event.Event) int64 {
	if e.AppOnly {
		return e.AppID
	}
	return 0
}

// TranscriptChanged records, in the transaction that imported or replaced
// a meeting's transcript, the internal event that phrase-match automations
// watch. It writes nothing when no such automation could run.
func (s *Service) TranscriptChanged(ctx context.Context, tx *jobs.Tx, orgID, meetingID int64) error {
	ok, err := s.store.anyActive(ctx, tx.Tx, orgID, 0, triggersOf[event.TranscriptReady])
	if err != nil || !ok {
		return err
	}
	return event.Emit(ctx, s.events, tx, event.Event{Type: event.TranscriptReady, OrgID: orgID,
		Data: event.MeetingRef{RowID: meetingID}})
}

// dispatch creates the runs of one outbox event, and their jobs, in one
// transaction.
func (s *Service) dispatch(ctx context.Context, eventID int64) error {
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		ev, err := s.store.event(ctx, tx.Tx, eventID)
		if err != nil || ev.id == 0 {
			return err
		}
		app := int64(0)
		if ev.appOnly {
			app = ev.appID
		}
		ids, err := s.store.matching(ctx, tx.Tx, ev.orgID, app, triggersOf[ev.typ])
		if err != nil {
			return err
		}
		now := s.now()
		for _, id := range ids {
			runID, inserted, err := s.store.insertRun(ctx, tx.Tx, id, ev, now)
			if err != nil {
				return err
			}
			if inserted {
				if _, err := tx.Insert(ctx, runArgs{RunID: runID}, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
