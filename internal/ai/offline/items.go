package offline

import (
	"context"
	"regexp"
	"strings"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// ActionItems finds tasks people take on or hand out: commitments in the
// first person ("I'll send the deck"), requests to someone ("Anna, can you
// check the budget?") and team tasks ("we need to book the room", owner
// left empty). The owner is the speaker for a commitment, and for a request
// the person addressed by name, else the next speaker when they accept.
// Deadlines such as "by Friday" are kept as said and, given a reference
// time, resolved to a date. It returns the context's error if ctx ends
// first.
func ActionItems(ctx context.Context, segs []ai.Segment, opts ai.ItemOptions) ([]ai.ActionItem, error) {
	names := speakerFirstNames(segs)
	var out []ai.ActionItem
	for i, seg := range segs {
		if err := checkpoint(ctx, i); err != nil {
			return nil, err
		}
		for _, s := range text.Sentences(text.Clean(seg.Text)) {
			s = trimLeadIn(s)
			if n := len(text.Terms(s)); n < 2 || text.WordCount(s) > maxItemWords {
				continue
			}
			owner, ok := "", false
			switch {
			case commitmentRE.MatchString(s) && !strings.HasSuffix(s, "?"):
				owner, ok = seg.Speaker, true
			case requestRE.MatchString(s) && !whQuestionRE.MatchString(s):
				owner, ok = addressee(s, names), true
				if owner == "" && i+1 < len(segs) && segs[i+1].Speaker != seg.Speaker && acceptRE.MatchString(segs[i+1].Text) {
					owner = segs[i+1].Speaker
				}
			case teamTaskRE.MatchString(s) && !strings.HasSuffix(s, "?"):
				ok = true
			}
			if !ok {
				continue
			}
			item := ai.ActionItem{Text: s, Owner: owner, SegmentIndex: i}
			if d := findDue(s); d != "" {
				item.Due = d
				if !opts.Reference.IsZero() {
					if t, ok := resolveDue(d, opts.Reference); ok {
						item.DueDate = &t
					}
				}
			}
			out = append(out, item)
		}
	}
	return out, nil
}

// maxItemWords skips rambling sentences: a task someone will act on is
// stated briefly.
const maxItemWords = 35

var (
	commitmentRE = regexp.MustCompile(`(?i)\b(i'll|i will|i'm going to|i am going to|i can take)\s+(\w+)`)
	requestRE    = regexp.MustCompile(`(?i)\b(can|could|would|will) you (please )?(\w+)|\bplease (\w+)|\byou (should|need to|have to|must) (\w+)|\b(action item|to-do|todo)\b`)
	teamTaskRE   = regexp.MustCompile(`(?i)\b(we need to|we have to|we should|we must|we'll need to|someone needs to|somebody should|let's make sure|follow up on|we'll have to)\b`)
	// whQuestionRE marks "How would you ...?": a question, not a request.
	whQuestionRE = regexp.MustCompile(`(?i)^\W*(how|what|why|where|when|who|which|whether)\b`)
	acceptRE     = regexp.MustCompile(`(?i)^\W*(sure|yes|yeah|ok|okay|will do|no problem|of course|i can|i will|i'll)\b`)
)

// speakerFirstNames maps the lowercase first name of each speaker ("anna"
// for "Anna Smith") to the speaker, so "Anna, can you" finds its owner.
func speakerFirstNames(segs []ai.Segment) map[string]string {
	m := map[string]string{}
	for _, s := range segs {
		if toks := nameTokens(s.Speaker); len(toks) > 0 {
			m[toks[0]] = s.Speaker
		}
	}
	return m
}

// addressee returns the speaker named in a request ("Anna, can you ...",
// "... can you do that, Anna?"), or "" when none is.
func addressee(s string, names map[string]string) string {
	for _, t := range text.Tokens(s) {
		if owner, ok := names[t]; ok {
			return owner
		}
	}
	return ""
}

// nameTokens returns the lowercase tokens of a person's name, without
// titles, which are not how people address each other.
func nameTokens(name string) []string {
	var out []string
	for _, t := range text.Tokens(name) {
		if !titles[t] {
			out = append(out, t)
		}
	}
	return out
}

var titles = wordSet(`mr mrs ms dr prof professor am mp hon the`)

// Decisions finds sentences that record a decision: "we decided", "we
// agreed", "let's go with", "the decision is".
func Decisions(ctx context.Context, segs []ai.Segment) ([]ai.Item, error) {
	return matchItems(ctx, segs, decisionRE, false)
}

var decisionRE = regexp.MustCompile(`(?i)\b(we(('ve| have)? decided| agreed|'ve agreed| have agreed)|decided to|decision is|agreed (on|to|that)|let's go (with|for)|we('ll| will) go (with|for)|we're going (with|for)|settled on|final decision (?:is|was)|it's decided|we('ll| will) use)\b`)

// Questions finds open questions: substantive questions (at least three
// content words, not a tag like "right?") that the next speaker does not
// answer straight away with yes, no or a reason.
func Questions(ctx context.Context, segs []ai.Segment) ([]ai.Item, error) {
	found, err := matchItems(ctx, segs, questionRE, true)
	if err != nil {
		return nil, err
	}
	var out []ai.Item
	for _, it := range found {
		i := it.SegmentIndex
		if i+1 < len(segs) && answerRE.MatchString(segs[i+1].Text) {
			continue
		}
		out = append(out, it)
	}
	return out, nil
}

var (
	questionRE = regexp.MustCompile(`\?$`)
	answerRE   = regexp.MustCompile(`(?i)^\W*(yes|yeah|no|nope|because|it's|it is|we|i think|sure|right)\b`)
)

// matchItems returns the cleaned sentences of segs that match re; with
// question set, only sentences with three or more content words count.
func matchItems(ctx context.Context, segs []ai.Segment, re *regexp.Regexp, question bool) ([]ai.Item, error) {
	var out []ai.Item
	for i, seg := range segs {
		if err := checkpoint(ctx, i); err != nil {
			return nil, err
		}
		for _, s := range text.Sentences(text.Clean(seg.Text)) {
			s = trimLeadIn(s)
			if !re.MatchString(s) || (question && len(text.Terms(s)) < 3) {
				continue
			}
			out = append(out, ai.Item{Text: s, Speaker: seg.Speaker, SegmentIndex: i})
		}
	}
	return out, nil
}
