package insight

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
)

// MeetingSummary is the summary of one meeting's transcript.
type MeetingSummary struct {
	Summary string // Markdown, one bullet per sentence with its speaker
	// SummaryText is the same summary as plain sentences.
	SummaryText string
	Keywords    []string
	ActionItems []ActionItem
	Decisions   []Item
	Questions   []Item
}

// ActionItem is a task found in a transcript.
type ActionItem struct {
	Text         string
	Owner        string
	Due          string
	DueDate      string
	SegmentIndex int
}

// Item is a decision or open question found in a transcript.
type Item struct {
	Text         string
	Speaker      string
	SegmentIndex int
}

// Summary returns a meeting's summary. The import's background job (see
// SummaryWorker) stores one per transcript version; until it has, the
// summary is computed here within the service's time budget and stored.
func (s *Service) Summary(ctx context.Context, c caller.Caller, meetingUUID string) (MeetingSummary, error) {
	m, err := s.meetings.Get(ctx, c, meetingUUID)
	if err != nil {
		return MeetingSummary{}, err
	}
	stored, ok, err := s.storedSummary(ctx, m)
	if err != nil || ok {
		return stored, err
	}
	return ai.Budget(ctx, s.timeout, func(ctx context.Context) (MeetingSummary, error) { return s.computeSummary(ctx, m) })
}

// computeSummary summarizes the meeting's current transcript and stores
// the result under m's transcript version.
func (s *Service) computeSummary(ctx context.Context, m meeting.Meeting) (MeetingSummary, error) {
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
	if err := s.storeSummary(ctx, m, out); err != nil {
		return MeetingSummary{}, err
	}
	s.meterSummary(ctx, m, segs, out)
	return out, nil
}

// SummaryArgs is the job that computes and stores the summary of a
// meeting's current transcript.
type SummaryArgs struct {
	OrgID     int64 `json:"org_id"`
	MeetingID int64 `json:"meeting_id"`
}

// Kind implements river.JobArgs.
func (SummaryArgs) Kind() string { return "meeting_summary" }

// EnqueueSummary queues the summary of a meeting within the transaction
// that changed its transcript, so the job cannot be lost to a crash.
// Like indexing, the job is not unique: a redundant run finds the summary
// of the current version stored and does nothing.
func (s *Service) EnqueueSummary(ctx context.Context, tx *jobs.Tx, orgID, meetingID int64) error {
	if _, err := tx.Insert(ctx, SummaryArgs{OrgID: orgID, MeetingID: meetingID}, nil); err != nil {
		return fmt.Errorf("queue summary of meeting %d: %w", meetingID, err)
	}
	return nil
}

// SummaryWorker is the River worker of SummaryArgs.
type SummaryWorker struct {
	river.WorkerDefaults[SummaryArgs]
	Service *Service
}

// summaryJobTimeout bounds one summary job. The largest transcript allowed
// took 43 s on a loaded two-core machine, and River's default of one
// minute is too close to that.
const summaryJobTimeout = 10 * time.Minute

// Timeout implements river.Worker.
func (w *SummaryWorker) Timeout(*river.Job[SummaryArgs]) time.Duration { return summaryJobTimeout }

// Work stores the summary of the meeting's current transcript unless it is
// stored already. A meeting deleted since, or without a transcript, has
// nothing to summarize.
func (w *SummaryWorker) Work(ctx context.Context, job *river.Job[SummaryArgs]) error {
	s := w.Service
	m, err := s.meetings.GetByID(ctx, caller.ForSystem(job.Args.OrgID), job.Args.MeetingID)
	if errors.Is(err, fault.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.TranscriptVersion == 0 {
		return nil
	}
	if _, ok, err := s.storedSummary(ctx, m); err != nil || ok {
		return err
	}
	if _, err := s.computeSummary(ctx, m); err != nil && !errors.Is(err, fault.ErrConflict) {
		return fmt.Errorf("summarize meeting %s: %w", m.UUID, err)
	}
	return nil
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
	items, err := s.actionItems(ctx, segs, opts)
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

// ActionItems extracts the tasks of a transcript within the service's time
// budget.
func (s *Service) ActionItems(ctx context.Context, segs []ai.Segment, opts ai.ItemOptions) ([]ActionItem, error) {
	return ai.Budget(ctx, s.timeout, func(ctx context.Context) ([]ActionItem, error) { return s.actionItems(ctx, segs, opts) })
}

func (s *Service) actionItems(ctx context.Context, segs []ai.Segment, opts ai.ItemOptions) ([]ActionItem, error) {
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

// SummarizeText summarizes an ad-hoc transcript in at most maxWords words,
// within the service's time budget.
func (s *Service) SummarizeText(ctx context.Context, segs []ai.Segment, maxWords int) (string, error) {
	if maxWords < 0 || maxWords > 5000 {
		return "", fault.Invalid("maxLength", "validation_error", "maxLength must be between 1 and 5000 words")
	}
	sum, err := ai.Budget(ctx, s.timeout, func(ctx context.Context) (ai.Summary, error) {
		return s.engine.Summarize(ctx, segs, ai.SummaryOptions{MaxWords: maxWords})
	})
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
