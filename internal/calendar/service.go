package calendar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/netguard"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
)

// Meetings is what the calendar needs of meetings: the caller's access to
// one, and creating one inside the calendar's transaction.
type Meetings interface {
	Access(ctx context.Context, c caller.Caller, id string) (meeting.Access, error)
	PlanIn(ctx context.Context, tx *jobs.Tx, c caller.Caller, d meeting.Draft) (meeting.Meeting, error)
	GetByID(ctx context.Context, c caller.Caller, id int64) (meeting.Meeting, error)
}

// Config builds a Service.
type Config struct {
	DB       *store.DB
	Queue    *jobs.Queue
	Events   event.Emitter // may be nil
	Meetings Meetings
	// Guard decides which addresses feed URLs may reach; its client
	// checks the address at connect time.
	Guard  netguard.Guard
	Logger *slog.Logger
}

// Service holds the rules for calendars. Events belong to one user: every
// query is scoped by the caller's organization and user, and a caller
// without a user (a client-credentials token) has no calendar.
type Service struct {
	store    sqlStore
	queue    *jobs.Queue
	events   event.Emitter
	meetings Meetings
	guard    netguard.Guard
	http     *http.Client
	logger   *slog.Logger
	now      func() time.Time
}

// NewService returns a Service.
func NewService(cfg Config) *Service {
	return &Service{store: sqlStore{db: cfg.DB}, queue: cfg.Queue, events: cfg.Events, meetings: cfg.Meetings,
		guard: cfg.Guard, http: cfg.Guard.Client(FetchTimeout), logger: cfg.Logger, now: store.Now}
}

func requireUser(c caller.Caller) error {
	if c.UserID == 0 {
		return fault.Forbidden("forbidden", "calendars belong to users; this token acts for no user")
	}
	return nil
}

// NewFeed is a calendar to add: a feed URL (http, https or webcal), or the
// bytes of an ICS file.
type NewFeed struct {
	Name string
	URL  string
	ICS  []byte
}

// AddFeed adds a calendar to the caller's and reads it at once. A feed
// that cannot be fetched now is kept with its error and retried by the
// periodic refresh; an uploaded file that does not parse is refused.
func (s *Service) AddFeed(ctx context.Context, c caller.Caller, n NewFeed) (Feed, error) {
	if err := requireUser(c); err != nil {
		return Feed{}, err
	}
	n.Name = strings.TrimSpace(n.Name)
	if utf8.RuneCountInString(n.Name) > maxFeedNameRunes || !utf8.ValidString(n.Name) || strings.ContainsRune(n.Name, 0) {
		return Feed{}, fault.Invalid("name", "validation_error", "name must be at most %d characters", maxFeedNameRunes)
	}
	switch {
	case n.URL != "" && n.ICS != nil:
		return Feed{}, fault.Invalid("url", "validation_error", "give a feed URL or an ICS file, not both")
	case n.URL != "":
		u, err := s.feedURL(ctx, n.URL)
		if err != nil {
			return Feed{}, err
		}
		n.URL = u
	case len(n.ICS) == 0:
		return Feed{}, fault.Invalid("file", "validation_error", "give a feed URL or an ICS file")
	case len(n.ICS) > MaxFeedBytes:
		return Feed{}, &fault.Error{Kind: fault.KindTooLarge, Code: "payload_too_large", Field: "file", Message: "an ICS file may be at most 5 MiB"}
	}
	var occ []occurrence
	if n.ICS != nil {
		var err error
		if occ, err = s.expand(n.ICS); err != nil {
			return Feed{}, err
		}
	}
	now := s.now()
	f := Feed{UUID: uuid.NewString(), OrgID: c.OrgID, UserID: c.UserID, Name: n.Name, URL: n.URL, CreatedAt: now, UpdatedAt: now}
	if f.Name == "" {
		f.Name = "Calendar"
	}
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		count, err := s.store.insertFeed(ctx, tx.Tx, &f)
		if err != nil {
			return err
		}
		if count > MaxFeedsPerUser {
			return fault.Invalid("url", "validation_error", "a user may have at most %d calendars", MaxFeedsPerUser)
		}
		if n.ICS != nil {
			return s.apply(ctx, tx, c, &f, occ, "")
		}
		return nil
	})
	if err != nil {
		return Feed{}, err
	}
	if f.URL != "" {
		return s.Refresh(ctx, c, f.UUID)
	}
	return f, nil
}

// feedURL checks a feed URL; webcal is the same feed over https.
func (s *Service) feedURL(ctx context.Context, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if rest, ok := strings.CutPrefix(raw, "webcal://"); ok {
		raw = "https://" + rest
	}
	if len(raw) > maxFeedURLBytes {
		return "", fault.Invalid("url", "validation_error", "url is longer than %d bytes", maxFeedURLBytes)
	}
	if err := s.guard.CheckURL(ctx, raw); err != nil {
		return "", fault.Invalid("url", "validation_error", "url: %v", err)
	}
	return raw, nil
}

func (s *Service) expand(data []byte) ([]occurrence, error) {
	now := s.now()
	return parseICS(data, now.Add(-ExpandPast), now.Add(ExpandFuture))
}

// Refresh fetches one of the caller's URL feeds again and applies it. A
// fetch or parse failure is recorded on the feed (and returned in it), not
// answered as an error: the feed exists, its source is what failed.
func (s *Service) Refresh(ctx context.Context, c caller.Caller, feedID string) (Feed, error) {
	if err := requireUser(c); err != nil {
		return Feed{}, err
	}
	f, err := s.store.feed(ctx, c.OrgID, c.UserID, feedID)
	if err != nil {
		return Feed{}, err
	}
	if f.URL == "" {
		return f, nil
	}
	return s.sync(ctx, c, f)
}

func (s *Service) sync(ctx context.Context, c caller.Caller, f Feed) (Feed, error) {
	occ, fetchErr := s.fetch(ctx, f.URL)
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if fetchErr != nil {
			return s.store.markFeed(ctx, tx.Tx, &f, s.now(), fetchErr.Error())
		}
		return s.apply(ctx, tx, c, &f, occ, "")
	})
	return f, err
}

// fetch downloads and expands a feed through the guarded client, which
// refuses non-public addresses when it connects.
func (s *Service) fetch(ctx context.Context, url string) ([]occurrence, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("bad feed URL: %w", err)
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch failed: %w", err)
	}
	body, truncated, err := netguard.ReadBody(resp, MaxFeedBytes)
	if err != nil {
		return nil, fmt.Errorf("read failed: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the feed answered HTTP %d", resp.StatusCode)
	}
	if truncated {
		return nil, errors.New("the feed is larger than 5 MiB")
	}
	occ, err := s.expand(body)
	if err != nil {
		return nil, err
	}
	return occ, nil
}

// apply makes the feed's stored events equal to occ, emitting
// calendar_event.created, .updated and .deleted for what changed.
func (s *Service) apply(ctx context.Context, tx *jobs.Tx, c caller.Caller, f *Feed, occ []occurrence, lastError string) error {
	now := s.now()
	existing, err := s.store.feedEvents(ctx, tx.Tx, f.ID)
	if err != nil {
		return err
	}
	keep := make(map[string]bool, len(occ))
	for _, o := range occ {
		keep[o.Key] = true
		hash := o.hash()
		cur, ok := existing[o.Key]
		typ := event.CalendarEventCreated
		switch {
		case !ok:
			cur = storedEvent{uuid: uuid.NewString()}
			if err := s.store.insertEvent(ctx, tx.Tx, *f, cur.uuid, o, hash, now); err != nil {
				return err
			}
		case cur.hash != hash:
			typ = event.CalendarEventUpdated
			if err := s.store.updateEvent(ctx, tx.Tx, cur.id, o, hash, now); err != nil {
				return err
			}
		default:
			continue
		}
		e := event.From(c, typ, &event.CalendarEvent{CalendarEventID: cur.uuid, Title: o.Title, StartTime: o.Start,
			EndTime: o.End, IsAllDay: o.AllDay, AttendeeCount: len(o.Attendees)})
		e.OccurredAt, e.ForUserID = now, f.UserID
		if err := event.Emit(ctx, s.events, tx, e); err != nil {
			return err
		}
	}
	for key, cur := range existing {
		if keep[key] {
			continue
		}
		if err := s.store.deleteEvent(ctx, tx.Tx, cur.id); err != nil {
			return err
		}
		e := event.From(c, event.CalendarEventDeleted, &event.CalendarEventGone{CalendarEventID: cur.uuid})
		e.OccurredAt, e.ForUserID = now, f.UserID
		if err := event.Emit(ctx, s.events, tx, e); err != nil {
			return err
		}
	}
	f.EventCount = len(occ)
	return s.store.markFeed(ctx, tx.Tx, f, now, lastError)
}

// Feeds lists the caller's calendars.
func (s *Service) Feeds(ctx context.Context, c caller.Caller) ([]Feed, error) {
	if err := requireUser(c); err != nil {
		return nil, err
	}
	return s.store.feeds(ctx, c.OrgID, c.UserID)
}

// DeleteFeed removes one of the caller's calendars and its events.
func (s *Service) DeleteFeed(ctx context.Context, c caller.Caller, feedID string) error {
	if err := requireUser(c); err != nil {
		return err
	}
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		f, err := s.store.feed(ctx, c.OrgID, c.UserID, feedID)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, tx, c, &f, nil, ""); err != nil {
			return err
		}
		return s.store.deleteFeed(ctx, tx.Tx, f.ID)
	})
}

// RefreshDue refreshes the URL feeds of every organization not read within
// RefreshEvery, oldest first, at most a batch per call; the periodic job
// calls it. One feed's failure is recorded on it and does not stop the
// others.
func (s *Service) RefreshDue(ctx context.Context) (int, error) {
	due, err := s.store.dueFeeds(ctx, s.now().Add(-RefreshEvery), refreshBatchLimit)
	if err != nil {
		return 0, err
	}
	for _, f := range due {
		c := caller.Caller{Credential: caller.System, OrgID: f.OrgID, UserID: f.UserID, UserRef: "system"}
		if _, err := s.sync(ctx, c, f); err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			s.logger.WarnContext(ctx, "calendar refresh failed", "feed_id", f.UUID, "error", err)
		}
	}
	return len(due), nil
}

// Range selects events overlapping a time range; bounds are ISO 8601
// dates or date-times, and either may be open.
type Range struct {
	Start string
	End   string
	// Desc lists the latest first.
	Desc bool
}

// List pages through the caller's events that overlap the range, by start
// time, with an exact total.
func (s *Service) List(ctx context.Context, c caller.Caller, rg Range, r page.Request) (page.Page[Event], error) {
	if err := requireUser(c); err != nil {
		return page.Page[Event]{}, err
	}
	r, err := r.Normalize(page.MaxLimit)
	if err != nil {
		return page.Page[Event]{}, fault.Invalid(fieldOf(err), "invalid_query_parameters", "%s", messageOf(err))
	}
	var from, to time.Time
	if rg.Start != "" {
		if from, err = meeting.ParseDate("start_date", rg.Start, false); err != nil {
			return page.Page[Event]{}, err
		}
	}
	if rg.End != "" {
		if to, err = meeting.ParseDate("end_date", rg.End, true); err != nil {
			return page.Page[Event]{}, err
		}
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return page.Page[Event]{}, fault.Invalid("end_date", "invalid_end_date", "end_date must not be before start_date")
	}
	return s.store.list(ctx, c.OrgID, c.UserID, from, to, rg.Desc, r)
}

func fieldOf(err error) string {
	if fe, ok := fault.As(err); ok {
		return fe.Field
	}
	return ""
}

func messageOf(err error) string {
	if fe, ok := fault.As(err); ok {
		return fe.Message
	}
	return err.Error()
}

// Get loads one of the caller's events.
func (s *Service) Get(ctx context.Context, c caller.Caller, id string) (Event, error) {
	if err := requireUser(c); err != nil {
		return Event{}, err
	}
	return s.store.event(ctx, c.OrgID, c.UserID, id)
}

// CreateMeeting creates a meeting from one of the caller's events: its
// title and times, its attendees (and organizer) as participants. It is
// idempotent per event: when a meeting is already linked to the event,
// that meeting comes back with created false.
func (s *Service) CreateMeeting(ctx context.Context, c caller.Caller, eventID string) (m meeting.Meeting, created bool, err error) {
	if err := requireUser(c); err != nil {
		return meeting.Meeting{}, false, err
	}
	var existing int64
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		// Taking the event's row first serializes concurrent requests for
		// it: the second sees the first's meeting.
		ev, linked, err := s.store.lockEvent(ctx, tx.Tx, c.OrgID, c.UserID, eventID)
		if err != nil {
			return err
		}
		if linked != 0 {
			existing = linked
			return nil
		}
		d := meeting.Draft{Title: ev.Title, StartTime: ev.StartTime.Format(time.RFC3339), CalendarEventID: ev.ID}
		if strings.TrimSpace(d.Title) == "" {
			d.Title = "Meeting"
		}
		d.Title = clip(d.Title, meeting.MaxPlannedTitleRunes)
		if ev.EndTime.After(ev.StartTime) && ev.EndTime.Sub(ev.StartTime) <= meeting.MaxDuration {
			d.EndTime = ev.EndTime.Format(time.RFC3339)
		}
		people := append([]Person{ev.Organizer}, ev.Attendees...)
		for _, p := range people {
			if p.Email == "" || p.Type == "resource" {
				continue
			}
			d.Participants = append(d.Participants, meeting.Invitee{Email: p.Email, Name: p.Name, Role: meeting.RoleViewer})
		}
		m, err = s.meetings.PlanIn(ctx, tx, c, d)
		return err
	})
	if err != nil {
		return meeting.Meeting{}, false, err
	}
	if existing != 0 {
		m, err = s.meetings.GetByID(ctx, c, existing)
		return m, false, err
	}
	return m, true, nil
}

// Link links one of the caller's events to a meeting the caller edits. An
// event links to one meeting and a meeting to one event: linking either
// again is refused with the spec's codes.
func (s *Service) Link(ctx context.Context, c caller.Caller, meetingID, eventID string) error {
	if err := requireUser(c); err != nil {
		return err
	}
	if eventID == "" || len(eventID) > 255 {
		return fault.Invalid("calendar_event_id", "invalid_request_body", "calendar_event_id is required (at most 255 characters)")
	}
	m, err := s.meetings.Access(ctx, c, meetingID)
	if err != nil {
		return err
	}
	if err := m.RequireEditor(); err != nil {
		return err
	}
	ev, err := s.store.event(ctx, c.OrgID, c.UserID, eventID)
	if err != nil {
		return err
	}
	return s.store.link(ctx, c.OrgID, m.ID, ev)
}

// Unlink removes the link between a meeting the caller edits and its
// calendar event.
func (s *Service) Unlink(ctx context.Context, c caller.Caller, meetingID string) error {
	if err := requireUser(c); err != nil {
		return err
	}
	m, err := s.meetings.Access(ctx, c, meetingID)
	if err != nil {
		return err
	}
	if err := m.RequireEditor(); err != nil {
		return err
	}
	return s.store.unlink(ctx, c.OrgID, m.ID)
}
