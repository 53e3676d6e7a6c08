// Package eval measures Quorum's intelligence against reference data: ROUGE
// for generated text, rank metrics for search, latency percentiles, and a
// QMSum runner that drives any Backend.
package eval

import "github.com/quorumhq/quorum/internal/ai/text"

// Score is a precision, recall and F1 triple, each in [0, 1].
type Score struct {
	P, R, F float64
}

func prf(overlap, candidate, reference int) Score {
	if overlap == 0 || candidate == 0 || reference == 0 {
		return Score{}
	}
	p := float64(overlap) / float64(candidate)
	r := float64(overlap) / float64(reference)
	return Score{P: p, R: r, F: 2 * p * r / (p + r)}
}

// RougeTokens tokenizes for ROUGE as ROUGE-1.5.5 does with -m: lowercase
// runs of letters and digits, Porter-stemmed, stopwords kept.
func RougeTokens(s string) []string {
	toks := text.Tokens(s)
	for i, t := range toks {
		toks[i] = text.Stem(t)
	}
	return toks
}

// RougeN returns ROUGE-N of a candidate against a reference, counting each
// n-gram at most as often as the reference has it.
func RougeN(candidate, reference []string, n int) Score {
	ref := ngrams(reference, n)
	cand := ngrams(candidate, n)
	overlap, total := 0, 0
	for g, c := range cand {
		overlap += min(c, ref[g])
		total += c
	}
	refTotal := 0
	for _, c := range ref {
		refTotal += c
	}
	return prf(overlap, total, refTotal)
}

func ngrams(toks []string, n int) map[string]int {
	m := map[string]int{}
	for i := 0; i+n <= len(toks); i++ {
		key := toks[i]
		for _, t := range toks[i+1 : i+n] {
			key += " " + t
		}
		m[key]++
	}
	return m
}

// RougeL returns ROUGE-L of a candidate against a reference: the longest
// common subsequence of the two token sequences taken whole (as in
// rouge-score's "rougeL", not the per-sentence "rougeLsum").
func RougeL(candidate, reference []string) Score {
	return prf(lcs(candidate, reference), len(candidate), len(reference))
}

func lcs(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Rouge holds ROUGE-1, ROUGE-2 and ROUGE-L of one candidate.
type Rouge struct {
	R1, R2, RL Score
}

// ComputeRouge scores candidate text against reference text.
func ComputeRouge(candidate, reference string) Rouge {
	c, r := RougeTokens(candidate), RougeTokens(reference)
	return Rouge{R1: RougeN(c, r, 1), R2: RougeN(c, r, 2), RL: RougeL(c, r)}
}
