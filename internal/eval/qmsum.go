package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/quorumhq/quorum/internal/ai"
)

// Meeting is one QMSum meeting with its queries.
type Meeting struct {
	ID       string
	Segments []ai.Segment
	General  []QA
	Specific []QA
}

// QA is a query with its reference answer and, for specific queries, the
// transcript spans that answer it.
type QA struct {
	Query  string
	Answer string
	Spans  []Span
}

type qmsumLine struct {
	Transcript []struct {
		Speaker string `json:"speaker"`
		Content string `json:"content"`
	} `json:"meeting_transcripts"`
	General []struct {
		Query  string `json:"query"`
		Answer string `json:"answer"`
	} `json:"general_query_list"`
	Specific []struct {
		Query  string      `json:"query"`
		Answer string      `json:"answer"`
		Spans  [][2]string `json:"relevant_text_span"`
	} `json:"specific_query_list"`
}

// LoadQMSum reads dataDir/<split>.jsonl. Meetings get the IDs
// "<split>-000", "<split>-001", ... in file order.
func LoadQMSum(split, dataDir string) ([]Meeting, error) {
	f, err := os.Open(filepath.Join(dataDir, split+".jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var meetings []Meeting
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var l qmsumLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", split, len(meetings)+1, err)
		}
		m := Meeting{ID: fmt.Sprintf("%s-%03d", split, len(meetings))}
		for _, t := range l.Transcript {
			m.Segments = append(m.Segments, ai.Segment{Speaker: t.Speaker, Text: t.Content})
		}
		for _, q := range l.General {
			m.General = append(m.General, QA{Query: q.Query, Answer: q.Answer})
		}
		for _, q := range l.Specific {
			qa := QA{Query: q.Query, Answer: q.Answer}
			for _, s := range q.Spans {
				start, err1 := strconv.Atoi(s[0])
				end, err2 := strconv.Atoi(s[1])
				if err1 != nil || err2 != nil {
					return nil, fmt.Errorf("%s line %d: bad span %q", split, len(meetings)+1, s)
				}
				qa.Spans = append(qa.Spans, Span{Start: start, End: end})
			}
			m.Specific = append(m.Specific, qa)
		}
		meetings = append(meetings, m)
	}
	return meetings, sc.Err()
}
