package eval

import (
	"context"
	"fmt"
	"sync"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/offline"
	"github.com/quorumhq/quorum/internal/search"
)

// Backend is the system under evaluation. The in-process Direct backend
// measures the engine itself; an implementation over the public HTTP API
// measures the product end to end.
type Backend interface {
	// Import stores a meeting's transcript under id.
	Import(ctx context.Context, id string, segs []ai.Segment) error
	// Search returns up to limit hits for query within one meeting (every
	// meeting when meetingID is empty), best first, as inclusive segment
	// ranges.
	Search(ctx context.Context, meetingID, query string, limit int) ([]Span, error)
	// Ask answers a question about one meeting.
	Ask(ctx context.Context, meetingID, query string) (string, error)
	// Summarize summarizes one meeting.
	Summarize(ctx context.Context, meetingID string) (string, error)
}

// Direct is a Backend that calls the search index and the offline engine in
// process.
type Direct struct {
	index *search.Index
	// MaxWords caps transcript chunks; AnswerWords and SummaryWords set
	// answer and summary lengths (0 for the engine defaults).
	MaxWords, AnswerWords, SummaryWords int

	mu       sync.RWMutex
	meetings map[string][]ai.Segment
}

// NewDirect returns a Direct backend over an index scoring with p.
func NewDirect(p search.Params) *Direct {
	return &Direct{index: search.New(p), MaxWords: search.DefaultMaxWords, meetings: map[string][]ai.Segment{}}
}

// Import implements Backend.
func (d *Direct) Import(_ context.Context, id string, segs []ai.Segment) error {
	chunks := search.ChunkTranscript(segs, d.MaxWords)
	for i := range chunks {
		chunks[i].MeetingID = id
	}
	if err := d.index.Replace(id, chunks); err != nil {
		return err
	}
	d.mu.Lock()
	d.meetings[id] = segs
	d.mu.Unlock()
	return nil
}

// Search implements Backend.
func (d *Direct) Search(_ context.Context, meetingID, query string, limit int) ([]Span, error) {
	hits := d.index.Search(search.Query{Text: query, MeetingID: meetingID, Limit: limit})
	spans := make([]Span, len(hits))
	for i, h := range hits {
		spans[i] = Span{Start: h.SegmentStart, End: h.SegmentEnd}
	}
	return spans, nil
}

// Ask implements Backend.
func (d *Direct) Ask(ctx context.Context, meetingID, query string) (string, error) {
	segs, err := d.segments(meetingID)
	if err != nil {
		return "", err
	}
	a, err := offline.Answer(ctx, segs, query, ai.AnswerOptions{MaxWords: d.AnswerWords})
	return a.Text, err
}

// Summarize implements Backend.
func (d *Direct) Summarize(ctx context.Context, meetingID string) (string, error) {
	segs, err := d.segments(meetingID)
	if err != nil {
		return "", err
	}
	s, err := offline.Summarize(ctx, segs, ai.SummaryOptions{MaxWords: d.SummaryWords})
	return s.Text(), err
}

func (d *Direct) segments(id string) ([]ai.Segment, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	segs, ok := d.meetings[id]
	if !ok {
		return nil, fmt.Errorf("eval: unknown meeting %q", id)
	}
	return segs, nil
}
