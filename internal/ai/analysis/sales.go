package analysis

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// SalesReport analyses a sales call from the rep's point of view.
type SalesReport struct {
	// Rep is the seller: named in the context ("rep: Dana") or else the
	// speaker who asks the most discovery questions, then the most
	// questions, then talks most. Prospect is the speaker other than the
	// rep who talks most.
	Rep               string  `json:"rep"`
	Prospect          string  `json:"prospect"`
	TalkTimeBasis     string  `json:"talkTimeBasis"`
	RepTalkShare      float64 `json:"repTalkShare"`      // 0..1 of all talk
	ProspectTalkShare float64 `json:"prospectTalkShare"` // 0..1 of all talk
	// TalkRatio is rep:prospect as percentages of their combined talk, "43:57".
	TalkRatio           string           `json:"talkRatio"`
	DiscoveryQuestions  []Finding        `json:"discoveryQuestions"`
	Objections          []Finding        `json:"objections"`
	BuyingSignals       []Finding        `json:"buyingSignals"`
	Competitors         []Competitor     `json:"competitors"`
	NextSteps           []NextStep       `json:"nextSteps"`
	LongestRepMonologue *Monologue       `json:"longestRepMonologue,omitempty"`
	Sentiment           SentimentSummary `json:"sentiment"`
	Summary             string           `json:"summary"`
}

// Finding is a sentence of the call that matched a cue.
type Finding struct {
	SegmentIndex int    `json:"segmentIndex"`
	Speaker      string `json:"speaker"`
	Cue          string `json:"cue"`
	// Category groups objections (price, budget, timing, authority,
	// competition, need, uncertainty, complexity); empty for other findings.
	Category string `json:"category,omitempty"`
	Text     string `json:"text"`
}

// Competitor is a product or company the prospect or rep mentioned as an
// alternative.
type Competitor struct {
	Name     string `json:"name"`
	Mentions int    `json:"mentions"`
	Segments []int  `json:"segments"`
}

// SentimentSummary is the mood of a call: overall, at its start and end, and
// the windows in between.
type SentimentSummary struct {
	Overall  float64           `json:"overall"`
	Prospect float64           `json:"prospect"`
	Start    float64           `json:"start"` // the first window
	End      float64           `json:"end"`   // the last window
	Trend    string            `json:"trend"` // "improving", "declining" or "stable"
	Timeline []SentimentWindow `json:"timeline"`
}

// objectionCues are checked in order; the first match names the category.
var objectionCues = []cue{
	{"too expensive", "price"}, {"expensive", "price"}, {"costs too much", "price"}, {"too much money", "price"},
	{"too pricey", "price"}, {"price is too high", "price"}, {"pricing is too high", "price"}, {"too high", "price"},
	{"out of our budget", "budget"}, {"no budget", "budget"}, {"don't have the budget", "budget"},
	{"don't have budget", "budget"}, {"budget is tight", "budget"}, {"tight budget", "budget"},
	{"over budget", "budget"}, {"budget", "budget"}, {"can't afford", "budget"},
	{"not a priority", "timing"}, {"not right now", "timing"}, {"bad time", "timing"}, {"next quarter", "timing"},
	{"next year", "timing"}, {"no time", "timing"}, {"too busy", "timing"},
	{"check with my", "authority"}, {"talk to my", "authority"}, {"run it by", "authority"}, {"my boss", "authority"},
	{"sign off", "authority"}, {"approval", "authority"}, {"not my decision", "authority"}, {"the board", "authority"},
	{"competitor", "competition"}, {"already use", "competition"}, {"already using", "competition"},
	{"already have", "competition"}, {"happy with our current", "competition"}, {"locked in", "competition"},
	{"we don't need", "need"}, {"don't see the need", "need"}, {"not interested", "need"}, {"doesn't fit", "need"},
	{"not sure", "uncertainty"}, {"concern", "uncertainty"}, {"concerned", "uncertainty"}, {"concerns", "uncertainty"},
	{"worried", "uncertainty"}, {"risk", "uncertainty"}, {"hesitant", "uncertainty"}, {"skeptical", "uncertainty"},
	{"too complicated", "complexity"}, {"too complex", "complexity"}, {"learning curve", "complexity"},
	{"hard to implement", "complexity"},
}

// positiveBudget are budget mentions that are buying signals, not
// objections; they are checked before objectionCues.
var positiveBudget = []cue{
	{"have budget", ""}, {"have the budget", ""}, {"budget approved", ""}, {"budget is approved", ""},
	{"budget allocated", ""}, {"set aside budget", ""}, {"budget for this", ""},
}

var buyingCues = []cue{
	{"how much", ""}, {"when can we", ""}, {"when could we", ""}, {"pricing", ""}, {"price", ""}, {"contract", ""},
	{"trial", ""}, {"pilot", ""}, {"next step", ""}, {"next steps", ""}, {"get started", ""}, {"sign up", ""},
	{"onboarding", ""}, {"implementation", ""}, {"roll out", ""}, {"rollout", ""}, {"proposal", ""}, {"quote", ""},
	{"discount", ""}, {"how long does it take", ""}, {"how soon", ""}, {"send me", ""}, {"send over", ""},
	{"demo for my team", ""}, {"loop in", ""}, {"purchase", ""}, {"license", ""}, {"licenses", ""}, {"seats", ""},
	{"have budget", ""}, {"have the budget", ""}, {"budget approved", ""}, {"budget allocated", ""},
}

// discoveryTopics mark a question as discovery even when it is closed
// ("Do you have a budget for this?").
var discoveryTopics = wordSet(`challenge challenges goal goals process processes currently today priority priorities
	pain problem problems budget timeline timelines decision decide team teams workflow tools tool need needs
	success metrics kpi kpis biggest impact stakeholders`)

// openers start open questions.
var openers = wordSet(`what how why which where who tell walk describe explain help`)

// smallTalk are openers that are not discovery.
var smallTalk = []string{"how are you", "how's it going", "how is it going", "how was your", "can you hear",
	"can everyone hear", "how have you been", "what's up", "see my screen", "hear me"}

// competitorCueRE finds the words that introduce an alternative product
// ("we use", "switch from", "compared to"); a capitalized name in the few
// words after one is reported as a competitor. Tools mentioned this way
// ("we use Slack") are reported too: the rule cannot tell a competitor from a
// neighbouring product, and both matter to a rep.
var competitorCueRE = regexp.MustCompile(`(?i)\b(?:competitors?|using|use|uses|switch(?:ed|ing)? from|mov(?:e|ed|ing) from|compared to|versus|vs\.?|instead of|currently on|evaluating|looked at|looking at|replace|replacing|went with|go with)\b`)

// nameSkip are lowercase words allowed between a cue and a name ("using
// mostly the HubSpot CRM").
var nameSkip = wordSet(`the a an their our some mostly currently also like such as is are named called e g mainly primarily`)

// notCompetitors are capitalized words that are not product names.
var notCompetitors = wordSet(`i i'm i've i'll we we're you it the this that they he she and or but so ok okay yes no
	monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
	september october november december english excel email`)

// SalesCall analyses a sales conversation: who the rep and prospect are,
// their talk ratio, the rep's discovery questions, the prospect's objections
// and buying signals, competitors mentioned, next steps and how sentiment
// moved. context is optional free text; it may name the rep ("rep: Dana")
// or the prospect, and names in it are not reported as competitors.
func SalesCall(segs []ai.Segment, context string) SalesReport {
	tr := prepare(segs)
	shares, basis := tr.talkShares()
	rep := SalesReport{
		TalkTimeBasis: basis, DiscoveryQuestions: []Finding{}, Objections: []Finding{},
		BuyingSignals: []Finding{}, Competitors: []Competitor{}, NextSteps: tr.nextSteps(),
	}
	if len(tr.turns) == 0 {
		rep.NextSteps = []NextStep{}
		rep.Sentiment = SentimentSummary{Trend: "stable", Timeline: []SentimentWindow{}}
		rep.Summary = "Empty transcript."
		return rep
	}

	discovery := map[string]int{}
	for _, t := range tr.turns {
		for _, q := range t.questions {
			if _, ok := discoveryCue(q); ok {
				discovery[t.speaker]++
			}
		}
	}
	words := tr.wordsBySpeaker()
	qs := tr.questionsBySpeaker()
	rep.Rep = tr.roleFromContext(context, "rep", "seller", "salesperson", "account executive", "ae", "sales rep")
	if rep.Rep == "" {
		rep.Rep = tr.rankSpeakers(func(sp string) float64 {
			// Lexicographic: discovery questions, then questions, then words.
			return float64(discovery[sp])*1e12 + float64(qs[sp])*1e6 + float64(words[sp])
		})[0]
	}
	rep.Prospect = tr.roleFromContext(context, "prospect", "customer", "buyer", "client", "lead")
	if rep.Prospect == "" || rep.Prospect == rep.Rep {
		rep.Prospect = ""
		if others := tr.rankSpeakers(func(sp string) float64 { return shares[sp] }, rep.Rep); len(others) > 0 {
			rep.Prospect = others[0]
		}
	}
	rep.RepTalkShare = round(shares[rep.Rep], 4)
	rep.ProspectTalkShare = round(shares[rep.Prospect], 4)
	if both := shares[rep.Rep] + shares[rep.Prospect]; both > 0 {
		r := int(100*shares[rep.Rep]/both + 0.5)
		rep.TalkRatio = fmt.Sprintf("%d:%d", r, 100-r)
	}

	for _, t := range tr.turns {
		for _, sent := range t.sentences {
			lower := strings.ToLower(strings.ReplaceAll(sent, "’", "'"))
			if t.speaker == rep.Rep {
				if why, ok := discoveryCue(sent); ok && isQuestion(sent) {
					rep.DiscoveryQuestions = append(rep.DiscoveryQuestions, Finding{
						SegmentIndex: t.idx, Speaker: t.speaker, Cue: why, Text: quote(sent)})
				}
				continue
			}
			// Objections and buying signals are the other side's words.
			positive := hasBudget(lower)
			if c, ok := matchCue(lower, objectionCues); ok && !positive && !isQuestionAboutPrice(lower) {
				rep.Objections = append(rep.Objections, Finding{
					SegmentIndex: t.idx, Speaker: t.speaker, Cue: c.phrase, Category: c.category, Text: quote(sent)})
				continue
			}
			if c, ok := matchCue(lower, buyingCues); ok {
				rep.BuyingSignals = append(rep.BuyingSignals, Finding{
					SegmentIndex: t.idx, Speaker: t.speaker, Cue: c.phrase, Text: quote(sent)})
			}
		}
	}
	rep.Competitors = tr.competitors(context)

	if mons := tr.monologues(); len(mons) > 0 {
		var best *Monologue
		for i := range mons {
			if mons[i].Speaker == rep.Rep && (best == nil || tr.longer(mons[i], *best)) {
				best = &mons[i]
			}
		}
		rep.LongestRepMonologue = best
	}

	timeline := tr.sentimentTimeline()
	rep.Sentiment = SentimentSummary{Trend: trend(timeline), Timeline: timeline}
	rep.Sentiment.Start, rep.Sentiment.End = timeline[0].Score, timeline[len(timeline)-1].Score
	rep.Sentiment.Overall = tr.meanSentiment(func(turn) bool { return true })
	rep.Sentiment.Prospect = tr.meanSentiment(func(t turn) bool { return t.speaker == rep.Prospect })

	rep.Summary = fmt.Sprintf("%s (rep) and %s (prospect) split the talk %s. The rep asked %d discovery question(s); "+
		"the prospect raised %d objection(s) and showed %d buying signal(s). %d competitor(s) and %d next step(s) were mentioned; sentiment was %s.",
		rep.Rep, orNone(rep.Prospect), orNone(rep.TalkRatio), len(rep.DiscoveryQuestions), len(rep.Objections),
		len(rep.BuyingSignals), len(rep.Competitors), len(rep.NextSteps), rep.Sentiment.Trend)
	return rep
}

// hasBudget reports whether the lowercased sentence says budget is there
// ("we have budget approved"), unless negated ("we don't have the budget").
func hasBudget(lower string) bool {
	for _, c := range positiveBudget {
		if at := phraseIndex(lower, c.phrase); at >= 0 && !negatedBefore(lower, at) {
			return true
		}
	}
	return false
}

// isQuestionAboutPrice keeps "how much does it cost?" a buying signal even
// though it mentions money.
func isQuestionAboutPrice(lower string) bool {
	return isQuestion(lower) && (strings.Contains(lower, "how much") || strings.Contains(lower, "pricing"))
}

// discoveryCue reports whether a question explores the other side's
// situation, and why: an open question ("open question: how") or one about
// their goals, process, budget or team ("topic: budget"). Small talk is not
// discovery.
func discoveryCue(q string) (string, bool) {
	lower := strings.ToLower(strings.ReplaceAll(q, "’", "'"))
	for _, s := range smallTalk {
		if strings.Contains(lower, s) {
			return "", false
		}
	}
	toks := text.Tokens(lower)
	if len(toks) < 3 {
		return "", false
	}
	if openers[toks[0]] {
		return "open question: " + toks[0], true
	}
	if (toks[0] == "can" || toks[0] == "could") && toks[1] == "you" && openers[toks[2]] {
		return "open question: " + toks[2], true
	}
	for _, t := range toks {
		if discoveryTopics[t] {
			return "topic: " + t, true
		}
	}
	return "", false
}

// competitors finds capitalized names a few words after a competitor cue,
// leaving out speakers, names in the context and ordinary words.
func (tr *transcript) competitors(context string) []Competitor {
	exclude := map[string]bool{}
	for _, sp := range tr.speakers {
		for _, w := range strings.Fields(strings.ToLower(sp)) {
			exclude[w] = true
		}
	}
	for _, w := range text.Tokens(strings.ToLower(context)) {
		exclude[w] = true
	}
	byName := map[string]*Competitor{}
	var order []string
	for _, t := range tr.turns {
		for _, loc := range competitorCueRE.FindAllStringIndex(t.text, -1) {
			for _, name := range namesAfter(t.text[loc[1]:]) {
				if exclude[strings.ToLower(name)] || notCompetitors[strings.ToLower(name)] {
					continue
				}
				c := byName[name]
				if c == nil {
					c = &Competitor{Name: name}
					byName[name] = c
					order = append(order, name)
				}
				c.Mentions++
				if len(c.Segments) == 0 || c.Segments[len(c.Segments)-1] != t.idx {
					c.Segments = append(c.Segments, t.idx)
				}
			}
		}
	}
	out := make([]Competitor, 0, len(order))
	for _, n := range order {
		out = append(out, *byName[n])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Mentions > out[j].Mentions })
	return out
}

// namesAfter collects the capitalized names at the start of s: "Gong and
// Chorus.io today" -> [Gong, Chorus.io]. Up to two skippable lowercase
// words may precede the first name; "and", "or" and commas join names.
func namesAfter(s string) []string {
	var names []string
	var cur []string
	skipped := 0
	flush := func() {
		if len(cur) > 0 {
			names = append(names, strings.Join(cur, " "))
			cur = nil
		}
	}
	for i, f := range strings.Fields(s) {
		if i >= 8 {
			break
		}
		word := strings.Trim(f, `,;:!?"()`)
		word = strings.TrimSuffix(strings.TrimSuffix(word, "'s"), ".")
		if word == "" {
			continue
		}
		isName := isCapitalized(word) && !notCompetitors[strings.ToLower(word)]
		switch {
		case isName:
			cur = append(cur, word)
		case len(names) == 0 && len(cur) == 0 && nameSkip[strings.ToLower(word)] && skipped < 2:
			skipped++
			continue
		case (word == "and" || word == "or") && (len(cur) > 0 || len(names) > 0):
			flush()
			continue
		default:
			flush()
			return names
		}
		if strings.ContainsAny(f, ",;.!?") {
			flush()
			if strings.ContainsAny(f, ".!?;") {
				return names
			}
		}
	}
	flush()
	return names
}

func isCapitalized(w string) bool {
	return w != "" && w[0] >= 'A' && w[0] <= 'Z'
}

// meanSentiment averages the sentiment of the turns keep selects that carry
// any.
func (tr *transcript) meanSentiment(keep func(turn) bool) float64 {
	var s float64
	n := 0
	for _, t := range tr.turns {
		if keep(t) && t.sentiment != 0 {
			s += t.sentiment
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return round(s/float64(n), 3)
}

// hasObjection reports whether any sentence of t voices an objection.
func hasObjection(t turn) bool {
	for _, s := range t.sentences {
		lower := strings.ToLower(s)
		if hasBudget(lower) {
			continue
		}
		if _, ok := matchCue(lower, objectionCues); ok {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "nobody"
	}
	return s
}
