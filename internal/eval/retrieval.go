package eval

// Span is an inclusive range of segment indices.
type Span struct {
	Start, End int
}

// Overlaps reports whether the two inclusive ranges share a segment.
func (s Span) Overlaps(o Span) bool {
	return s.Start <= o.End && o.Start <= s.End
}

// Ranking holds the rank metrics of one query's hits against its gold spans.
// A hit is relevant when its segment range overlaps any gold span.
type Ranking struct {
	// RecallAt5 and RecallAt10 are the shares of gold spans overlapped by
	// at least one of the first 5 or 10 hits.
	RecallAt5, RecallAt10 float64
	// SuccessAt1, 5 and 10 are 1 when a relevant hit is among the first 1,
	// 5 or 10 hits, else 0.
	SuccessAt1, SuccessAt5, SuccessAt10 float64
	// RR is the reciprocal rank of the first relevant hit within the first
	// 10, 0 when there is none.
	RR float64
}

// Rank scores hits (best first) against the gold spans of a query.
func Rank(hits, gold []Span) Ranking {
	var r Ranking
	first := 0
	for i, h := range hits {
		if i == 10 {
			break
		}
		if first == 0 && overlapsAny(h, gold) {
			first = i + 1
		}
	}
	if first > 0 {
		r.RR = 1 / float64(first)
		r.SuccessAt1 = b2f(first <= 1)
		r.SuccessAt5 = b2f(first <= 5)
		r.SuccessAt10 = 1
	}
	r.RecallAt5 = spanRecall(hits, gold, 5)
	r.RecallAt10 = spanRecall(hits, gold, 10)
	return r
}

func overlapsAny(h Span, gold []Span) bool {
	for _, g := range gold {
		if h.Overlaps(g) {
			return true
		}
	}
	return false
}

func spanRecall(hits, gold []Span, k int) float64 {
	if len(gold) == 0 {
		return 0
	}
	hits = hits[:min(k, len(hits))]
	found := 0
	for _, g := range gold {
		if overlapsAny(g, hits) {
			found++
		}
	}
	return float64(found) / float64(len(gold))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Add accumulates another query's metrics, for averaging.
func (r *Ranking) Add(o Ranking) {
	r.RecallAt5 += o.RecallAt5
	r.RecallAt10 += o.RecallAt10
	r.SuccessAt1 += o.SuccessAt1
	r.SuccessAt5 += o.SuccessAt5
	r.SuccessAt10 += o.SuccessAt10
	r.RR += o.RR
}

// Scale multiplies every metric by f, turning a sum into a mean.
func (r Ranking) Scale(f float64) Ranking {
	return Ranking{r.RecallAt5 * f, r.RecallAt10 * f, r.SuccessAt1 * f, r.SuccessAt5 * f, r.SuccessAt10 * f, r.RR * f}
}
