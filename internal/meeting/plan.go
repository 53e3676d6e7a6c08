package meeting

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/page"
)

// Limits of meetings planned through the Partner API.
const (
	MaxPlannedTitleRunes = 255
	// MaxDuration bounds end_time - start_time.
	MaxDuration = 7 * 24 * time.Hour
)

// TemplateApplier applies a meeting template (its agenda, participants and
// next steps) to a meeting, inside the transaction that creates or updates
// it. It answers an unknown template with a fault.NotFound error.
type TemplateApplier interface {
	ApplyTemplate(ctx context.Context, tx *jobs.Tx, c caller.Caller, templateID string, m Meeting) error
}

// SetTemplates installs the template service; until it is set, every
// template_id is unknown.
func (s *Service) SetTemplates(t TemplateApplier) { s.templates = t }

// Draft is a meeting planned through the Partner API. Times are RFC 3339
// strings as the client sent them; empty means absent.
type Draft struct {
	Title       string
	StartTime   string
	EndTime     string
	TemplateID  string
	IsInstant   bool
	DetailLevel string
	// Participants are invited besides the creator, who is an editor;
	// emails already invited are skipped.
	Participants []Invitee
	// CalendarEventID links the new meeting to a calendar event (its row
	// id), or 0.
	CalendarEventID int64
}

// Invitee is a person to invite to a new meeting.
type Invitee struct {
	Email string
	Name  string
	Role  Role
}

// Patch changes a planned meeting; nil fields are left alone. Setting
// Status to completed, or an EndTime that has passed, completes it.
type Patch struct {
	Title       *string
	StartTime   *string
	EndTime     *string
	TemplateID  *string
	DetailLevel *string
	Status      *string
}

// Range selects meetings by when they start (their creation time when
// they have no start time); bounds are ISO 8601 dates or date-times.
type Range struct {
	StartDate string
	EndDate   string
}

func validTitle(title string) (string, error) {
	if err := ValidText("title", title); err != nil {
		return "", err
	}
	title = strings.TrimSpace(title)
	if title == "" || utf8.RuneCountInString(title) > MaxPlannedTitleRunes {
		return "", fault.Invalid("title", "invalid_request", "title must be 1 to %d characters", MaxPlannedTitleRunes)
	}
	return title, nil
}

func validDetail(d string) (DetailLevel, error) {
	if !DetailLevel(d).Valid() {
		return "", fault.Invalid("detail_level", "invalid_request", "detail_level must be BULLET_POINTS, STANDARD or VERBATIM")
	}
	return DetailLevel(d), nil
}

// parseMeetingTime reads a start or end time; years outside 1970 to 2999
// are refused as dates no meeting has.
func parseMeetingTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fault.Invalid(field, "invalid_"+field, "%s must be an RFC 3339 date-time, e.g. 2026-03-01T15:00:00Z", field)
	}
	if t.Year() < 1970 || t.Year() > 2999 {
		code := "invalid_start_date"
		if field == "end_time" {
			code = "invalid_end_time"
		}
		return time.Time{}, fault.Invalid(field, code, "%s must lie between the years 1970 and 2999", field)
	}
	return t.UTC(), nil
}

func checkRange(start, end time.Time) error {
	if end.IsZero() {
		return nil
	}
	if start.IsZero() {
		return fault.Invalid("end_time", "invalid_time_range", "end_time needs a start_time")
	}
	if end.Before(start) {
		return fault.Invalid("end_time", "invalid_time_range", "end_time must not be before start_time")
	}
	if end.Sub(start) > MaxDuration {
		return fault.Invalid("end_time", "invalid_time_range", "a meeting lasts at most %d days", int(MaxDuration/(24*time.Hour)))
	}
	return nil
}

// ParseDate reads a list filter bound: an ISO 8601 date (YYYY-MM-DD) or an
// RFC 3339 date-time. An end bound given as a date covers that whole day.
// Errors carry the code invalid_<field>.
func ParseDate(field, s string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		return t, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fault.Invalid(field, "invalid_"+field, "%s must be an ISO 8601 date (YYYY-MM-DD) or date-time", field)
}

// Plan creates a meeting for the calling user: the creator becomes its
// first EDITOR participant, and a template, when named, is applied in the
// same transaction.
func (s *Service) Plan(ctx context.Context, c caller.Caller, d Draft) (Meeting, error) {
	var m Meeting
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		var err error
		m, err = s.PlanIn(ctx, tx, c, d)
		return err
	})
	return m, err
}

// PlanIn is Plan inside the caller's transaction, for services that create
// a meeting as part of their own change.
func (s *Service) PlanIn(ctx context.Context, tx *jobs.Tx, c caller.Caller, d Draft) (Meeting, error) {
	if err := RequireUser(c); err != nil {
		return Meeting{}, err
	}
	now := s.now()
	m := Meeting{UUID: uuid.NewString(), OrgID: c.OrgID, Status: StatusDraft, DetailLevel: DetailStandard, IsInstant: d.IsInstant,
		TemplateID: d.TemplateID, CreatedBy: c.UserRef, CreatedAt: now, UpdatedAt: now}
	var err error
	if m.Title, err = validTitle(d.Title); err != nil {
		return Meeting{}, err
	}
	if d.StartTime != "" {
		if m.StartTime, err = parseMeetingTime("start_time", d.StartTime); err != nil {
			return Meeting{}, err
		}
		m.Status = StatusScheduled
	}
	if d.EndTime != "" {
		if m.EndTime, err = parseMeetingTime("end_time", d.EndTime); err != nil {
			return Meeting{}, err
		}
	}
	if d.IsInstant {
		m.Status = StatusInProgress
		if m.StartTime.IsZero() {
			m.StartTime = now
		}
	}
	if err := checkRange(m.StartTime, m.EndTime); err != nil {
		return Meeting{}, err
	}
	if d.DetailLevel != "" {
		if m.DetailLevel, err = validDetail(d.DetailLevel); err != nil {
			return Meeting{}, err
		}
	}
	if err := s.store.insert(ctx, tx.Tx, &m, c.UserID); err != nil {
		return Meeting{}, err
	}
	if err := s.store.insertCreator(ctx, tx.Tx, m, c.UserID, uuid.NewString()); err != nil {
		return Meeting{}, err
	}
	for _, in := range d.Participants {
		in.Email = strings.ToLower(strings.TrimSpace(in.Email))
		if in.Email == "" || !validText(in.Email) || !validText(in.Name) {
			continue
		}
		if in.Name = strings.TrimSpace(in.Name); in.Name == "" {
			in.Name = in.Email
		}
		if !in.Role.Valid() {
			in.Role = RoleViewer
		}
		if err := s.store.invite(ctx, tx.Tx, m, in, uuid.NewString()); err != nil {
			return Meeting{}, err
		}
	}
	if d.CalendarEventID != 0 {
		if err := s.store.linkEvent(ctx, tx.Tx, m, d.CalendarEventID); err != nil {
			return Meeting{}, err
		}
	}
	if err := s.applyTemplate(ctx, tx, c, m, d.TemplateID); err != nil {
		return Meeting{}, err
	}
	if m, err = s.store.txByID(ctx, tx.Tx, m.OrgID, m.ID); err != nil {
		return Meeting{}, err
	}
	return m, s.emitCreated(ctx, tx, c, m)
}

func (s *Service) applyTemplate(ctx context.Context, tx *jobs.Tx, c caller.Caller, m Meeting, templateID string) error {
	if templateID == "" {
		return nil
	}
	if s.templates == nil {
		return fault.NotFound("template")
	}
	return s.templates.ApplyTemplate(ctx, tx, c, templateID, m)
}

// Update changes a meeting the caller edits. Writers to one meeting
// serialize on its row. A meeting completes when the patch says so or
// moves its end into the past; that emits meeting.completed once.
func (s *Service) Update(ctx context.Context, c caller.Caller, id string, p Patch) (Meeting, error) {
	a, err := s.Access(ctx, c, id)
	if err != nil {
		return Meeting{}, err
	}
	if err := a.RequireEditor(); err != nil {
		return Meeting{}, err
	}
	var m Meeting
	now := s.now()
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		var err error
		if m, err = s.store.lock(ctx, tx.Tx, c.OrgID, a.ID, now); err != nil {
			return err
		}
		was := m.Status
		if err := applyPatch(&m, p, now); err != nil {
			return err
		}
		if p.TemplateID != nil && *p.TemplateID != "" {
			m.TemplateID = *p.TemplateID
			if err := s.applyTemplate(ctx, tx, c, m, m.TemplateID); err != nil {
				return err
			}
		}
		m.UpdatedAt = now
		if m.Status == StatusCompleted && was != StatusCompleted {
			m.CompletedAt = now
		}
		if err := s.store.update(ctx, tx.Tx, m); err != nil {
			return err
		}
		if err := s.emitUpdated(ctx, tx, c, m); err != nil {
			return err
		}
		if m.Status != StatusCompleted || was == StatusCompleted {
			return nil
		}
		e := event.From(c, event.MeetingCompleted, &event.MeetingDone{MeetingID: m.UUID, Title: m.Title, CompletedAt: now})
		e.OccurredAt = now
		return event.Emit(ctx, s.events, tx, e)
	})
	return m, err
}

func applyPatch(m *Meeting, p Patch, now time.Time) error {
	var err error
	if p.Title != nil {
		if m.Title, err = validTitle(*p.Title); err != nil {
			return err
		}
	}
	if p.StartTime != nil {
		m.StartTime = time.Time{}
		if *p.StartTime != "" {
			if m.StartTime, err = parseMeetingTime("start_time", *p.StartTime); err != nil {
				return err
			}
		}
	}
	endMoved := false
	if p.EndTime != nil {
		m.EndTime, endMoved = time.Time{}, true
		if *p.EndTime != "" {
			if m.EndTime, err = parseMeetingTime("end_time", *p.EndTime); err != nil {
				return err
			}
		}
	}
	if err := checkRange(m.StartTime, m.EndTime); err != nil {
		return err
	}
	if p.DetailLevel != nil {
		if m.DetailLevel, err = validDetail(*p.DetailLevel); err != nil {
			return err
		}
	}
	switch {
	case p.Status != nil:
		if !Status(*p.Status).Valid() {
			return fault.Invalid("status", "invalid_status", "status must be draft, scheduled, in_progress, ended or completed")
		}
		m.Status = Status(*p.Status)
	case endMoved && !m.EndTime.IsZero() && !m.EndTime.After(now):
		m.Status = StatusCompleted
	case m.Status == StatusDraft && !m.StartTime.IsZero():
		m.Status = StatusScheduled
	}
	return nil
}

// ListPlanned pages through the caller's workspace's meetings, newest
// first, with an exact total. Meetings merged into another are left out.
// Items carry the planning fields and creator; the transcript's fields
// (language, room, segment count, transcript version) stay zero.
func (s *Service) ListPlanned(ctx context.Context, c caller.Caller, rg Range, r page.Request) (page.Page[Meeting], error) {
	r, err := r.Normalize(page.MaxLimit)
	if err != nil {
		return page.Page[Meeting]{}, err
	}
	var from, to time.Time
	if rg.StartDate != "" {
		if from, err = ParseDate("start_date", rg.StartDate, false); err != nil {
			return page.Page[Meeting]{}, err
		}
	}
	if rg.EndDate != "" {
		if to, err = ParseDate("end_date", rg.EndDate, true); err != nil {
			return page.Page[Meeting]{}, err
		}
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return page.Page[Meeting]{}, fault.Invalid("end_date", "invalid_end_date", "end_date must not be before start_date")
	}
	return s.store.listPlanned(ctx, c.OrgID, from, to, r)
}

// Lookup loads a meeting, with the planning fields (see ListPlanned), for
// the Partner API's GET, which answers with a redirect hint instead when the id names a meeting merged into another, or
// one the caller's workspace holds a copy of. redirect is then the id to
// follow and m is empty.
func (s *Service) Lookup(ctx context.Context, c caller.Caller, id string) (m Meeting, redirect string, err error) {
	m, err = s.store.planned(ctx, c.OrgID, id)
	switch {
	case err == nil && m.MergedInto != "":
		return Meeting{}, m.MergedInto, nil
	case err == nil:
		return m, "", nil
	case !errors.Is(err, fault.ErrNotFound):
		return Meeting{}, "", err
	}
	copyID, err := s.store.copyOf(ctx, c.OrgID, id)
	if err != nil {
		return Meeting{}, "", err
	}
	return Meeting{}, copyID, nil
}
