package meeting

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/page"
)

// DefaultExternalTitle names a meeting created through the Meetings API
// without a title.
const DefaultExternalTitle = "New External Meeting"

// External is a meeting as the Meetings API shows it: the meeting with the
// figures read from its related rows.
type External struct {
	Meeting
	Location     string
	FromCalendar bool
	// CalendarSnapshot is the calendar event as the client sent it (JSON),
	// empty when there is none.
	CalendarSnapshot string
	TopicID          int64
	SpeakerCount     int
	SourceURL        string
	BotMeetingURL    string
	BotJoinAt        time.Time
	RecordingFormat  string
	// RecordingSeconds is zero when no recording is stored.
	RecordingSeconds float64
	SummaryComplete  bool
	HostID           int64
	HostName         string
	HostEmail        string
	ParticipantCount int
	// Speakers is the number of distinct speakers of the transcript.
	Speakers int
	// TranscriptSeconds is the end of the transcript's last segment.
	TranscriptSeconds float64
}

// DurationSeconds is the recording's length, else the transcript's, else
// the planned length.
func (e External) DurationSeconds() float64 {
	switch {
	case e.RecordingSeconds > 0:
		return e.RecordingSeconds
	case e.TranscriptSeconds > 0:
		return e.TranscriptSeconds
	case !e.StartTime.IsZero() && e.EndTime.After(e.StartTime):
		return e.EndTime.Sub(e.StartTime).Seconds()
	}
	return 0
}

// Phase is the meeting's status in the Meetings API's words: "scheduled"
// until it starts, "in_progress" while it runs or is processed, "past" after.
func (e External) Phase(now time.Time) string {
	switch e.Status {
	case StatusInProgress:
		return "in_progress"
	case StatusEnded, StatusCompleted:
		return "past"
	}
	if e.BotJoinAt.After(now) || e.StartTime.After(now) {
		return "scheduled"
	}
	return "past"
}

// ExternalFilter narrows the Meetings API's list. Zero values do not filter.
type ExternalFilter struct {
	Title string
	// ParticipantUserIDs matches meetings with ANY of these users.
	ParticipantUserIDs []int64
	// CreatedFrom is inclusive, CreatedBefore exclusive.
	CreatedFrom, CreatedBefore time.Time
	SummaryComplete            *bool
	FromCalendar               *bool
}

// ListExternal pages through the meetings of orgIDs (the caller's reachable
// organizations), newest start time first, with an exact total.
func (s *Service) ListExternal(ctx context.Context, orgIDs []int64, f ExternalFilter, r page.Request) (page.Page[External], error) {
	if len(orgIDs) == 0 {
		return page.Page[External]{Items: []External{}, Limit: r.Limit, Offset: r.Offset}, nil
	}
	return s.store.listExternal(ctx, orgIDs, f, r)
}

// GetExternal loads a meeting of orgIDs by its integer id; a meeting of
// any other organization is not found.
func (s *Service) GetExternal(ctx context.Context, orgIDs []int64, id int64) (External, error) {
	if len(orgIDs) == 0 {
		return External{}, fault.NotFound("meeting")
	}
	return s.store.external(ctx, orgIDs, id)
}

// Participant is a person in a meeting.
type Participant struct {
	ID     int64
	UserID int64
	Name   string
	Email  string
	Role   Role
}

// Participants lists a meeting's participants in the order they were added.
func (s *Service) Participants(ctx context.Context, c caller.Caller, meetingID int64) ([]Participant, error) {
	return s.store.participants(ctx, c.OrgID, meetingID)
}

// ExternalDraft is a meeting created through the Meetings API. The caller
// (handler) has checked the organization; everything else is checked here.
type ExternalDraft struct {
	Title     string
	StartTime string
	// TopicID chooses the language; 0 for none.
	TopicID       int64
	Participants  []string
	BotMeetingURL string
	FileURL       string
	BotJoinAt     string
	// SpeakerCount is nil when not sent.
	SpeakerCount *int
	// CalendarEvent is the calendar event snapshot (JSON), or nil.
	CalendarEvent json.RawMessage
	// UserID attributes the meeting to a member of the organization; 0
	// makes an owner or admin of the organization its creator.
	UserID    int64
	UserEmail string
}

func (d *ExternalDraft) validate(now time.Time) (start, joinAt time.Time, err error) {
	if d.BotMeetingURL != "" && d.FileURL != "" {
		return start, joinAt, fault.Invalid("non_field_errors", "invalid", "Provide either bot_meeting_url or file_url, not both.")
	}
	for _, f := range []struct{ name, value string }{{"title", d.Title}, {"bot_meeting_url", d.BotMeetingURL}, {"file_url", d.FileURL}} {
		if err := ValidText(f.name, f.value); err != nil {
			return start, joinAt, err
		}
	}
	for _, u := range []struct{ name, value string }{{"bot_meeting_url", d.BotMeetingURL}, {"file_url", d.FileURL}} {
		if u.value != "" && !strings.HasPrefix(u.value, "https://") && !strings.HasPrefix(u.value, "http://") {
			return start, joinAt, fault.Invalid(u.name, "invalid", "Enter a valid URL.")
		}
	}
	if d.SpeakerCount != nil && *d.SpeakerCount < 1 {
		return start, joinAt, fault.Invalid("speaker_count", "min_value", "Ensure this value is greater than or equal to 1.")
	}
	if d.BotJoinAt != "" {
		if d.BotMeetingURL == "" {
			return start, joinAt, fault.Invalid("bot_join_at", "invalid", "bot_join_at needs bot_meeting_url.")
		}
		if joinAt, err = parseMeetingTime("bot_join_at", d.BotJoinAt); err != nil {
			return start, joinAt, err
		}
		if !joinAt.After(now) {
			return start, joinAt, fault.Invalid("bot_join_at", "invalid", "bot_join_at must be in the future.")
		}
	}
	start = now
	if d.StartTime != "" {
		if start, err = parseMeetingTime("start_time", d.StartTime); err != nil {
			return start, joinAt, err
		}
	}
	if len(d.CalendarEvent) > 0 {
		var ev struct {
			EventID string `json:"event_id"`
		}
		if json.Unmarshal(d.CalendarEvent, &ev) != nil || strings.TrimSpace(ev.EventID) == "" {
			return start, joinAt, fault.Invalid("calendar_event", "required", "calendar_event.event_id is required.")
		}
	}
	return start, joinAt, nil
}

// CreateExternal creates a meeting in the caller's organization for the
// Meetings API and emits meeting.created in the same transaction. Importing
// the file or scheduling the bot is the caller's next step.
func (s *Service) CreateExternal(ctx context.Context, c caller.Caller, d ExternalDraft) (External, error) {
	now := s.now()
	start, joinAt, err := d.validate(now)
	if err != nil {
		return External{}, err
	}
	if strings.TrimSpace(d.Title) == "" {
		d.Title = DefaultExternalTitle
	}
	title, err := validTitle(d.Title)
	if err != nil {
		return External{}, err
	}
	m := Meeting{UUID: uuid.NewString(), OrgID: c.OrgID, Title: title, StartTime: start, Status: StatusDraft,
		DetailLevel: DetailStandard, CreatedBy: c.UserRef, CreatedAt: now, UpdatedAt: now}
	switch {
	case d.BotMeetingURL != "" && !joinAt.IsZero(), start.After(now):
		m.Status = StatusScheduled
	case d.BotMeetingURL != "", d.FileURL != "":
		m.Status = StatusInProgress
	}
	ext := External{Meeting: m, CalendarSnapshot: string(d.CalendarEvent), FromCalendar: len(d.CalendarEvent) > 0,
		TopicID: d.TopicID, SourceURL: d.FileURL, BotMeetingURL: d.BotMeetingURL, BotJoinAt: joinAt}
	if d.SpeakerCount != nil {
		ext.SpeakerCount = *d.SpeakerCount
	}
	if d.UserEmail != "" {
		ext.CreatedBy = d.UserEmail
	}
	var id int64
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if d.TopicID != 0 {
			lang, err := s.store.topicLanguage(ctx, tx.Tx, c.OrgID, d.TopicID)
			if err != nil {
				return err
			}
			ext.Language = lang
		}
		creator := d.UserID
		if creator == 0 {
			if creator, err = s.store.orgAdmin(ctx, tx.Tx, c.OrgID); err != nil {
				return err
			}
		}
		if err := s.store.insert(ctx, tx.Tx, &ext.Meeting, creator); err != nil {
			return err
		}
		if err := s.store.setExternal(ctx, tx.Tx, ext); err != nil {
			return err
		}
		if err := s.store.insertCreator(ctx, tx.Tx, ext.Meeting, creator, uuid.NewString()); err != nil {
			return err
		}
		for _, email := range d.Participants {
			email = strings.ToLower(strings.TrimSpace(email))
			if email == "" || !validText(email) || len(email) > 320 {
				continue
			}
			if err := s.store.invite(ctx, tx.Tx, ext.Meeting, Invitee{Email: email, Name: email, Role: RoleViewer}, uuid.NewString()); err != nil {
				return err
			}
		}
		m, err := s.store.txByID(ctx, tx.Tx, c.OrgID, ext.ID)
		if err != nil {
			return err
		}
		id = m.ID
		return s.emitCreated(ctx, tx, c, m)
	})
	if err != nil {
		return External{}, err
	}
	return s.GetExternal(ctx, []int64{c.OrgID}, id)
}

// Topic is a meeting context of an organization; it sets the language.
type Topic struct {
	ID       int64
	OrgID    int64
	Name     string
	Alias    string
	Language string
}

// AddTopic adds a topic to an organization (the admin CLI).
func (s *Service) AddTopic(ctx context.Context, c caller.Caller, name, alias, language string) (Topic, error) {
	t := Topic{OrgID: c.OrgID, Name: strings.TrimSpace(name), Alias: strings.TrimSpace(alias), Language: strings.TrimSpace(language)}
	if t.Name == "" {
		return Topic{}, fault.Invalid("name", "required", "a topic needs a name")
	}
	if t.Language == "" || len(t.Language) > 35 {
		return Topic{}, fault.Invalid("language", "invalid", "language must be a BCP 47 tag such as en or id")
	}
	if t.Alias == "" {
		t.Alias = strings.ToLower(strings.ReplaceAll(t.Name, " ", "-"))
	}
	for _, f := range []struct{ name, value string }{{"name", t.Name}, {"alias", t.Alias}, {"language", t.Language}} {
		if err := ValidText(f.name, f.value); err != nil {
			return Topic{}, err
		}
	}
	return s.store.insertTopic(ctx, t, s.now())
}

// Topics lists the topics of orgIDs, by organization then id.
func (s *Service) Topics(ctx context.Context, orgIDs []int64) ([]Topic, error) {
	if len(orgIDs) == 0 {
		return []Topic{}, nil
	}
	return s.store.topics(ctx, orgIDs)
}

// SetRecording records the stored recording of a meeting: its format and
// length. The media pipeline calls it once the file is stored and probed.
func (s *Service) SetRecording(ctx context.Context, c caller.Caller, id int64, format string, seconds float64) error {
	return s.store.setRecording(ctx, c.OrgID, id, format, seconds, s.now())
}
