package offline

import (
	"math"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// Sentiment scores the polarity of s in [-1, 1] from a word lexicon. A
// negation ("not", "never", "n't") within the three words before a
// sentiment word flips and dampens it; an intensifier ("very") right before
// it strengthens it. The sum is squashed as VADER does, x/sqrt(x²+15).
func Sentiment(s string) float64 {
	toks := text.Tokens(s)
	var sum float64
	for i, t := range toks {
		v, ok := lexicon[t]
		if !ok {
			continue
		}
		if i > 0 && intensifiers[toks[i-1]] {
			v *= 1.5
		}
		for j := max(i-3, 0); j < i; j++ {
			if negations[toks[j]] {
				v *= -0.6
				break
			}
		}
		sum += v
	}
	return sum / math.Sqrt(sum*sum+15)
}

// SentimentPoint is the sentiment of a window of consecutive segments.
type SentimentPoint struct {
	SegmentStart, SegmentEnd int
	Start, End               float64
	Score                    float64
}

// SentimentOverTime splits segs into windows of window segments (10 when
// window <= 0) and scores each, for a mood-over-the-meeting chart.
func SentimentOverTime(segs []ai.Segment, window int) []SentimentPoint {
	if window <= 0 {
		window = 10
	}
	var out []SentimentPoint
	for lo := 0; lo < len(segs); lo += window {
		hi := min(lo+window, len(segs))
		var b strings.Builder
		for _, s := range segs[lo:hi] {
			b.WriteString(s.Text)
			b.WriteString(" ")
		}
		out = append(out, SentimentPoint{
			SegmentStart: lo, SegmentEnd: hi - 1,
			Start: segs[lo].Start, End: segs[hi-1].End,
			Score: Sentiment(b.String()),
		})
	}
	return out
}

var negations = wordSet(`not no never none nobody nothing neither nor cannot t nt without hardly barely`)

var intensifiers = wordSet(`very really extremely so too quite totally absolutely incredibly highly`)

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// lexicon maps lowercase words to a polarity in [-3, 3]; a compact list in
// the spirit of AFINN, weighted towards words heard in meetings.
var lexicon = func() map[string]float64 {
	m := map[string]float64{}
	for w, words := range map[float64]string{
		3: `excellent amazing awesome fantastic brilliant outstanding perfect wonderful superb love loved thrilled delighted`,
		2: `good great nice happy glad pleased success successful win wins won agree agreed like liked likes enjoy enjoyed
			easy helpful useful effective efficient impressive improve improved improvement improvements progress
			excited exciting cool fine best better benefit benefits beneficial positive solved solution valuable strong
			welcome thanks thank appreciate appreciated fun interesting clear works working worked support supportive`,
		1: `ok okay sure yes fair reasonable possible hope hopefully interested stable simple right correct ready
			reliable safe fix fixed`,
		-1: `issue issues concern concerns concerned doubt unclear difficult hard slow late delay delayed risk risky
			confused confusing complicated unfortunately expensive costly busy tired miss missed missing lack limited`,
		-2: `bad problem problems wrong fail fails failed failure broken bug bugs error errors worse worry worried
			annoying annoyed disappointed disappointing unhappy sad poor negative hate hated difficult frustrating
			frustrated crash crashed crashes complain complaint complaints angry upset stuck blocked blocker`,
		-3: `terrible awful horrible disaster disastrous worst useless furious hopeless catastrophe`,
	} {
		for _, word := range strings.Fields(words) {
			m[word] = w
		}
	}
	return m
}()
