package partneruser

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/calendar"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
)

// PartnerCalendarPerson is an event's organizer or attendee.
type PartnerCalendarPerson struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Status string `json:"status" enum:"accepted,declined,tentative,needs_action"`
	Type   string `json:"type" enum:"required,optional,resource"`
}

// PartnerCalendarEvent is the Partner API's calendar event, list item and detail
// alike: meeting_id (deprecated) is the first of linked_meetings.
type PartnerCalendarEvent struct {
	ID             string                  `json:"id"`
	Title          string                  `json:"title"`
	Description    string                  `json:"description"`
	StartTime      string                  `json:"start_time"`
	EndTime        string                  `json:"end_time"`
	Location       string                  `json:"location"`
	MeetingID      *string                 `json:"meeting_id,omitempty"`
	LinkedMeetings []string                `json:"linked_meetings"`
	Organizer      PartnerCalendarPerson   `json:"organizer"`
	Attendees      []PartnerCalendarPerson `json:"attendees"`
	AttendeeCount  int                     `json:"attendee_count"`
	IsAllDay       bool                    `json:"is_all_day"`
}

func toCalendarEvent(ctx context.Context, e calendar.Event) PartnerCalendarEvent {
	out := PartnerCalendarEvent{ID: e.UUID, Title: e.Title, Description: e.Description, StartTime: rest.Time(ctx, e.StartTime),
		EndTime: rest.Time(ctx, e.EndTime), Location: e.Location, LinkedMeetings: []string{}, Organizer: PartnerCalendarPerson(e.Organizer),
		Attendees: make([]PartnerCalendarPerson, 0, len(e.Attendees)), AttendeeCount: len(e.Attendees), IsAllDay: e.IsAllDay}
	if e.MeetingID != "" {
		out.MeetingID = &e.MeetingID
		out.LinkedMeetings = append(out.LinkedMeetings, e.MeetingID)
	}
	for _, a := range e.Attendees {
		out.Attendees = append(out.Attendees, PartnerCalendarPerson(a))
	}
	return out
}

// PartnerCalendarFeed is one of the user's calendars: an ICS feed URL, refreshed
// periodically, or an uploaded ICS file (url empty).
type PartnerCalendarFeed struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	URL          string  `json:"url"`
	EventCount   int     `json:"event_count"`
	LastSyncedAt *string `json:"last_synced_at,omitempty"`
	LastError    string  `json:"last_error"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
}

func toFeed(ctx context.Context, f calendar.Feed) PartnerCalendarFeed {
	return PartnerCalendarFeed{ID: f.UUID, Name: f.Name, URL: f.URL, EventCount: f.EventCount, LastSyncedAt: rest.TimePtr(ctx, f.LastSyncedAt),
		LastError: f.LastError, CreatedAt: rest.Time(ctx, f.CreatedAt), UpdatedAt: rest.Time(ctx, f.UpdatedAt)}
}

type partnerListEventsInput struct {
	PageQuery
	StartDate string `query:"start_date" doc:"events ending after it (RFC 3339 or a date)"`
	EndDate   string `query:"end_date" doc:"events starting at or before it (a date covers its whole day)"`
	Start     string `query:"start" doc:"deprecated spelling of start_date"`
	End       string `query:"end" doc:"deprecated spelling of end_date"`
	Direction string `query:"direction" doc:"asc (default) or desc, by start time"`
}

type eventsOutput struct{ Body List[PartnerCalendarEvent] }

type eventOutput struct{ Body PartnerCalendarEvent }

type partnerEventIDInput struct {
	EventID string `path:"calendarEventId"`
}

// PartnerMeetingFromEvent is the answer of creating a meeting from an event.
type PartnerMeetingFromEvent struct {
	Created        bool           `json:"created"`
	PartnerMeeting PartnerMeeting `json:"meeting"`
	MeetingID      string         `json:"meeting_id"`
	Message        string         `json:"message"`
}

type meetingFromEventOutput struct {
	Status int
	Body   PartnerMeetingFromEvent
}

type partnerLinkInput struct {
	MeetingID string `path:"meetingId"`
	Body      struct {
		CalendarEventID string `json:"calendar_event_id,omitempty" doc:"required"`
	}
}

// PartnerLinkResult is the answer of linking and unlinking.
type PartnerLinkResult struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

type linkOutput struct{ Body PartnerLinkResult }

type partnerAddFeedInput struct {
	Body struct {
		Name string `json:"name,omitempty"`
		URL  string `json:"url,omitempty" doc:"an http(s) or webcal ICS feed, refreshed every 15 minutes"`
		ICS  string `json:"ics,omitempty" doc:"the text of an ICS file (instead of url)"`
	}
}

type feedOutput struct{ Body PartnerCalendarFeed }

type feedsOutput struct{ Body List[PartnerCalendarFeed] }

type partnerFeedIDInput struct {
	FeedID string `path:"feedId"`
}

func (h *coreHandler) registerCalendar(api huma.API, s *rest.Surface) {
	const tag = "Calendar"
	rest.Register(api, s, rest.Op{ID: "getCalendarEvents", Method: http.MethodGet, Path: "/calendar/events", Tag: tag,
		Summary: "The user's calendar events in a range", Scope: "calendar:read"}, h.listEvents)
	rest.Register(api, s, rest.Op{ID: "getCalendarEvent", Method: http.MethodGet, Path: "/calendar/events/{calendarEventId}", Tag: tag,
		Summary: "A calendar event with its organizer and attendees", Scope: "calendar:read"}, h.getEvent)
	rest.Register(api, s, rest.Op{ID: "createMeetingFromCalendarEvent", Method: http.MethodPost,
		Path: "/calendar/events/{calendarEventId}/meeting", Tag: tag, Status: http.StatusCreated,
		Summary: "Create the event's meeting (201), or return the one already created (200)", Scope: "calendar:write"}, h.meetingFromEvent)
	rest.Register(api, s, rest.Op{ID: "linkCalendarEvent", Method: http.MethodPost, Path: "/meetings/{meetingId}/calendar/link", Tag: tag,
		Summary: "Link a calendar event to a meeting", Scope: "calendar:write"}, h.link)
	rest.Register(api, s, rest.Op{ID: "unlinkCalendarEvent", Method: http.MethodDelete, Path: "/meetings/{meetingId}/calendar/unlink",
		Tag: tag, Summary: "Unlink a meeting from its calendar event", Scope: "calendar:write"}, h.unlink)
	rest.Register(api, s, rest.Op{ID: "listCalendarFeeds", Method: http.MethodGet, Path: "/calendar/feeds", Tag: tag,
		Summary: "The user's calendars (Quorum extension)", Scope: "calendar:read"}, h.listFeeds)
	rest.Register(api, s, rest.Op{ID: "addCalendarFeed", Method: http.MethodPost, Path: "/calendar/feeds", Tag: tag,
		Summary: "Add an ICS feed URL or upload an ICS file (Quorum extension)", Scope: "calendar:write", Status: http.StatusCreated,
		MaxBodyBytes: calendar.MaxFeedBytes + 64<<10}, h.addFeed)
	rest.Register(api, s, rest.Op{ID: "refreshCalendarFeed", Method: http.MethodPost, Path: "/calendar/feeds/{feedId}/refresh", Tag: tag,
		Summary: "Read a feed again now (Quorum extension)", Scope: "calendar:write"}, h.refreshFeed)
	rest.Register(api, s, rest.Op{ID: "deleteCalendarFeed", Method: http.MethodDelete, Path: "/calendar/feeds/{feedId}", Tag: tag,
		Summary: "Remove a calendar and its events (Quorum extension)", Scope: "calendar:write", Status: http.StatusNoContent}, h.deleteFeed)
}

// listEvents serves GET /v1/partner/user/calendar/events.
func (h *coreHandler) listEvents(ctx context.Context, c caller.Caller, in *partnerListEventsInput) (*eventsOutput, error) {
	rg := calendar.Range{Start: in.StartDate, End: in.EndDate}
	if rg.Start == "" {
		rg.Start = in.Start
	}
	if rg.End == "" {
		rg.End = in.End
	}
	switch in.Direction {
	case "", "asc":
	case "desc":
		rg.Desc = true
	default:
		return nil, fault.Invalid("direction", "invalid_query_parameters", "direction must be asc or desc")
	}
	p, err := h.calendar.List(ctx, c, rg, in.Request())
	if err != nil {
		return nil, err
	}
	return &eventsOutput{Body: ListOf(p, func(e calendar.Event) PartnerCalendarEvent { return toCalendarEvent(ctx, e) })}, nil
}

// getEvent serves GET /v1/partner/user/calendar/events/{calendarEventId}.
func (h *coreHandler) getEvent(ctx context.Context, c caller.Caller, in *partnerEventIDInput) (*eventOutput, error) {
	e, err := h.calendar.Get(ctx, c, in.EventID)
	if err != nil {
		return nil, err
	}
	return &eventOutput{Body: toCalendarEvent(ctx, e)}, nil
}

// meetingFromEvent serves POST /v1/partner/user/calendar/events/{calendarEventId}/meeting.
func (h *coreHandler) meetingFromEvent(ctx context.Context, c caller.Caller, in *partnerEventIDInput) (*meetingFromEventOutput, error) {
	m, created, err := h.calendar.CreateMeeting(ctx, c, in.EventID)
	if err != nil {
		return nil, err
	}
	out := &meetingFromEventOutput{Status: http.StatusCreated, Body: PartnerMeetingFromEvent{Created: created, PartnerMeeting: toMeeting(ctx, m),
		MeetingID: m.UUID, Message: "meeting created from the calendar event"}}
	if !created {
		out.Status, out.Body.Message = http.StatusOK, "a meeting already exists for this calendar event"
	}
	return out, nil
}

// link serves POST /v1/partner/user/meetings/{meetingId}/calendar/link.
func (h *coreHandler) link(ctx context.Context, c caller.Caller, in *partnerLinkInput) (*linkOutput, error) {
	if err := h.calendar.Link(ctx, c, in.MeetingID, in.Body.CalendarEventID); err != nil {
		return nil, err
	}
	return &linkOutput{Body: PartnerLinkResult{Success: true, Message: "meeting linked to the calendar event"}}, nil
}

// unlink serves DELETE /v1/partner/user/meetings/{meetingId}/calendar/unlink.
func (h *coreHandler) unlink(ctx context.Context, c caller.Caller, in *partnerMeetingIDInput) (*linkOutput, error) {
	if err := h.calendar.Unlink(ctx, c, in.MeetingID); err != nil {
		return nil, err
	}
	return &linkOutput{Body: PartnerLinkResult{Success: true, Message: "meeting unlinked from its calendar event"}}, nil
}

// listFeeds serves GET /v1/partner/user/calendar/feeds.
func (h *coreHandler) listFeeds(ctx context.Context, c caller.Caller, _ *struct{}) (*feedsOutput, error) {
	fs, err := h.calendar.Feeds(ctx, c)
	if err != nil {
		return nil, err
	}
	out := List[PartnerCalendarFeed]{Items: make([]PartnerCalendarFeed, 0, len(fs)), Total: len(fs), Limit: len(fs)}
	for _, f := range fs {
		out.Items = append(out.Items, toFeed(ctx, f))
	}
	return &feedsOutput{Body: out}, nil
}

// addFeed serves POST /v1/partner/user/calendar/feeds.
func (h *coreHandler) addFeed(ctx context.Context, c caller.Caller, in *partnerAddFeedInput) (*feedOutput, error) {
	n := calendar.NewFeed{Name: in.Body.Name, URL: in.Body.URL}
	if in.Body.ICS != "" {
		n.ICS = []byte(in.Body.ICS)
	}
	f, err := h.calendar.AddFeed(ctx, c, n)
	if err != nil {
		return nil, err
	}
	return &feedOutput{Body: toFeed(ctx, f)}, nil
}

// refreshFeed serves POST /v1/partner/user/calendar/feeds/{feedId}/refresh.
func (h *coreHandler) refreshFeed(ctx context.Context, c caller.Caller, in *partnerFeedIDInput) (*feedOutput, error) {
	f, err := h.calendar.Refresh(ctx, c, in.FeedID)
	if err != nil {
		return nil, err
	}
	return &feedOutput{Body: toFeed(ctx, f)}, nil
}

// deleteFeed serves DELETE /v1/partner/user/calendar/feeds/{feedId}.
func (h *coreHandler) deleteFeed(ctx context.Context, c caller.Caller, in *partnerFeedIDInput) (*emptyOutput, error) {
	return &emptyOutput{}, h.calendar.DeleteFeed(ctx, c, in.FeedID)
}
