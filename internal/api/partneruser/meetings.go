package partneruser

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/meeting"
)

// PartnerMeeting is the Partner API's meeting.
type PartnerMeeting struct {
	ID              string  `json:"id"`
	Title           string  `json:"title"`
	StartTime       *string `json:"start_time,omitempty"`
	EndTime         *string `json:"end_time,omitempty"`
	Status          string  `json:"status" enum:"draft,scheduled,in_progress,ended,completed"`
	DetailLevel     string  `json:"detail_level"`
	IsInstant       bool    `json:"is_instant"`
	TemplateID      *string `json:"template_id,omitempty"`
	CalendarEventID *string `json:"calendar_event_id,omitempty"`
	WorkspaceID     string  `json:"workspace_id"`
	// CreatedByUserID is empty for a meeting imported by an app's end user
	// rather than created by a Quorum user.
	CreatedByUserID string  `json:"created_by_user_id"`
	CompletedAt     *string `json:"completed_at,omitempty"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
}

func toMeeting(ctx context.Context, m meeting.Meeting) PartnerMeeting {
	return PartnerMeeting{ID: m.UUID, Title: m.Title, StartTime: rest.TimePtr(ctx, m.StartTime), EndTime: rest.TimePtr(ctx, m.EndTime),
		Status: string(m.Status), DetailLevel: string(m.DetailLevel), IsInstant: m.IsInstant, TemplateID: strPtr(m.TemplateID),
		CalendarEventID: strPtr(m.CalendarEventID), WorkspaceID: m.OrgUUID, CreatedByUserID: m.CreatorUUID,
		CompletedAt: rest.TimePtr(ctx, m.CompletedAt), CreatedAt: rest.Time(ctx, m.CreatedAt), UpdatedAt: rest.Time(ctx, m.UpdatedAt)}
}

type meetingOutput struct{ Body PartnerMeeting }

// MeetingRedirect is the smart-redirect hint GET /meetings/{id} answers for a
// meeting merged into another or copied into the caller's workspace.
type MeetingRedirect struct {
	RedirectToMeetingID string `json:"redirect_to_meeting_id"`
}

// getMeetingOutput is a PartnerMeeting or a MeetingRedirect, as the SDK expects.
type getMeetingOutput struct{ Body any }

type partnerListMeetingsInput struct {
	PageQuery
	StartDate string `query:"start_date" doc:"ISO 8601 date or date-time: meetings starting at or after it"`
	EndDate   string `query:"end_date" doc:"ISO 8601 date or date-time: meetings starting at or before it (a date covers its whole day)"`
}

type listMeetingsOutput struct{ Body List[PartnerMeeting] }

type partnerCreateMeetingInput struct {
	Body struct {
		Title       string  `json:"title" doc:"1 to 255 characters"`
		StartTime   *string `json:"start_time,omitempty" doc:"RFC 3339"`
		EndTime     *string `json:"end_time,omitempty" doc:"RFC 3339"`
		TemplateID  *string `json:"template_id,omitempty"`
		IsInstant   bool    `json:"is_instant,omitempty"`
		DetailLevel *string `json:"detail_level,omitempty" doc:"BULLET_POINTS, STANDARD or VERBATIM"`
	}
}

type partnerUpdateMeetingInput struct {
	MeetingID string `path:"meetingId"`
	Body      struct {
		Title       *string `json:"title,omitempty"`
		StartTime   *string `json:"start_time,omitempty"`
		EndTime     *string `json:"end_time,omitempty"`
		TemplateID  *string `json:"template_id,omitempty"`
		DetailLevel *string `json:"detail_level,omitempty"`
		Status      *string `json:"status,omitempty" doc:"completed ends the meeting; so does an end_time in the past"`
	}
}

type partnerMeetingIDInput struct {
	MeetingID string `path:"meetingId"`
}

type partnerExportInput struct {
	MeetingID string `path:"meetingId"`
	Format    string `query:"format" doc:"srt (the only format)"`
}

type exportOutput struct {
	ContentType string `header:"Content-Type"`
	Body        []byte
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (h *coreHandler) registerMeetings(api huma.API, s *rest.Surface) {
	const tag = "Meetings"
	rest.Register(api, s, rest.Op{ID: "getMeetings", Method: http.MethodGet, Path: "/meetings", Tag: tag,
		Summary: "Meetings of the user's workspace", Scope: "meetings:read"}, h.listMeetings)
	rest.Register(api, s, rest.Op{ID: "createMeeting", Method: http.MethodPost, Path: "/meetings", Tag: tag,
		Summary: "Create a meeting", Scope: "meetings:write", Status: http.StatusCreated}, h.createMeeting)
	rest.Register(api, s, rest.Op{ID: "getPartnerMeeting", Method: http.MethodGet, Path: "/meetings/{meetingId}", Tag: tag,
		Summary: "A meeting, or a redirect hint to the meeting it was merged or copied into", Scope: "meetings:read"}, h.getMeeting)
	rest.Register(api, s, rest.Op{ID: "updateMeeting", Method: http.MethodPatch, Path: "/meetings/{meetingId}", Tag: tag,
		Summary: "Change a meeting", Scope: "meetings:write"}, h.updateMeeting)
	rest.Register(api, s, rest.Op{ID: "exportMeetingTranscript", Method: http.MethodGet, Path: "/meetings/{meetingId}/transcript/export",
		Tag: tag, Summary: "The meeting's transcript as SRT", Scope: "meetings:read", Doc: func(o *huma.Operation) {
			o.Responses = map[string]*huma.Response{"200": {Description: "SRT subtitles", Content: map[string]*huma.MediaType{
				"text/plain": {Schema: &huma.Schema{Type: "string"}}}}}
		}}, h.exportTranscript)
}

// listMeetings serves GET /v1/partner/user/meetings.
func (h *coreHandler) listMeetings(ctx context.Context, c caller.Caller, in *partnerListMeetingsInput) (*listMeetingsOutput, error) {
	p, err := h.meetings.ListPlanned(ctx, c, meeting.Range{StartDate: in.StartDate, EndDate: in.EndDate}, in.Request())
	if err != nil {
		return nil, err
	}
	return &listMeetingsOutput{Body: ListOf(p, func(m meeting.Meeting) PartnerMeeting { return toMeeting(ctx, m) })}, nil
}

// createMeeting serves POST /v1/partner/user/meetings.
func (h *coreHandler) createMeeting(ctx context.Context, c caller.Caller, in *partnerCreateMeetingInput) (*meetingOutput, error) {
	b := in.Body
	m, err := h.meetings.Plan(ctx, c, meeting.Draft{Title: b.Title, StartTime: deref(b.StartTime), EndTime: deref(b.EndTime),
		TemplateID: deref(b.TemplateID), IsInstant: b.IsInstant, DetailLevel: deref(b.DetailLevel)})
	if err != nil {
		return nil, err
	}
	return &meetingOutput{Body: toMeeting(ctx, m)}, nil
}

// getMeeting serves GET /v1/partner/user/meetings/{meetingId}.
func (h *coreHandler) getMeeting(ctx context.Context, c caller.Caller, in *partnerMeetingIDInput) (*getMeetingOutput, error) {
	m, redirect, err := h.meetings.Lookup(ctx, c, in.MeetingID)
	if err != nil {
		return nil, err
	}
	if redirect != "" {
		return &getMeetingOutput{Body: MeetingRedirect{RedirectToMeetingID: redirect}}, nil
	}
	return &getMeetingOutput{Body: toMeeting(ctx, m)}, nil
}

// updateMeeting serves PATCH /v1/partner/user/meetings/{meetingId}.
func (h *coreHandler) updateMeeting(ctx context.Context, c caller.Caller, in *partnerUpdateMeetingInput) (*meetingOutput, error) {
	b := in.Body
	m, err := h.meetings.Update(ctx, c, in.MeetingID, meeting.Patch{Title: b.Title, StartTime: b.StartTime, EndTime: b.EndTime,
		TemplateID: b.TemplateID, DetailLevel: b.DetailLevel, Status: b.Status})
	if err != nil {
		return nil, err
	}
	return &meetingOutput{Body: toMeeting(ctx, m)}, nil
}

// exportTranscript serves GET /v1/partner/user/meetings/{meetingId}/transcript/export.
func (h *coreHandler) exportTranscript(ctx context.Context, c caller.Caller, in *partnerExportInput) (*exportOutput, error) {
	if in.Format != "" && in.Format != "srt" {
		return nil, fault.Invalid("format", "unsupported_format", "the only export format is srt")
	}
	srt, err := h.meetings.ExportSRT(ctx, c, in.MeetingID)
	if err != nil {
		return nil, err
	}
	return &exportOutput{ContentType: "text/plain; charset=utf-8", Body: srt}, nil
}
