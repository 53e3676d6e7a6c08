package eval

import (
	"testing"
	"time"
)

func TestRank(t *testing.T) {
	gold := []Span{{10, 20}, {50, 60}}
	tests := []struct {
		name string
		hits []Span
		want Ranking
	}{
		{"first hit relevant", []Span{{15, 15}, {0, 1}}, Ranking{RecallAt5: 0.5, RecallAt10: 0.5, SuccessAt1: 1, SuccessAt5: 1, SuccessAt10: 1, RR: 1}},
		{"third hit relevant, both spans by 10",
			[]Span{{0, 1}, {2, 3}, {60, 70}, {4, 5}, {6, 7}, {8, 9}, {21, 22}, {30, 31}, {32, 33}, {5, 12}},
			Ranking{RecallAt5: 0.5, RecallAt10: 1, SuccessAt5: 1, SuccessAt10: 1, RR: 1.0 / 3}},
		{"relevant only at rank 11",
			[]Span{{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}, {7, 7}, {8, 8}, {9, 9}, {10, 10}},
			Ranking{}},
		{"no hits", nil, Ranking{}},
	}
	for _, tt := range tests {
		if got := Rank(tt.hits, gold); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestRankingMean(t *testing.T) {
	var sum Ranking
	sum.Add(Ranking{RR: 1, SuccessAt1: 1})
	sum.Add(Ranking{RR: 0.5})
	if m := sum.Scale(0.5); m.RR != 0.75 || m.SuccessAt1 != 0.5 {
		t.Errorf("mean = %+v", m)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	l := SummarizeLatency(ds)
	if l.N != 100 || l.P50 != 50*time.Millisecond || l.P95 != 95*time.Millisecond || l.P99 != 99*time.Millisecond {
		t.Errorf("latency = %+v", l)
	}
	if Percentile(nil, 50) != 0 {
		t.Error("no samples should give 0")
	}
	if got := Percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("one sample: %v", got)
	}
}
