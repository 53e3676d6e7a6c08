package offline

import (
	"context"
	"slices"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/search"
)

// Answer tuning, on QMSum train.
const (
	answerHits    = 3   // chunks retrieved to draw sentences from
	answerContext = 2   // segments kept on each side of a hit
	answerLambda  = 0.7 // MMR relevance/diversity balance
	queryWeight   = 0.5
	hitWeight     = 0.3 // the rest is similarity to the retrieved passage
)

// Answer answers a question about one transcript extractively: it retrieves
// the chunks that best match the query with the hybrid search, then picks
// the sentences around them that are most similar to the query, to the hit
// they come from and to the retrieved passage as a whole. The citations are
// the retrieved chunks' segment ranges, best first. It returns the
// context's error if ctx ends first.
func Answer(ctx context.Context, segs []ai.Segment, query string, opts ai.AnswerOptions) (ai.Answer, error) {
	maxWords := opts.MaxWords
	if maxWords <= 0 {
		maxWords = DefaultAnswerWords
	}
	ix := search.New(search.DefaultParams())
	chunks := search.ChunkTranscript(segs, search.DefaultMaxWords)
	if err := ctx.Err(); err != nil {
		return ai.Answer{}, err
	}
	_ = ix.Replace("transcript", chunks)
	if err := ctx.Err(); err != nil {
		return ai.Answer{}, err
	}
	hits := ix.Search(search.Query{Text: query, Limit: answerHits})
	if len(hits) == 0 {
		return ai.Answer{}, ctx.Err()
	}

	// hitScore[i] is the normalized score of the best hit covering segment i.
	hitScore := map[int]float64{}
	var sents []sentence
	for _, h := range hits {
		from, to := max(h.SegmentStart-answerContext, 0), min(h.SegmentEnd+answerContext+1, len(segs))
		var fresh []int
		for i := from; i < to; i++ {
			if _, seen := hitScore[i]; !seen {
				hitScore[i] = h.Score / hits[0].Score
				fresh = append(fresh, i)
			}
		}
		for _, i := range fresh {
			found, err := extractSentences(ctx, segs, i, i+1)
			if err != nil {
				return ai.Answer{}, err
			}
			sents = append(sents, found...)
		}
	}
	if len(sents) == 0 {
		return ai.Answer{Citations: citations(hits)}, nil
	}
	// The query is weighed with the sentences, so it shares their idf.
	all := append(slices.Clip(sents), sentence{terms: search.ContentTerms(query)})
	if err := weigh(ctx, all); err != nil {
		return ai.Answer{}, err
	}
	sents, q := all[:len(all)-1], all[len(all)-1]
	passage := centroid(sents)
	score := make([]float64, len(sents))
	for i, s := range sents {
		score[i] = queryWeight*cosine(s.vec, q.vec) + hitWeight*hitScore[s.seg] +
			(1-queryWeight-hitWeight)*cosine(s.vec, passage)
	}
	picked, err := selectMMR(ctx, sents, score, answerLambda, maxWords)
	if err != nil {
		return ai.Answer{}, err
	}
	out := toSentences(sents, picked)
	return ai.Answer{Text: ai.JoinSentences(out), Sentences: out, Citations: citations(hits)}, nil
}

func citations(hits []search.Hit) []ai.Citation {
	out := make([]ai.Citation, len(hits))
	for i, h := range hits {
		out[i] = ai.Citation{SegmentStart: h.SegmentStart, SegmentEnd: h.SegmentEnd, Speaker: h.Speaker, Start: h.Start, End: h.End}
	}
	return out
}
