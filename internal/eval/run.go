package eval

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/quorumhq/quorum/internal/search"
)

// Report holds the results of one QMSum run.
type Report struct {
	Split   string
	Queries int
	// Search is the backend's ranking; Baseline is BM25 over single turns
	// with the same relevance rule and meeting scope.
	Search, Baseline Ranking
	// Answers scores Ask on specific queries against their reference
	// answers; Summaries scores Summarize against the general-query answers.
	Answers, Summaries RougeMean
	// Latency is the backend's search latency with every meeting of train
	// and the split imported; BaselineLatency the same for the baseline;
	// LatencyAll the backend's latency for the same queries over all
	// meetings at once (no meeting scope).
	Latency, BaselineLatency, LatencyAll Latency
	// Indexing is how long Import took per meeting (for an HTTP backend:
	// the request plus the wait until the meeting is searchable).
	Indexing                  Latency
	Meetings, IndexedMeetings int
}

// RougeMean holds mean ROUGE F1 scores ×100 and the mean candidate length.
type RougeMean struct {
	N          int
	R1, R2, RL float64
	Words      float64
}

func (m *RougeMean) add(candidate, reference string) {
	r := ComputeRouge(candidate, reference)
	m.N++
	m.R1 += r.R1.F
	m.R2 += r.R2.F
	m.RL += r.RL.F
	m.Words += float64(len(RougeTokens(candidate)))
}

func (m RougeMean) mean() RougeMean {
	if m.N == 0 {
		return m
	}
	f := 1 / float64(m.N)
	return RougeMean{N: m.N, R1: 100 * m.R1 * f, R2: 100 * m.R2 * f, RL: 100 * m.RL * f, Words: m.Words * f}
}

// RunQMSum evaluates b on dataDir/<split>.jsonl. Every meeting of the train
// split is imported too, so search runs over the full index, but only the
// split's queries are asked; never pass the test split while tuning. It
// writes a table to w and returns the numbers.
func RunQMSum(ctx context.Context, split, dataDir string, w io.Writer, b Backend) (Report, error) {
	meetings, err := LoadQMSum(split, dataDir)
	if err != nil {
		return Report{}, err
	}
	all := meetings
	if split != "train" {
		train, err := LoadQMSum("train", dataDir)
		if err != nil {
			return Report{}, err
		}
		all = append(train, meetings...)
	}
	baseline := search.New(search.BaselineParams())
	var indexing []time.Duration
	for _, m := range all {
		t0 := time.Now()
		if err := b.Import(ctx, m.ID, m.Segments); err != nil {
			return Report{}, fmt.Errorf("import %s: %w", m.ID, err)
		}
		indexing = append(indexing, time.Since(t0))
		chunks := search.ChunkTranscript(m.Segments, 0)
		for i := range chunks {
			chunks[i].MeetingID = m.ID
		}
		if err := baseline.Replace(m.ID, chunks); err != nil {
			return Report{}, err
		}
	}

	rep := Report{Split: split, Meetings: len(meetings), IndexedMeetings: len(all), Indexing: SummarizeLatency(indexing)}
	var lat, baseLat, allLat []time.Duration
	var answers, summaries RougeMean
	for _, m := range meetings {
		for _, q := range m.Specific {
			t0 := time.Now()
			spans, err := b.Search(ctx, m.ID, q.Query, 10)
			if err != nil {
				return rep, err
			}
			lat = append(lat, time.Since(t0))
			rep.Search.Add(Rank(spans, q.Spans))

			t0 = time.Now()
			if _, err := b.Search(ctx, "", q.Query, 10); err != nil {
				return rep, err
			}
			allLat = append(allLat, time.Since(t0))

			t0 = time.Now()
			hits := baseline.Search(search.Query{Text: q.Query, MeetingID: m.ID, Limit: 10})
			baseLat = append(baseLat, time.Since(t0))
			base := make([]Span, len(hits))
			for i, h := range hits {
				base[i] = Span{Start: h.SegmentStart, End: h.SegmentEnd}
			}
			rep.Baseline.Add(Rank(base, q.Spans))
			rep.Queries++

			answer, err := b.Ask(ctx, m.ID, q.Query)
			if err != nil {
				return rep, err
			}
			answers.add(answer, q.Answer)
		}
		if len(m.General) > 0 {
			summary, err := b.Summarize(ctx, m.ID)
			if err != nil {
				return rep, err
			}
			for _, g := range m.General {
				summaries.add(summary, g.Answer)
			}
		}
	}
	if rep.Queries > 0 {
		rep.Search = rep.Search.Scale(1 / float64(rep.Queries))
		rep.Baseline = rep.Baseline.Scale(1 / float64(rep.Queries))
	}
	rep.Answers, rep.Summaries = answers.mean(), summaries.mean()
	rep.Latency, rep.BaselineLatency = SummarizeLatency(lat), SummarizeLatency(baseLat)
	rep.LatencyAll = SummarizeLatency(allLat)
	rep.Write(w)
	return rep, nil
}

// Write prints the report as plain-text tables.
func (r Report) Write(w io.Writer) {
	fmt.Fprintf(w, "QMSum %s: %d meetings, %d specific queries; %d meetings indexed\n\n",
		r.Split, r.Meetings, r.Queries, r.IndexedMeetings)
	fmt.Fprintf(w, "%-28s %8s %8s %8s %8s %8s %8s\n", "search (scoped to meeting)", "R@5", "R@10", "S@1", "S@5", "S@10", "MRR")
	for _, row := range []struct {
		name string
		r    Ranking
	}{{"hybrid (engine)", r.Search}, {"BM25 over turns (baseline)", r.Baseline}} {
		fmt.Fprintf(w, "%-28s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f\n", row.name,
			row.r.RecallAt5, row.r.RecallAt10, row.r.SuccessAt1, row.r.SuccessAt5, row.r.SuccessAt10, row.r.RR)
	}
	if r.Baseline.RR > 0 {
		fmt.Fprintf(w, "MRR ratio hybrid/baseline: %.3f\n", r.Search.RR/r.Baseline.RR)
	}
	fmt.Fprintf(w, "\n%-28s %6s %8s %8s %8s %8s\n", "ROUGE F1 x100 (stemmed)", "n", "R-1", "R-2", "R-L", "words")
	for _, row := range []struct {
		name string
		m    RougeMean
	}{{"answers (specific queries)", r.Answers}, {"summaries (general query)", r.Summaries}} {
		fmt.Fprintf(w, "%-28s %6d %8.2f %8.2f %8.2f %8.1f\n", row.name, row.m.N, row.m.R1, row.m.R2, row.m.RL, row.m.Words)
	}
	fmt.Fprintf(w, "\n%-28s %6s %10s %10s %10s\n", "latency", "n", "p50", "p95", "p99")
	for _, row := range []struct {
		name string
		l    Latency
	}{
		{"hybrid (engine)", r.Latency},
		{"BM25 over turns (baseline)", r.BaselineLatency},
		{"hybrid, all meetings", r.LatencyAll},
		{"indexing, per meeting", r.Indexing},
	} {
		fmt.Fprintf(w, "%-28s %6d %10v %10v %10v\n", row.name, row.l.N, row.l.P50.Round(time.Microsecond),
			row.l.P95.Round(time.Microsecond), row.l.P99.Round(time.Microsecond))
	}
}
