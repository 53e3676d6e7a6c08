package analysis

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/quorumhq/quorum/internal/ai"
)

// seg builds an untimed segment.
func seg(speaker, text string) ai.Segment {
	return ai.Segment{Speaker: speaker, Text: text}
}

// timed builds a segment with start and end seconds.
func timed(speaker string, start, end float64, text string) ai.Segment {
	return ai.Segment{Speaker: speaker, Text: text, Start: start, End: end}
}

// words repeats a sentence until the text has at least n words.
func words(sentence string, n int) string {
	var b strings.Builder
	count := 0
	for count < n {
		b.WriteString(sentence)
		b.WriteString(" ")
		count += len(strings.Fields(sentence))
	}
	return strings.TrimSpace(b.String())
}

// qmsumMeetings loads the first n meetings of the QMSum train split, or
// skips the test when the data set is not present.
func qmsumMeetings(t *testing.T, n int) [][]ai.Segment {
	t.Helper()
	f, err := os.Open("/work/shared/data/qmsum/train.jsonl")
	if err != nil {
		t.Skipf("QMSum train split not available: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<26)
	var out [][]ai.Segment
	for len(out) < n && sc.Scan() {
		var m struct {
			Transcript []struct {
				Speaker string `json:"speaker"`
				Content string `json:"content"`
			} `json:"meeting_transcripts"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		segs := make([]ai.Segment, 0, len(m.Transcript))
		for _, x := range m.Transcript {
			segs = append(segs, seg(x.Speaker, x.Content))
		}
		out = append(out, segs)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
