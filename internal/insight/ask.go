package insight

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/search"
)

// AskRequest is a question about an organization's meetings.
type AskRequest struct {
	Question   string
	MeetingIDs []string
	RoomName   string
	Limit      int
}

// AskResult is an answer whose every sentence ends with the numbers ([1],
// [2], ...) of the sources it rests on, 1-based into Sources.
type AskResult struct {
	Answer  string
	Sources []Hit
	Model   string
}

// answerMeetings caps how many meetings one answer draws from: beyond a
// few, an extractive answer loses focus.
const answerMeetings = 2

// NoAnswer is the reply when nothing relevant was found.
const NoAnswer = "I could not find anything about that in these meetings."

// Ask answers a question: search first, then answer from the meetings the
// best hits come from, citing the segments every sentence is drawn from.
// It runs within the service's time budget.
func (s *Service) Ask(ctx context.Context, c caller.Caller, r AskRequest) (AskResult, error) {
	return ai.Budget(ctx, s.timeout, func(ctx context.Context) (AskResult, error) { return s.ask(ctx, c, r) })
}

func (s *Service) ask(ctx context.Context, c caller.Caller, r AskRequest) (AskResult, error) {
	q, err := validQuery("question", r.Question)
	if err != nil {
		return AskResult{}, err
	}
	limit, err := validLimit(r.Limit, DefaultAskLimit)
	if err != nil {
		return AskResult{}, err
	}
	scope, err := s.scope(ctx, c, r.MeetingIDs, r.RoomName)
	if err != nil {
		return AskResult{}, err
	}
	out := AskResult{Sources: []Hit{}, Model: s.model}
	var meetingIDs []string
	var docHits []Hit
	if len(scope) == 1 {
		meetingIDs = scope
	} else if scope == nil || len(scope) > 0 {
		hits, err := s.Search(ctx, c, SearchRequest{Query: q, MeetingIDs: scope, Limit: limit})
		if err != nil {
			return AskResult{}, err
		}
		for _, h := range hits {
			if h.Source == string(search.SourceDocument) {
				docHits = append(docHits, h)
				continue
			}
			if !slices.Contains(meetingIDs, h.MeetingID) && len(meetingIDs) < answerMeetings {
				meetingIDs = append(meetingIDs, h.MeetingID)
			}
		}
	}
	var parts []string
	budget := 0 // the engine's default length
	if len(meetingIDs) > 1 {
		budget = 60
	}
	for _, id := range meetingIDs {
		if err := ctx.Err(); err != nil {
			return AskResult{}, err
		}
		text, sources, err := s.answerFromMeeting(ctx, c, id, q, budget, len(out.Sources))
		if err != nil {
			return AskResult{}, err
		}
		if text != "" {
			parts = append(parts, text)
			out.Sources = append(out.Sources, sources...)
		}
	}
	if len(parts) == 0 && len(docHits) > 0 {
		// Only documents matched: quote the best passage.
		d := docHits[0]
		out.Sources = append(out.Sources, d)
		parts = append(parts, firstWords(d.Text, 80)+" ["+strconv.Itoa(len(out.Sources))+"]")
	}
	if len(parts) == 0 {
		out.Answer = NoAnswer
		return out, nil
	}
	out.Answer = strings.Join(parts, " ")
	return out, nil
}

// answerFromMeeting answers from one meeting's transcript and returns the
// answer with its citation markers numbered after the first `offset`
// sources.
func (s *Service) answerFromMeeting(ctx context.Context, c caller.Caller, meetingUUID, q string, maxWords, offset int) (string, []Hit, error) {
	m, err := s.meetings.Get(ctx, c, meetingUUID)
	if err != nil {
		return "", nil, err
	}
	segs, err := s.meetings.Segments(ctx, m)
	if err != nil {
		return "", nil, err
	}
	if len(segs) == 0 {
		return "", nil, nil
	}
	ans, err := s.engine.Answer(ctx, segs, q, ai.AnswerOptions{MaxWords: maxWords})
	if err != nil {
		return "", nil, fmt.Errorf("answer from meeting %s: %w", meetingUUID, err)
	}
	var sources []Hit
	cite := func(start, end int) int {
		sources = append(sources, segmentHit(meetingUUID, segs, start, end))
		return offset + len(sources)
	}
	number := map[int]int{} // citation index -> source number
	var b strings.Builder
	for _, sent := range ans.Sentences {
		var n int
		if ci := citationOf(ans.Citations, sent.SegmentIndex); ci < 0 {
			n = cite(sent.SegmentIndex, sent.SegmentIndex)
		} else if known, ok := number[ci]; ok {
			n = known
		} else {
			n = cite(ans.Citations[ci].SegmentStart, ans.Citations[ci].SegmentEnd)
			number[ci] = n
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s [%d]", strings.TrimSpace(sent.Text), n)
	}
	return b.String(), sources, nil
}

// citationOf finds the citation covering a segment, or -1.
func citationOf(cs []ai.Citation, seg int) int {
	for i, c := range cs {
		if seg >= c.SegmentStart && seg <= c.SegmentEnd {
			return i
		}
	}
	return -1
}

func segmentHit(meetingUUID string, segs []ai.Segment, start, end int) Hit {
	var text []string
	for _, s := range segs[start : end+1] {
		text = append(text, s.Text)
	}
	return Hit{
		ID: fmt.Sprintf("%s:%d-%d", meetingUUID, start, end), Source: string(search.SourceTranscript), MeetingID: meetingUUID,
		SegmentStart: start, SegmentEnd: end, Speaker: segs[start].Speaker, StartTime: segs[start].Start, EndTime: segs[end].End,
		Text: strings.Join(text, " "),
	}
}

func firstWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return s
	}
	return strings.Join(words[:n], " ") + " …"
}
