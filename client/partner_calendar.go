package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// CalendarPerson is an event's organizer or attendee.
type CalendarPerson struct {
	Email  string `json:"email"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Type   string `json:"type"`
}

// CalendarEvent is one of the user's calendar events.
type CalendarEvent struct {
	ID             string           `json:"id"`
	Title          string           `json:"title"`
	Description    string           `json:"description"`
	StartTime      string           `json:"start_time"`
	EndTime        string           `json:"end_time"`
	Location       string           `json:"location"`
	MeetingID      *string          `json:"meeting_id"`
	LinkedMeetings []string         `json:"linked_meetings"`
	Organizer      CalendarPerson   `json:"organizer"`
	Attendees      []CalendarPerson `json:"attendees"`
	AttendeeCount  int              `json:"attendee_count"`
	IsAllDay       bool             `json:"is_all_day"`
}

// CalendarQuery selects events overlapping a range; Direction is asc or
// desc.
type CalendarQuery struct {
	Limit, Offset      int
	StartDate, EndDate string
	Direction          string
}

// MeetingFromEvent is the answer of creating a meeting from an event.
type MeetingFromEvent struct {
	Created   bool           `json:"created"`
	Meeting   PartnerMeeting `json:"meeting"`
	MeetingID string         `json:"meeting_id"`
	Message   string         `json:"message"`
}

// LinkResult is the answer of linking or unlinking an event.
type LinkResult struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// CalendarFeed is one of the user's calendars.
type CalendarFeed struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	URL          string  `json:"url"`
	EventCount   int     `json:"event_count"`
	LastSyncedAt *string `json:"last_synced_at"`
	LastError    string  `json:"last_error"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
}

// NewCalendarFeed adds a calendar: a feed URL, or the text of an ICS file.
type NewCalendarFeed struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
	ICS  string `json:"ics,omitempty"`
}

// CalendarEvents lists the user's events overlapping the range.
func (c *Client) CalendarEvents(ctx context.Context, q CalendarQuery) (*PartnerList[CalendarEvent], error) {
	v := url.Values{}
	setPage(v, q.Limit, q.Offset)
	setIf(v, "start_date", q.StartDate)
	setIf(v, "end_date", q.EndDate)
	setIf(v, "direction", q.Direction)
	var out PartnerList[CalendarEvent]
	if err := c.do(ctx, request{method: http.MethodGet, path: partnerUser + "/calendar/events", query: v}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllCalendarEvents iterates over every event q selects; it stops at the
// first error, which it yields.
func (c *Client) AllCalendarEvents(ctx context.Context, q CalendarQuery) iter.Seq2[CalendarEvent, error] {
	return allPages(func(p PageParams) (*PartnerList[CalendarEvent], error) {
		q.Limit, q.Offset = p.Limit, p.Offset
		return c.CalendarEvents(ctx, q)
	})
}

func eventPath(id string) string { return partnerUser + "/calendar/events/" + url.PathEscape(id) }

// CalendarEvent loads one event with its organizer and attendees.
func (c *Client) CalendarEvent(ctx context.Context, id string) (*CalendarEvent, error) {
	var out CalendarEvent
	if err := c.do(ctx, request{method: http.MethodGet, path: eventPath(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateMeetingFromCalendarEvent creates the event's meeting, or returns
// the one already created (Created false).
func (c *Client) CreateMeetingFromCalendarEvent(ctx context.Context, id string) (*MeetingFromEvent, error) {
	var out MeetingFromEvent
	if err := c.do(ctx, request{method: http.MethodPost, path: eventPath(id) + "/meeting"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// LinkCalendarEvent links an event to a meeting.
func (c *Client) LinkCalendarEvent(ctx context.Context, meetingID, eventID string) (*LinkResult, error) {
	var out LinkResult
	err := c.do(ctx, request{method: http.MethodPost, path: meetingPath(meetingID, "calendar", "link"),
		json: map[string]string{"calendar_event_id": eventID}}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UnlinkCalendarEvent removes a meeting's link to its event.
func (c *Client) UnlinkCalendarEvent(ctx context.Context, meetingID string) (*LinkResult, error) {
	var out LinkResult
	if err := c.do(ctx, request{method: http.MethodDelete, path: meetingPath(meetingID, "calendar", "unlink")}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CalendarFeeds lists the user's calendars.
func (c *Client) CalendarFeeds(ctx context.Context) (*PartnerList[CalendarFeed], error) {
	var out PartnerList[CalendarFeed]
	if err := c.do(ctx, request{method: http.MethodGet, path: partnerUser + "/calendar/feeds"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AddCalendarFeed adds a feed URL or uploads an ICS file.
func (c *Client) AddCalendarFeed(ctx context.Context, f NewCalendarFeed) (*CalendarFeed, error) {
	var out CalendarFeed
	if err := c.do(ctx, request{method: http.MethodPost, path: partnerUser + "/calendar/feeds", json: f}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RefreshCalendarFeed reads a feed again now.
func (c *Client) RefreshCalendarFeed(ctx context.Context, id string) (*CalendarFeed, error) {
	var out CalendarFeed
	err := c.do(ctx, request{method: http.MethodPost, path: partnerUser + "/calendar/feeds/" + url.PathEscape(id) + "/refresh"}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteCalendarFeed removes a calendar and its events.
func (c *Client) DeleteCalendarFeed(ctx context.Context, id string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: partnerUser + "/calendar/feeds/" + url.PathEscape(id)}, nil)
}
