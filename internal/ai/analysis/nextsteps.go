package analysis

import (
	"regexp"
	"sort"
	"strings"
)

// maxNextSteps caps the next steps reported; in a long meeting the strongest
// commitments matter, not every "we'll see".
const maxNextSteps = 20

// commitmentCues match, in a lowercased sentence, the phrasings that commit a
// person to an action. Each requires a first-person subject (or "you need
// to", a request) because on real meetings "you'll see", "it will" and "you
// have to" are far more often predictions or explanations than plans.
var commitmentCues = []struct {
	name string
	re   *regexp.Regexp
}{
	{"action item", regexp.MustCompile(`\baction items?\b`)},
	{"next step", regexp.MustCompile(`\bnext steps?\b`)},
	{"follow up", regexp.MustCompile(`\bfollow(?:ing)?[ -]?ups?\b`)},
	{"will", regexp.MustCompile(`\b(?:i|we)(?:'ll| will| shall)\b`)},
	{"going to", regexp.MustCompile(`\b(?:i'm|i am|we're|we are) (?:going to|gonna)\b`)},
	{"let's", regexp.MustCompile(`\b(?:let's|let us) (?:\w+)`)},
	{"need to", regexp.MustCompile(`\b(?:(?:i|we|someone|somebody) (?:really )?(?:needs?|have|has) to|you (?:really )?need to)\b`)},
}

// namedWill matches "Dana will" with a capitalized name as subject.
var namedWill = regexp.MustCompile(`\b([A-Z][a-z]+)(?:'ll| will)\b`)

// notNames are capitalized words that start sentences and cannot own a task.
var notNames = wordSet(`it that this there which what who he she they we you i then so and but or if
	when where how why that's there's someone somebody everyone everybody nobody nothing one`)

// idleLets are "let's" phrases that organize talk rather than commit to work.
var idleLets = wordSet(`see say think just`)

var dueRE = regexp.MustCompile(`\b(?:by|before|on|until|this|next) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|noon|eod|eow|next week|next month|the end of (?:the |this )?(?:day|week|month|quarter)|end of (?:the |this )?(?:day|week|month|quarter)|week|month|\d{1,2}(?::\d{2})? ?(?:am|pm)|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2})\b|\btomorrow\b`)

// nextSteps finds sentences that commit someone to an action, strongest
// first when there are more than maxNextSteps, reported in transcript order.
func (tr *transcript) nextSteps() []NextStep {
	type scored struct {
		NextStep
		score float64
	}
	var found []scored
	for _, t := range tr.turns {
		for _, sent := range t.sentences {
			ns, score, ok := commitment(sent)
			if !ok {
				continue
			}
			ns.SegmentIndex, ns.Speaker = t.idx, t.speaker
			if len(tr.turns) > 0 && float64(t.idx) >= 0.7*float64(len(tr.turns)) {
				// Commitments cluster at the close of a meeting.
				score += 0.5
			}
			found = append(found, scored{ns, score})
		}
	}
	if len(found) > maxNextSteps {
		sort.SliceStable(found, func(i, j int) bool { return found[i].score > found[j].score })
		found = found[:maxNextSteps]
		sort.SliceStable(found, func(i, j int) bool { return found[i].SegmentIndex < found[j].SegmentIndex })
	}
	out := make([]NextStep, len(found))
	for i, f := range found {
		out[i] = f.NextStep
	}
	return out
}

// commitment reports whether sent commits someone to an action, with the cue
// that matched and a strength score.
func commitment(sent string) (NextStep, float64, bool) {
	if isQuestion(sent) || len(strings.Fields(sent)) < 4 {
		return NextStep{}, 0, false
	}
	lower := strings.ToLower(strings.ReplaceAll(sent, "’", "'"))
	if strings.HasPrefix(lower, "if ") || strings.Contains(lower, " would ") {
		// Hypotheticals plan nothing.
		return NextStep{}, 0, false
	}
	var ns NextStep
	var score float64
	for _, c := range commitmentCues {
		loc := c.re.FindStringIndex(lower)
		if loc == nil || negatedBefore(lower, loc[0]) {
			continue
		}
		m := lower[loc[0]:loc[1]]
		if c.name == "let's" {
			f := strings.Fields(m)
			if idleLets[f[len(f)-1]] {
				continue
			}
		}
		if ns.Cue == "" {
			ns.Cue = c.name
		}
		score++
	}
	if m := namedWill.FindStringSubmatch(sent); m != nil && !notNames[strings.ToLower(m[1])] {
		if ns.Cue == "" {
			ns.Cue = "will"
		}
		score++
	}
	if ns.Cue == "" {
		return NextStep{}, 0, false
	}
	if due := dueRE.FindString(lower); due != "" {
		ns.Due = due
		score++
	}
	ns.Text = quote(sent)
	return ns, score, true
}

// hasCommitment reports whether any sentence of t commits someone to act.
func hasCommitment(t turn) bool {
	for _, s := range t.sentences {
		if _, _, ok := commitment(s); ok {
			return true
		}
	}
	return false
}

// negatedBefore reports whether the few words before position at negate
// what follows ("I don't think we'll need to"), which undoes a commitment.
func negatedBefore(lower string, at int) bool {
	before := lower[max(0, at-25):at]
	return strings.Contains(before, "n't") || strings.Contains(before, "not ") || strings.Contains(before, "never ")
}
