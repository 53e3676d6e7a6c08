package client

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// MeetingsAPI calls the Meetings API (/api/auth, /api/v1/external) with a
// bearer token from Token.
type MeetingsAPI struct{ c *Client }

// MeetingsAPI returns the Meetings API calls of c; set the token with
// WithBearer.
func (c *Client) MeetingsAPI() *MeetingsAPI { return &MeetingsAPI{c: c} }

// MeetingsToken is an access token of the Meetings API.
type MeetingsToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// Token gets an access token with client credentials (POST /api/auth/token/).
func (m *MeetingsAPI) Token(ctx context.Context, clientID, clientSecret string) (MeetingsToken, error) {
	var out MeetingsToken
	err := m.c.do(ctx, request{method: "POST", path: "/api/auth/token/", noAuth: true, form: url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {clientSecret}}}, &out)
	return out, err
}

// Revoke revokes an access token (POST /api/auth/revoke-token/).
func (m *MeetingsAPI) Revoke(ctx context.Context, clientID, clientSecret, token string) error {
	return m.c.do(ctx, request{method: "POST", path: "/api/auth/revoke-token/", noAuth: true, form: url.Values{
		"client_id": {clientID}, "client_secret": {clientSecret}, "token": {token}}}, nil)
}

// APIPage is the Meetings API's page envelope.
type APIPage[T any] struct {
	Count    int     `json:"count"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	Results  []T     `json:"results"`
}

// APIMeetingHost is a meeting's creator.
type APIMeetingHost struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// APIMeeting is a meeting of the Meetings API: a list item carries the
// list fields, a detail every field.
type APIMeeting struct {
	ID               int64           `json:"id"`
	Title            string          `json:"title"`
	StartTime        *time.Time      `json:"start_time"`
	EndTime          *time.Time      `json:"end_time"`
	CreatedAt        time.Time       `json:"created_at"`
	Status           string          `json:"status"`
	SummaryComplete  bool            `json:"summary_complete"`
	HostName         string          `json:"host_name,omitempty"`
	Location         string          `json:"location,omitempty"`
	Host             *APIMeetingHost `json:"host,omitempty"`
	Language         string          `json:"language,omitempty"`
	Keywords         []string        `json:"keywords,omitempty"`
	ParticipantCount int             `json:"participant_count,omitempty"`
	DurationSeconds  float64         `json:"duration_seconds,omitempty"`
	NumCluster       int             `json:"num_cluster,omitempty"`
	OrganizationID   int64           `json:"organization_id,omitempty"`
	CalendarEvent    json.RawMessage `json:"calendar_event"`
}

// APIMeetingQuery filters a meeting list; empty fields are not sent.
type APIMeetingQuery struct {
	OrganizationID  string
	Title           string
	Participants    string
	CreatedAfter    string
	CreatedBefore   string
	SummaryComplete string
	FromCalendar    string
	Page            int
	Size            int
}

func (q APIMeetingQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"organization_id": q.OrganizationID, "title": q.Title, "participants": q.Participants,
		"created_after": q.CreatedAfter, "created_before": q.CreatedBefore, "summary_complete": q.SummaryComplete,
		"from_calendar": q.FromCalendar} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if q.Page > 0 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Size > 0 {
		v.Set("size", strconv.Itoa(q.Size))
	}
	return v
}

// ListMeetings returns one page of meetings, newest start time first.
func (m *MeetingsAPI) ListMeetings(ctx context.Context, q APIMeetingQuery) (APIPage[APIMeeting], error) {
	var out APIPage[APIMeeting]
	err := m.c.do(ctx, request{method: "GET", path: "/api/v1/external/meeting/", query: q.values()}, &out)
	return out, err
}

// AllMeetings iterates over every page of the list, following next links.
func (m *MeetingsAPI) AllMeetings(ctx context.Context, q APIMeetingQuery) iter.Seq2[APIMeeting, error] {
	return func(yield func(APIMeeting, error) bool) {
		if q.Page == 0 {
			q.Page = 1
		}
		for {
			p, err := m.ListMeetings(ctx, q)
			if err != nil {
				yield(APIMeeting{}, err)
				return
			}
			for _, it := range p.Results {
				if !yield(it, nil) {
					return
				}
			}
			if p.Next == nil {
				return
			}
			q.Page++
		}
	}
}

// GetMeeting returns one meeting.
func (m *MeetingsAPI) GetMeeting(ctx context.Context, id int64) (APIMeeting, error) {
	var out APIMeeting
	err := m.c.do(ctx, request{method: "GET", path: "/api/v1/external/meeting/" + strconv.FormatInt(id, 10) + "/"}, &out)
	return out, err
}

// APICalendarEvent is a calendar event snapshot.
type APICalendarEvent struct {
	EventID        string           `json:"event_id,omitempty"`
	Summary        string           `json:"summary,omitempty"`
	OrganizerEmail string           `json:"organizer_email,omitempty"`
	Attendees      []map[string]any `json:"attendees,omitempty"`
	MeetingLink    string           `json:"meeting_link,omitempty"`
	StartTime      string           `json:"start_time,omitempty"`
	EndTime        string           `json:"end_time,omitempty"`
}

// APICreateMeeting is the create body; OrganizationID, TopicID and
// SpeakerCount are sent as given (numbers, or anything to test refusals).
type APICreateMeeting struct {
	OrganizationID any               `json:"organization_id,omitempty"`
	Title          string            `json:"title,omitempty"`
	StartTime      string            `json:"start_time,omitempty"`
	UserToken      string            `json:"user_token,omitempty"`
	TopicID        any               `json:"topic_id,omitempty"`
	Participants   []string          `json:"participants,omitempty"`
	BotMeetingURL  string            `json:"bot_meeting_url,omitempty"`
	FileURL        string            `json:"file_url,omitempty"`
	BotJoinAt      string            `json:"bot_join_at,omitempty"`
	SpeakerCount   any               `json:"speaker_count,omitempty"`
	CalendarEvent  *APICalendarEvent `json:"calendar_event,omitempty"`
}

// CreateMeeting creates a meeting.
func (m *MeetingsAPI) CreateMeeting(ctx context.Context, in APICreateMeeting) (APIMeeting, error) {
	var out APIMeeting
	err := m.c.do(ctx, request{method: "POST", path: "/api/v1/external/meeting/", json: in}, &out)
	return out, err
}

// APITranscript is a meeting's transcript.
type APITranscript struct {
	MeetingID     int64  `json:"meeting_id"`
	Title         string `json:"title"`
	TotalSegments int    `json:"total_segments"`
	Transcripts   []struct {
		Speaker   string  `json:"speaker"`
		Text      string  `json:"text"`
		StartTime float64 `json:"start_time"`
		EndTime   float64 `json:"end_time"`
	} `json:"transcripts"`
}

// APISummary is a meeting's summary.
type APISummary struct {
	MeetingID int64    `json:"meeting_id"`
	Title     string   `json:"title"`
	Summary   *string  `json:"summary"`
	Notes     string   `json:"notes"`
	Keywords  []string `json:"keywords"`
}

// APIParticipants is a meeting's participant list.
type APIParticipants struct {
	MeetingID         int64  `json:"meeting_id"`
	Title             string `json:"title"`
	TotalParticipants int    `json:"total_participants"`
	Participants      []struct {
		ID         *int64 `json:"id"`
		Name       string `json:"name"`
		Email      string `json:"email"`
		Position   string `json:"position"`
		Department string `json:"department"`
	} `json:"participants"`
}

// APIRecording is a meeting's recording.
type APIRecording struct {
	MeetingID    int64    `json:"meeting_id"`
	Title        string   `json:"title"`
	RecordingURL *string  `json:"recording_url"`
	Duration     *float64 `json:"duration"`
	Format       *string  `json:"format"`
}

func (m *MeetingsAPI) sub(ctx context.Context, id int64, part string, out any) error {
	return m.c.do(ctx, request{method: "GET", path: "/api/v1/external/meeting/" + strconv.FormatInt(id, 10) + "/" + part + "/"}, out)
}

// Transcript returns a meeting's transcript.
func (m *MeetingsAPI) Transcript(ctx context.Context, id int64) (APITranscript, error) {
	var out APITranscript
	return out, m.sub(ctx, id, "transcript", &out)
}

// Summary returns a meeting's summary.
func (m *MeetingsAPI) Summary(ctx context.Context, id int64) (APISummary, error) {
	var out APISummary
	return out, m.sub(ctx, id, "summary", &out)
}

// Participants returns a meeting's participants.
func (m *MeetingsAPI) Participants(ctx context.Context, id int64) (APIParticipants, error) {
	var out APIParticipants
	return out, m.sub(ctx, id, "participants", &out)
}

// Recording returns a meeting's recording.
func (m *MeetingsAPI) Recording(ctx context.Context, id int64) (APIRecording, error) {
	var out APIRecording
	return out, m.sub(ctx, id, "recording", &out)
}

// APITopic is a topic.
type APITopic struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	Alias          string `json:"alias"`
	Language       string `json:"language"`
	OrganizationID int64  `json:"organization_id"`
}

// Topics lists topics; organizationID "" means every linked organization.
func (m *MeetingsAPI) Topics(ctx context.Context, organizationID string) ([]APITopic, error) {
	var out []APITopic
	q := url.Values{}
	if organizationID != "" {
		q.Set("organization_id", organizationID)
	}
	err := m.c.do(ctx, request{method: "GET", path: "/api/v1/external/topics/", query: q}, &out)
	return out, err
}

// APIUsage is the usage report.
type APIUsage struct {
	Results []struct {
		OrganizationID   int64    `json:"organization_id"`
		OrganizationName string   `json:"organization_name"`
		CapabilityName   string   `json:"capability_name"`
		Usage            float64  `json:"usage"`
		Quota            *float64 `json:"quota"`
	} `json:"results"`
}

// Usage returns use and quotas per organization and capability.
func (m *MeetingsAPI) Usage(ctx context.Context, organizationID, startDate, endDate string) (APIUsage, error) {
	var out APIUsage
	q := url.Values{}
	for k, v := range map[string]string{"organization_id": organizationID, "start_date": startDate, "end_date": endDate} {
		if v != "" {
			q.Set(k, v)
		}
	}
	err := m.c.do(ctx, request{method: "GET", path: "/api/v1/external/usage/", query: q}, &out)
	return out, err
}

// APIOrganization is an organization the app reaches.
type APIOrganization struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// APIWebhook is a Meetings API webhook.
type APIWebhook struct {
	ID                int64     `json:"id"`
	TargetURL         string    `json:"target_url"`
	SecretKey         string    `json:"secret_key"`
	Events            []string  `json:"events"`
	IsActive          bool      `json:"is_active"`
	Description       string    `json:"description"`
	CreatedAt         time.Time `json:"created_at"`
	OrganizationID    int64     `json:"organization_id"`
	FailureCount      *int64    `json:"failure_count"`
	LastFailureReason *string   `json:"last_failure_reason"`
}

// APICreateWebhook is the create body.
type APICreateWebhook struct {
	TargetURL       string   `json:"target_url,omitempty"`
	Events          []string `json:"events,omitempty"`
	OrganizationIDs []any    `json:"organization_ids,omitempty"`
	Description     string   `json:"description,omitempty"`
}

// APIWebhookEvent is one delivery in the log.
type APIWebhookEvent struct {
	ID             int64     `json:"id"`
	WebhookID      int64     `json:"webhook_id"`
	EventUUID      string    `json:"event_uuid"`
	EventType      string    `json:"event_type"`
	Status         string    `json:"status"`
	ResponseStatus *int      `json:"response_status"`
	AttemptCount   int       `json:"attempt_count"`
	CreatedAt      time.Time `json:"created_at"`
}

// WebhookOrganizations lists the organizations a webhook may be created in.
func (m *MeetingsAPI) WebhookOrganizations(ctx context.Context) ([]APIOrganization, error) {
	var out []APIOrganization
	err := m.c.do(ctx, request{method: "GET", path: "/api/v1/external/webhooks/available-organizations/"}, &out)
	return out, err
}

// CreateWebhooks creates one webhook per organization.
func (m *MeetingsAPI) CreateWebhooks(ctx context.Context, in APICreateWebhook) ([]APIWebhook, error) {
	var out []APIWebhook
	err := m.c.do(ctx, request{method: "POST", path: "/api/v1/external/webhooks/", json: in}, &out)
	return out, err
}

// ListWebhooks returns one page of webhooks.
func (m *MeetingsAPI) ListWebhooks(ctx context.Context, page, size int) (APIPage[APIWebhook], error) {
	var out APIPage[APIWebhook]
	err := m.c.do(ctx, request{method: "GET", path: "/api/v1/external/webhooks/", query: apiPageQuery(page, size)}, &out)
	return out, err
}

func apiPageQuery(page, size int) url.Values {
	q := url.Values{}
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if size > 0 {
		q.Set("size", strconv.Itoa(size))
	}
	return q
}

// GetWebhook returns a webhook with its failure record.
func (m *MeetingsAPI) GetWebhook(ctx context.Context, id int64) (APIWebhook, error) {
	var out APIWebhook
	err := m.c.do(ctx, request{method: "GET", path: "/api/v1/external/webhooks/" + strconv.FormatInt(id, 10) + "/"}, &out)
	return out, err
}

// DeleteWebhook deletes a webhook.
func (m *MeetingsAPI) DeleteWebhook(ctx context.Context, id int64) error {
	return m.c.do(ctx, request{method: "DELETE", path: "/api/v1/external/webhooks/" + strconv.FormatInt(id, 10) + "/"}, nil)
}

// WebhookEvents returns one page of the delivery log; webhookID 0 lists
// every webhook's.
func (m *MeetingsAPI) WebhookEvents(ctx context.Context, webhookID int64, page, size int) (APIPage[APIWebhookEvent], error) {
	var out APIPage[APIWebhookEvent]
	q := apiPageQuery(page, size)
	if webhookID != 0 {
		q.Set("webhook_id", strconv.FormatInt(webhookID, 10))
	}
	err := m.c.do(ctx, request{method: "GET", path: "/api/v1/external/webhook-events/", query: q}, &out)
	return out, err
}

// WebhookEvent returns one delivery of the log.
func (m *MeetingsAPI) WebhookEvent(ctx context.Context, id int64) (APIWebhookEvent, error) {
	var out APIWebhookEvent
	err := m.c.do(ctx, request{method: "GET", path: "/api/v1/external/webhook-events/" + strconv.FormatInt(id, 10) + "/"}, &out)
	return out, err
}
