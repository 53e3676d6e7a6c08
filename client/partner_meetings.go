package client

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// setPage adds the offset paging of a Partner list to a query.
func setPage(q url.Values, limit, offset int) {
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
}

func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

const partnerUser = "/v1/partner/user"

// PartnerMeeting is a meeting of the Partner user API.
type PartnerMeeting struct {
	ID              string  `json:"id"`
	Title           string  `json:"title"`
	StartTime       *string `json:"start_time"`
	EndTime         *string `json:"end_time"`
	Status          string  `json:"status"`
	DetailLevel     string  `json:"detail_level"`
	IsInstant       bool    `json:"is_instant"`
	TemplateID      *string `json:"template_id"`
	CalendarEventID *string `json:"calendar_event_id"`
	WorkspaceID     string  `json:"workspace_id"`
	CreatedByUserID string  `json:"created_by_user_id"`
	CompletedAt     *string `json:"completed_at"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
	// RedirectToMeetingID is set, alone, on the hint GET answers for a
	// meeting merged or copied elsewhere.
	RedirectToMeetingID string `json:"redirect_to_meeting_id,omitempty"`
}

// MeetingQuery filters and pages GET /meetings.
type MeetingQuery struct {
	Limit, Offset      int
	StartDate, EndDate string
}

// NewPartnerMeeting is the body of POST /meetings.
type NewPartnerMeeting struct {
	Title       string `json:"title"`
	StartTime   string `json:"start_time,omitempty"`
	EndTime     string `json:"end_time,omitempty"`
	TemplateID  string `json:"template_id,omitempty"`
	IsInstant   bool   `json:"is_instant,omitempty"`
	DetailLevel string `json:"detail_level,omitempty"`
}

// MeetingUpdate is the body of PATCH /meetings/{id}; nil fields are left
// alone. Status "completed", or an end time in the past, completes the
// meeting.
type MeetingUpdate struct {
	Title       *string `json:"title,omitempty"`
	StartTime   *string `json:"start_time,omitempty"`
	EndTime     *string `json:"end_time,omitempty"`
	TemplateID  *string `json:"template_id,omitempty"`
	DetailLevel *string `json:"detail_level,omitempty"`
	Status      *string `json:"status,omitempty"`
}

func meetingPath(id string, rest ...string) string {
	p := partnerUser + "/meetings/" + url.PathEscape(id)
	for _, r := range rest {
		p += "/" + url.PathEscape(r)
	}
	return p
}

// PartnerMeetings lists the workspace's meetings (GET /meetings).
func (c *Client) PartnerMeetings(ctx context.Context, q MeetingQuery) (*PartnerList[PartnerMeeting], error) {
	v := url.Values{}
	setPage(v, q.Limit, q.Offset)
	setIf(v, "start_date", q.StartDate)
	setIf(v, "end_date", q.EndDate)
	var out PartnerList[PartnerMeeting]
	if err := c.do(ctx, request{method: http.MethodGet, path: partnerUser + "/meetings", query: v}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllPartnerMeetings iterates over every meeting q selects; it stops at
// the first error, which it yields.
func (c *Client) AllPartnerMeetings(ctx context.Context, q MeetingQuery) iter.Seq2[PartnerMeeting, error] {
	return allPages(func(p PageParams) (*PartnerList[PartnerMeeting], error) {
		q.Limit, q.Offset = p.Limit, p.Offset
		return c.PartnerMeetings(ctx, q)
	})
}

// CreatePartnerMeeting creates a meeting (POST /meetings).
func (c *Client) CreatePartnerMeeting(ctx context.Context, m NewPartnerMeeting) (*PartnerMeeting, error) {
	var out PartnerMeeting
	if err := c.do(ctx, request{method: http.MethodPost, path: partnerUser + "/meetings", json: m}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PartnerMeetingHint is GET /meetings/{id} as answered: a meeting, or a
// redirect hint naming another.
func (c *Client) PartnerMeetingHint(ctx context.Context, id string) (*PartnerMeeting, error) {
	var out PartnerMeeting
	if err := c.do(ctx, request{method: http.MethodGet, path: meetingPath(id)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PartnerMeeting loads a meeting, following one redirect hop as the SDK
// does.
func (c *Client) PartnerMeeting(ctx context.Context, id string) (*PartnerMeeting, error) {
	m, err := c.PartnerMeetingHint(ctx, id)
	if err != nil || m.RedirectToMeetingID == "" {
		return m, err
	}
	return c.PartnerMeetingHint(ctx, m.RedirectToMeetingID)
}

// UpdatePartnerMeeting changes a meeting (PATCH /meetings/{id}).
func (c *Client) UpdatePartnerMeeting(ctx context.Context, id string, u MeetingUpdate) (*PartnerMeeting, error) {
	var out PartnerMeeting
	if err := c.do(ctx, request{method: http.MethodPatch, path: meetingPath(id), json: u}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ExportTranscript downloads a meeting's transcript as SRT; it returns
// the bytes and their content type.
func (c *Client) ExportTranscript(ctx context.Context, id, format string) ([]byte, string, error) {
	v := url.Values{}
	setIf(v, "format", format)
	r := request{method: http.MethodGet, path: meetingPath(id, "transcript", "export"), query: v}
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", r.path, err)
	}
	if resp.StatusCode >= 300 {
		return nil, "", decodeError(resp, body)
	}
	return body, resp.Header.Get("Content-Type"), nil
}

// MeetingParticipant is a participant of a meeting.
type MeetingParticipant struct {
	ID         string  `json:"id"`
	MeetingID  string  `json:"meeting_id"`
	UserID     *string `json:"user_id"`
	Name       string  `json:"name"`
	Email      string  `json:"email"`
	Role       string  `json:"role"`
	IsAttended bool    `json:"is_attended"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
}

// NewParticipant is the body of POST /meetings/{id}/participants.
type NewParticipant struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// MeetingParticipants lists a meeting's participants.
func (c *Client) MeetingParticipants(ctx context.Context, meetingID string) (*PartnerList[MeetingParticipant], error) {
	var out PartnerList[MeetingParticipant]
	if err := c.do(ctx, request{method: http.MethodGet, path: meetingPath(meetingID, "participants")}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AddMeetingParticipant invites a user or guest to a meeting.
func (c *Client) AddMeetingParticipant(ctx context.Context, meetingID string, p NewParticipant) (*MeetingParticipant, error) {
	var out MeetingParticipant
	if err := c.do(ctx, request{method: http.MethodPost, path: meetingPath(meetingID, "participants"), json: p}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RemoveMeetingParticipant takes a participant off a meeting.
func (c *Client) RemoveMeetingParticipant(ctx context.Context, meetingID, participantID string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: meetingPath(meetingID, "participants", participantID)}, nil)
}

// AgendaItem is an item of a meeting's agenda.
type AgendaItem struct {
	ID                    string   `json:"id"`
	MeetingID             string   `json:"meeting_id"`
	Title                 string   `json:"title"`
	Description           string   `json:"description"`
	ItemType              string   `json:"item_type"`
	Status                string   `json:"status"`
	Sequence              string   `json:"sequence"`
	TimeAllocationMinutes float64  `json:"time_allocation_minutes"`
	Presenters            []string `json:"presenters"`
	RestrictedToLeads     bool     `json:"restricted_to_leads"`
	TalkingPoints         *string  `json:"talking_points"`
	CreatedAt             string   `json:"created_at"`
	UpdatedAt             string   `json:"updated_at"`
}

// AgendaItemFields is the body of creating (item_type and title required)
// or updating an agenda item; nil fields are left out.
type AgendaItemFields struct {
	ItemType              *string  `json:"item_type,omitempty"`
	Title                 *string  `json:"title,omitempty"`
	Description           *string  `json:"description,omitempty"`
	Status                *string  `json:"status,omitempty"`
	TimeAllocationMinutes *float64 `json:"time_allocation_minutes,omitempty"`
	Presenters            []string `json:"presenters,omitempty"`
	RestrictedToLeads     *bool    `json:"restricted_to_leads,omitempty"`
	TalkingPoints         *string  `json:"talking_points,omitempty"`
}

// AgendaItems lists a meeting's agenda as the caller may see it.
func (c *Client) AgendaItems(ctx context.Context, meetingID string) (*PartnerList[AgendaItem], error) {
	var out PartnerList[AgendaItem]
	if err := c.do(ctx, request{method: http.MethodGet, path: meetingPath(meetingID, "agenda-items")}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateAgendaItem appends an item to a meeting's agenda.
func (c *Client) CreateAgendaItem(ctx context.Context, meetingID string, f AgendaItemFields) (*AgendaItem, error) {
	var out AgendaItem
	if err := c.do(ctx, request{method: http.MethodPost, path: meetingPath(meetingID, "agenda-items"), json: f}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateAgendaItem changes an agenda item (PUT, partial).
func (c *Client) UpdateAgendaItem(ctx context.Context, meetingID, itemID string, f AgendaItemFields) (*AgendaItem, error) {
	var out AgendaItem
	if err := c.do(ctx, request{method: http.MethodPut, path: meetingPath(meetingID, "agenda-items", itemID), json: f}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteAgendaItem removes an agenda item.
func (c *Client) DeleteAgendaItem(ctx context.Context, meetingID, itemID string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: meetingPath(meetingID, "agenda-items", itemID)}, nil)
}
