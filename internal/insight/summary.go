package insight

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
)

// MeetingSummary is the summary of one meeting's transcript.
type MeetingSummary struct {
	Summary string `json:"summary"` // Markdown, one bullet per sentence with its speaker
	// SummaryText is the same summary as plain sentences.
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

// Item is a decision or open question found in a transcript.
type Item struct {
	Text         string `json:"text"`
	Speaker      string `json:"speaker,omitempty"`
	SegmentIndex int    `json:"segmentIndex"`
}

// Summary returns a meeting's summary, computing it once per transcript
// version and caching it.
func (s *Service) Summary(ctx context.Context, c caller.Caller, meetingUUID string) (MeetingSummary, error) {
	m, err := s.meetings.Get(ctx, c, meetingUUID)
	if err != nil {
		return MeetingSummary{}, err
	}
	var body string
	var version int64
	err = s.db.R.QueryRowContext(ctx, s.db.Rebind(`SELECT transcript_version, body FROM meeting_summaries WHERE meeting_id = ?`), m.ID).Scan(&version, &body)
	if err == nil && version == m.TranscriptVersion {
		var out MeetingSummary
		if err := json.Unmarshal([]byte(body), &out); err == nil {
			return out, nil
		}
	} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return MeetingSummary{}, fmt.Errorf("load summary of meeting %s: %w", meetingUUID, err)
	}
	segs, err := s.meetings.Segments(ctx, m)
	if err != nil {
		return MeetingSummary{}, err
	}
	if len(segs) == 0 {
		return MeetingSummary{}, fault.Conflict("empty_transcript", "the meeting has no transcript yet")
	}
	out, err := s.summarize(ctx, segs, ai.ItemOptions{Reference: m.StartTime}, 0)
	if err != nil {
		return MeetingSummary{}, err
	}
	b, _ := json.Marshal(out)
	_, err = s.db.W.ExecContext(ctx, s.db.Rebind(`INSERT INTO meeting_summaries (meeting_id, transcript_version, body, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (meeting_id) DO UPDATE SET transcript_version = excluded.transcript_version, body = excluded.body, created_at = excluded.created_at`),
		m.ID, m.TranscriptVersion, string(b), s.now())
	if err != nil {
		return MeetingSummary{}, fmt.Errorf("store summary of meeting %s: %w", meetingUUID, err)
	}
	return out, nil
}

// summarize runs every extractor of the engine over a transcript.
func (s *Service) summarize(ctx context.Context, segs []ai.Segment, opts ai.ItemOptions, maxWords int) (MeetingSummary, error) {
	sum, err := s.engine.Summarize(ctx, segs, ai.SummaryOptions{MaxWords: maxWords})
	if err != nil {
		return MeetingSummary{}, fmt.Errorf("summarize: %w", err)
	}
	kws, err := s.engine.Keywords(ctx, segs, 10)
	if err != nil {
		return MeetingSummary{}, fmt.Errorf("keywords: %w", err)
	}
	items, err := s.ActionItems(ctx, segs, opts)
	if err != nil {
		return MeetingSummary{}, err
	}
	decisions, err := s.engine.Decisions(ctx, segs)
	if err != nil {
		return MeetingSummary{}, fmt.Errorf("decisions: %w", err)
	}
	questions, err := s.engine.Questions(ctx, segs)
	if err != nil {
		return MeetingSummary{}, fmt.Errorf("questions: %w", err)
	}
	out := MeetingSummary{Summary: sum.Markdown, SummaryText: sum.Text(), Keywords: []string{}, ActionItems: items, Decisions: toItems(decisions), Questions: toItems(questions)}
	for _, k := range kws {
		out.Keywords = append(out.Keywords, k.Phrase)
	}
	return out, nil
}

// ActionItems extracts the tasks of a transcript.
func (s *Service) ActionItems(ctx context.Context, segs []ai.Segment, opts ai.ItemOptions) ([]ActionItem, error) {
	items, err := s.engine.ActionItems(ctx, segs, opts)
	if err != nil {
		return nil, fmt.Errorf("action items: %w", err)
	}
	out := make([]ActionItem, 0, len(items))
	for _, it := range items {
		a := ActionItem{Text: it.Text, Owner: it.Owner, Due: it.Due, SegmentIndex: it.SegmentIndex}
		if it.DueDate != nil {
			a.DueDate = it.DueDate.Format("2006-01-02")
		}
		out = append(out, a)
	}
	return out, nil
}

// SummarizeText summarizes an ad-hoc transcript in at most maxWords words.
func (s *Service) SummarizeText(ctx context.Context, segs []ai.Segment, maxWords int) (string, error) {
	if maxWords < 0 || maxWords > 5000 {
		return "", fault.Invalid("maxLength", "validation_error", "maxLength must be between 1 and 5000 words")
	}
	sum, err := s.engine.Summarize(ctx, segs, ai.SummaryOptions{MaxWords: maxWords})
	if err != nil {
		return "", fmt.Errorf("summarize: %w", err)
	}
	return sum.Text(), nil
}

func toItems(in []ai.Item) []Item {
	out := make([]Item, 0, len(in))
	for _, it := range in {
		out = append(out, Item{Text: it.Text, Speaker: it.Speaker, SegmentIndex: it.SegmentIndex})
	}
	return out
}
