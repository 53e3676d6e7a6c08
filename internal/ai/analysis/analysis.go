// Package analysis holds the deterministic, offline transcript analyses the
// Cloud API serves at /cloud/v1/analysis/*: session metrics, coaching moments,
// custom rubric scoring, interview and sales-call reports.
//
// Everything here is rules and counting over the turns of one transcript, no
// model: the same transcript always gives the same report, and every finding
// cites the 0-based index of the segment it comes from and quotes its text, so
// a reader can check it against the transcript.
package analysis

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/offline"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// UnknownSpeaker labels turns whose segment has no speaker, so reports never
// key a speaker by the empty string.
const UnknownSpeaker = "Unknown"

// Talk-time bases reported in TalkTimeBasis fields.
const (
	BasisDuration = "duration" // shares of spoken seconds
	BasisWords    = "words"    // shares of words, when times are unknown
)

// Evidence is one transcript turn cited in support of a finding.
type Evidence struct {
	SegmentIndex int    `json:"segmentIndex"`
	Speaker      string `json:"speaker"`
	Text         string `json:"text"`
}

// turn is what every analysis needs to know about one segment, computed once.
type turn struct {
	idx       int
	speaker   string
	raw       string   // the segment text as given
	text      string   // annotation markers removed, punctuation re-attached
	words     int      // spoken words in text
	sentences []string // sentences of text
	questions []string // the sentences that are questions
	sentiment float64  // lexicon sentiment of text in [-1, 1]
	start     float64
	end       float64
}

func (t turn) seconds() float64 {
	if t.end > t.start {
		return t.end - t.start
	}
	return 0
}

// transcript is a prepared transcript: its turns and the facts about it as a
// whole that decide which heuristics apply.
type transcript struct {
	turns []turn
	// timed is true when every segment has an end after its start, so talk
	// time can be measured in seconds rather than estimated from words.
	timed bool
	// punctuated is true when most turns end in punctuation; only then is a
	// turn without a terminator evidence of being cut off.
	punctuated bool
	speakers   []string // in order of first appearance
	// structures caches, per rubric structure name, which turns have it.
	structures map[string][]bool
}

func prepare(segs []ai.Segment) *transcript {
	tr := &transcript{turns: make([]turn, len(segs)), timed: len(segs) > 0}
	seen := map[string]bool{}
	terminated := 0
	for i, s := range segs {
		sp := strings.TrimSpace(s.Speaker)
		if sp == "" {
			sp = UnknownSpeaker
		}
		if !seen[sp] {
			seen[sp] = true
			tr.speakers = append(tr.speakers, sp)
		}
		clean := normalize(s.Text)
		t := turn{
			idx: i, speaker: sp, raw: s.Text, text: clean,
			words: text.WordCount(clean), sentences: text.Sentences(clean),
			sentiment: offline.Sentiment(clean), start: s.Start, end: s.End,
		}
		for _, sent := range t.sentences {
			if isQuestion(sent) && !isTagQuestion(sent) {
				t.questions = append(t.questions, sent)
			}
		}
		if len(t.questions) == 0 && len(t.sentences) == 1 && !strings.ContainsAny(clean, ".?!") && looksInterrogative(clean) {
			// Unpunctuated ASR output: a turn opening like a question is one.
			t.questions = append(t.questions, clean)
		}
		if s.End <= s.Start || math.IsNaN(s.Start) || math.IsNaN(s.End) {
			tr.timed = false
		}
		if endsSentence(clean) {
			terminated++
		}
		tr.turns[i] = t
	}
	tr.punctuated = len(segs) > 0 && terminated*2 >= len(segs)
	return tr
}

var (
	// markerRE matches the annotation markers of meeting corpora
	// ("{disfmarker}", "{vocalsound}") and the "@ @" of unintelligible speech.
	markerRE    = regexp.MustCompile(`\{[a-zA-Z_ ]+\}|(?:@\s*)+@|@`)
	spacesRE    = regexp.MustCompile(`\s+`)
	punctSpacer = strings.NewReplacer(
		" ,", ",", " .", ".", " ?", "?", " !", "!", " ;", ";", " :", ":",
		" 's", "'s", " n't", "n't", " 're", "'re", " 've", "'ve", " 'll", "'ll",
		" 'm", "'m", " 'd", "'d", " - ", "-",
	)
)

// normalize removes annotation markers and re-attaches the detached
// punctuation of ASR output ("we 'll see ." -> "we'll see."), keeping every
// spoken word so that fillers can still be counted and quoted.
func normalize(s string) string {
	s = markerRE.ReplaceAllString(s, " ")
	s = spacesRE.ReplaceAllString(strings.TrimSpace(s), " ")
	return strings.TrimSpace(punctSpacer.Replace(s))
}

func endsSentence(s string) bool {
	s = strings.TrimRight(s, `"')]” `)
	return strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!")
}

func isQuestion(sentence string) bool {
	return strings.HasSuffix(strings.TrimRight(sentence, `"')]” `), "?")
}

// isTagQuestion reports whether a question sentence only checks in or
// signals listening ("Right?", "Mm-hmm?", "Oh yeah?"), which asks nothing.
func isTagQuestion(sent string) bool {
	toks := text.Tokens(sent)
	if len(toks) < 2 {
		return true
	}
	for _, w := range toks {
		if !backchannels[w] {
			return false
		}
	}
	return true
}

var interrogatives = wordSet(`what how why when where who which whose is are was were do does did can could
	would will should shall may have has`)

func looksInterrogative(s string) bool {
	toks := text.Tokens(s)
	return len(toks) >= 3 && interrogatives[toks[0]]
}

// backchannels are the words of a turn that only signals listening
// ("yeah", "mm-hmm"); such a turn does not take the floor.
var backchannels = wordSet(`yeah yes yep yup ok okay right sure mm mmm hmm hm mhm uh huh um
	exactly true cool great nice alright oh ah i see got it wow really interesting gotcha`)

func isBackchannel(t turn) bool {
	toks := text.Tokens(t.text)
	if len(toks) == 0 {
		return true
	}
	if len(toks) > 4 {
		return false
	}
	for _, w := range toks {
		if !backchannels[w] {
			return false
		}
	}
	return true
}

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// quote shortens a turn's text for display, cutting at a word boundary so a
// quote never ends mid-word.
func quote(s string) string {
	const limit = 280
	if len(s) <= limit {
		return s
	}
	cut := strings.LastIndexByte(s[:limit], ' ')
	if cut < limit/2 {
		cut = limit
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}

func evidenceOf(t turn) Evidence {
	return Evidence{SegmentIndex: t.idx, Speaker: t.speaker, Text: quote(t.text)}
}

// talkShares returns each speaker's share of talk time, in seconds when the
// transcript is timed and in words otherwise, and the basis used.
func (tr *transcript) talkShares() (map[string]float64, string) {
	amount := map[string]float64{}
	var total float64
	basis := BasisWords
	if tr.timed {
		basis = BasisDuration
	}
	for _, t := range tr.turns {
		v := float64(t.words)
		if tr.timed {
			v = t.seconds()
		}
		amount[t.speaker] += v
		total += v
	}
	shares := map[string]float64{}
	for _, sp := range tr.speakers {
		if total > 0 {
			shares[sp] = amount[sp] / total
		} else {
			// Nothing was said: split evenly so shares still sum to 1.
			shares[sp] = 1 / float64(len(tr.speakers))
		}
	}
	return shares, basis
}

// wordsBySpeaker counts each speaker's words.
func (tr *transcript) wordsBySpeaker() map[string]int {
	m := map[string]int{}
	for _, t := range tr.turns {
		m[t.speaker] += t.words
	}
	return m
}

// questionsBySpeaker counts each speaker's question sentences.
func (tr *transcript) questionsBySpeaker() map[string]int {
	m := map[string]int{}
	for _, t := range tr.turns {
		m[t.speaker] += len(t.questions)
	}
	return m
}

// rankSpeakers orders speakers by key descending, breaking ties by order of
// first appearance so results are deterministic.
func (tr *transcript) rankSpeakers(key func(string) float64, exclude ...string) []string {
	var out []string
	for _, sp := range tr.speakers {
		if !contains(exclude, sp) {
			out = append(out, sp)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) > key(out[j]) })
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// roleFromContext finds a speaker named for role in the free-text context the
// caller gave ("rep: Dana", "the candidate is Sam Lee"), so a caller who knows
// the roles can override the heuristics.
func (tr *transcript) roleFromContext(context string, roles ...string) string {
	lc := strings.ToLower(context)
	for _, role := range roles {
		for _, sep := range []string{":", "=", " is ", " was ", " - "} {
			at := phraseIndex(lc, role+sep)
			if at < 0 {
				continue
			}
			rest := strings.TrimSpace(lc[at+len(role)+len(sep):])
			for _, sp := range tr.speakers {
				if strings.HasPrefix(rest, strings.ToLower(sp)) {
					return sp
				}
			}
		}
	}
	return ""
}

// round keeps reported figures readable and their JSON stable. Computed
// figures go through it, so it also keeps them encodable: a NaN or an
// infinity, which validated input cannot produce, reports as 0.
func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	r := math.Round(x*p) / p
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return 0
	}
	return r
}

// phraseIndex reports where phrase occurs in s as whole words, or -1. Both
// are compared in lower case.
func phraseIndex(s, phrase string) int {
	from := 0
	for {
		i := strings.Index(s[from:], phrase)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(phrase)
		beforeOK := i == 0 || !isWordByte(s[i-1])
		afterOK := end >= len(s) || !isWordByte(s[end]) || !isWordByte(phrase[len(phrase)-1])
		if beforeOK && afterOK {
			return i
		}
		from = i + 1
	}
}

func isWordByte(b byte) bool {
	return b == '\'' || b >= 0x80 || unicode.IsLetter(rune(b)) || unicode.IsDigit(rune(b))
}

// cue is a phrase that marks a sentence as one kind of finding.
type cue struct {
	phrase   string
	category string
}

// matchCue returns the first cue found in the lowercased sentence.
func matchCue(lower string, cues []cue) (cue, bool) {
	for _, c := range cues {
		if phraseIndex(lower, c.phrase) >= 0 {
			return c, true
		}
	}
	return cue{}, false
}
