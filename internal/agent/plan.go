package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/contextdoc"
	"github.com/quorumhq/quorum/internal/page"
)

var (
	createIntent  = regexp.MustCompile(`(?i)\b(add|create|make|log|record|assign|note down)\b.*\b(action items?|tasks?|to-?dos?|follow[- ]?ups?)\b`)
	listIntent    = regexp.MustCompile(`(?i)\b(action items?|tasks?|to-?dos?|follow[- ]?ups?)\b`)
	summaryIntent = regexp.MustCompile(`(?i)\b(summar\w*|recap|overview|tl;?dr|gist)\b`)
	doneIntent    = regexp.MustCompile(`(?i)\b(mark|set|close|complete|finish|tick off|reopen)\b.*\b(action items?|tasks?|to-?dos?|follow[- ]?ups?)\b`)
	docsIntent    = regexp.MustCompile(`(?i)\b(list|which)\b.*\b(documents?|docs|files|attachments)\b|\bwhat (documents|docs|files|attachments)\b`)
	// itemBody finds what the task is in "add an action item: X" or
	// "create a task for Bob to X".
	itemBody = regexp.MustCompile(`(?i)(?:action items?|tasks?|to-?dos?|follow[- ]?ups?)\s*(?:[:\-–]\s*|for\s+|to\s+|that\s+)(.+)$`)
	ownerTo  = regexp.MustCompile(`^(?i:for\s+)?([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?)\s+to\s+(.+)$`)
)

// planOffline answers without a chat model: it picks tools by the intent
// of the message and composes the reply from their results and the
// offline engine's extractive answer.
func (s *Service) planOffline(ctx context.Context, tb *toolbox, message string, ref time.Time) (string, []CallRecord) {
	var calls []CallRecord
	call := func(name string, args any) CallRecord {
		raw, _ := json.Marshal(args)
		rec := tb.call(ctx, name, raw)
		calls = append(calls, rec)
		return rec
	}
	switch {
	case doneIntent.MatchString(message):
		return s.completeOffline(ctx, tb, message, call), calls
	case docsIntent.MatchString(message):
		rec := call("list_documents", map[string]string{})
		return "Context documents of \"" + tb.meeting.Title + "\":\n" + rec.Result, calls
	case createIntent.MatchString(message):
		title, owner, due := parseTask(ctx, message, ref)
		rec := call("create_action_item", map[string]string{"title": title, "owner": owner, "due_date": due})
		if rec.Status != "success" {
			return "I could not record that action item: " + strings.TrimPrefix(rec.Result, "error: "), calls
		}
		return "Done: " + strings.TrimPrefix(rec.Result, "created ") + ".", calls
	case listIntent.MatchString(message):
		rec := call("list_action_items", map[string]string{})
		return "Action items for \"" + tb.meeting.Title + "\":\n" + rec.Result, calls
	case summaryIntent.MatchString(message):
		rec := call("get_summary", map[string]string{})
		return rec.Result, calls
	}
	call("search_meeting", map[string]string{"query": message})
	// Document paragraphs join the transcript as extra segments, so the
	// extractive answer can draw on both; primed documents are read first.
	segs := tb.segs
	var docOf []contextdoc.Text
	texts, err := tb.documents(ctx)
	if err == nil {
		for _, t := range primedFirst(texts, tb.primed) {
			if slices.Contains(tb.primed, t.ID) {
				call("read_document", map[string]string{"id": t.ID})
			}
			for _, para := range paragraphs(t.Text) {
				segs = append(segs, ai.Segment{Speaker: t.Title, Text: para})
				docOf = append(docOf, t)
			}
		}
	}
	ans, err := s.engine.Answer(ctx, segs, message, ai.AnswerOptions{})
	if err != nil || strings.TrimSpace(ans.Text) == "" {
		return "I could not find anything about that in this meeting.", calls
	}
	var b strings.Builder
	for i, sent := range ans.Sentences {
		if i > 0 {
			b.WriteByte(' ')
		}
		if k := sent.SegmentIndex - len(tb.segs); k >= 0 && k < len(docOf) {
			tb.referenced[docOf[k].ID] = true
			fmt.Fprintf(&b, "%s [document %q]", strings.TrimSpace(sent.Text), docOf[k].Title)
			continue
		}
		fmt.Fprintf(&b, "%s [segment %d]", strings.TrimSpace(sent.Text), sent.SegmentIndex)
	}
	return b.String(), calls
}

// completeOffline marks done (or reopens) the meeting's action item whose
// title shares the most words with the message.
func (s *Service) completeOffline(ctx context.Context, tb *toolbox, message string, call func(string, any) CallRecord) string {
	p, err := tb.actions.ListByMeeting(ctx, tb.caller, tb.meeting.UUID, page.Request{Limit: actionitem.MaxPage})
	if err != nil || len(p.Items) == 0 {
		return "This meeting has no action items to update."
	}
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(message), notWordRune) {
		if len(w) > 2 {
			words[w] = true
		}
	}
	best, bestScore := p.Items[0], -1
	for _, it := range p.Items {
		score := 0
		for _, w := range strings.FieldsFunc(strings.ToLower(it.Title), notWordRune) {
			if words[w] {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = it, score
		}
	}
	if bestScore == 0 && len(p.Items) > 1 {
		return "Which action item do you mean? " + strings.Join(titles(p.Items), "; ")
	}
	status := actionitem.StatusCompleted
	if strings.Contains(strings.ToLower(message), "reopen") {
		status = actionitem.StatusPending
	}
	rec := call("update_action_item", map[string]string{"id": best.UUID, "status": string(status)})
	if rec.Status != "success" {
		return "I could not update that action item: " + strings.TrimPrefix(rec.Result, "error: ")
	}
	return "Done: " + rec.Result + "."
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

func titles(items []actionitem.ActionItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Title
	}
	return out
}

// primedFirst orders documents with the primed ones first.
func primedFirst(texts []contextdoc.Text, primed []string) []contextdoc.Text {
	out := make([]contextdoc.Text, 0, len(texts))
	for _, t := range texts {
		if slices.Contains(primed, t.ID) {
			out = append(out, t)
		}
	}
	for _, t := range texts {
		if !slices.Contains(primed, t.ID) {
			out = append(out, t)
		}
	}
	return out
}

// maxDocParagraphs bounds what one document adds to an offline answer.
const maxDocParagraphs = 400

// paragraphs splits a document into its non-empty lines.
func paragraphs(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
			if len(out) == maxDocParagraphs {
				break
			}
		}
	}
	return out
}

// parseTask turns "add an action item for Bob to send the report by
// Friday" into a title, an owner and a due date.
func parseTask(ctx context.Context, message string, ref time.Time) (title, owner, due string) {
	body := strings.TrimSpace(message)
	if m := itemBody.FindStringSubmatch(body); m != nil {
		body = strings.TrimSpace(m[1])
	}
	if m := ownerTo.FindStringSubmatch(body); m != nil {
		owner, body = m[1], m[2]
	}
	body = strings.TrimRight(body, ".!? ")
	// Phrased as the owner's commitment, the task goes through the same
	// extractor as meeting talk, which resolves "by Friday" to a date.
	// A cancelled context leaves the due date unresolved; the run then
	// fails when it is saved.
	items, _ := offlineItems(ctx, ai.Segment{Speaker: owner, Text: "I will " + body + "."}, ref)
	if len(items) > 0 {
		if items[0].Owner != "" && owner == "" {
			owner = items[0].Owner
		}
		if items[0].DueDate != nil {
			due = items[0].DueDate.Format("2006-01-02")
		}
	}
	return capitalize(body), owner, due
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
