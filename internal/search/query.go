package search

import (
	"strings"

	"github.com/quorumhq/quorum/internal/ai/text"
)

// queryBoilerplate lists words of how people ask about meetings rather than
// what they ask about. Measured on QMSum train, dropping them from queries
// helps; they stay in the index.
var queryBoilerplate = stemSet(`summarize summary summarise discuss discussion discussed
	talk talked talking say said think thought opinion opinions view views group team
	meeting people mention mentioned conclusion conclude concluded according regarding`)

func stemSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[text.Stem(w)] = true
	}
	return m
}

// queryTerms returns the BM25 terms of a query with their counts, and the
// text the query vector is computed from.
// Adjacent terms of the query also count as a phrase, with weight
// phraseWeight, matched against the bigrams of the index.
func queryTerms(q string, rewrite bool, phraseWeight float64) (map[string]float64, string) {
	terms := map[string]float64{}
	var kept []string
	prev := ""
	for _, tok := range text.Tokens(q) {
		if text.IsStopword(tok) {
			continue
		}
		stem := text.Stem(tok)
		if rewrite && queryBoilerplate[stem] {
			prev = ""
			continue
		}
		terms[stem]++
		if prev != "" && phraseWeight > 0 {
			terms[bigram(prev, stem)] += phraseWeight
		}
		prev = stem
		kept = append(kept, tok)
	}
	return terms, strings.Join(kept, " ")
}

// bigram is the index term of two adjacent terms; the space keeps it apart
// from any single term.
func bigram(a, b string) string {
	return a + " " + b
}

// honorifics are dropped from speaker names before matching them in queries.
var honorifics = map[string]bool{
	"am": true, "mp": true, "ms": true, "mr": true, "mrs": true, "dr": true, "hon": true,
	"right": true, "the": true, "speaker": true,
}

// roles are the leading words of role-plus-letter speaker labels ("PhD D").
var roles = map[string]bool{"professor": true, "postdoc": true, "phd": true, "grad": true, "undergrad": true}

// mentionedSpeakers returns the bit set of names (indexed as in
// group.speakerNames) that the query refers to: by their full name
// ("Huw Morris", "User Interface", compared as stems), by a label's letter ("What did C
// think"), or by a role when the query names no letter ("the professor").
func mentionedSpeakers(query string, names []string) uint64 {
	return parseMentions(query).speakers(nameStems(names))
}

// nameStems returns the stemmed tokens of each speaker name, which
// mentions.speakers matches; a group computes them once.
func nameStems(names []string) [][]string {
	out := make([][]string, len(names))
	for i, name := range names {
		out[i] = stems(nameTokens(name))
	}
	return out
}

// mentions is what of a query can name a speaker: its stemmed tokens and
// the single capital letters it holds. A query is parsed once and matched
// against the speakers of every group it ranks.
type mentions struct {
	tokens  []string
	letters map[string]bool
}

func parseMentions(query string) mentions {
	m := mentions{tokens: stems(text.Tokens(query)), letters: map[string]bool{}}
	for i, f := range strings.Fields(query) {
		f = strings.Trim(f, ",.?!'\"")
		if len(f) == 1 && f[0] >= 'A' && f[0] <= 'Z' && !(i == 0 && f == "A") && f != "I" {
			m.letters[strings.ToLower(f)] = true
		}
	}
	return m
}

// speakers returns the bit set of the names (given by their nameStems) that
// m refers to.
func (m mentions) speakers(names [][]string) uint64 {
	qTokens, letters := m.tokens, m.letters
	var bits uint64
	for b, nt := range names {
		if b >= 64 {
			break
		}
		if len(nt) == 0 {
			continue
		}
		last := nt[len(nt)-1]
		switch {
		case containsSeq(qTokens, nt):
		case len(nt) >= 2 && len(last) == 1 && letters[last]:
		case len(nt) == 2 && roles[nt[0]] && len(letters) == 0 && containsSeq(qTokens, nt[:1]):
		default:
			continue
		}
		bits |= 1 << b
	}
	return bits
}

// nameTokens returns the lowercase tokens of a speaker name without
// honorifics or a parenthetical ("Mr. Paul Manly (Nanaimo, GP)" -> paul manly).
func nameTokens(name string) []string {
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i]
	}
	var out []string
	for _, t := range text.Tokens(name) {
		if !honorifics[t] {
			out = append(out, t)
		}
	}
	return out
}

// stems stems tokens in place, so "Industrial Design" finds the speaker
// "Industrial Designer".
func stems(tokens []string) []string {
	for i, t := range tokens {
		tokens[i] = text.Stem(t)
	}
	return tokens
}

func containsSeq(hay, needle []string) bool {
	for i := 0; i+len(needle) <= len(hay); i++ {
		match := true
		for j, n := range needle {
			if hay[i+j] != n {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// ContentTerms returns the stemmed terms of a query that say what it is
// about: no stopwords and no question boilerplate ("summarize the
// discussion about").
func ContentTerms(query string) []string {
	var out []string
	for _, t := range text.Terms(query) {
		if !queryBoilerplate[t] {
			out = append(out, t)
		}
	}
	return out
}
