package client

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// CloudToken is a minted cloud token.
type CloudToken struct {
	CloudToken  string    `json:"cloudToken"`
	ExpiresAt   time.Time `json:"expiresAt"`
	Environment string    `json:"environment"`
}

// CreateCloudToken trades an app's cloud API key for a token acting for
// userID. Call it from the app's backend; the key must not reach browsers.
func (c *Client) CreateCloudToken(ctx context.Context, cloudAPIKey, userID string) (*CloudToken, error) {
	var out CloudToken
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/cloud-token", json: map[string]string{"userId": userID},
		headers: map[string]string{"Authorization": "Bearer " + cloudAPIKey}, noAuth: true}, &out)
	return &out, err
}

// Segment is one transcript turn.
type Segment struct {
	Speaker string  `json:"speaker"`
	Text    string  `json:"text"`
	Start   float64 `json:"start,omitempty"`
	End     float64 `json:"end,omitempty"`
}

// NewMeeting is a meeting to import.
type NewMeeting struct {
	Title     string     `json:"title"`
	StartTime *time.Time `json:"startTime,omitempty"`
	Language  string     `json:"language,omitempty"`
	RoomName  string     `json:"roomName,omitempty"`
	Segments  []Segment  `json:"segments,omitempty"`
}

// Meeting is a Cloud API meeting.
type Meeting struct {
	ID           string     `json:"id"`
	Title        string     `json:"title"`
	Language     string     `json:"language"`
	RoomName     string     `json:"roomName"`
	StartTime    *time.Time `json:"startTime"`
	SegmentCount int        `json:"segmentCount"`
	CreatedAt    time.Time  `json:"createdAt"`
}

// ImportMeeting creates a meeting with its transcript.
func (c *Client) ImportMeeting(ctx context.Context, m NewMeeting) (*Meeting, error) {
	var out Meeting
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/meetings", json: m}, &out)
	return &out, err
}

// Meeting fetches a meeting.
func (c *Client) Meeting(ctx context.Context, id string) (*Meeting, error) {
	var out Meeting
	err := c.do(ctx, request{method: http.MethodGet, path: "/cloud/v1/meetings/" + url.PathEscape(id)}, &out)
	return &out, err
}

// MeetingPage is one page of an organization's meetings, newest first.
type MeetingPage struct {
	Meetings   []Meeting `json:"meetings"`
	NextCursor string    `json:"nextCursor"`
}

// ListMeetings fetches one page of meetings; cursor is the NextCursor of
// the previous page ("" for the first), limit 0 means the server default.
func (c *Client) ListMeetings(ctx context.Context, limit int, cursor string) (*MeetingPage, error) {
	var out MeetingPage
	err := c.do(ctx, request{method: http.MethodGet, path: "/cloud/v1/meetings", query: pageQuery(limit, cursor)}, &out)
	return &out, err
}

// AllMeetings iterates over every meeting of the organization, fetching
// pages as it goes; iteration stops at the first error, which it yields.
func (c *Client) AllMeetings(ctx context.Context) iter.Seq2[Meeting, error] {
	return func(yield func(Meeting, error) bool) {
		cursor := ""
		for {
			p, err := c.ListMeetings(ctx, 100, cursor)
			if err != nil {
				yield(Meeting{}, err)
				return
			}
			for _, m := range p.Meetings {
				if !yield(m, nil) {
					return
				}
			}
			if p.NextCursor == "" {
				return
			}
			cursor = p.NextCursor
		}
	}
}

func pageQuery(limit int, cursor string) url.Values {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return q
}

// UploadTranscript replaces a meeting's transcript with a file; contentType
// is text/vtt, application/x-subrip, application/json or text/plain.
func (c *Client) UploadTranscript(ctx context.Context, id, contentType string, body []byte) (*Meeting, error) {
	var out Meeting
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/meetings/" + url.PathEscape(id) + "/transcript",
		raw: body, rawType: contentType}, &out)
	return &out, err
}

// ActionItem is a task found in a transcript.
type ActionItem struct {
	Text         string `json:"text"`
	Owner        string `json:"owner"`
	Due          string `json:"due"`
	DueDate      string `json:"dueDate"`
	SegmentIndex int    `json:"segmentIndex"`
}

// Item is a decision or open question.
type Item struct {
	Text         string `json:"text"`
	Speaker      string `json:"speaker"`
	SegmentIndex int    `json:"segmentIndex"`
}

// MeetingSummary is a meeting's summary and extracted items.
type MeetingSummary struct {
	Summary     string       `json:"summary"`
	SummaryText string       `json:"summaryText"`
	Keywords    []string     `json:"keywords"`
	ActionItems []ActionItem `json:"actionItems"`
	Decisions   []Item       `json:"decisions"`
	Questions   []Item       `json:"questions"`
}

// MeetingSummary returns a meeting's summary.
func (c *Client) MeetingSummary(ctx context.Context, id string) (*MeetingSummary, error) {
	var out MeetingSummary
	err := c.do(ctx, request{method: http.MethodGet, path: "/cloud/v1/meetings/" + url.PathEscape(id) + "/summary"}, &out)
	return &out, err
}

// SearchRequest is a Cloud search.
type SearchRequest struct {
	Query      string   `json:"query"`
	MeetingIDs []string `json:"meetingIds,omitempty"`
	RoomName   string   `json:"roomName,omitempty"`
	Limit      int      `json:"limit,omitempty"`
}

// Hit is a search result.
type Hit struct {
	ID           string  `json:"id"`
	Source       string  `json:"source"`
	MeetingID    string  `json:"meetingId"`
	DocumentID   string  `json:"documentId"`
	SegmentStart int     `json:"segmentStart"`
	SegmentEnd   int     `json:"segmentEnd"`
	Speaker      string  `json:"speaker"`
	StartTime    float64 `json:"startTime"`
	EndTime      float64 `json:"endTime"`
	Text         string  `json:"text"`
	Score        float64 `json:"score"`
}

// Search runs a hybrid search; source is "", "documents" or "transcriptions".
func (c *Client) Search(ctx context.Context, source string, r SearchRequest) ([]Hit, error) {
	path := "/cloud/v1/search"
	if source != "" {
		path += "/" + source
	}
	var out struct {
		Results []Hit `json:"results"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: path, json: r}, &out)
	return out.Results, err
}

// AskRequest is a question for /ask.
type AskRequest struct {
	Question   string   `json:"question"`
	MeetingIDs []string `json:"meetingIds,omitempty"`
	RoomName   string   `json:"roomName,omitempty"`
	Limit      int      `json:"limit,omitempty"`
}

// Answer is an answer whose sentences cite Sources as [n].
type Answer struct {
	Answer  string `json:"answer"`
	Sources []Hit  `json:"sources"`
	Model   string `json:"model"`
}

// Ask answers a question from the organization's meetings.
func (c *Client) Ask(ctx context.Context, r AskRequest) (*Answer, error) {
	var out Answer
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/ask", json: r}, &out)
	return &out, err
}

// Document is a searchable text document.
type Document struct {
	ID        string `json:"id"`
	MeetingID string `json:"meetingId"`
	Title     string `json:"title"`
	Size      int    `json:"size"`
}

// AddDocument adds a text document to search, optionally tied to a meeting.
func (c *Client) AddDocument(ctx context.Context, title, content, meetingID string) (*Document, error) {
	var out Document
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/documents",
		json: map[string]string{"title": title, "content": content, "meetingId": meetingID}}, &out)
	return &out, err
}

// Query asks the organization's meetings a question (/ai/query).
func (c *Client) Query(ctx context.Context, query, roomName string) (string, error) {
	var out struct {
		Content string `json:"content"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/ai/query", json: map[string]string{"query": query, "roomName": roomName}}, &out)
	return out.Content, err
}

// Summarize summarizes a transcript given as text or []Segment.
func (c *Client) Summarize(ctx context.Context, transcript any, maxWords int) (string, error) {
	var out struct {
		Summary string `json:"summary"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/ai/summary",
		json: map[string]any{"transcript": transcript, "maxLength": maxWords}}, &out)
	return out.Summary, err
}

// ActionItems extracts action items from a transcript (text or []Segment).
func (c *Client) ActionItems(ctx context.Context, transcript any) ([]ActionItem, error) {
	var out struct {
		Items []ActionItem `json:"items"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/ai/action-items", json: map[string]any{"transcript": transcript}}, &out)
	return out.Items, err
}

// Analyze runs an analysis ("coaching", "custom", "interview", "sales-call"
// or "session") and decodes its result into out.
func (c *Client) Analyze(ctx context.Context, kind string, body map[string]any, out any) error {
	return c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/analysis/" + kind, json: body}, out)
}

// MoodSample is one mood reading of a live session.
type MoodSample struct {
	ParticipantID string    `json:"participantId"`
	Mood          string    `json:"mood"`
	Sentiment     float64   `json:"sentiment"`
	Confidence    *float64  `json:"confidence,omitempty"`
	Timestamp     time.Time `json:"timestamp"`
}

// PushMood adds mood samples to a response context.
func (c *Client) PushMood(ctx context.Context, responseID string, samples []MoodSample) (int, error) {
	var out struct {
		Accepted int `json:"accepted"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/responses/" + url.PathEscape(responseID) + "/mood",
		json: map[string]any{"samples": samples}}, &out)
	return out.Accepted, err
}

// ResponseAnswer answers a response-context query.
type ResponseAnswer struct {
	Content    string `json:"content"`
	ResponseID string `json:"responseId"`
	Model      string `json:"model"`
}

// QueryResponse asks about a live session's accumulated context.
func (c *Client) QueryResponse(ctx context.Context, responseID, query, promptKey string) (*ResponseAnswer, error) {
	var out ResponseAnswer
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/responses/" + url.PathEscape(responseID) + "/query",
		json: map[string]string{"query": query, "promptKey": promptKey}}, &out)
	return &out, err
}

// ToolCall is a recorded agent tool call.
type ToolCall struct {
	Name       string          `json:"name"`
	Arguments  json.RawMessage `json:"arguments"`
	Result     string          `json:"result"`
	Status     string          `json:"status"`
	DurationMS int64           `json:"durationMs"`
}

// AgentRun is one exchange with the meeting assistant.
type AgentRun struct {
	ID        string     `json:"id"`
	MeetingID string     `json:"meetingId"`
	Message   string     `json:"message"`
	Reply     string     `json:"reply"`
	Model     string     `json:"model"`
	Steps     int        `json:"steps"`
	ToolCalls []ToolCall `json:"toolCalls"`
}

// AskAgent sends a message to the assistant of one meeting.
func (c *Client) AskAgent(ctx context.Context, meetingID, message string) (*AgentRun, error) {
	var out AgentRun
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/meetings/" + url.PathEscape(meetingID) + "/agent",
		json: map[string]string{"message": message}}, &out)
	return &out, err
}

// AgentRun loads a recorded exchange.
func (c *Client) AgentRun(ctx context.Context, meetingID, runID string) (*AgentRun, error) {
	var out AgentRun
	err := c.do(ctx, request{method: http.MethodGet, path: "/cloud/v1/meetings/" + url.PathEscape(meetingID) + "/agent/runs/" + url.PathEscape(runID)}, &out)
	return &out, err
}

// MeetingActionItem is an action item recorded for a meeting.
type MeetingActionItem struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Owner   string `json:"owner"`
	DueDate string `json:"dueDate"`
	Status  string `json:"status"`
	Source  string `json:"source"`
}

// MeetingActionItems lists all of a meeting's recorded action items,
// following the pages.
func (c *Client) MeetingActionItems(ctx context.Context, meetingID string) ([]MeetingActionItem, error) {
	var all []MeetingActionItem
	cursor := ""
	for {
		var out struct {
			Items      []MeetingActionItem `json:"items"`
			NextCursor string              `json:"nextCursor"`
		}
		err := c.do(ctx, request{method: http.MethodGet, path: "/cloud/v1/meetings/" + url.PathEscape(meetingID) + "/action-items",
			query: pageQuery(100, cursor)}, &out)
		if err != nil {
			return nil, err
		}
		all = append(all, out.Items...)
		if out.NextCursor == "" {
			return all, nil
		}
		cursor = out.NextCursor
	}
}
