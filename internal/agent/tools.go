package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/insight"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
)

// maxResultBytes keeps tool results small enough for a model's context.
const maxResultBytes = 6000

// toolbox holds the tools bound to one meeting of one organization.
type toolbox struct {
	caller  caller.Caller
	meeting meeting.Meeting
	insight *insight.Service
	actions *actionitem.Service
	segs    []ai.Segment
}

type tool struct {
	spec ToolSpec
	run  func(tb *toolbox, ctx context.Context, args json.RawMessage) (string, error)
}

func obj(props map[string]any, required ...string) map[string]any {
	if required == nil {
		required = []string{}
	}
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

var str = map[string]any{"type": "string"}

// tools is the agent's toolset, in the order offered to models.
var tools = []tool{
	{ToolSpec{"search_meeting", "Search the meeting's transcript and documents; returns the best passages with segment numbers and speakers.",
		obj(map[string]any{"query": str}, "query")}, (*toolbox).search},
	{ToolSpec{"read_transcript", "Read the transcript between two segment numbers (inclusive, at most 40 segments).",
		obj(map[string]any{"start": map[string]any{"type": "integer"}, "end": map[string]any{"type": "integer"}}, "start", "end")}, (*toolbox).read},
	{ToolSpec{"get_summary", "Get the meeting summary, keywords, decisions and open questions.", obj(map[string]any{})}, (*toolbox).summary},
	{ToolSpec{"list_action_items", "List the action items recorded for this meeting.", obj(map[string]any{})}, (*toolbox).listItems},
	{ToolSpec{"create_action_item", "Record a new action item for this meeting.",
		obj(map[string]any{"title": str, "owner": str, "due_date": map[string]any{"type": "string", "description": "YYYY-MM-DD"}}, "title")},
		(*toolbox).createItem},
}

func toolByName(name string) (tool, bool) {
	for _, t := range tools {
		if t.spec.Name == name {
			return t, true
		}
	}
	return tool{}, false
}

// call runs a tool and records it; a tool error becomes a failed record the
// model can read, not a failed run.
func (tb *toolbox) call(ctx context.Context, name string, args json.RawMessage) CallRecord {
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	rec := CallRecord{Name: name, Arguments: args, Status: "success"}
	start := time.Now()
	t, ok := toolByName(name)
	var out string
	var err error
	if !ok {
		err = fmt.Errorf("unknown tool %q", name)
	} else if !json.Valid(args) {
		err = fmt.Errorf("arguments are not valid JSON")
	} else {
		out, err = t.run(tb, ctx, args)
	}
	rec.DurationMS = time.Since(start).Milliseconds()
	if err != nil {
		rec.Status, out = "failure", "error: "+err.Error()
	}
	if len(out) > maxResultBytes {
		out = out[:maxResultBytes] + " …"
	}
	rec.Result = out
	return rec
}

func (tb *toolbox) search(ctx context.Context, raw json.RawMessage) (string, error) {
	var a struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return "", err
	}
	hits, err := tb.insight.Search(ctx, tb.caller, insight.SearchRequest{Query: a.Query, MeetingIDs: []string{tb.meeting.UUID}, Limit: 5})
	if err != nil {
		return "", err
	}
	if len(hits) == 0 {
		return "no matching passages", nil
	}
	var b strings.Builder
	for _, h := range hits {
		fmt.Fprintf(&b, "[segments %d-%d, %s] %s\n", h.SegmentStart, h.SegmentEnd, h.Speaker, h.Text)
	}
	return b.String(), nil
}

func (tb *toolbox) read(_ context.Context, raw json.RawMessage) (string, error) {
	var a struct {
		Start, End int
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return "", err
	}
	if a.Start < 0 || a.End < a.Start || a.Start >= len(tb.segs) {
		return "", fmt.Errorf("segments %d-%d are out of range (the transcript has %d)", a.Start, a.End, len(tb.segs))
	}
	a.End = min(a.End, a.Start+39, len(tb.segs)-1)
	var b strings.Builder
	for i := a.Start; i <= a.End; i++ {
		fmt.Fprintf(&b, "%d %s: %s\n", i, tb.segs[i].Speaker, tb.segs[i].Text)
	}
	return b.String(), nil
}

func (tb *toolbox) summary(ctx context.Context, _ json.RawMessage) (string, error) {
	s, err := tb.insight.Summary(ctx, tb.caller, tb.meeting.UUID)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(s.Summary)
	if len(s.Keywords) > 0 {
		fmt.Fprintf(&b, "\nKeywords: %s", strings.Join(s.Keywords, ", "))
	}
	for _, d := range s.Decisions {
		fmt.Fprintf(&b, "\nDecision: %s", d.Text)
	}
	for _, q := range s.Questions {
		fmt.Fprintf(&b, "\nOpen question: %s", q.Text)
	}
	return b.String(), nil
}

func (tb *toolbox) listItems(ctx context.Context, _ json.RawMessage) (string, error) {
	p, err := tb.actions.ListByMeeting(ctx, tb.caller, tb.meeting.UUID, page.Request{Limit: actionitem.MaxPage})
	if err != nil {
		return "", err
	}
	items := p.Items
	if len(items) == 0 {
		return "no action items recorded", nil
	}
	var b strings.Builder
	for _, it := range items {
		fmt.Fprintf(&b, "- %s", it.Title)
		if it.Owner != "" {
			fmt.Fprintf(&b, " (owner: %s)", it.Owner)
		}
		if it.DueDate != "" {
			fmt.Fprintf(&b, " due %s", it.DueDate)
		}
		fmt.Fprintf(&b, " [%s]\n", it.Status)
	}
	return b.String(), nil
}

func (tb *toolbox) createItem(ctx context.Context, raw json.RawMessage) (string, error) {
	var a struct {
		Title   string `json:"title"`
		Owner   string `json:"owner"`
		DueDate string `json:"due_date"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return "", err
	}
	it, err := tb.actions.Create(ctx, tb.caller, tb.meeting.UUID, actionitem.New{Title: a.Title, Owner: a.Owner, DueDate: a.DueDate, Source: "agent"})
	if err != nil {
		return "", err
	}
	out := fmt.Sprintf("created action item %s: %s", it.UUID, it.Title)
	if it.Owner != "" {
		out += " (owner: " + it.Owner + ")"
	}
	if it.DueDate != "" {
		out += " due " + it.DueDate
	}
	return out, nil
}
