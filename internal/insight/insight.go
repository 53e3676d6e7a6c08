// Package insight is the intelligence service behind the Cloud API: meeting
// summaries, search, answers with citations, ad-hoc transcript analysis and
// live response contexts. It combines meetings, the search index and the
// configured engine (the offline one, or an OpenAI-compatible model).
package insight

import (
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/transcript"
	"github.com/quorumhq/quorum/internal/usage"
)

// Limits of the intelligence endpoints.
const (
	MaxQueryRunes   = 2000
	DefaultLimit    = 10
	MaxLimit        = 100
	DefaultAskLimit = 8
)

// Service answers questions about an organization's meetings.
type Service struct {
	db       *store.DB
	queue    *jobs.Queue
	meetings *meeting.Service
	index    *index.Service
	engine   ai.Engine
	model    string
	timeout  time.Duration
	logger   *slog.Logger
	events   event.Emitter
	meter    usage.Meter
	now      func() time.Time
}

// Config assembles a Service.
type Config struct {
	DB       *store.DB
	Queue    *jobs.Queue
	Meetings *meeting.Service
	Index    *index.Service
	Engine   ai.Engine
	// Model names the engine in answers.
	Model string
	// Timeout is the time budget of one synchronous request (see
	// ai.Budget); 0 means none.
	Timeout time.Duration
	Logger  *slog.Logger
}

// NewService returns a Service.
func NewService(c Config) *Service {
	return &Service{db: c.DB, queue: c.Queue, meetings: c.Meetings, index: c.Index, engine: c.Engine, model: c.Model,
		timeout: c.Timeout, logger: c.Logger, now: func() time.Time { return time.Now().UTC() }}
}

func validQuery(field, q string) (string, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return "", fault.Invalid(field, "validation_error", "%s must not be empty", field)
	}
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		return "", fault.Invalid(field, "validation_error", "%s is longer than %d characters", field, MaxQueryRunes)
	}
	return q, nil
}

func validLimit(limit, def int) (int, error) {
	if limit == 0 {
		return def, nil
	}
	if limit < 1 || limit > MaxLimit {
		return 0, fault.Invalid("limit", "validation_error", "limit must be between 1 and %d", MaxLimit)
	}
	return limit, nil
}

// Transcript validates an ad-hoc transcript given to the analysis
// endpoints.
func Transcript(segs []transcript.Segment) ([]ai.Segment, error) {
	if len(segs) == 0 {
		return nil, fault.Invalid("transcript", "empty_transcript", "transcript must not be empty")
	}
	if err := meeting.ValidateSegments(segs, false); err != nil {
		return nil, err
	}
	out := make([]ai.Segment, len(segs))
	for i, s := range segs {
		out[i] = ai.Segment(s)
	}
	return out, nil
}
