package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/ai"
)

var (
	createIntent  = regexp.MustCompile(`(?i)\b(add|create|make|log|record|assign|note down)\b.*\b(action items?|tasks?|to-?dos?|follow[- ]?ups?)\b`)
	listIntent    = regexp.MustCompile(`(?i)\b(action items?|tasks?|to-?dos?|follow[- ]?ups?)\b`)
	summaryIntent = regexp.MustCompile(`(?i)\b(summar\w*|recap|overview|tl;?dr|gist)\b`)
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
	ans, err := s.engine.Answer(ctx, tb.segs, message, ai.AnswerOptions{})
	if err != nil || strings.TrimSpace(ans.Text) == "" {
		return "I could not find anything about that in this meeting.", calls
	}
	var b strings.Builder
	for i, sent := range ans.Sentences {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s [segment %d]", strings.TrimSpace(sent.Text), sent.SegmentIndex)
	}
	return b.String(), calls
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
