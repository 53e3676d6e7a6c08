package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quorumhq/quorum/internal/search"
)

// writeSplit writes a QMSum-format split with one meeting about a budget and
// a casing.
func writeSplit(t *testing.T, dir, split string) {
	t.Helper()
	turns := []map[string]string{
		{"speaker": "Ann", "content": "Let us review the launch budget ."},
		{"speaker": "Bob", "content": "The launch budget is twelve thousand euros ."},
		{"speaker": "Cy", "content": "Um , the rubber casing feels spongy ."},
		{"speaker": "Dee", "content": "We decided the casing will be yellow rubber ."},
	}
	line := map[string]any{
		"topic_list":          []any{},
		"meeting_transcripts": turns,
		"general_query_list":  []map[string]string{{"query": "Summarize the meeting", "answer": "The team reviewed the launch budget and chose a yellow rubber casing."}},
		"specific_query_list": []map[string]any{{
			"query": "What did the group decide about the casing?", "answer": "The casing will be yellow rubber.",
			"relevant_text_span": [][]string{{"2", "3"}},
		}},
	}
	b, err := json.Marshal(line)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, split+".jsonl"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadQMSum(t *testing.T) {
	dir := t.TempDir()
	writeSplit(t, dir, "val")
	ms, err := LoadQMSum("val", dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].ID != "val-000" || len(ms[0].Segments) != 4 || ms[0].Segments[1].Speaker != "Bob" {
		t.Fatalf("meetings = %+v", ms)
	}
	q := ms[0].Specific[0]
	if len(q.Spans) != 1 || q.Spans[0] != (Span{2, 3}) || len(ms[0].General) != 1 {
		t.Errorf("queries = %+v", ms[0])
	}
	if _, err := LoadQMSum("missing", dir); err == nil {
		t.Error("want an error for a missing split")
	}
}

func TestRunQMSum(t *testing.T) {
	dir := t.TempDir()
	writeSplit(t, dir, "train")
	writeSplit(t, dir, "val")
	var out bytes.Buffer
	rep, err := RunQMSum(context.Background(), "val", dir, &out, NewDirect(search.DefaultParams()))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Queries != 1 || rep.IndexedMeetings != 2 || rep.Search.SuccessAt10 != 1 || rep.Baseline.SuccessAt10 != 1 {
		t.Errorf("report = %+v", rep)
	}
	if rep.Answers.N != 1 || rep.Answers.R1 <= 0 || rep.Summaries.N != 1 || rep.Summaries.R1 <= 0 {
		t.Errorf("rouge = %+v / %+v", rep.Answers, rep.Summaries)
	}
	if rep.Latency.N != 1 || rep.LatencyAll.N != 1 {
		t.Errorf("latency = %+v", rep.Latency)
	}
	for _, want := range []string{"BM25 over turns (baseline)", "MRR ratio", "answers (specific queries)", "p99"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
