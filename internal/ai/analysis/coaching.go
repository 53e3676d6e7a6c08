package analysis

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
)

// Coaching categories reported in Moment.Category.
const (
	CategoryMonologue         = "monologue"
	CategoryInterruption      = "interruption"
	CategoryFillerHeavy       = "filler_heavy"
	CategoryNegativeTone      = "negative_tone"
	CategoryDominantTalker    = "dominant_talker"
	CategoryNoQuestions       = "no_questions"
	CategoryUnclearNextSteps  = "unclear_next_steps"
	maxMomentsPerCategory     = 3
	negativeToneThreshold     = -0.45
	fillerHeavyPer100Words    = 12.0
	fillerHeavyMinFillers     = 3
	interruptionsWorthComment = 2
)

// Moment is one coaching observation pinned to a turn of the transcript.
type Moment struct {
	SegmentIndex int     `json:"segmentIndex"`
	Timestamp    float64 `json:"timestamp"` // the segment's start in seconds, 0 when unknown
	Speaker      string  `json:"speaker"`
	Category     string  `json:"category"`
	Observation  string  `json:"observation"`
	Suggestion   string  `json:"suggestion"`
	Quote        string  `json:"quote"`
}

// Coaching finds the moments of a meeting a coach would point at: long
// monologues, interruptions, filler-heavy turns, negative tone, a dominant
// talker, speakers who asked nothing and a close without clear next steps.
// Each category reports at most three moments, the most pronounced ones;
// the result is in transcript order.
func Coaching(segs []ai.Segment) []Moment {
	tr := prepare(segs)
	out := []Moment{}
	if len(tr.turns) == 0 {
		return out
	}
	moment := func(t turn, category, observation, suggestion string) Moment {
		return Moment{
			SegmentIndex: t.idx, Timestamp: t.start, Speaker: t.speaker, Category: category,
			Observation: observation, Suggestion: suggestion, Quote: quote(t.text),
		}
	}

	// Long monologues, longest first.
	var long []Monologue
	for _, m := range tr.monologues() {
		if tr.tooLong(m) {
			long = append(long, m)
		}
	}
	sort.SliceStable(long, func(i, j int) bool { return tr.longer(long[i], long[j]) })
	for _, m := range long[:min(len(long), maxMomentsPerCategory)] {
		length := fmt.Sprintf("%d words", m.Words)
		if m.Seconds > 0 {
			length = fmt.Sprintf("%s (%d words)", duration(m.Seconds), m.Words)
		}
		mo := moment(tr.turns[m.SegmentStart], CategoryMonologue,
			fmt.Sprintf("%s held the floor for %s across segments %d–%d without anyone else taking a turn.",
				m.Speaker, length, m.SegmentStart, m.SegmentEnd),
			"Break long explanations into chunks of under 90 seconds and hand the floor back with a question, e.g. \"How does that compare with what you're seeing?\"")
		mo.Quote = m.Quote
		out = append(out, mo)
	}

	// Interruptions, for the speakers who cut in most often.
	byInterrupter := map[string][]Interruption{}
	for _, in := range tr.interruptions() {
		byInterrupter[in.Interrupter] = append(byInterrupter[in.Interrupter], in)
	}
	interrupters := tr.rankSpeakers(func(sp string) float64 { return float64(len(byInterrupter[sp])) })
	for _, sp := range interrupters[:min(len(interrupters), maxMomentsPerCategory)] {
		ins := byInterrupter[sp]
		if len(ins) < interruptionsWorthComment {
			break
		}
		first := ins[0]
		how := "while " + first.Interrupted + " was mid-sentence"
		if first.Reason == "overlap" {
			how = fmt.Sprintf("%.1f s before %s had finished", first.OverlapSeconds, first.Interrupted)
		}
		mo := moment(tr.turns[first.SegmentIndex], CategoryInterruption,
			fmt.Sprintf("%s interrupted %d times; the first, at segment %d, came %s: \"%s\"",
				sp, len(ins), first.SegmentIndex, how, first.Quote),
			"Let the speaker finish the sentence, then build on it (\"You were saying X — can I add...\"). Jot the thought down instead of cutting in.")
		out = append(out, mo)
	}

	// Filler-heavy turns, densest first.
	type fillerTurn struct {
		t    turn
		n    int
		rate float64
		top  string
	}
	var heavy []fillerTurn
	for _, t := range tr.turns {
		if t.words < 10 {
			continue
		}
		fc := fillerCounts(t.text)
		n := sumCounts(fc)
		rate := 100 * float64(n) / float64(t.words)
		if n >= fillerHeavyMinFillers && rate >= fillerHeavyPer100Words {
			heavy = append(heavy, fillerTurn{t, n, rate, topFillers(fc)})
		}
	}
	sort.SliceStable(heavy, func(i, j int) bool { return heavy[i].rate > heavy[j].rate })
	for _, h := range heavy[:min(len(heavy), maxMomentsPerCategory)] {
		out = append(out, moment(h.t, CategoryFillerHeavy,
			fmt.Sprintf("%d fillers in %d words (%.0f per 100 words): %s.", h.n, h.t.words, h.rate, h.top),
			"Replace fillers with a short pause; pausing reads as confidence. Know your next point before you start the sentence."))
	}

	// Negative tone, most negative first.
	var negative []turn
	for _, t := range tr.turns {
		if t.words >= 5 && t.sentiment <= negativeToneThreshold {
			negative = append(negative, t)
		}
	}
	sort.SliceStable(negative, func(i, j int) bool { return negative[i].sentiment < negative[j].sentiment })
	for _, t := range negative[:min(len(negative), maxMomentsPerCategory)] {
		out = append(out, moment(t, CategoryNegativeTone,
			fmt.Sprintf("%s's turn reads clearly negative (sentiment %.2f).", t.speaker, t.sentiment),
			"Acknowledge the concern explicitly, then move it to a concrete action: what would fix it, who owns it, by when."))
	}

	shares, basis := tr.talkShares()
	if k := len(tr.speakers); k >= 2 {
		// A speaker is dominant well above an even split: 65% of two
		// people's talk, 53% of three, 48% of four.
		fair := 1 / float64(k)
		limit := fair + 0.3*(1-fair)
		top := tr.rankSpeakers(func(sp string) float64 { return shares[sp] })[0]
		if shares[top] >= limit {
			t := tr.longestTurn(top)
			unit := "talk time"
			if basis == BasisWords {
				unit = "words spoken"
			}
			out = append(out, moment(t, CategoryDominantTalker,
				fmt.Sprintf("%s accounted for %.0f%% of %s among %d speakers (an even split is %.0f%%); their longest turn is segment %d.",
					top, 100*shares[top], unit, k, 100*fair, t.idx),
				"Aim for a more balanced conversation: ask an open question and let others answer in full before responding."))
		}
	}

	// Speakers with a substantial share who never asked anything.
	qs := tr.questionsBySpeaker()
	words := tr.wordsBySpeaker()
	total := 0
	for _, t := range tr.turns {
		total += len(t.questions)
	}
	if total == 0 && len(tr.turns) >= 4 {
		t := tr.turns[0]
		out = append(out, moment(t, CategoryNoQuestions,
			fmt.Sprintf("No one asked a single question in %d turns.", len(tr.turns)),
			"Open with a question about the other side's goals, and check understanding along the way (\"What would make this useful for you?\")."))
	} else if total > 0 && len(tr.speakers) >= 2 {
		silent := 0
		for _, sp := range tr.rankSpeakers(func(sp string) float64 { return shares[sp] }) {
			if qs[sp] > 0 || shares[sp] < 0.2 || words[sp] < 100 || silent == maxMomentsPerCategory {
				continue
			}
			silent++
			t := tr.longestTurn(sp)
			out = append(out, moment(t, CategoryNoQuestions,
				fmt.Sprintf("%s spoke %d words (%.0f%% of the conversation) without asking a single question.", sp, words[sp], 100*shares[sp]),
				"Turn statements into questions now and then (\"How does that land for you?\") to surface objections and keep others engaged."))
		}
	}

	// Next steps: none at all, or none with a date.
	steps := tr.nextSteps()
	last := tr.turns[len(tr.turns)-1]
	switch {
	case len(steps) == 0 && len(tr.turns) >= 4:
		out = append(out, moment(last, CategoryUnclearNextSteps,
			"The meeting ended without any stated commitment: no \"I'll\", \"we will\", \"next step\" or \"action item\" was heard.",
			"Close by naming owner, action and date: \"Dana will send the revised proposal by Friday.\""))
	case len(steps) > 0 && !anyDue(steps):
		s := steps[len(steps)-1]
		mo := moment(tr.turns[s.SegmentIndex], CategoryUnclearNextSteps,
			fmt.Sprintf("%d next step(s) were mentioned but none has a date, e.g. \"%s\".", len(steps), s.Text),
			"Attach a date to every commitment and recap them before the meeting ends.")
		out = append(out, mo)
	}

	sort.SliceStable(out, func(i, j int) bool { return out[i].SegmentIndex < out[j].SegmentIndex })
	return out
}

func anyDue(steps []NextStep) bool {
	for _, s := range steps {
		if s.Due != "" {
			return true
		}
	}
	return false
}

// longestTurn returns the speaker's turn with the most words.
func (tr *transcript) longestTurn(sp string) turn {
	best := -1
	for i, t := range tr.turns {
		if t.speaker == sp && (best < 0 || t.words > tr.turns[best].words) {
			best = i
		}
	}
	return tr.turns[best]
}

// topFillers renders the fillers of a turn, most frequent first: "um ×4, you know ×2".
func topFillers(fc map[string]int) string {
	keys := make([]string, 0, len(fc))
	for k := range fc {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if fc[keys[i]] != fc[keys[j]] {
			return fc[keys[i]] > fc[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("\"%s\" ×%d", k, fc[k])
	}
	return strings.Join(parts, ", ")
}

// duration renders seconds as "2m05s" or "45s".
func duration(sec float64) string {
	s := int(math.Round(sec))
	if s < 60 {
		return fmt.Sprintf("%ds", s)
	}
	return fmt.Sprintf("%dm%02ds", s/60, s%60)
}
