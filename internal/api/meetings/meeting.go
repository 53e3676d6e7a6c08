package meetings

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
)

// ExtHost is a meeting's creator.
type ExtHost struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// ExtListItem is a meeting in a list.
type ExtListItem struct {
	ID              int64           `json:"id"`
	Title           string          `json:"title"`
	StartTime       *time.Time      `json:"start_time"`
	EndTime         *time.Time      `json:"end_time"`
	CreatedAt       time.Time       `json:"created_at"`
	Status          string          `json:"status"`
	SummaryComplete bool            `json:"summary_complete"`
	HostName        string          `json:"host_name"`
	CalendarEvent   json.RawMessage `json:"calendar_event"`
}

// ExtDetail is one meeting.
type ExtDetail struct {
	ID              int64           `json:"id"`
	Title           string          `json:"title"`
	StartTime       *time.Time      `json:"start_time"`
	EndTime         *time.Time      `json:"end_time"`
	CreatedAt       time.Time       `json:"created_at"`
	Location        string          `json:"location"`
	Status          string          `json:"status"`
	SummaryComplete bool            `json:"summary_complete"`
	Host            *ExtHost        `json:"host"`
	Language        string          `json:"language"`
	Keywords        []string        `json:"keywords"`
	ParticipantCnt  int             `json:"participant_count"`
	DurationSeconds float64         `json:"duration_seconds"`
	NumCluster      int             `json:"num_cluster"`
	CalendarEvent   json.RawMessage `json:"calendar_event"`
	OrganizationID  int64           `json:"organization_id"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func snapshot(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func (h *Handler) listItem(e meeting.External) ExtListItem {
	return ExtListItem{ID: e.ID, Title: e.Title, StartTime: timePtr(e.StartTime), EndTime: timePtr(e.EndTime),
		CreatedAt: e.CreatedAt.UTC(), Status: e.Phase(h.now()), SummaryComplete: e.SummaryComplete, HostName: e.HostName,
		CalendarEvent: snapshot(e.CalendarSnapshot)}
}

func (h *Handler) detail(ctx context.Context, c caller.Caller, e meeting.External) (ExtDetail, error) {
	d := ExtDetail{ID: e.ID, Title: e.Title, StartTime: timePtr(e.StartTime), EndTime: timePtr(e.EndTime),
		CreatedAt: e.CreatedAt.UTC(), Location: e.Location, Status: e.Phase(h.now()), SummaryComplete: e.SummaryComplete,
		Language: e.Language, Keywords: []string{}, ParticipantCnt: e.ParticipantCount, DurationSeconds: e.DurationSeconds(),
		NumCluster: e.Speakers, CalendarEvent: snapshot(e.CalendarSnapshot), OrganizationID: e.OrgID}
	if e.HostID != 0 {
		d.Host = &ExtHost{ID: e.HostID, Name: e.HostName, Email: e.HostEmail}
	}
	if e.SummaryComplete && h.Insight != nil {
		// A complete summary is stored, so this reads it without model work.
		sum, err := h.Insight.Summary(ctx, inOrg(c, e.OrgID), e.UUID)
		if err != nil {
			return ExtDetail{}, err
		}
		if sum.Keywords != nil {
			d.Keywords = sum.Keywords
		}
	}
	return d, nil
}

type listInput struct {
	OrganizationID  string `query:"organization_id"`
	Title           string `query:"title"`
	Participants    string `query:"participants" doc:"comma-separated user ids; matches ANY"`
	CreatedAfter    string `query:"created_after" doc:"YYYY-MM-DD, inclusive"`
	CreatedBefore   string `query:"created_before" doc:"YYYY-MM-DD, inclusive"`
	SummaryComplete string `query:"summary_complete"`
	FromCalendar    string `query:"from_calendar"`
	Paging
}

func (in *listInput) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"organization_id": in.OrganizationID, "title": in.Title, "participants": in.Participants,
		"created_after": in.CreatedAfter, "created_before": in.CreatedBefore, "summary_complete": in.SummaryComplete,
		"from_calendar": in.FromCalendar, "size": in.Size} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

func parseBool(field, s string) (*bool, error) {
	switch strings.ToLower(s) {
	case "":
		return nil, nil
	case "true", "1", "yes":
		b := true
		return &b, nil
	case "false", "0", "no":
		b := false
		return &b, nil
	}
	return nil, fault.Invalid(field, "invalid", "Must be a valid boolean.")
}

func parseDate(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fault.Invalid(field, "invalid", "Enter a valid date (YYYY-MM-DD).")
	}
	return t, nil
}

func (in *listInput) filter() (meeting.ExternalFilter, error) {
	f := meeting.ExternalFilter{Title: in.Title}
	var err error
	if in.Participants != "" {
		for _, p := range strings.Split(in.Participants, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			id, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return f, fault.Invalid("participants", "invalid", "Enter a comma-separated list of user ids.")
			}
			f.ParticipantUserIDs = append(f.ParticipantUserIDs, id)
		}
	}
	if f.CreatedFrom, err = parseDate("created_after", in.CreatedAfter); err != nil {
		return f, err
	}
	before, err := parseDate("created_before", in.CreatedBefore)
	if err != nil {
		return f, err
	}
	if !before.IsZero() {
		f.CreatedBefore = before.AddDate(0, 0, 1)
	}
	if f.SummaryComplete, err = parseBool("summary_complete", in.SummaryComplete); err != nil {
		return f, err
	}
	if f.FromCalendar, err = parseBool("from_calendar", in.FromCalendar); err != nil {
		return f, err
	}
	return f, nil
}

type listOutput struct{ Body *ExtPage[ExtListItem] }

type idInput struct {
	ID string `path:"id"`
}

type detailOutput struct{ Body ExtDetail }

// ExtCalendarEvent is the calendar event snapshot sent on create.
type ExtCalendarEvent struct {
	EventID        string        `json:"event_id,omitempty"`
	Summary        string        `json:"summary,omitempty"`
	OrganizerEmail string        `json:"organizer_email,omitempty"`
	Attendees      []ExtAttendee `json:"attendees,omitempty"`
	MeetingLink    string        `json:"meeting_link,omitempty"`
	StartTime      string        `json:"start_time,omitempty"`
	EndTime        string        `json:"end_time,omitempty"`
}

// ExtAttendee is an invitee of a calendar event.
type ExtAttendee struct {
	Email          string `json:"email,omitempty"`
	DisplayName    string `json:"display_name,omitempty"`
	ResponseStatus string `json:"response_status,omitempty"`
}

// ExtCreateMeeting is the create body. Numbers are read loosely so that a
// wrong type is answered as a field error rather than a decoding error.
type ExtCreateMeeting struct {
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
	CalendarEvent  *ExtCalendarEvent `json:"calendar_event,omitempty"`
}

type createInput struct{ Body ExtCreateMeeting }

// integer reads a JSON number or numeric string as an integer; absent is 0
// with ok false.
func integer(field string, v any) (n int64, ok bool, err error) {
	bad := fault.Invalid(field, "invalid", "A valid integer is required.")
	switch x := v.(type) {
	case nil:
		return 0, false, nil
	case float64:
		if x != float64(int64(x)) {
			return 0, false, bad
		}
		return int64(x), true, nil
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return 0, false, bad
		}
		return n, true, nil
	}
	return 0, false, bad
}

func (h *Handler) registerMeetings(api huma.API) {
	rest.Register(api, h.Surface, op("list-meetings", "GET", External+"/meeting", "List meetings", "Meetings"), h.list)
	rest.Register(api, h.Surface, op("create-meeting", "POST", External+"/meeting", "Create a meeting", "Meetings"), h.create)
	rest.Register(api, h.Surface, op("get-meeting", "GET", External+"/meeting/{id}", "Get a meeting", "Meetings"), h.get)
	rest.Register(api, h.Surface, op("get-transcript", "GET", External+"/meeting/{id}/transcript", "Get a meeting's transcript", "Meetings"), h.transcript)
	rest.Register(api, h.Surface, op("get-summary", "GET", External+"/meeting/{id}/summary", "Get a meeting's summary", "Meetings"), h.summary)
	rest.Register(api, h.Surface, op("get-participants", "GET", External+"/meeting/{id}/participants", "Get a meeting's participants", "Meetings"), h.participants)
	rest.Register(api, h.Surface, op("get-recording", "GET", External+"/meeting/{id}/recording", "Get a meeting's recording", "Meetings"), h.recording)
	rest.Register(api, h.Surface, op("list-topics", "GET", External+"/topics", "List topics", "Meetings"), h.topics)
}

// list serves GET /api/v1/external/meeting/.
func (h *Handler) list(ctx context.Context, c caller.Caller, in *listInput) (*listOutput, error) {
	orgs, err := h.orgs(ctx, c, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	f, err := in.filter()
	if err != nil {
		return nil, err
	}
	number, size, err := in.offset()
	if err != nil {
		return nil, err
	}
	p, err := h.Meetings.ListExternal(ctx, orgs, f, page.Request{Offset: (number - 1) * size, Limit: size})
	if err != nil {
		return nil, err
	}
	items := make([]ExtListItem, len(p.Items))
	for i, e := range p.Items {
		items[i] = h.listItem(e)
	}
	body, err := envelope(h.PublicURL, External+"/meeting", in.query(), number, size, p.Total, items)
	if err != nil {
		return nil, err
	}
	return &listOutput{Body: body}, nil
}

// load finds a meeting in any organization the caller reaches.
func (h *Handler) load(ctx context.Context, c caller.Caller, rawID string) (meeting.External, error) {
	id, err := meetingID(rawID)
	if err != nil {
		return meeting.External{}, err
	}
	orgs, err := h.orgs(ctx, c, "")
	if err != nil {
		return meeting.External{}, err
	}
	return h.Meetings.GetExternal(ctx, orgs, id)
}

// get serves GET /api/v1/external/meeting/{id}/.
func (h *Handler) get(ctx context.Context, c caller.Caller, in *idInput) (*detailOutput, error) {
	e, err := h.load(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	d, err := h.detail(ctx, c, e)
	if err != nil {
		return nil, err
	}
	return &detailOutput{Body: d}, nil
}

// create serves POST /api/v1/external/meeting/.
func (h *Handler) create(ctx context.Context, c caller.Caller, in *createInput) (*detailOutput, error) {
	b := in.Body
	orgID, ok, err := integer("organization_id", b.OrganizationID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fault.Invalid("organization_id", "required", "This field is required.")
	}
	if orgID < 1 {
		return nil, fault.Invalid("organization_id", "min_value", "Ensure this value is greater than or equal to 1.")
	}
	if _, err := h.orgs(ctx, c, strconv.FormatInt(orgID, 10)); err != nil {
		return nil, err
	}
	c = inOrg(c, orgID)
	d := meeting.ExternalDraft{Title: b.Title, StartTime: b.StartTime, Participants: b.Participants,
		BotMeetingURL: strings.TrimSpace(b.BotMeetingURL), FileURL: strings.TrimSpace(b.FileURL), BotJoinAt: b.BotJoinAt}
	if d.TopicID, _, err = integer("topic_id", b.TopicID); err != nil {
		return nil, err
	}
	if n, ok, err := integer("speaker_count", b.SpeakerCount); err != nil {
		return nil, err
	} else if ok {
		sc := int(max(min(n, 1<<20), -1))
		d.SpeakerCount = &sc
	}
	if b.CalendarEvent != nil {
		if d.CalendarEvent, err = json.Marshal(b.CalendarEvent); err != nil {
			return nil, err
		}
	}
	if b.UserToken != "" {
		if d.UserID, d.UserEmail, err = h.Tokens.PersonalUser(ctx, orgID, b.UserToken); err != nil {
			return nil, err
		}
		c.UserID, c.UserRef = d.UserID, d.UserEmail
	}
	e, err := h.Meetings.CreateExternal(ctx, c, d)
	if err != nil {
		return nil, err
	}
	switch {
	case d.FileURL != "" && h.Media == nil:
		warnSkipped(ctx, "the media pipeline", e)
	case d.FileURL != "":
		if err := h.Media.ImportURL(ctx, c, e.UUID, d.FileURL); err != nil {
			return nil, err
		}
	case d.BotMeetingURL != "" && h.Bots == nil:
		warnSkipped(ctx, "the meeting bot", e)
	case d.BotMeetingURL != "":
		if err := h.Bots.Schedule(ctx, c, e.UUID, d.BotMeetingURL, e.BotJoinAt); err != nil {
			return nil, err
		}
	}
	out, err := h.detail(ctx, c, e)
	if err != nil {
		return nil, err
	}
	return &detailOutput{Body: out}, nil
}

// ExtSegment is one timed transcript segment.
type ExtSegment struct {
	Speaker   string  `json:"speaker"`
	Text      string  `json:"text"`
	StartTime float64 `json:"start_time"`
	EndTime   float64 `json:"end_time"`
}

// ExtTranscript is a meeting's transcript.
type ExtTranscript struct {
	MeetingID     int64        `json:"meeting_id"`
	Title         string       `json:"title"`
	TotalSegments int          `json:"total_segments"`
	Transcripts   []ExtSegment `json:"transcripts"`
}

type transcriptOutput struct{ Body ExtTranscript }

// transcript serves GET /api/v1/external/meeting/{id}/transcript/.
func (h *Handler) transcript(ctx context.Context, c caller.Caller, in *idInput) (*transcriptOutput, error) {
	e, err := h.load(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	segs, err := h.Meetings.Segments(ctx, e.Meeting)
	if err != nil {
		return nil, err
	}
	out := ExtTranscript{MeetingID: e.ID, Title: e.Title, TotalSegments: len(segs), Transcripts: make([]ExtSegment, len(segs))}
	for i, s := range segs {
		out.Transcripts[i] = ExtSegment{Speaker: s.Speaker, Text: s.Text, StartTime: s.Start, EndTime: s.End}
	}
	// Segments are stored in spoken order; a stable sort keeps ties in it.
	sortByStart(out.Transcripts)
	return &transcriptOutput{Body: out}, nil
}

// ExtSummary is a meeting's summary.
type ExtSummary struct {
	MeetingID int64    `json:"meeting_id"`
	Title     string   `json:"title"`
	Summary   *string  `json:"summary"`
	Notes     string   `json:"notes"`
	Keywords  []string `json:"keywords"`
}

type summaryOutput struct{ Body ExtSummary }

// summary serves GET /api/v1/external/meeting/{id}/summary/. A meeting
// without a transcript has no summary yet: summary is null.
func (h *Handler) summary(ctx context.Context, c caller.Caller, in *idInput) (*summaryOutput, error) {
	e, err := h.load(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	out := ExtSummary{MeetingID: e.ID, Title: e.Title, Keywords: []string{}}
	if e.SegmentCount == 0 || h.Insight == nil {
		return &summaryOutput{Body: out}, nil
	}
	sum, err := h.Insight.Summary(ctx, inOrg(c, e.OrgID), e.UUID)
	if err != nil {
		return nil, err
	}
	out.Summary, out.Notes = &sum.Summary, sum.SummaryText
	if sum.Keywords != nil {
		out.Keywords = sum.Keywords
	}
	return &summaryOutput{Body: out}, nil
}

// ExtPersonOut is a meeting participant.
type ExtPersonOut struct {
	ID         *int64 `json:"id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Position   string `json:"position"`
	Department string `json:"department"`
}

// ExtParticipants is a meeting's participant list.
type ExtParticipants struct {
	MeetingID         int64          `json:"meeting_id"`
	Title             string         `json:"title"`
	TotalParticipants int            `json:"total_participants"`
	Participants      []ExtPersonOut `json:"participants"`
}

type participantsOutput struct{ Body ExtParticipants }

// participants serves GET /api/v1/external/meeting/{id}/participants/; id
// is the user id of participants who are Quorum users, else null.
func (h *Handler) participants(ctx context.Context, c caller.Caller, in *idInput) (*participantsOutput, error) {
	e, err := h.load(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	ps, err := h.Meetings.Participants(ctx, inOrg(c, e.OrgID), e.ID)
	if err != nil {
		return nil, err
	}
	out := ExtParticipants{MeetingID: e.ID, Title: e.Title, TotalParticipants: len(ps), Participants: make([]ExtPersonOut, len(ps))}
	for i, p := range ps {
		po := ExtPersonOut{Name: p.Name, Email: p.Email}
		if p.UserID != 0 {
			uid := p.UserID
			po.ID = &uid
		}
		out.Participants[i] = po
	}
	return &participantsOutput{Body: out}, nil
}

// ExtRecording is a meeting's stored recording.
type ExtRecording struct {
	MeetingID    int64    `json:"meeting_id"`
	Title        string   `json:"title"`
	RecordingURL *string  `json:"recording_url"`
	Duration     *float64 `json:"duration"`
	Format       *string  `json:"format"`
}

type recordingOutput struct{ Body ExtRecording }

// recording serves GET /api/v1/external/meeting/{id}/recording/; the
// bytes are served, with Range support, by the media pipeline at
// recording_url.
func (h *Handler) recording(ctx context.Context, c caller.Caller, in *idInput) (*recordingOutput, error) {
	e, err := h.load(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	out := ExtRecording{MeetingID: e.ID, Title: e.Title}
	if e.RecordingFormat != "" {
		u := h.PublicURL + "/api" + External + "/meetings/" + strconv.FormatInt(e.ID, 10) + "/recording/file/"
		d, f := e.RecordingSeconds, e.RecordingFormat
		out.RecordingURL, out.Duration, out.Format = &u, &d, &f
	}
	return &recordingOutput{Body: out}, nil
}

// ExtTopic is a meeting context; it sets the language.
type ExtTopic struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	Alias          string `json:"alias"`
	Language       string `json:"language"`
	OrganizationID int64  `json:"organization_id"`
}

type orgInput struct {
	OrganizationID string `query:"organization_id"`
}

type topicsOutput struct{ Body []ExtTopic }

// topics serves GET /api/v1/external/topics/: a plain array.
func (h *Handler) topics(ctx context.Context, c caller.Caller, in *orgInput) (*topicsOutput, error) {
	orgs, err := h.orgs(ctx, c, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	ts, err := h.Meetings.Topics(ctx, orgs)
	if err != nil {
		return nil, err
	}
	out := make([]ExtTopic, len(ts))
	for i, t := range ts {
		out[i] = ExtTopic{ID: t.ID, Name: t.Name, Alias: t.Alias, Language: t.Language, OrganizationID: t.OrgID}
	}
	return &topicsOutput{Body: out}, nil
}
