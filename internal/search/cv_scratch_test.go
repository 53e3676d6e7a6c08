package search

// Scratch cross-validation harness; removed before hand-off.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/quorumhq/quorum/internal/ai"
)

type cvQuery struct {
	text string
	gold [][2]int
}

type cvMeeting struct {
	id      string
	segs    []ai.Segment
	queries []cvQuery
}

func cvLoad(t *testing.T, split string) []cvMeeting {
	f, err := os.Open("/work/shared/data/qmsum/" + split + ".jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var out []cvMeeting
	for sc.Scan() {
		var l struct {
			Transcript []struct{ Speaker, Content string } `json:"meeting_transcripts"`
			Specific   []struct {
				Query string      `json:"query"`
				Spans [][2]string `json:"relevant_text_span"`
			} `json:"specific_query_list"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		m := cvMeeting{id: fmt.Sprintf("%s-%03d", split, len(out))}
		for _, s := range l.Transcript {
			m.segs = append(m.segs, ai.Segment{Speaker: s.Speaker, Text: s.Content})
		}
		for _, q := range l.Specific {
			cq := cvQuery{text: q.Query}
			for _, s := range q.Spans {
				a, _ := strconv.Atoi(s[0])
				b, _ := strconv.Atoi(s[1])
				cq.gold = append(cq.gold, [2]int{a, b})
			}
			m.queries = append(m.queries, cq)
		}
		out = append(out, m)
	}
	return out
}

func cvRR(hits []Hit, gold [][2]int) float64 {
	for i, h := range hits {
		if i == 10 {
			break
		}
		for _, g := range gold {
			if h.SegmentStart <= g[1] && g[0] <= h.SegmentEnd {
				return 1 / float64(i+1)
			}
		}
	}
	return 0
}

// cvEnv holds a built hybrid index and per-query baseline RRs.
type cvEnv struct {
	ms     []cvMeeting
	ix     *Index
	baseRR [][]float64
}

func cvSetup(t *testing.T) *cvEnv {
	ms := cvLoad(t, "train")
	e := &cvEnv{ms: ms, ix: New(DefaultParams())}
	base := New(BaselineParams())
	for _, m := range ms {
		ch := ChunkTranscript(m.segs, DefaultMaxWords)
		for i := range ch {
			ch[i].MeetingID = m.id
		}
		if err := e.ix.Replace(m.id, ch, nil); err != nil {
			t.Fatal(err)
		}
		bc := ChunkTranscript(m.segs, 0)
		for i := range bc {
			bc[i].MeetingID = m.id
		}
		if err := base.Replace(m.id, bc, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range ms {
		rr := make([]float64, len(m.queries))
		for i, q := range m.queries {
			rr[i] = cvRR(base.Search(Query{Text: q.text, MeetingID: m.id, Limit: 10}), q.gold)
		}
		e.baseRR = append(e.baseRR, rr)
	}
	return e
}

// foldRatios returns the hybrid/baseline MRR ratio per fold (meeting index
// mod 5) and overall, with p.
func (e *cvEnv) foldRatios(p Params) ([5]float64, float64) {
	e.ix.params = p
	var hs, bs [5]float64
	var H, B float64
	for mi, m := range e.ms {
		f := mi % 5
		for i, q := range m.queries {
			rr := cvRR(e.ix.Search(Query{Text: q.text, MeetingID: m.id, Limit: 10}), q.gold)
			hs[f] += rr
			bs[f] += e.baseRR[mi][i]
			H += rr
			B += e.baseRR[mi][i]
		}
	}
	var r [5]float64
	for f := range r {
		r[f] = hs[f] / bs[f]
	}
	return r, H / B
}

func cvPrint(t *testing.T, name string, r [5]float64, all float64) {
	mean := 0.0
	for _, x := range r {
		mean += x / 5
	}
	t.Logf("%-40s %.3f %.3f %.3f %.3f %.3f | mean %.3f all %.3f", name, r[0], r[1], r[2], r[3], r[4], mean, all)
}

func TestCVScratch(t *testing.T) {
	if os.Getenv("QUORUM_SEARCH_CV") == "" {
		t.Skip()
	}
	e := cvSetup(t)
	r, all := e.foldRatios(DefaultParams())
	cvPrint(t, "default", r, all)
}

func TestCVTypes(t *testing.T) {
	if os.Getenv("QUORUM_SEARCH_CV") == "" {
		t.Skip()
	}
	e := cvSetup(t)
	type acc struct{ n, h, b float64 }
	by := map[string]*acc{}
	for mi, m := range e.ms {
		for i, q := range m.queries {
			rr := cvRR(e.ix.Search(Query{Text: q.text, MeetingID: m.id, Limit: 10}), q.gold)
			w := q.text
			if len(w) > 12 {
				w = w[:12]
			}
			a := by[w]
			if a == nil {
				a = &acc{}
				by[w] = a
			}
			a.n++
			a.h += rr
			a.b += e.baseRR[mi][i]
		}
	}
	for k, a := range by {
		if a.n >= 15 {
			t.Logf("%-14q n=%4.0f hyb %.3f base %.3f", k, a.n, a.h/a.n, a.b/a.n)
		}
	}
}

func TestCVSweep(t *testing.T) {
	if os.Getenv("QUORUM_SEARCH_CV") == "" {
		t.Skip()
	}
	e := cvSetup(t)
	try := func(name string, f func(*Params)) {
		p := DefaultParams()
		f(&p)
		r, all := e.foldRatios(p)
		cvPrint(t, name, r, all)
	}
	cvExperiments(try)
}

func TestCVMiss(t *testing.T) {
	if os.Getenv("QUORUM_SEARCH_CV") == "" {
		t.Skip()
	}
	e := cvSetup(t)
	hist := map[string]int{}
	shown := 0
	for _, m := range e.ms {
		for _, q := range m.queries {
			hits := e.ix.Search(Query{Text: q.text, MeetingID: m.id, Limit: 10})
			if len(hits) == 0 || cvRR(hits, q.gold) == 1 {
				continue
			}
			h := hits[0]
			d := 1 << 30
			for _, g := range q.gold {
				d = min(d, max(g[0]-h.SegmentEnd, h.SegmentStart-g[1]))
			}
			switch {
			case d <= 3:
				hist["a <=3"]++
			case d <= 10:
				hist["b <=10"]++
			case d <= 30:
				hist["c <=30"]++
			default:
				hist["d >30"]++
			}
			if shown < 25 && m.id > "train-050" {
				shown++
				t.Logf("%s Q=%q gold=%v hit=[%d,%d] dist=%d rr=%.2f nseg=%d", m.id, q.text, q.gold, h.SegmentStart, h.SegmentEnd, d, cvRR(hits, q.gold), len(m.segs))
			}
		}
	}
	t.Log(hist)
}

func TestCVSpk(t *testing.T) {
	if os.Getenv("QUORUM_SEARCH_CV") == "" {
		t.Skip()
	}
	e := cvSetup(t)
	var n [2]float64
	var h, b [2]float64
	for mi, m := range e.ms {
		var g *group
		for _, gg := range e.ix.groups {
			if gg.meetingID == m.id {
				g = gg
			}
		}
		for i, q := range m.queries {
			k := 0
			if mentionedSpeakers(q.text, g.speakerNames) != 0 {
				k = 1
			}
			rr := cvRR(e.ix.Search(Query{Text: q.text, MeetingID: m.id, Limit: 10}), q.gold)
			n[k]++
			h[k] += rr
			b[k] += e.baseRR[mi][i]
		}
	}
	for k := range n {
		t.Logf("speaker=%d n=%.0f hyb %.3f base %.3f", k, n[k], h[k]/n[k], b[k]/n[k])
	}
}

func TestCVDisagree(t *testing.T) {
	if os.Getenv("QUORUM_SEARCH_CV") == "" {
		t.Skip()
	}
	e := cvSetup(t)
	var better, worse, same, n float64
	var oracle float64
	for mi, m := range e.ms {
		for i, q := range m.queries {
			rr := cvRR(e.ix.Search(Query{Text: q.text, MeetingID: m.id, Limit: 10}), q.gold)
			b := e.baseRR[mi][i]
			n++
			oracle += max(rr, b)
			switch {
			case rr > b:
				better++
			case rr < b:
				worse++
			default:
				same++
			}
		}
	}
	t.Logf("better %.0f worse %.0f same %.0f oracle MRR %.3f", better, worse, same, oracle/n)
}

func TestCVShow(t *testing.T) {
	if os.Getenv("QUORUM_SEARCH_CV") == "" {
		t.Skip()
	}
	e := cvSetup(t)
	shown := 0
	for mi, m := range e.ms {
		if mi%7 != 3 {
			continue
		}
		for _, q := range m.queries {
			hits := e.ix.Search(Query{Text: q.text, MeetingID: m.id, Limit: 10})
			if len(hits) == 0 || cvRR(hits, q.gold) == 1 || shown > 12 {
				continue
			}
			shown++
			h := hits[0]
			gs := q.gold[0]
			gt := ""
			for s := gs[0]; s <= gs[1] && s < len(m.segs) && len(gt) < 600; s++ {
				gt += m.segs[s].Speaker + ": " + m.segs[s].Text + " | "
			}
			ht := h.Text
			if len(ht) > 500 {
				ht = ht[:500]
			}
			t.Logf("\nQ=%q rr=%.2f\nHIT [%d,%d] %s\nGOLD %v %s\n", q.text, cvRR(hits, q.gold), h.SegmentStart, h.SegmentEnd, ht, q.gold, gt)
		}
	}
}

func cvDomain(m cvMeeting) string {
	for _, s := range m.segs[:min(30, len(m.segs))] {
		switch {
		case s.Speaker == "Project Manager" || s.Speaker == "Marketing":
			return "ami"
		case len(s.Speaker) > 4 && (s.Speaker[:3] == "PhD" || s.Speaker[:4] == "Grad" || s.Speaker[:4] == "Prof" || s.Speaker[:4] == "Post"):
			return "icsi"
		}
	}
	return "parl"
}

func TestCVDomain(t *testing.T) {
	if os.Getenv("QUORUM_SEARCH_CV") == "" {
		t.Skip()
	}
	e := cvSetup(t)
	alt := DefaultParams()
	alt.DominantBoost = 1
	type acc struct{ n, a, b, base float64 }
	by := map[string]*acc{}
	for mi, m := range e.ms {
		var g *group
		for _, gg := range e.ix.groups {
			if gg.meetingID == m.id {
				g = gg
			}
		}
		for i, q := range m.queries {
			k := fmt.Sprint(cvDomain(m), " fold", mi%5, " spk=", mentionedSpeakers(q.text, g.speakerNames) != 0)
			e.ix.params = DefaultParams()
			a := cvRR(e.ix.Search(Query{Text: q.text, MeetingID: m.id, Limit: 10}), q.gold)
			e.ix.params = alt
			b := cvRR(e.ix.Search(Query{Text: q.text, MeetingID: m.id, Limit: 10}), q.gold)
			if by[k] == nil {
				by[k] = &acc{}
			}
			by[k].n++
			by[k].a += a
			by[k].b += b
			by[k].base += e.baseRR[mi][i]
		}
	}
	for k, v := range by {
		t.Logf("%-28s n=%4.0f def %.3f alt %.3f base %.3f", k, v.n, v.a/v.n, v.b/v.n, v.base/v.n)
	}
}
