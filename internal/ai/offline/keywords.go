package offline

import (
	"context"
	"math"
	"sort"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// Keywords returns up to n key phrases of a transcript, best first. As in
// RAKE, candidates are runs of up to three content words between stopwords
// and punctuation; a phrase scores by how often it occurs and how much its
// words stand out (occurrences weighted by idf over the meeting's turns), and
// phrases that differ only in inflection ("remote controls") are merged.
// It returns the context's error if ctx ends first.
func Keywords(ctx context.Context, segs []ai.Segment, n int) ([]ai.Keyword, error) {
	if n <= 0 {
		return nil, nil
	}
	type cand struct {
		phrase string // most frequent surface form
		forms  map[string]int
		count  int
		words  []string
	}
	cands := map[string]*cand{}
	df := map[string]int{}
	for i, seg := range segs {
		if err := checkpoint(ctx, i); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, run := range contentRuns(text.Clean(seg.Text)) {
			for size := 1; size <= 3; size++ {
				for i := 0; i+size <= len(run); i++ {
					words := run[i : i+size]
					key := stemKey(words)
					c := cands[key]
					if c == nil {
						c = &cand{forms: map[string]int{}, words: words}
						cands[key] = c
					}
					c.count++
					c.forms[strings.Join(words, " ")]++
				}
			}
			for _, w := range run {
				if s := text.Stem(w); !seen[s] {
					seen[s] = true
					df[s]++
				}
			}
		}
	}
	total := float64(len(segs))
	var out []ai.Keyword
	visited := 0
	for _, c := range cands {
		if err := checkpoint(ctx, visited); err != nil {
			return nil, err
		}
		visited++
		if c.count < 2 {
			continue
		}
		var idf float64
		for _, w := range c.words {
			idf += math.Log(1 + total/float64(df[text.Stem(w)]))
		}
		score := math.Log(1+float64(c.count)) * idf
		best, bestN := "", 0
		for f, k := range c.forms {
			if k > bestN || (k == bestN && f < best) {
				best, bestN = f, k
			}
		}
		out = append(out, ai.Keyword{Phrase: best, Score: score})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Phrase < out[j].Phrase
	})
	out = dropContained(out, n)
	if len(out) > 0 {
		top := out[0].Score
		for i := range out {
			out[i].Score /= top
		}
	}
	return out, nil
}

// dropContained keeps the first n phrases that are not a word-subset of a
// better one already kept ("remote" after "remote control").
func dropContained(kws []ai.Keyword, n int) []ai.Keyword {
	var out []ai.Keyword
	for _, k := range kws {
		if len(out) == n {
			break
		}
		dup := false
		for _, o := range out {
			if strings.Contains(" "+o.Phrase+" ", " "+k.Phrase+" ") || strings.Contains(" "+k.Phrase+" ", " "+o.Phrase+" ") {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, k)
		}
	}
	return out
}

func stemKey(words []string) string {
	stems := make([]string, len(words))
	for i, w := range words {
		stems[i] = text.Stem(w)
	}
	return strings.Join(stems, " ")
}

// contentRuns splits s into runs of lowercase content words, broken at
// stopwords, conversational filler, numbers and punctuation.
func contentRuns(s string) [][]string {
	var runs [][]string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	for _, f := range strings.Fields(s) {
		w := strings.ToLower(strings.Trim(f, ",.?!;:\"()"))
		breaks := w != strings.ToLower(f) && !strings.HasSuffix(f, "'s")
		toks := text.Tokens(w)
		if len(toks) != 1 || len(toks[0]) < 3 || text.IsStopword(toks[0]) || conversational[toks[0]] || isNumber(toks[0]) {
			flush()
			continue
		}
		cur = append(cur, toks[0])
		if breaks {
			flush()
		}
	}
	flush()
	return runs
}

func isNumber(w string) bool {
	return strings.Trim(w, "0123456789") == ""
}

// conversational words are frequent in speech but never key phrases.
var conversational = wordSet(`think know mean like just really actually kind sort thing things stuff lot lots
	going want got get gets getting say said saying see seen well right guess maybe probably something anything
	everything nothing one two way good sure bit little quite pretty now go goes went come yeah okay also even
	much many need needs make made let look looks looking use used using tell told talk talking thank thanks
	mm-hmm uh-huh hmm actually basically obviously course fact point sorry else still already another every
	different whatever able per sense start started try trying put take took give etc`)
