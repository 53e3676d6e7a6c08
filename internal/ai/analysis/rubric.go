package analysis

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
	"github.com/quorumhq/quorum/internal/fault"
)

// Rubric limits; beyond them a request is rejected rather than truncated.
const (
	MaxCriteria          = 50
	MaxDescriptionLength = 1000 // characters
	// MaxWeight bounds a criterion's weight; weights are relative, so a
	// larger bound adds nothing but the risk of overflowing the sum.
	MaxWeight   = 1000
	maxEvidence = 3
)

// RubricSpec is a caller-defined scorecard.
type RubricSpec struct {
	Name     string      `json:"name"`
	Criteria []Criterion `json:"criteria"`
}

// Criterion is one line of a rubric. Weight is in (0, MaxWeight]; 0
// (omitted) means 1.
type Criterion struct {
	Key         string  `json:"key"`
	Description string  `json:"description"`
	Weight      float64 `json:"weight,omitempty"`
}

// RubricResult scores a transcript against a rubric. Scores are on a 0–100
// scale; Overall is their weighted mean on the same scale.
type RubricResult struct {
	Name    string           `json:"name"`
	Scores  []CriterionScore `json:"scores"`
	Overall float64          `json:"overall"`
}

// CriterionScore is the score of one criterion, with the turns that support
// it and why.
type CriterionScore struct {
	Key string `json:"key"`
	// Score is 0–100: 70% how much of the criterion's content the evidence
	// covers (terms weighted by rarity, plus structure such as "is a
	// question"), 30% how many turns support it (up to three), then moved by
	// up to ±10 with the evidence's sentiment.
	Score        float64    `json:"score"`
	Weight       float64    `json:"weight"` // the weight applied, 1 when none was given
	Evidence     []Evidence `json:"evidence"`
	Rationale    string     `json:"rationale"`
	MatchedTerms []string   `json:"matchedTerms"`
	MissingTerms []string   `json:"missingTerms"`
}

// Validate checks a rubric, returning a fault.Invalid error with code
// "validation_error" that names the offending field.
func (r RubricSpec) Validate() error {
	const code = "validation_error"
	if len(r.Criteria) == 0 {
		return fault.Invalid("rubric.criteria", code, "at least one criterion is required")
	}
	if len(r.Criteria) > MaxCriteria {
		return fault.Invalid("rubric.criteria", code, "at most %d criteria are allowed, got %d", MaxCriteria, len(r.Criteria))
	}
	seen := map[string]int{}
	for i, c := range r.Criteria {
		field := fmt.Sprintf("rubric.criteria[%d]", i)
		key := strings.TrimSpace(c.Key)
		if key == "" {
			return fault.Invalid(field+".key", code, "key must not be empty")
		}
		if j, dup := seen[key]; dup {
			return fault.Invalid(field+".key", code, "duplicate key %q (also criteria[%d])", key, j)
		}
		seen[key] = i
		if n := utf8.RuneCountInString(c.Description); n > MaxDescriptionLength {
			return fault.Invalid(field+".description", code, "description must be at most %d characters, got %d", MaxDescriptionLength, n)
		}
		if !(c.Weight >= 0 && c.Weight <= MaxWeight) { // NaN fails both
			return fault.Invalid(field+".weight", code, "weight must be a number from 0 to %d (0 or omitted means 1)", MaxWeight)
		}
	}
	return nil
}

// Rubric scores the transcript against each criterion of r. For each it
// retrieves the turns most relevant to the description with BM25 over
// stemmed terms, boosted by structure the description asks for (questions,
// commitments, objections), and scores how well they cover the criterion.
// The result keeps the rubric's order. It returns the error of Validate.
func Rubric(segs []ai.Segment, r RubricSpec) (RubricResult, error) {
	if err := r.Validate(); err != nil {
		return RubricResult{}, err
	}
	tr := prepare(segs)
	ix := newIndex(tr)
	res := RubricResult{Name: r.Name, Scores: make([]CriterionScore, 0, len(r.Criteria))}
	var sum, weights float64
	for _, c := range r.Criteria {
		cs := scoreCriterion(tr, ix, c)
		sum += cs.Score * cs.Weight
		weights += cs.Weight
		res.Scores = append(res.Scores, cs)
	}
	if weights > 0 {
		res.Overall = round(sum/weights, 1)
	}
	return res, nil
}

// structure is a property of a turn that a criterion can ask for without
// naming words the turn contains: "asks open-ended questions" is satisfied
// by questions, whatever they are about.
type structure struct {
	name  string
	stems []string // description stems that ask for it
	has   func(turn) bool
}

var structures = []structure{
	{"questions", stems("ask asks asked asking question questions inquire inquires probe probes discovery"),
		func(t turn) bool { return len(t.questions) > 0 }},
	{"commitments", stems("commit commits commitment commitments next step steps follow action close closes closing"),
		func(t turn) bool { return hasCommitment(t) }},
	{"objections", stems("objection objections pushback concern concerns hesitation resistance"),
		func(t turn) bool { return hasObjection(t) }},
}

// metaStems are words rubric authors use to phrase criteria ("the rep
// clearly demonstrates...") that say nothing about what the transcript should
// contain, so they are left out of retrieval.
var metaStems = toSet(stems(`rep reps agent speaker speakers participant participants interviewer candidate
	salesperson seller host clearly effectively effective demonstrates demonstrate demonstrated shows show
	mentions mention discusses discuss explains explain talks talk good well properly appropriate appropriately
	whether ensure ensures make makes does able during call meeting conversation`))

// hasStructure reports whether turn d has structure s, computing each
// structure once per transcript: a rubric may ask for the same one in all of
// its fifty criteria.
func (tr *transcript) hasStructure(s structure, d int) bool {
	if tr.structures == nil {
		tr.structures = map[string][]bool{}
	}
	flags, ok := tr.structures[s.name]
	if !ok {
		flags = make([]bool, len(tr.turns))
		for i, t := range tr.turns {
			flags[i] = s.has(t)
		}
		tr.structures[s.name] = flags
	}
	return flags[d]
}

func stems(words string) []string {
	var out []string
	for _, w := range strings.Fields(words) {
		out = append(out, text.Stem(w))
	}
	return out
}

func toSet(list []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range list {
		m[s] = true
	}
	return m
}

func scoreCriterion(tr *transcript, ix *index, c Criterion) CriterionScore {
	cs := CriterionScore{Key: strings.TrimSpace(c.Key), Weight: c.Weight, Evidence: []Evidence{}, MatchedTerms: []string{}, MissingTerms: []string{}}
	if cs.Weight == 0 {
		cs.Weight = 1
	}
	desc := c.Description
	if strings.TrimSpace(desc) == "" {
		desc = keyWords(cs.Key)
	}
	all := uniqueTerms(desc)
	surface := surfaceForms(desc)
	var terms []string
	var wanted []structure
	for _, s := range structures {
		for _, st := range s.stems {
			if contains(all, st) {
				wanted = append(wanted, s)
				break
			}
		}
	}
	structural := map[string]bool{}
	for _, s := range wanted {
		for _, st := range s.stems {
			structural[st] = true
		}
	}
	for _, t := range all {
		if !metaStems[t] && !structural[t] {
			terms = append(terms, t)
		}
	}
	if len(terms) == 0 && len(wanted) == 0 {
		// A criterion made only of generic words: search for them anyway.
		terms = all
	}
	if len(tr.turns) == 0 || (len(terms) == 0 && len(wanted) == 0) {
		cs.Rationale = "Nothing to match: the transcript or the criterion has no content words."
		return cs
	}

	// A structure weighs as much as an average content term.
	structWeight := 1.0
	if len(terms) > 0 {
		var s float64
		for _, t := range terms {
			s += ix.idf(t)
		}
		structWeight = s / float64(len(terms))
	}
	// A turn with the wanted structure gains up to one structure weight,
	// more for a substantive turn than for a two-word one, so "asks
	// questions" cites real questions rather than the first "why?".
	has := func(d int) int {
		n := 0
		for _, s := range wanted {
			if tr.hasStructure(s, d) {
				n++
			}
		}
		return n
	}
	boost := func(d int) float64 {
		return float64(has(d)) * structWeight * (0.5 + 0.5*math.Min(1, float64(tr.turns[d].words)/15))
	}
	hits := ix.search(terms, boost)
	if len(wanted) > 0 {
		// The structure is what such a criterion asks for first: a turn
		// that merely shares a word ("not clear" for "clear next steps")
		// ranks below one that has the structure.
		for i := range hits {
			if has(hits[i].doc) == 0 {
				hits[i].score /= 2
			}
		}
		sortHits(hits)
	}

	var evidence []turn
	for _, h := range hits {
		if len(evidence) == maxEvidence || h.score < 0.3*hits[0].score {
			break
		}
		evidence = append(evidence, tr.turns[h.doc])
	}

	// Coverage: the idf-weighted share of the criterion's content the
	// evidence turns contain, structures counted like terms.
	var got, want, sent float64
	for _, t := range terms {
		w := ix.idf(t)
		want += w
		found := false
		for _, e := range evidence {
			if ix.docs[e.idx][t] > 0 {
				found = true
				break
			}
		}
		if found {
			got += w
			cs.MatchedTerms = append(cs.MatchedTerms, surface[t])
		} else {
			cs.MissingTerms = append(cs.MissingTerms, surface[t])
		}
	}
	for _, s := range wanted {
		want += structWeight
		for _, e := range evidence {
			if tr.hasStructure(s, e.idx) {
				got += structWeight
				cs.MatchedTerms = append(cs.MatchedTerms, "("+s.name+")")
				break
			}
		}
		if !contains(cs.MatchedTerms, "("+s.name+")") {
			cs.MissingTerms = append(cs.MissingTerms, "("+s.name+")")
		}
	}
	if len(evidence) == 0 {
		cs.Rationale = "No turn in the transcript addresses this criterion."
		return cs
	}
	for _, e := range evidence {
		cs.Evidence = append(cs.Evidence, evidenceOf(e))
		sent += e.sentiment
	}
	sent /= float64(len(evidence))
	coverage := 0.0
	if want > 0 {
		coverage = got / want
	}
	support := float64(len(evidence)) / maxEvidence
	score := 100*(0.7*coverage+0.3*support) + 10*sent
	cs.Score = round(math.Max(0, math.Min(100, score)), 1)

	var b strings.Builder
	fmt.Fprintf(&b, "%d supporting turn(s) cover %.0f%% of the criterion", len(evidence), 100*coverage)
	if len(cs.MatchedTerms) > 0 {
		fmt.Fprintf(&b, " (matched: %s)", strings.Join(cs.MatchedTerms, ", "))
	}
	if len(cs.MissingTerms) > 0 {
		fmt.Fprintf(&b, "; not addressed: %s", strings.Join(cs.MissingTerms, ", "))
	}
	fmt.Fprintf(&b, "; evidence tone %s (%.2f).", sentimentLabel(sent), sent)
	cs.Rationale = b.String()
	return cs
}

// keyWords turns a key such as "next_steps" or "objectionHandling" into
// words, for criteria given without a description.
func keyWords(key string) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range key {
		switch {
		case r == '_' || r == '-' || r == '.':
			b.WriteByte(' ')
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			b.WriteByte(' ')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(unicode.ToLower(r))
		}
		prev = r
	}
	return b.String()
}

// surfaceForms maps each stem of s to the first word of s it came from, so
// rationales show "pricing" rather than "price".
func surfaceForms(s string) map[string]string {
	m := map[string]string{}
	for _, tok := range text.Tokens(s) {
		st := text.Stem(tok)
		if _, ok := m[st]; !ok {
			m[st] = tok
		}
	}
	return m
}
