package offline

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
)

// Summarize returns an extractive summary of a transcript. The meeting is
// cut into consecutive blocks (a rough stand-in for its agenda) and each
// sentence is scored by its similarity to the whole meeting and to its own
// block, so every part of the meeting gets a voice; sentences are then picked
// by MMR to avoid saying the same thing twice, and kept in meeting order.
// It returns the context's error if ctx ends first.
func Summarize(ctx context.Context, segs []ai.Segment, opts ai.SummaryOptions) (ai.Summary, error) {
	maxWords := opts.MaxWords
	if maxWords <= 0 {
		maxWords = DefaultSummaryWords
	}
	sents, err := extractSentences(ctx, segs, 0, len(segs))
	if err != nil {
		return ai.Summary{}, err
	}
	sents = slices.DeleteFunc(sents, func(s sentence) bool {
		return s.words > maxSummarySentenceWords
	})
	if len(sents) == 0 {
		return ai.Summary{}, nil
	}
	if err := weigh(ctx, sents); err != nil {
		return ai.Summary{}, err
	}
	global := centroid(sents)
	blocks := min(max(maxWords/summaryWordsPerBlock, 1), len(sents))
	score := make([]float64, len(sents))
	for b := range blocks {
		lo, hi := b*len(sents)/blocks, (b+1)*len(sents)/blocks
		local := centroid(sents[lo:hi])
		for i := lo; i < hi; i++ {
			if err := checkpoint(ctx, i); err != nil {
				return ai.Summary{}, err
			}
			s := sents[i]
			score[i] = globalWeight*cosine(s.vec, global) + (1-globalWeight)*cosine(s.vec, local)
		}
	}
	picked, err := selectMMR(ctx, sents, score, summaryLambda, maxWords)
	if err != nil {
		return ai.Summary{}, err
	}
	return ai.Summary{Sentences: toSentences(sents, picked), Markdown: summaryMarkdown(sents, picked)}, nil
}

// Summary scoring knobs, tuned on QMSum train.
const (
	summaryWordsPerBlock = 25
	globalWeight         = 0.5
	summaryLambda        = 0.7
	// Rambling spoken sentences read badly in a summary and crowd out
	// others; the cap costs no ROUGE on QMSum train.
	maxSummarySentenceWords = 30
)

func toSentences(sents []sentence, picked []int) []ai.Sentence {
	out := make([]ai.Sentence, len(picked))
	for i, j := range picked {
		out[i] = ai.Sentence{Text: sents[j].text, SegmentIndex: sents[j].seg, Speaker: sents[j].speaker}
	}
	return out
}

// summaryMarkdown renders picked sentences as a bullet list attributed to
// their speakers.
func summaryMarkdown(sents []sentence, picked []int) string {
	var b strings.Builder
	for _, j := range picked {
		s := sents[j]
		if s.speaker != "" {
			fmt.Fprintf(&b, "- **%s:** %s\n", s.speaker, s.text)
		} else {
			fmt.Fprintf(&b, "- %s\n", s.text)
		}
	}
	return b.String()
}
