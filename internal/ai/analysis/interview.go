package analysis

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// InterviewReport analyses a job interview.
type InterviewReport struct {
	// Interviewer is named in the context ("interviewer: Sam") or else the
	// speaker who asks the most questions. Candidate is the speaker other
	// than the interviewer who talks most.
	Interviewer        string              `json:"interviewer"`
	Candidate          string              `json:"candidate"`
	TalkTimeBasis      string              `json:"talkTimeBasis"`
	CandidateTalkShare float64             `json:"candidateTalkShare"` // 0..1 of all talk
	Questions          []InterviewQuestion `json:"questions"`
	AverageAnswerWords float64             `json:"averageAnswerWords"` // over answered questions
	Topics             []Topic             `json:"topics"`
	Strengths          []Signal            `json:"strengths"`
	Concerns           []Signal            `json:"concerns"`
	// ContextCovered and ContextMissing are the content words of the
	// context (a job description, say) the candidate did and did not use.
	ContextCovered []string `json:"contextCovered"`
	ContextMissing []string `json:"contextMissing"`
	Summary        string   `json:"summary"`
}

// InterviewQuestion is a question the interviewer asked and the candidate's
// answer to it.
type InterviewQuestion struct {
	SegmentIndex int    `json:"segmentIndex"`
	Question     string `json:"question"`
	// Kind is "behavioral" (tell me about a time...), "open" or "closed".
	Kind string `json:"kind"`
	// AnswerStart and AnswerEnd bound the candidate's answer, inclusive;
	// both are -1 when the question went unanswered.
	AnswerStart   int     `json:"answerStart"`
	AnswerEnd     int     `json:"answerEnd"`
	AnswerWords   int     `json:"answerWords"`
	AnswerSeconds float64 `json:"answerSeconds"` // 0 when times are unknown
}

// Topic is a keyword of the candidate's answers.
type Topic struct {
	Term  string `json:"term"`
	Count int    `json:"count"`
}

// Signal is a candidate turn that suggests a strength or a concern.
type Signal struct {
	SegmentIndex int     `json:"segmentIndex"`
	Cue          string  `json:"cue"`
	Sentiment    float64 `json:"sentiment"`
	Text         string  `json:"text"`
}

var strengthCues = []cue{
	{"i led", ""}, {"i built", ""}, {"i designed", ""}, {"i created", ""}, {"i improved", ""}, {"i launched", ""},
	{"i shipped", ""}, {"i owned", ""}, {"i managed", ""}, {"i mentored", ""}, {"i delivered", ""},
	{"i implemented", ""}, {"i automated", ""}, {"i reduced", ""}, {"i increased", ""}, {"i solved", ""},
	{"we increased", ""}, {"we reduced", ""}, {"as a result", ""}, {"the result was", ""}, {"for example", ""},
	{"for instance", ""}, {"i learned", ""}, {"i took ownership", ""}, {"percent", ""}, {"measured", ""},
	{"i'm passionate", ""}, {"i love", ""}, {"i enjoy", ""},
}

var concernCues = []cue{
	{"i don't know", ""}, {"not sure", ""}, {"never used", ""}, {"never worked", ""}, {"no experience", ""},
	{"haven't used", ""}, {"haven't worked", ""}, {"not familiar", ""}, {"i'm not familiar", ""}, {"i guess", ""},
	{"i struggle", ""}, {"struggled", ""}, {"weakness", ""}, {"i was fired", ""}, {"let go", ""}, {"conflict with", ""},
	{"blame", ""}, {"their fault", ""}, {"i don't remember", ""}, {"i can't remember", ""}, {"hard for me", ""},
}

// metricRE spots quantified impact ("30%", "2x", "$1.2M"), a hallmark of a
// strong answer.
var metricRE = regexp.MustCompile(`\d+(?:\.\d+)?\s?(?:%|x\b|k\b|m\b|ms\b)|\$\s?\d`)

// behavioral openers ask for a story from experience.
var behavioral = []string{"tell me about a time", "describe a time", "give me an example", "walk me through",
	"tell me about a situation", "can you give an example", "how did you handle", "what did you do when"}

// maxSignals caps strengths and concerns each.
const maxSignals = 5

// Interview analyses an interview: who interviews and who is the candidate,
// the questions with the answers they got, the candidate's share of the talk,
// the topics of the answers, strengths and concerns, and a summary. context
// is optional free text: it may name the roles ("candidate: Ana") and its
// content words (a job description) are checked against the answers.
func Interview(segs []ai.Segment, context string) InterviewReport {
	tr := prepare(segs)
	shares, basis := tr.talkShares()
	rep := InterviewReport{
		TalkTimeBasis: basis, Questions: []InterviewQuestion{}, Topics: []Topic{},
		Strengths: []Signal{}, Concerns: []Signal{}, ContextCovered: []string{}, ContextMissing: []string{},
	}
	if len(tr.turns) == 0 {
		rep.Summary = "Empty transcript."
		return rep
	}
	qs := tr.questionsBySpeaker()
	words := tr.wordsBySpeaker()
	rep.Interviewer = tr.roleFromContext(context, "interviewer", "hiring manager", "recruiter")
	rep.Candidate = tr.roleFromContext(context, "candidate", "interviewee", "applicant")
	if rep.Interviewer == "" {
		// The interviewer asks most; on a tie the one who talks less.
		exclude := []string{}
		if rep.Candidate != "" {
			exclude = append(exclude, rep.Candidate)
		}
		if ranked := tr.rankSpeakers(func(sp string) float64 {
			return float64(qs[sp])*1e9 - float64(words[sp])
		}, exclude...); len(ranked) > 0 {
			rep.Interviewer = ranked[0]
		}
	}
	if rep.Candidate == "" || rep.Candidate == rep.Interviewer {
		rep.Candidate = ""
		if others := tr.rankSpeakers(func(sp string) float64 { return float64(words[sp]) }, rep.Interviewer); len(others) > 0 {
			rep.Candidate = others[0]
		}
	}
	rep.CandidateTalkShare = round(shares[rep.Candidate], 4)

	rep.Questions = tr.interviewQuestions(rep.Interviewer, rep.Candidate)
	answered, answerWords := 0, 0
	for _, q := range rep.Questions {
		if q.AnswerStart >= 0 {
			answered++
			answerWords += q.AnswerWords
		}
	}
	if answered > 0 {
		rep.AverageAnswerWords = round(float64(answerWords)/float64(answered), 1)
	}

	var candidateText strings.Builder
	for _, t := range tr.turns {
		if t.speaker != rep.Candidate {
			continue
		}
		candidateText.WriteString(t.text)
		candidateText.WriteString(" ")
		lower := strings.ToLower(strings.ReplaceAll(t.text, "’", "'"))
		if c, ok := matchCue(lower, concernCues); ok {
			rep.Concerns = append(rep.Concerns, Signal{t.idx, c.phrase, round(t.sentiment, 3), quote(t.text)})
		} else if t.sentiment <= -0.4 && t.words >= 8 {
			rep.Concerns = append(rep.Concerns, Signal{t.idx, "negative tone", round(t.sentiment, 3), quote(t.text)})
		}
		if c, ok := matchCue(lower, strengthCues); ok && t.sentiment > -0.2 {
			rep.Strengths = append(rep.Strengths, Signal{t.idx, c.phrase, round(t.sentiment, 3), quote(t.text)})
		} else if m := metricRE.FindString(lower); m != "" && t.words >= 8 {
			rep.Strengths = append(rep.Strengths, Signal{t.idx, "quantified result " + strings.TrimSpace(m), round(t.sentiment, 3), quote(t.text)})
		} else if t.sentiment >= 0.5 && t.words >= 12 {
			rep.Strengths = append(rep.Strengths, Signal{t.idx, "positive tone", round(t.sentiment, 3), quote(t.text)})
		}
	}
	for _, q := range rep.Questions {
		if q.AnswerStart >= 0 && q.Kind != "closed" && q.AnswerWords < 15 {
			t := tr.turns[q.AnswerStart]
			rep.Concerns = append(rep.Concerns, Signal{t.idx, fmt.Sprintf("brief answer (%d words) to an open question", q.AnswerWords), round(t.sentiment, 3), quote(t.text)})
		}
	}
	rep.Strengths = strongest(rep.Strengths, true)
	rep.Concerns = strongest(rep.Concerns, false)
	rep.Topics = topics(candidateText.String(), 8)

	if ctxTerms := uniqueTerms(context); len(ctxTerms) > 0 {
		said := toSet(text.Terms(candidateText.String()))
		surface := surfaceForms(context)
		for _, t := range ctxTerms {
			if metaStems[t] || len(t) < 2 {
				continue
			}
			if said[t] {
				rep.ContextCovered = append(rep.ContextCovered, surface[t])
			} else {
				rep.ContextMissing = append(rep.ContextMissing, surface[t])
			}
		}
	}

	topicWords := make([]string, 0, 3)
	for _, t := range rep.Topics[:min(3, len(rep.Topics))] {
		topicWords = append(topicWords, t.Term)
	}
	rep.Summary = fmt.Sprintf("%s interviewed %s, asking %d question(s), %d answered. %s spoke %.0f%% of the time with answers averaging %.0f words",
		orNone(rep.Interviewer), orNone(rep.Candidate), len(rep.Questions), answered, orNone(rep.Candidate),
		100*rep.CandidateTalkShare, rep.AverageAnswerWords)
	if len(topicWords) > 0 {
		rep.Summary += ", mostly about " + strings.Join(topicWords, ", ")
	}
	rep.Summary += fmt.Sprintf(". %d strength(s) and %d concern(s) noted.", len(rep.Strengths), len(rep.Concerns))
	return rep
}

// interviewQuestions pairs each interviewer turn that asks something with the
// candidate turns that follow it, up to the interviewer's next question. One
// turn is one question: the last question sentence of the turn, the one the
// candidate answers.
func (tr *transcript) interviewQuestions(interviewer, candidate string) []InterviewQuestion {
	out := []InterviewQuestion{}
	for i, t := range tr.turns {
		if t.speaker != interviewer || len(t.questions) == 0 {
			continue
		}
		q := t.questions[len(t.questions)-1]
		iq := InterviewQuestion{SegmentIndex: t.idx, Question: quote(q), Kind: questionKind(q), AnswerStart: -1, AnswerEnd: -1}
		var first, last float64
		for _, a := range tr.turns[i+1:] {
			if a.speaker == interviewer && len(a.questions) > 0 {
				break
			}
			if a.speaker != candidate || a.words == 0 {
				continue
			}
			if iq.AnswerStart < 0 {
				iq.AnswerStart, first = a.idx, a.start
			}
			iq.AnswerEnd, last = a.idx, a.end
			iq.AnswerWords += a.words
		}
		if tr.timed && iq.AnswerStart >= 0 {
			iq.AnswerSeconds = round(last-first, 2)
		}
		out = append(out, iq)
	}
	return out
}

func questionKind(q string) string {
	lower := strings.ToLower(q)
	for _, b := range behavioral {
		if strings.Contains(lower, b) {
			return "behavioral"
		}
	}
	if toks := text.Tokens(lower); len(toks) > 0 && (openers[toks[0]] || interrogatives[toks[0]] && len(toks) > 2 && toks[1] == "you" && openers[toks[2]]) {
		return "open"
	}
	return "closed"
}

// strongest keeps the maxSignals most pronounced signals, by sentiment
// (highest for strengths, lowest for concerns), in transcript order.
func strongest(s []Signal, positive bool) []Signal {
	if len(s) <= maxSignals {
		return s
	}
	sort.SliceStable(s, func(i, j int) bool {
		if positive {
			return s[i].Sentiment > s[j].Sentiment
		}
		return s[i].Sentiment < s[j].Sentiment
	})
	s = s[:maxSignals]
	sort.SliceStable(s, func(i, j int) bool { return s[i].SegmentIndex < s[j].SegmentIndex })
	return s
}

// vagueStems are common in speech but never a topic.
var vagueStems = toSet(stems(`think know like really thing things get got go going want say said mean kind sort lot
	way actually basically right well just one two three also stuff something anything probably maybe yeah sure
	good great work worked working time bit pretty little much many make made see look use used need first
	guess cuz cause exactly take took put come came sense talk talking idea question different able whole
	okay alright sorry thank thanks hello course fact else even still`))

// topics returns the n most frequent content terms of s, each shown as its
// most common spoken form.
func topics(s string, n int) []Topic {
	count := map[string]int{}
	forms := map[string]map[string]int{}
	for _, tok := range text.Tokens(s) {
		if text.IsStopword(tok) || len(tok) < 3 || isNumber(tok) {
			continue
		}
		st := text.Stem(tok)
		if vagueStems[st] {
			continue
		}
		count[st]++
		if forms[st] == nil {
			forms[st] = map[string]int{}
		}
		forms[st][tok]++
	}
	keys := make([]string, 0, len(count))
	for k, c := range count {
		if c >= 2 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if count[keys[i]] != count[keys[j]] {
			return count[keys[i]] > count[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := []Topic{}
	for _, k := range keys[:min(n, len(keys))] {
		best, bestN := "", 0
		for f, c := range forms[k] {
			if c > bestN || (c == bestN && f < best) {
				best, bestN = f, c
			}
		}
		out = append(out, Topic{Term: best, Count: count[k]})
	}
	return out
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
