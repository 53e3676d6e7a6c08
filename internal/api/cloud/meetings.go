package cloud

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/transcript"
)

// Segment is one transcript turn on the wire.
type Segment struct {
	Speaker string  `json:"speaker"`
	Text    string  `json:"text"`
	Start   float64 `json:"start,omitempty"`
	End     float64 `json:"end,omitempty"`
}

func toSegments(in []Segment) []transcript.Segment {
	out := make([]transcript.Segment, len(in))
	for i, s := range in {
		out[i] = transcript.Segment{Speaker: s.Speaker, Text: s.Text, Start: s.Start, End: s.End}
	}
	return out
}

// Meeting is a meeting as the Cloud API shows it.
type Meeting struct {
	ID           string     `json:"id"`
	Title        string     `json:"title"`
	Language     string     `json:"language,omitempty"`
	RoomName     string     `json:"roomName,omitempty"`
	StartTime    *time.Time `json:"startTime,omitempty"`
	SegmentCount int        `json:"segmentCount"`
	CreatedAt    time.Time  `json:"createdAt"`
}

func toMeeting(m meeting.Meeting) Meeting {
	out := Meeting{ID: m.UUID, Title: m.Title, Language: m.Language, RoomName: m.RoomName, SegmentCount: m.SegmentCount, CreatedAt: m.CreatedAt}
	if !m.StartTime.IsZero() {
		out.StartTime = &m.StartTime
	}
	return out
}

type createMeetingInput struct {
	Body struct {
		Title     string     `json:"title"`
		StartTime *time.Time `json:"startTime,omitempty"`
		Language  string     `json:"language,omitempty"`
		RoomName  string     `json:"roomName,omitempty"`
		Segments  []Segment  `json:"segments,omitempty"`
	}
}

type meetingOutput struct{ Body Meeting }

type meetingIDInput struct {
	ID string `path:"id"`
}

type transcriptInput struct {
	ID          string `path:"id"`
	ContentType string `header:"Content-Type"`
	RawBody     []byte `contentType:"text/plain"`
}

type summaryOutput struct{ Body MeetingSummary }

func (h *Handler) registerMeetings(api huma.API) {
	const tag = "Cloud: Meetings"
	rest.Register(api, h.Surface, rest.Op{ID: "importMeeting", Method: http.MethodPost, Path: "/meetings", Tag: tag,
		Summary: "Import a meeting with its transcript", Status: http.StatusCreated, MaxBodyBytes: MaxTranscriptBytes}, h.createMeeting)
	rest.Register(api, h.Surface, rest.Op{ID: "listMeetings", Method: http.MethodGet, Path: "/meetings", Tag: tag,
		Summary: "The organization's meetings, newest first, a page at a time"}, h.listMeetings)
	rest.Register(api, h.Surface, rest.Op{ID: "getMeeting", Method: http.MethodGet, Path: "/meetings/{id}", Tag: tag,
		Summary: "A meeting"}, h.getMeeting)
	rest.Register(api, h.Surface, rest.Op{ID: "uploadTranscript", Method: http.MethodPost, Path: "/meetings/{id}/transcript", Tag: tag,
		Summary: "Replace a meeting's transcript with a VTT, SRT, JSON or plain-text file", MaxBodyBytes: MaxTranscriptBytes,
		Doc: func(o *huma.Operation) {
			o.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
				"text/vtt": {}, "application/x-subrip": {}, "application/json": {}, "text/plain": {},
			}}
		}}, h.uploadTranscript)
	rest.Register(api, h.Surface, rest.Op{ID: "getMeetingSummary", Method: http.MethodGet, Path: "/meetings/{id}/summary", Tag: tag,
		Summary: "Summary, keywords, action items, decisions and open questions of a meeting"}, h.getSummary)
}

// createMeeting serves POST /cloud/v1/meetings.
func (h *Handler) createMeeting(ctx context.Context, c caller.Caller, in *createMeetingInput) (*meetingOutput, error) {
	n := meeting.New{Title: in.Body.Title, Language: in.Body.Language, RoomName: in.Body.RoomName,
		Segments: toSegments(in.Body.Segments)}
	if in.Body.StartTime != nil {
		n.StartTime = *in.Body.StartTime
	}
	m, err := h.Meetings.Create(ctx, c, n)
	if err != nil {
		return nil, err
	}
	return &meetingOutput{Body: toMeeting(m)}, nil
}

type listMeetingsInput struct {
	PageQuery
}

type meetingListOutput struct {
	Body struct {
		Meetings   []Meeting `json:"meetings"`
		NextCursor string    `json:"nextCursor,omitempty"`
	}
}

// listMeetings serves GET /cloud/v1/meetings.
func (h *Handler) listMeetings(ctx context.Context, c caller.Caller, in *listMeetingsInput) (*meetingListOutput, error) {
	p, err := h.Meetings.List(ctx, c, in.request())
	if err != nil {
		return nil, err
	}
	out := &meetingListOutput{}
	out.Body.Meetings = make([]Meeting, 0, len(p.Items))
	for _, m := range p.Items {
		out.Body.Meetings = append(out.Body.Meetings, toMeeting(m))
	}
	out.Body.NextCursor = p.Next
	return out, nil
}

// getMeeting serves GET /cloud/v1/meetings/{id}.
func (h *Handler) getMeeting(ctx context.Context, c caller.Caller, in *meetingIDInput) (*meetingOutput, error) {
	m, err := h.Meetings.Get(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	return &meetingOutput{Body: toMeeting(m)}, nil
}

// uploadTranscript serves POST /cloud/v1/meetings/{id}/transcript.
func (h *Handler) uploadTranscript(ctx context.Context, c caller.Caller, in *transcriptInput) (*meetingOutput, error) {
	segs, err := parseTranscript(ctx, in.ContentType, in.RawBody)
	if err != nil {
		return nil, err
	}
	m, err := h.Meetings.ReplaceTranscript(ctx, c, in.ID, segs)
	if err != nil {
		return nil, err
	}
	return &meetingOutput{Body: toMeeting(m)}, nil
}

// parseTranscript reads a transcript file in the format its content type
// (or, failing that, its content) names.
func parseTranscript(ctx context.Context, contentType string, body []byte) ([]transcript.Segment, error) {
	format := transcript.DetectFormat(contentType, body)
	segs, err := transcript.Parse(format, body)
	var se *transcript.SyntaxError
	switch {
	case errors.Is(err, transcript.ErrEmpty):
		return nil, fault.Invalid("transcript", "empty_transcript", "the transcript has no text")
	case errors.As(err, &se):
		f := fault.Invalid("transcript", "malformed_transcript", "%s", se.Error())
		f.Extra = map[string]any{"format": string(se.Format), "line": se.Line}
		return nil, f
	case errors.Is(err, transcript.ErrUnknownFormat):
		return nil, rest.NewError(ctx, http.StatusUnsupportedMediaType, "unsupported_format", err.Error(), nil)
	case err != nil:
		return nil, err
	}
	return segs, nil
}

// getSummary serves GET /cloud/v1/meetings/{id}/summary.
func (h *Handler) getSummary(ctx context.Context, c caller.Caller, in *meetingIDInput) (*summaryOutput, error) {
	s, err := h.Insight.Summary(ctx, c, in.ID)
	if err != nil {
		return nil, err
	}
	return &summaryOutput{Body: toSummary(s)}, nil
}
