package offline

import (
	"context"
	"math"
	"slices"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// sentence is a cleaned transcript sentence with its tf-idf vector.
type sentence struct {
	text    string
	seg     int
	speaker string
	words   int
	terms   []string
	vec     map[string]float64
}

// minContentTerms drops fragments ("So.", "OK, yeah.") that say nothing on
// their own.
const minContentTerms = 4

// extractSentences cleans segs[from:to] and splits them into sentences worth
// quoting, in transcript order.
func extractSentences(ctx context.Context, segs []ai.Segment, from, to int) ([]sentence, error) {
	var out []sentence
	for i := from; i < to; i++ {
		if err := checkpoint(ctx, i-from); err != nil {
			return nil, err
		}
		for _, s := range text.Sentences(text.Clean(segs[i].Text)) {
			s = trimLeadIn(s)
			terms := text.Terms(s)
			if len(terms) < minContentTerms {
				continue
			}
			out = append(out, sentence{text: s, seg: i, speaker: segs[i].Speaker, words: text.WordCount(s), terms: terms})
		}
	}
	return out, nil
}

// leadIns are discourse markers that open spoken sentences but add nothing
// to a written summary.
var leadIns = []string{"so", "and", "but", "well", "okay", "ok", "yeah", "yes", "right", "oh", "now", "alright", "anyway"}

// trimLeadIn drops leading discourse markers: "So, and the budget is..." ->
// "The budget is...".
func trimLeadIn(s string) string {
	for {
		fields := strings.SplitN(s, " ", 2)
		if len(fields) < 2 {
			return s
		}
		w := strings.ToLower(strings.TrimRight(fields[0], ","))
		found := false
		for _, l := range leadIns {
			if w == l {
				found = true
				break
			}
		}
		if !found {
			return s
		}
		s = capitalizeFirst(strings.TrimLeft(fields[1], ", "))
	}
}

func capitalizeFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// weigh fills each sentence's tf-idf vector, the idf taken over sents, and
// L2-normalizes it.
func weigh(ctx context.Context, sents []sentence) error {
	df := map[string]int{}
	for i, s := range sents {
		if err := checkpoint(ctx, i); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, t := range s.terms {
			if !seen[t] {
				seen[t] = true
				df[t]++
			}
		}
	}
	n := float64(len(sents))
	for i := range sents {
		if err := checkpoint(ctx, i); err != nil {
			return err
		}
		v := map[string]float64{}
		for _, t := range sents[i].terms {
			v[t]++
		}
		var norm float64
		for t, tf := range v {
			w := (1 + math.Log(tf)) * math.Log(1+n/float64(df[t]))
			v[t] = w
			norm += w * w
		}
		if norm > 0 {
			norm = math.Sqrt(norm)
			for t := range v {
				v[t] /= norm
			}
		}
		sents[i].vec = v
	}
	return nil
}

// cosine returns the dot product of two normalized sparse vectors.
func cosine(a, b map[string]float64) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	var s float64
	for t, x := range a {
		s += x * b[t]
	}
	return s
}

// centroid returns the normalized mean of the sentences' vectors.
func centroid(sents []sentence) map[string]float64 {
	c := map[string]float64{}
	for _, s := range sents {
		for t, x := range s.vec {
			c[t] += x
		}
	}
	var norm float64
	for _, x := range c {
		norm += x * x
	}
	if norm > 0 {
		norm = math.Sqrt(norm)
		for t := range c {
			c[t] /= norm
		}
	}
	return c
}

// selectMMR picks sentences by maximal marginal relevance while they fit in
// maxWords (with 15% slack, so one long sentence does not end the summary
// early): each pick maximizes lambda*score - (1-lambda)*(similarity to the
// closest sentence already picked). It returns indices into sents in
// transcript order, or the context's error.
func selectMMR(ctx context.Context, sents []sentence, score []float64, lambda float64, maxWords int) ([]int, error) {
	var picked []int
	used := make([]bool, len(sents))
	words, limit := 0, maxWords*115/100
	for words < maxWords {
		best, bestVal := -1, math.Inf(-1)
		for i, s := range sents {
			if err := checkpoint(ctx, i); err != nil {
				return nil, err
			}
			if used[i] || (len(picked) > 0 && words+s.words > limit) {
				continue
			}
			var red float64
			for _, j := range picked {
				red = max(red, cosine(s.vec, sents[j].vec))
			}
			// Scores are sums taken in map order, so equal candidates can
			// differ in the last bits; a margin keeps the earlier one and
			// makes the choice repeatable.
			if v := lambda*score[i] - (1-lambda)*red; v > bestVal+1e-9 {
				best, bestVal = i, v
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		picked = append(picked, best)
		words += sents[best].words
	}
	slices.Sort(picked)
	return picked, nil
}
