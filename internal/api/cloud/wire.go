package cloud

import (
	"encoding/json"
	"time"

	"github.com/quorumhq/quorum/internal/agent"
	"github.com/quorumhq/quorum/internal/insight"
)

// The Cloud API's wire types for the intelligence results: camelCase, as
// the real-time/Cloud SDK reads them. Domain types carry no JSON tags; the
// Partner surface shows the same concepts in snake_case.

// Hit is one search result.
type Hit struct {
	ID           string  `json:"id"`
	Source       string  `json:"source"`
	MeetingID    string  `json:"meetingId,omitempty"`
	DocumentID   string  `json:"documentId,omitempty"`
	SegmentStart int     `json:"segmentStart"`
	SegmentEnd   int     `json:"segmentEnd"`
	Speaker      string  `json:"speaker,omitempty"`
	StartTime    float64 `json:"startTime"`
	EndTime      float64 `json:"endTime"`
	Text         string  `json:"text"`
	Score        float64 `json:"score"`
}

func toHits(in []insight.Hit) []Hit {
	out := make([]Hit, 0, len(in))
	for _, h := range in {
		out = append(out, Hit{ID: h.ID, Source: h.Source, MeetingID: h.MeetingID, DocumentID: h.DocumentID, SegmentStart: h.SegmentStart,
			SegmentEnd: h.SegmentEnd, Speaker: h.Speaker, StartTime: h.StartTime, EndTime: h.EndTime, Text: h.Text, Score: h.Score})
	}
	return out
}

// Answer is an answer with the hits it cites, numbered from 1.
type Answer struct {
	Answer  string `json:"answer"`
	Sources []Hit  `json:"sources"`
	Model   string `json:"model"`
}

func toAnswer(a insight.AskResult) Answer {
	return Answer{Answer: a.Answer, Sources: toHits(a.Sources), Model: a.Model}
}

// MeetingSummary is a meeting's summary with what was extracted from it.
type MeetingSummary struct {
	Summary     string       `json:"summary"`
	SummaryText string       `json:"summaryText"`
	Keywords    []string     `json:"keywords"`
	ActionItems []ActionItem `json:"actionItems"`
	Decisions   []Item       `json:"decisions"`
	Questions   []Item       `json:"questions"`
}

// ActionItem is a task found in a transcript.
type ActionItem struct {
	Text         string `json:"text"`
	Owner        string `json:"owner,omitempty"`
	Due          string `json:"due,omitempty"`
	DueDate      string `json:"dueDate,omitempty"`
	SegmentIndex int    `json:"segmentIndex"`
}

// Item is a decision or an open question found in a transcript.
type Item struct {
	Text         string `json:"text"`
	Speaker      string `json:"speaker,omitempty"`
	SegmentIndex int    `json:"segmentIndex"`
}

func toSummary(s insight.MeetingSummary) MeetingSummary {
	out := MeetingSummary{Summary: s.Summary, SummaryText: s.SummaryText, Keywords: s.Keywords, ActionItems: toActionItems(s.ActionItems),
		Decisions: toItems(s.Decisions), Questions: toItems(s.Questions)}
	if out.Keywords == nil {
		out.Keywords = []string{}
	}
	return out
}

func toActionItems(in []insight.ActionItem) []ActionItem {
	out := make([]ActionItem, 0, len(in))
	for _, a := range in {
		out = append(out, ActionItem{Text: a.Text, Owner: a.Owner, Due: a.Due, DueDate: a.DueDate, SegmentIndex: a.SegmentIndex})
	}
	return out
}

func toItems(in []insight.Item) []Item {
	out := make([]Item, 0, len(in))
	for _, it := range in {
		out = append(out, Item{Text: it.Text, Speaker: it.Speaker, SegmentIndex: it.SegmentIndex})
	}
	return out
}

// Document is a text document added to search.
type Document struct {
	ID        string    `json:"id"`
	MeetingID string    `json:"meetingId,omitempty"`
	Title     string    `json:"title"`
	Size      int       `json:"size"`
	CreatedAt time.Time `json:"createdAt"`
}

func toDocument(d insight.Document) Document {
	return Document{ID: d.ID, MeetingID: d.MeetingID, Title: d.Title, Size: d.Size, CreatedAt: d.CreatedAt}
}

// MoodSample is one reading of a participant's mood in a live session.
type MoodSample struct {
	ParticipantID string    `json:"participantId"`
	Mood          string    `json:"mood"`
	Sentiment     float64   `json:"sentiment"`
	Confidence    *float64  `json:"confidence,omitempty"`
	Timestamp     time.Time `json:"timestamp"`
}

func fromMoodSamples(in []MoodSample) []insight.MoodSample {
	out := make([]insight.MoodSample, len(in))
	for i, m := range in {
		out[i] = insight.MoodSample{ParticipantID: m.ParticipantID, Mood: m.Mood, Sentiment: m.Sentiment, Confidence: m.Confidence, Timestamp: m.Timestamp}
	}
	return out
}

// ResponseAnswer is the reply to a live-session query.
type ResponseAnswer struct {
	Content    string `json:"content"`
	ResponseID string `json:"responseId"`
	Model      string `json:"model"`
}

// AgentRun is one exchange with the meeting assistant and the tool calls
// it made.
type AgentRun struct {
	ID        string     `json:"id"`
	MeetingID string     `json:"meetingId"`
	Message   string     `json:"message"`
	Reply     string     `json:"reply"`
	Model     string     `json:"model"`
	Steps     int        `json:"steps"`
	ToolCalls []ToolCall `json:"toolCalls"`
	CreatedAt time.Time  `json:"createdAt"`
}

// ToolCall is one recorded tool call of a run.
type ToolCall struct {
	Name       string          `json:"name"`
	Arguments  json.RawMessage `json:"arguments"`
	Result     string          `json:"result"`
	Status     string          `json:"status"`
	DurationMS int64           `json:"durationMs"`
}

func toAgentRun(r agent.Run) AgentRun {
	out := AgentRun{ID: r.ID, MeetingID: r.MeetingID, Message: r.Message, Reply: r.Reply, Model: r.Model, Steps: r.Steps,
		ToolCalls: make([]ToolCall, 0, len(r.ToolCalls)), CreatedAt: r.CreatedAt}
	for _, c := range r.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, ToolCall{Name: c.Name, Arguments: c.Arguments, Result: c.Result, Status: c.Status, DurationMS: c.DurationMS})
	}
	return out
}
