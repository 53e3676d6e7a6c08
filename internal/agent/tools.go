package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/contextdoc"
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
	docs    Documents // nil: no context documents
	segs    []ai.Segment
	// primed are the context documents the conversation is about.
	primed []string
	// referenced collects the context documents read or cited.
	referenced map[string]bool
	texts      []contextdoc.Text // loaded on first use
	textsRead  bool
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
	{ToolSpec{"update_action_item", "Change the status of one of this meeting's action items (id from list_action_items).",
		obj(map[string]any{"id": str, "status": map[string]any{"type": "string", "enum": []string{"pending", "in_progress", "completed"}}}, "id", "status")},
		(*toolbox).updateItem},
	{ToolSpec{"list_documents", "List the context documents attached to this meeting (id, title, size).", obj(map[string]any{})},
		(*toolbox).listDocuments},
	{ToolSpec{"read_document", "Read the text of one context document of this meeting.", obj(map[string]any{"id": str}, "id")},
		(*toolbox).readDocument},
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
	hits, err := tb.insight.Search(ctx, tb.caller, insight.SearchRequest{Query: a.Query, MeetingIDs: []string{tb.meeting.UUID}, Limit: 10})
	if err != nil {
		return "", err
	}
	hits, err = tb.visible(ctx, hits)
	if err != nil {
		return "", err
	}
	if len(hits) > 5 {
		hits = hits[:5]
	}
	if len(hits) == 0 {
		return "no matching passages", nil
	}
	var b strings.Builder
	for _, h := range hits {
		if h.DocumentID != "" {
			tb.referenced[h.DocumentID] = true
			fmt.Fprintf(&b, "[document %s] %s\n", h.DocumentID, h.Text)
			continue
		}
		fmt.Fprintf(&b, "[segments %d-%d, %s] %s\n", h.SegmentStart, h.SegmentEnd, h.Speaker, h.Text)
	}
	return b.String(), nil
}

// visible drops hits from documents the caller's app may not read.
func (tb *toolbox) visible(ctx context.Context, hits []insight.Hit) ([]insight.Hit, error) {
	var ids []string
	for _, h := range hits {
		if h.DocumentID != "" {
			ids = append(ids, h.DocumentID)
		}
	}
	if len(ids) == 0 {
		return hits, nil
	}
	foreign := map[string]bool{}
	if tb.docs != nil {
		var err error
		if foreign, err = tb.docs.Foreign(ctx, tb.caller, ids); err != nil {
			return nil, err
		}
	}
	out := hits[:0]
	for _, h := range hits {
		if !foreign[h.DocumentID] {
			out = append(out, h)
		}
	}
	return out, nil
}

// documents loads the meeting's context documents the caller may read.
func (tb *toolbox) documents(ctx context.Context) ([]contextdoc.Text, error) {
	if tb.docs == nil || tb.textsRead {
		return tb.texts, nil
	}
	texts, err := tb.docs.Texts(ctx, tb.caller, tb.meeting.ID, nil)
	if err != nil {
		return nil, err
	}
	tb.texts, tb.textsRead = texts, true
	return texts, nil
}

func (tb *toolbox) referencedDocuments() []string {
	out := make([]string, 0, len(tb.referenced))
	for id := range tb.referenced {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func (tb *toolbox) listDocuments(ctx context.Context, _ json.RawMessage) (string, error) {
	texts, err := tb.documents(ctx)
	if err != nil {
		return "", err
	}
	if len(texts) == 0 {
		return "no context documents attached", nil
	}
	var b strings.Builder
	for _, t := range texts {
		fmt.Fprintf(&b, "- %s: %s (%d characters)\n", t.ID, t.Title, utf8.RuneCountInString(t.Text))
	}
	return b.String(), nil
}

func (tb *toolbox) readDocument(ctx context.Context, raw json.RawMessage) (string, error) {
	var a struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return "", err
	}
	texts, err := tb.documents(ctx)
	if err != nil {
		return "", err
	}
	for _, t := range texts {
		if t.ID == a.ID || strings.EqualFold(t.Title, a.ID) {
			tb.referenced[t.ID] = true
			return t.Title + "\n" + t.Text, nil
		}
	}
	return "", fmt.Errorf("no context document %q in this meeting", a.ID)
}

func (tb *toolbox) updateItem(ctx context.Context, raw json.RawMessage) (string, error) {
	var a struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return "", err
	}
	it, err := tb.actions.SetStatus(ctx, tb.caller, tb.meeting.UUID, a.ID, actionitem.Status(a.Status))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("action item %s (%s) is now %s", it.UUID, it.Title, it.Status), nil
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
		fmt.Fprintf(&b, "- %s: %s", it.UUID, it.Title)
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
