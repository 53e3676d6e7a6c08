package openai

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// A transcript goes into a prompt as numbered lines, "[n] Speaker (mm:ss):
// text", where n is the segment's index in the caller's slice; the model
// cites segments by that number, so results map straight back to
// ai.Segment indices whatever was left out.
//
// Token windows are finite and counting tokens needs the model's tokenizer,
// so the budget is in characters (Config.MaxContextChars, about four a
// token). A transcript over budget is windowed, never renumbered:
//
//   - every segment's text is clipped to a share of the budget, so one long
//     monologue cannot crowd out the rest;
//   - segments are then kept in priority order until the budget is spent
//     and emitted in meeting order, with a marker where a run was dropped.
//     Summaries and keywords take segments spread evenly over the meeting
//     (first, last, middle, quarters, ...); answers take the segments
//     sharing most terms with the question, and their neighbours.
//   - item extraction (action items, decisions, questions) instead cuts the
//     transcript into consecutive chunks that each fit, one call per chunk,
//     up to Config.MaxChunks; past that the chunks are windowed as above.

// renderLine is segment i as a prompt line, its text clipped to maxChars.
func renderLine(i int, s ai.Segment, maxChars int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%d] ", i)
	if s.Speaker != "" {
		b.WriteString(s.Speaker)
	} else {
		b.WriteString("Unknown")
	}
	if s.Start > 0 || s.End > 0 {
		fmt.Fprintf(&b, " (%s)", clock(s.Start))
	}
	b.WriteString(": ")
	b.WriteString(clip(strings.Join(strings.Fields(s.Text), " "), maxChars))
	return b.String()
}

// clock formats seconds as m:ss or h:mm:ss.
func clock(sec float64) string {
	t := int(sec)
	if t >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", t/3600, t/60%60, t%60)
	}
	return fmt.Sprintf("%d:%02d", t/60, t%60)
}

// clip shortens s to at most max bytes at a word boundary, marking the cut.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut/2 {
		cut = sp
	}
	return s[:cut] + "…"
}

// lineCap is the most of the budget one segment's line may take.
func lineCap(n, budget int) int {
	return max(budget/min(max(n, 1), 4), 80)
}

// window renders segs[from:to] within budget characters, keeping segments
// by descending priority (indexed like segs; nil means spread evenly), and
// reports whether anything was left out.
func window(segs []ai.Segment, from, to, budget int, priority []float64) (string, bool) {
	n := to - from
	lines := make([]string, n)
	total := 0
	for k := range n {
		lines[k] = renderLine(from+k, segs[from+k], lineCap(n, budget))
		total += len(lines[k]) + 1
	}
	if total <= budget {
		return strings.Join(lines, "\n"), false
	}

	order := spreadOrder(n)
	if priority != nil {
		rank := make([]int, n) // position in the spread order breaks ties
		for r, k := range order {
			rank[k] = r
		}
		sort.SliceStable(order, func(a, b int) bool {
			pa, pb := priority[from+order[a]], priority[from+order[b]]
			if pa != pb {
				return pa > pb
			}
			return rank[order[a]] < rank[order[b]]
		})
	}
	// Each run of dropped segments costs a marker line; markerLen bounds it.
	markerLen := len(fmt.Sprintf("[… segments %d–%d omitted …]\n", to, to))
	keep := make([]bool, n)
	dropped := func(k int) bool { return k >= 0 && k < n && !keep[k] }
	used := markerLen // at first, one run: everything
	for _, k := range order {
		// Keeping k splits its run in two, shortens it, or closes it.
		markers := 0
		switch l, r := dropped(k-1), dropped(k+1); {
		case l && r:
			markers = 1
		case !l && !r:
			markers = -1
		}
		// A later, shorter line may still fit after a long one did not.
		if cost := len(lines[k]) + 1 + markers*markerLen; used+cost <= budget {
			keep[k] = true
			used += cost
		}
	}
	var b strings.Builder
	for k := 0; k < n; {
		if keep[k] {
			b.WriteString(lines[k])
			b.WriteByte('\n')
			k++
			continue
		}
		j := k
		for j < n && !keep[j] {
			j++
		}
		// Tell the model a gap is a gap, not a jump in the conversation.
		if j-k == 1 {
			fmt.Fprintf(&b, "[… segment %d omitted …]\n", from+k)
		} else {
			fmt.Fprintf(&b, "[… segments %d–%d omitted …]\n", from+k, from+j-1)
		}
		k = j
	}
	return strings.TrimRight(b.String(), "\n"), true
}

// spreadOrder lists 0..n-1 so that every prefix covers the range evenly:
// first, last, middle, then the middles of the halves, and so on.
func spreadOrder(n int) []int {
	if n <= 0 {
		return nil
	}
	out := make([]int, 0, n)
	seen := make([]bool, n)
	add := func(i int) {
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	add(0)
	add(n - 1)
	type span struct{ lo, hi int }
	queue := []span{{0, n - 1}}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s.hi-s.lo < 2 {
			continue
		}
		mid := (s.lo + s.hi) / 2
		add(mid)
		queue = append(queue, span{s.lo, mid}, span{mid, s.hi})
	}
	// Bisection reaches every index; this only guards the contract.
	for i := range n {
		add(i)
	}
	return out
}

// chunks cuts segs into consecutive prompt texts of at most budget
// characters each, at most maxChunks of them.
func chunks(segs []ai.Segment, budget, maxChunks int) []string {
	n := len(segs)
	if n == 0 {
		return nil
	}
	lc := lineCap(n, budget)
	var bounds [][2]int
	from, used := 0, 0
	for i, s := range segs {
		l := len(renderLine(i, s, lc)) + 1
		if used+l > budget && i > from {
			bounds = append(bounds, [2]int{from, i})
			from, used = i, 0
		}
		used += l
	}
	bounds = append(bounds, [2]int{from, n})
	if len(bounds) > maxChunks {
		// Too long to read whole: maxChunks equal stretches, each windowed.
		bounds = bounds[:0]
		for c := range maxChunks {
			bounds = append(bounds, [2]int{c * n / maxChunks, (c + 1) * n / maxChunks})
		}
	}
	out := make([]string, 0, len(bounds))
	for _, b := range bounds {
		if b[0] == b[1] {
			continue
		}
		txt, _ := window(segs, b[0], b[1], budget, nil)
		out = append(out, txt)
	}
	return out
}

// queryPriority scores each segment by the distinct query terms it shares,
// plus half its best neighbour's score, so the turns around a hit come
// along to give it context.
func queryPriority(segs []ai.Segment, query string) []float64 {
	q := map[string]bool{}
	for _, t := range text.Terms(query) {
		q[t] = true
	}
	own := make([]float64, len(segs))
	for i, s := range segs {
		seen := map[string]bool{}
		for _, t := range text.Terms(s.Text) {
			if q[t] && !seen[t] {
				seen[t] = true
				own[i]++
			}
		}
	}
	out := make([]float64, len(segs))
	for i := range segs {
		nb := 0.0
		if i > 0 {
			nb = own[i-1]
		}
		if i+1 < len(segs) {
			nb = max(nb, own[i+1])
		}
		out[i] = own[i] + nb/2
	}
	return out
}

// bestSegment is the segment sharing most terms with s, for sentences whose
// citation is missing or out of range; -1 when none shares any.
func bestSegment(segs []ai.Segment, s string) int {
	terms := map[string]bool{}
	for _, t := range text.Terms(s) {
		terms[t] = true
	}
	best, bestScore := -1, 0.0
	for i, seg := range segs {
		segTerms := text.Terms(seg.Text)
		if len(segTerms) == 0 {
			continue
		}
		shared := 0
		seen := map[string]bool{}
		for _, t := range segTerms {
			if terms[t] && !seen[t] {
				seen[t] = true
				shared++
			}
		}
		// Shared terms over the sentence's terms, so a long segment does
		// not win just by being long.
		score := float64(shared) / float64(len(terms)+1)
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}
