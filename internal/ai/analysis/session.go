package analysis

import (
	"math"
	"sort"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
)

// SessionReport is the quantitative profile of one meeting: who talked, how,
// and how the mood and the commitments went.
type SessionReport struct {
	Segments int `json:"segments"`
	// TalkTimeBasis is "duration" when every segment has times, otherwise
	// "words": talk shares are then shares of words spoken.
	TalkTimeBasis   string         `json:"talkTimeBasis"`
	DurationSeconds float64        `json:"durationSeconds"` // 0 when times are unknown
	TotalWords      int            `json:"totalWords"`
	Speakers        []SpeakerStats `json:"speakers"` // by talk share, largest first
	Questions       QuestionStats  `json:"questions"`
	// LongestMonologue is nil for an empty transcript.
	LongestMonologue  *Monologue        `json:"longestMonologue,omitempty"`
	Interruptions     []Interruption    `json:"interruptions"`
	Fillers           FillerStats       `json:"fillers"`
	SentimentTimeline []SentimentWindow `json:"sentimentTimeline"`
	SentimentTrend    string            `json:"sentimentTrend"` // "improving", "declining" or "stable"
	NextSteps         []NextStep        `json:"nextSteps"`
}

// SpeakerStats is one speaker's share of the conversation.
type SpeakerStats struct {
	Speaker   string  `json:"speaker"`
	TalkShare float64 `json:"talkShare"` // 0..1 on the report's TalkTimeBasis; shares sum to 1
	Seconds   float64 `json:"seconds"`   // 0 when times are unknown
	Words     int     `json:"words"`
	Turns     int     `json:"turns"`
	Questions int     `json:"questions"`
	// QuestionsPer100Turns normalizes questions by how often the speaker
	// took the floor.
	QuestionsPer100Turns float64 `json:"questionsPer100Turns"`
	Interruptions        int     `json:"interruptions"` // times this speaker cut in
	Interrupted          int     `json:"interrupted"`   // times this speaker was cut off
	Fillers              int     `json:"fillers"`
	FillersPer100Words   float64 `json:"fillersPer100Words"`
	// Sentiment is the mean sentiment of the speaker's turns that carry any.
	Sentiment float64 `json:"sentiment"`
}

// QuestionStats is the question rate of the whole meeting.
type QuestionStats struct {
	Total          int     `json:"total"`
	PerMinute      float64 `json:"perMinute"` // 0 when times are unknown
	Per100Turns    float64 `json:"per100Turns"`
	FirstSegment   int     `json:"firstSegment"` // -1 when none was asked
	QuestionTurns  int     `json:"questionTurns"`
	SpeakersAsking int     `json:"speakersAsking"`
}

// Monologue is a stretch where one speaker held the floor. Short
// backchannels from others ("yeah", "mm-hmm") do not end it.
type Monologue struct {
	Speaker      string  `json:"speaker"`
	SegmentStart int     `json:"segmentStart"`
	SegmentEnd   int     `json:"segmentEnd"` // inclusive
	Words        int     `json:"words"`
	Seconds      float64 `json:"seconds"` // 0 when times are unknown
	Quote        string  `json:"quote"`   // the opening of the monologue
}

// Interruption is a turn that took the floor before the previous speaker had
// finished.
type Interruption struct {
	SegmentIndex int    `json:"segmentIndex"` // the interrupting turn
	Interrupter  string `json:"interrupter"`
	// InterruptedSegment is the turn that was cut off.
	InterruptedSegment int    `json:"interruptedSegment"`
	Interrupted        string `json:"interrupted"`
	// Reason is "overlap" (the turn started before the previous one ended)
	// or "cut_off" (the previous turn trails off unfinished).
	Reason          string  `json:"reason"`
	OverlapSeconds  float64 `json:"overlapSeconds,omitempty"`
	Quote           string  `json:"quote"`           // the cut-off turn
	InterrupterSaid string  `json:"interrupterSaid"` // the interrupting turn
}

// FillerStats counts filler words and phrases over the meeting.
type FillerStats struct {
	Total          int            `json:"total"`
	Per100Words    float64        `json:"per100Words"`
	ByFiller       map[string]int `json:"byFiller"`
	TopFillerTurns []FillerTurn   `json:"topFillerTurns"`
}

// FillerTurn is a turn unusually dense in fillers.
type FillerTurn struct {
	SegmentIndex int     `json:"segmentIndex"`
	Speaker      string  `json:"speaker"`
	Fillers      int     `json:"fillers"`
	Per100Words  float64 `json:"per100Words"`
	Text         string  `json:"text"`
}

// SentimentWindow is the average sentiment of a run of consecutive turns.
type SentimentWindow struct {
	SegmentStart int     `json:"segmentStart"`
	SegmentEnd   int     `json:"segmentEnd"` // inclusive
	Start        float64 `json:"start"`      // seconds, 0 when unknown
	End          float64 `json:"end"`
	// Score is the mean sentiment in [-1, 1] of the window's turns that
	// carry any; neutral turns are left out so that backchannels do not
	// flatten every window to zero.
	Score float64 `json:"score"`
	Label string  `json:"label"` // "positive", "neutral" or "negative"
}

// NextStep is a sentence that commits someone to doing something.
type NextStep struct {
	SegmentIndex int    `json:"segmentIndex"`
	Speaker      string `json:"speaker"`
	Text         string `json:"text"`
	Cue          string `json:"cue"`           // the commitment cue that matched
	Due          string `json:"due,omitempty"` // "by Friday", when one is named
}

// Thresholds for what counts as a long monologue: 90 seconds, or when times
// are unknown 225 words, the same length at a typical 150 words a minute.
// Sales coaching research puts good monologues well under two minutes.
const (
	monologueSeconds = 90
	monologueWords   = 225
)

// Session profiles a meeting: talk shares, turns, questions, the longest
// monologue, interruptions, fillers, sentiment over time and next steps.
func Session(segs []ai.Segment) SessionReport {
	tr := prepare(segs)
	shares, basis := tr.talkShares()
	rep := SessionReport{
		Segments:      len(segs),
		TalkTimeBasis: basis,
		Interruptions: tr.interruptions(),
		NextSteps:     tr.nextSteps(),
		Fillers:       FillerStats{ByFiller: map[string]int{}, TopFillerTurns: []FillerTurn{}},
	}
	if tr.timed && len(segs) > 0 {
		first, last := segs[0].Start, segs[0].End
		for _, s := range segs {
			first, last = math.Min(first, s.Start), math.Max(last, s.End)
		}
		rep.DurationSeconds = round(last-first, 2)
	}

	stats := map[string]*SpeakerStats{}
	sentSum, sentN := map[string]float64{}, map[string]int{}
	for _, sp := range tr.speakers {
		stats[sp] = &SpeakerStats{Speaker: sp, TalkShare: round(shares[sp], 4)}
	}
	for _, t := range tr.turns {
		st := stats[t.speaker]
		st.Turns++
		st.Words += t.words
		st.Seconds += t.seconds()
		st.Questions += len(t.questions)
		fc := fillerCounts(t.text)
		n := sumCounts(fc)
		st.Fillers += n
		for f, c := range fc {
			rep.Fillers.ByFiller[f] += c
		}
		if n >= 2 && t.words >= 8 {
			rep.Fillers.TopFillerTurns = append(rep.Fillers.TopFillerTurns, FillerTurn{
				SegmentIndex: t.idx, Speaker: t.speaker, Fillers: n,
				Per100Words: round(100*float64(n)/float64(t.words), 1), Text: quote(t.text),
			})
		}
		if t.sentiment != 0 {
			sentSum[t.speaker] += t.sentiment
			sentN[t.speaker]++
		}
		rep.TotalWords += t.words
		rep.Questions.Total += len(t.questions)
		if len(t.questions) > 0 {
			rep.Questions.QuestionTurns++
			if rep.Questions.QuestionTurns == 1 {
				rep.Questions.FirstSegment = t.idx
			}
		}
	}
	if rep.Questions.QuestionTurns == 0 {
		rep.Questions.FirstSegment = -1
	}
	for _, in := range rep.Interruptions {
		stats[in.Interrupter].Interruptions++
		stats[in.Interrupted].Interrupted++
	}
	for _, sp := range tr.speakers {
		st := stats[sp]
		st.Seconds = round(st.Seconds, 2)
		if st.Turns > 0 {
			st.QuestionsPer100Turns = round(100*float64(st.Questions)/float64(st.Turns), 1)
		}
		if st.Words > 0 {
			st.FillersPer100Words = round(100*float64(st.Fillers)/float64(st.Words), 2)
		}
		if sentN[sp] > 0 {
			st.Sentiment = round(sentSum[sp]/float64(sentN[sp]), 3)
		}
		if st.Questions > 0 {
			rep.Questions.SpeakersAsking++
		}
		rep.Speakers = append(rep.Speakers, *st)
	}
	sort.SliceStable(rep.Speakers, func(i, j int) bool { return rep.Speakers[i].TalkShare > rep.Speakers[j].TalkShare })

	if len(segs) > 0 {
		rep.Questions.Per100Turns = round(100*float64(rep.Questions.Total)/float64(len(segs)), 1)
	}
	if rep.DurationSeconds > 0 {
		rep.Questions.PerMinute = round(float64(rep.Questions.Total)/(rep.DurationSeconds/60), 2)
	}
	rep.Fillers.Total = sumCounts(rep.Fillers.ByFiller)
	if rep.TotalWords > 0 {
		rep.Fillers.Per100Words = round(100*float64(rep.Fillers.Total)/float64(rep.TotalWords), 2)
	}
	sort.SliceStable(rep.Fillers.TopFillerTurns, func(i, j int) bool {
		a, b := rep.Fillers.TopFillerTurns[i], rep.Fillers.TopFillerTurns[j]
		if a.Fillers != b.Fillers {
			return a.Fillers > b.Fillers
		}
		return a.Per100Words > b.Per100Words
	})
	if len(rep.Fillers.TopFillerTurns) > 5 {
		rep.Fillers.TopFillerTurns = rep.Fillers.TopFillerTurns[:5]
	}

	if mons := tr.monologues(); len(mons) > 0 {
		longest := mons[0]
		for _, m := range mons[1:] {
			if tr.longer(m, longest) {
				longest = m
			}
		}
		rep.LongestMonologue = &longest
	}
	rep.SentimentTimeline = tr.sentimentTimeline()
	rep.SentimentTrend = trend(rep.SentimentTimeline)
	if rep.Interruptions == nil {
		rep.Interruptions = []Interruption{}
	}
	if rep.NextSteps == nil {
		rep.NextSteps = []NextStep{}
	}
	if rep.Speakers == nil {
		rep.Speakers = []SpeakerStats{}
	}
	return rep
}

// monologues returns every stretch in which one speaker held the floor, in
// transcript order. A stretch continues through other speakers' backchannels
// but ends at any turn that says something.
func (tr *transcript) monologues() []Monologue {
	var out []Monologue
	var cur *Monologue
	var firstStart, lastEnd float64
	flush := func() {
		if cur == nil {
			return
		}
		if tr.timed {
			cur.Seconds = round(lastEnd-firstStart, 2)
		}
		out = append(out, *cur)
		cur = nil
	}
	for _, t := range tr.turns {
		if cur != nil && t.speaker != cur.Speaker && isBackchannel(t) {
			continue
		}
		if cur == nil || t.speaker != cur.Speaker {
			flush()
			cur = &Monologue{Speaker: t.speaker, SegmentStart: t.idx, SegmentEnd: t.idx, Quote: quote(t.text)}
			firstStart = t.start
		}
		cur.SegmentEnd = t.idx
		cur.Words += t.words
		lastEnd = t.end
		if len(cur.Quote) < 120 && t.idx != cur.SegmentStart {
			cur.Quote = quote(cur.Quote + " " + t.text)
		}
	}
	flush()
	return out
}

// longer compares monologues by seconds when the transcript is timed and by
// words otherwise.
func (tr *transcript) longer(a, b Monologue) bool {
	if tr.timed && a.Seconds != b.Seconds {
		return a.Seconds > b.Seconds
	}
	return a.Words > b.Words
}

func (tr *transcript) tooLong(m Monologue) bool {
	if tr.timed {
		return m.Seconds >= monologueSeconds
	}
	return m.Words >= monologueWords
}

// overlapTolerance absorbs the jitter of ASR timestamps: a next turn starting
// less than this before the previous end is a clean handover.
const overlapTolerance = 0.3

// cutOffMaxWords is how short an unterminated turn must be to count as cut
// off; longer ones are more likely long sentences the transcriber did not
// punctuate.
const cutOffMaxWords = 12

// interruptions finds turns that took the floor from another speaker early:
// with times, a turn starting before the previous one ended; without, a
// previous turn that trails off unfinished ("so we could-", "{disfmarker}").
// Backchannels are neither interruptions nor interrupted: saying "yeah" over
// someone is listening, not taking the floor, and a trailing "yeah," was not
// going anywhere.
func (tr *transcript) interruptions() []Interruption {
	var out []Interruption
	for i := 1; i < len(tr.turns); i++ {
		prev, t := tr.turns[i-1], tr.turns[i]
		if prev.speaker == t.speaker || isBackchannel(t) || isBackchannel(prev) {
			continue
		}
		in := Interruption{
			SegmentIndex: t.idx, Interrupter: t.speaker,
			InterruptedSegment: prev.idx, Interrupted: prev.speaker,
			Quote: quote(prev.text), InterrupterSaid: quote(t.text),
		}
		switch {
		case prev.end > prev.start && t.end > t.start && t.start < prev.end-overlapTolerance:
			in.Reason = "overlap"
			in.OverlapSeconds = round(prev.end-t.start, 2)
		case tr.cutOff(prev):
			in.Reason = "cut_off"
		default:
			continue
		}
		out = append(out, in)
	}
	return out
}

// cutOff reports whether a turn ends unfinished: with a dash, an ellipsis or
// a disfluency marker, or, in a transcript that is otherwise punctuated,
// without any terminator while being short.
func (tr *transcript) cutOff(t turn) bool {
	raw := strings.TrimSpace(t.raw)
	if strings.HasSuffix(raw, "{disfmarker}") {
		return t.words > 0
	}
	s := strings.TrimSpace(t.text)
	if s == "" {
		return false
	}
	if strings.HasSuffix(s, "-") || strings.HasSuffix(s, "…") || strings.HasSuffix(s, "...") || strings.HasSuffix(s, "—") {
		return true
	}
	return tr.punctuated && !endsSentence(s) && t.words <= cutOffMaxWords
}

// sentimentWindowTurns picks the window size: 10 turns, widened for long
// meetings so the timeline has at most 20 points.
func sentimentWindowTurns(n int) int {
	return max(10, (n+19)/20)
}

func (tr *transcript) sentimentTimeline() []SentimentWindow {
	out := []SentimentWindow{}
	w := sentimentWindowTurns(len(tr.turns))
	for lo := 0; lo < len(tr.turns); lo += w {
		hi := min(lo+w, len(tr.turns))
		var sum float64
		n := 0
		for _, t := range tr.turns[lo:hi] {
			if t.sentiment != 0 {
				sum += t.sentiment
				n++
			}
		}
		win := SentimentWindow{
			SegmentStart: lo, SegmentEnd: hi - 1,
			Start: tr.turns[lo].start, End: tr.turns[hi-1].end,
		}
		if n > 0 {
			win.Score = round(sum/float64(n), 3)
		}
		win.Label = sentimentLabel(win.Score)
		out = append(out, win)
	}
	return out
}

func sentimentLabel(s float64) string {
	switch {
	case s >= 0.2:
		return "positive"
	case s <= -0.2:
		return "negative"
	}
	return "neutral"
}

// trend compares the mean of the last third of the timeline with the first
// third; a change of 0.15 or more on the [-1, 1] scale is a trend.
func trend(ws []SentimentWindow) string {
	if len(ws) < 2 {
		return "stable"
	}
	k := max(1, len(ws)/3)
	mean := func(part []SentimentWindow) float64 {
		var s float64
		for _, w := range part {
			s += w.Score
		}
		return s / float64(len(part))
	}
	d := mean(ws[len(ws)-k:]) - mean(ws[:k])
	switch {
	case d >= 0.15:
		return "improving"
	case d <= -0.15:
		return "declining"
	}
	return "stable"
}
