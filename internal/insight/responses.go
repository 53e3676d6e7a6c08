package insight

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/meeting"
)

// MoodSample is one reading of a participant's mood in a live session.
type MoodSample struct {
	ParticipantID string
	Mood          string
	Sentiment     float64
	Confidence    *float64
	Timestamp     time.Time
}

// MaxMoodSamples caps one push of samples.
const MaxMoodSamples = 1000

// AddMood appends samples to a response context, creating it on first use.
func (s *Service) AddMood(ctx context.Context, c caller.Caller, responseID string, samples []MoodSample) (int, error) {
	if err := validResponseID(responseID); err != nil {
		return 0, err
	}
	if len(samples) == 0 {
		return 0, fault.Invalid("samples", "validation_error", "samples must not be empty")
	}
	if len(samples) > MaxMoodSamples {
		return 0, fault.Invalid("samples", "validation_error", "at most %d samples per request", MaxMoodSamples)
	}
	for i, m := range samples {
		switch {
		case meeting.ValidText("samples", m.ParticipantID) != nil || meeting.ValidText("samples", m.Mood) != nil:
			return 0, fault.Invalid("samples", "invalid_encoding", "sample %d is not UTF-8 text without NUL characters", i)
		case strings.TrimSpace(m.ParticipantID) == "" || len(m.ParticipantID) > 200:
			return 0, fault.Invalid("samples", "validation_error", "sample %d needs a participantId of 1 to 200 characters", i)
		case strings.TrimSpace(m.Mood) == "" || len(m.Mood) > 50:
			return 0, fault.Invalid("samples", "validation_error", "sample %d needs a mood of 1 to 50 characters", i)
		case math.IsNaN(m.Sentiment) || m.Sentiment < -1 || m.Sentiment > 1:
			return 0, fault.Invalid("samples", "validation_error", "sample %d has a sentiment outside -1..1", i)
		case m.Confidence != nil && !(*m.Confidence >= 0 && *m.Confidence <= 1): // NaN fails both
			return 0, fault.Invalid("samples", "validation_error", "sample %d has a confidence outside 0..1", i)
		}
	}
	now := s.now()
	err := s.addMoodSamples(ctx, c.OrgID, responseID, samples, now)
	if err != nil {
		return 0, err
	}
	return len(samples), nil
}

func validResponseID(id string) error {
	if id == "" || len(id) > 200 || meeting.ValidText("responseId", id) != nil {
		return fault.Invalid("responseId", "validation_error", "responseId must be 1 to 200 characters")
	}
	return nil
}

// Prompts are the stored prompts a response query can select by key; the
// offline engine answers each from the mood statistics.
var Prompts = map[string]string{
	"summary":      "Summarize the mood of the session so far.",
	"participants": "How does each participant feel?",
	"trend":        "How has the mood changed over the session?",
	"attention":    "Who needs attention because their mood is negative?",
}

// ResponseAnswer is the reply to a response-context query.
type ResponseAnswer struct {
	Content    string
	ResponseID string
	Model      string
}

type participantMood struct {
	id          string
	n           int
	sum         float64
	moods       map[string]int
	first       float64
	last        float64
	lastAt      time.Time
	weightedSum float64
	weights     float64
}

// QueryResponse answers a question about a live session's accumulated
// mood data. promptKey selects one of Prompts; query adds to it.
func (s *Service) QueryResponse(ctx context.Context, c caller.Caller, responseID, query, promptKey, model string) (ResponseAnswer, error) {
	if err := validResponseID(responseID); err != nil {
		return ResponseAnswer{}, err
	}
	if promptKey == "" {
		promptKey = "summary"
	}
	if _, ok := Prompts[promptKey]; !ok {
		return ResponseAnswer{}, fault.Invalid("promptKey", "unknown_prompt_key", "unknown promptKey %q", promptKey)
	}
	if utf8.RuneCountInString(query) > MaxQueryRunes {
		return ResponseAnswer{}, fault.Invalid("query", "validation_error", "query is longer than %d characters", MaxQueryRunes)
	}
	if model != "" && model != s.model {
		return ResponseAnswer{}, fault.Invalid("model", "unknown_model", "model %q is not configured; this server runs %q", model, s.model)
	}
	samples, err := s.moodSamples(ctx, c.OrgID, responseID)
	if err != nil {
		return ResponseAnswer{}, err
	}
	byID := map[string]*participantMood{}
	var all []float64
	for _, m := range samples {
		p := byID[m.ParticipantID]
		if p == nil {
			p = &participantMood{id: m.ParticipantID, moods: map[string]int{}, first: m.Sentiment}
			byID[m.ParticipantID] = p
		}
		conf := *m.Confidence
		p.n++
		p.sum += m.Sentiment
		p.moods[m.Mood]++
		p.last, p.lastAt = m.Sentiment, m.Timestamp
		p.weightedSum += m.Sentiment * conf
		p.weights += conf
		all = append(all, m.Sentiment)
	}
	return ResponseAnswer{Content: moodReport(promptKey, query, byID, all), ResponseID: responseID, Model: s.model}, nil
}

// avg is the confidence-weighted mean sentiment.
func (p *participantMood) avg() float64 {
	if p.weights == 0 {
		return p.sum / float64(p.n)
	}
	return p.weightedSum / p.weights
}

// moodReport renders the statistics the prompt asks for.
func moodReport(key, query string, byID map[string]*participantMood, all []float64) string {
	ps := make([]*participantMood, 0, len(byID))
	for _, p := range byID {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].id < ps[j].id })
	// A query naming participants narrows the report to them.
	if q := strings.ToLower(query); q != "" {
		var named []*participantMood
		for _, p := range ps {
			if strings.Contains(q, strings.ToLower(p.id)) {
				named = append(named, p)
			}
		}
		if len(named) > 0 {
			ps = named
		}
	}
	mean := func(xs []float64) float64 {
		if len(xs) == 0 {
			return 0
		}
		var s float64
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	var b strings.Builder
	switch key {
	case "participants":
		for _, p := range ps {
			fmt.Fprintf(&b, "%s: mostly %s, average sentiment %+.2f over %d samples (latest %+.2f).\n", p.id, topMood(p.moods), p.avg(), p.n, p.last)
		}
	case "trend":
		half := len(all) / 2
		early, late := mean(all[:half]), mean(all[half:])
		dir := "stayed about the same"
		if late-early > 0.1 {
			dir = "improved"
		} else if early-late > 0.1 {
			dir = "declined"
		}
		fmt.Fprintf(&b, "The mood %s: average sentiment %+.2f in the first half and %+.2f in the second (%d samples).\n", dir, early, late, len(all))
		for _, p := range ps {
			fmt.Fprintf(&b, "%s went from %+.2f to %+.2f.\n", p.id, p.first, p.last)
		}
	case "attention":
		flagged := 0
		for _, p := range ps {
			if p.last < -0.2 || p.avg() < -0.2 {
				flagged++
				fmt.Fprintf(&b, "%s needs attention: latest sentiment %+.2f, mostly %s.\n", p.id, p.last, topMood(p.moods))
			}
		}
		if flagged == 0 {
			b.WriteString("No participant's mood is negative at the moment.\n")
		}
	default:
		moods := map[string]int{}
		for _, p := range ps {
			for m, n := range p.moods {
				moods[m] += n
			}
		}
		fmt.Fprintf(&b, "%d participants, %d mood samples. The prevailing mood is %s with an average sentiment of %+.2f.\n",
			len(ps), len(all), topMood(moods), mean(all))
	}
	return strings.TrimSpace(b.String())
}

func topMood(m map[string]int) string {
	best, n := "neutral", 0
	for mood, c := range m {
		if c > n || c == n && mood < best {
			best, n = mood, c
		}
	}
	return best
}
