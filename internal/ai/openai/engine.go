package openai

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/ai"
	"github.com/quorumhq/quorum/internal/ai/text"
)

// Default lengths, matching the offline engine's so the two are compared
// like for like on the QMSum evaluation.
const (
	defaultSummaryWords = 110
	defaultAnswerWords  = 60
)

// systemPrompt frames every ai.Engine call: the transcript format and the
// rule that results cite segments by number.
const systemPrompt = `You analyse meeting transcripts. Each transcript line is "[n] Speaker (time): text", where n is the segment number. ` +
	`Use only what the transcript says. Whenever asked for a segmentIndex, give the number n of the segment that supports the statement. ` +
	`Reply with a single JSON object in the requested shape and nothing else.`

// Response schemas.
var (
	sentencesSchema = jsonSchema{name: "cited_sentences", schema: object(map[string]any{
		"sentences": arrayOf(object(map[string]any{"text": schemaString, "segmentIndex": schemaInteger})),
	})}
	keywordsSchema = jsonSchema{name: "keywords", schema: object(map[string]any{
		"keywords": arrayOf(object(map[string]any{"phrase": schemaString, "score": schemaNumber})),
	})}
	actionItemsSchema = jsonSchema{name: "action_items", schema: object(map[string]any{
		"items": arrayOf(object(map[string]any{
			"text": schemaString, "owner": schemaString, "due": schemaString, "dueDate": schemaString, "segmentIndex": schemaInteger,
		})),
	})}
	itemsSchema = jsonSchema{name: "items", schema: object(map[string]any{
		"items": arrayOf(object(map[string]any{"text": schemaString, "segmentIndex": schemaInteger})),
	})}
	sentimentSchema = jsonSchema{name: "sentiment", schema: object(map[string]any{"score": schemaNumber})}
)

// citedText is a model sentence and the segment it says it came from.
type citedText struct {
	Text         string   `json:"text"`
	SegmentIndex segIndex `json:"segmentIndex"`
}

// keywordJSON is one entry of keywordsSchema.
type keywordJSON struct {
	Phrase string  `json:"phrase"`
	Score  float64 `json:"score"`
}

// actionItemJSON is one entry of actionItemsSchema.
type actionItemJSON struct {
	Text         string   `json:"text"`
	Owner        string   `json:"owner"`
	Due          string   `json:"due"`
	DueDate      string   `json:"dueDate"`
	SegmentIndex segIndex `json:"segmentIndex"`
}

// omitted is the prompt's note that the transcript was windowed.
func omitted(trimmed bool) string {
	if !trimmed {
		return ""
	}
	return " The transcript is too long to show whole: some segments are omitted, as marked."
}

// Summarize implements ai.Engine: the model writes a summary of at most
// opts.MaxWords words as sentences citing their segments. Over-long
// transcripts are windowed evenly (see transcript.go). If the server returns
// prose instead of JSON, its sentences are used and cited by any "[n]" they
// carry, else by the segment sharing most words.
func (p *Provider) Summarize(ctx context.Context, segs []ai.Segment, opts ai.SummaryOptions) (ai.Summary, error) {
	if len(segs) == 0 {
		return ai.Summary{}, ctx.Err()
	}
	maxWords := opts.MaxWords
	if maxWords <= 0 {
		maxWords = defaultSummaryWords
	}
	tr, trimmed := window(segs, 0, len(segs), p.cfg.MaxContextChars, nil)
	user := fmt.Sprintf(`Summarize this meeting in at most %d words: the topics, what was decided and what happens next. `+
		`Write it as a list of sentences, each with the segmentIndex it is drawn from. `+
		`Reply as {"sentences":[{"text":"...","segmentIndex":0}]}.%s`+"\n\nTranscript:\n%s", maxWords, omitted(trimmed), tr)
	var out struct {
		Sentences []citedText `json:"sentences"`
	}
	raw, ok, err := p.completeJSON(ctx, "summarize", systemPrompt, user, sentencesSchema, &out)
	if err != nil {
		return ai.Summary{}, err
	}
	if !ok {
		out.Sentences = proseSentences(raw)
	}
	sents := capWords(resolveSentences(segs, out.Sentences), maxWords)
	return ai.Summary{Sentences: sents, Markdown: summaryMarkdown(sents)}, nil
}

// Answer implements ai.Engine: the model answers query from the transcript
// (or from retrieved excerpts passed as segs) in sentences that each cite a
// segment, and the citations are the cited segments merged into runs. An
// over-long transcript is windowed around the segments sharing the query's
// terms. A question the transcript does not answer gets an empty Answer.
func (p *Provider) Answer(ctx context.Context, segs []ai.Segment, query string, opts ai.AnswerOptions) (ai.Answer, error) {
	query = strings.TrimSpace(query)
	if len(segs) == 0 || query == "" {
		return ai.Answer{}, ctx.Err()
	}
	maxWords := opts.MaxWords
	if maxWords <= 0 {
		maxWords = defaultAnswerWords
	}
	tr, trimmed := window(segs, 0, len(segs), p.cfg.MaxContextChars, queryPriority(segs, query))
	user := fmt.Sprintf(`Answer the question from the transcript in at most %d words. `+
		`Every sentence must give the segmentIndex of the segment that supports it. `+
		`If the transcript does not answer the question, reply with an empty list. `+
		`Reply as {"sentences":[{"text":"...","segmentIndex":0}]}.%s`+"\n\nQuestion: %s\n\nTranscript:\n%s",
		maxWords, omitted(trimmed), query, tr)
	var out struct {
		Sentences []citedText `json:"sentences"`
	}
	raw, ok, err := p.completeJSON(ctx, "answer", systemPrompt, user, sentencesSchema, &out)
	if err != nil {
		return ai.Answer{}, err
	}
	if !ok {
		out.Sentences = proseSentences(raw)
	}
	sents := capWords(resolveSentences(segs, out.Sentences), maxWords)
	if len(sents) == 0 {
		return ai.Answer{}, nil
	}
	parts := make([]string, len(sents))
	for i, s := range sents {
		parts[i] = s.Text
	}
	return ai.Answer{Text: strings.Join(parts, " "), Sentences: sents, Citations: citationRuns(segs, sents)}, nil
}

// Keywords implements ai.Engine: up to n key phrases, best first, scored in
// [0, 1] by the model (by rank when it gives no scores).
func (p *Provider) Keywords(ctx context.Context, segs []ai.Segment, n int) ([]ai.Keyword, error) {
	if n <= 0 || len(segs) == 0 {
		return nil, ctx.Err()
	}
	tr, trimmed := window(segs, 0, len(segs), p.cfg.MaxContextChars, nil)
	user := fmt.Sprintf(`List the %d most important key phrases of this meeting (topics, products, named things; one to three words each, as said), `+
		`best first, each with a relevance score between 0 and 1. Reply as {"keywords":[{"phrase":"...","score":0.9}]}.%s`+
		"\n\nTranscript:\n%s", n, omitted(trimmed), tr)
	var out struct {
		Keywords []keywordJSON `json:"keywords"`
	}
	raw, ok, err := p.completeJSON(ctx, "keywords", systemPrompt, user, keywordsSchema, &out)
	if err != nil {
		return nil, err
	}
	if !ok {
		for _, l := range plainLines(raw) {
			for _, ph := range strings.Split(l.text, ",") {
				out.Keywords = append(out.Keywords, keywordJSON{Phrase: ph})
			}
		}
	}
	var kws []ai.Keyword
	seen := map[string]bool{}
	scored := false
	for _, k := range out.Keywords {
		ph := strings.Trim(strings.TrimSpace(k.Phrase), `"'.`)
		key := strings.ToLower(ph)
		if ph == "" || seen[key] {
			continue
		}
		seen[key] = true
		scored = scored || k.Score > 0
		kws = append(kws, ai.Keyword{Phrase: ph, Score: min(max(k.Score, 0), 1)})
	}
	if !scored { // the model's order is its ranking
		for i := range kws {
			kws[i].Score = 1 - float64(i)/float64(len(kws))
		}
	}
	sort.SliceStable(kws, func(i, j int) bool { return kws[i].Score > kws[j].Score })
	if len(kws) > n {
		kws = kws[:n]
	}
	return kws, nil
}

// ActionItems implements ai.Engine: tasks someone took on or was given, with
// owner and deadline as said; given opts.Reference, the model also resolves
// the deadline to a date (midnight in Reference's location, as the offline
// engine does). Long transcripts are read in chunks and the results merged.
func (p *Provider) ActionItems(ctx context.Context, segs []ai.Segment, opts ai.ItemOptions) ([]ai.ActionItem, error) {
	ref := ""
	if !opts.Reference.IsZero() {
		ref = fmt.Sprintf(" The meeting took place on %s; give dueDate as YYYY-MM-DD resolved against that date, or \"\" when there is no deadline.",
			opts.Reference.Format("Monday, 2 January 2006"))
	} else {
		ref = ` Leave dueDate "".`
	}
	var out []ai.ActionItem
	seen := map[string]bool{}
	for _, tr := range chunks(segs, p.cfg.MaxContextChars, p.cfg.MaxChunks) {
		user := `List the action items of this meeting: tasks someone committed to or was asked to do. ` +
			`For each give the task as a short imperative sentence, the owner (the person who will do it, "" if unassigned), ` +
			`the deadline as said ("by Friday", "" if none), dueDate, and the segmentIndex where it was agreed.` + ref +
			` Reply as {"items":[{"text":"...","owner":"","due":"","dueDate":"","segmentIndex":0}]}.` +
			"\n\nTranscript:\n" + tr
		var res struct {
			Items []actionItemJSON `json:"items"`
		}
		raw, ok, err := p.completeJSON(ctx, "action items", systemPrompt, user, actionItemsSchema, &res)
		if err != nil {
			return nil, err
		}
		if !ok {
			for _, c := range proseItems(raw) {
				res.Items = append(res.Items, actionItemJSON{Text: c.Text, SegmentIndex: c.SegmentIndex})
			}
		}
		for _, it := range res.Items {
			txt := strings.TrimSpace(it.Text)
			if txt == "" || seen[strings.ToLower(txt)] {
				continue
			}
			seen[strings.ToLower(txt)] = true
			item := ai.ActionItem{
				Text:         txt,
				Owner:        strings.TrimSpace(it.Owner),
				Due:          strings.TrimSpace(it.Due),
				SegmentIndex: resolveIndex(segs, it.SegmentIndex, txt, 0),
			}
			if !opts.Reference.IsZero() && strings.TrimSpace(it.DueDate) != "" {
				if d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(it.DueDate), opts.Reference.Location()); err == nil {
					item.DueDate = &d
				}
			}
			out = append(out, item)
		}
	}
	sortBySegment(out, func(a ai.ActionItem) int { return a.SegmentIndex })
	return out, nil
}

// Decisions implements ai.Engine: what the meeting decided, each with the
// segment where it was settled and who voiced it.
func (p *Provider) Decisions(ctx context.Context, segs []ai.Segment) ([]ai.Item, error) {
	return p.items(ctx, segs, "decisions",
		`List the decisions made in this meeting: what was agreed or settled, each as one short sentence with the segmentIndex where it was decided. `+
			`Proposals nobody agreed to are not decisions.`)
}

// Questions implements ai.Engine: substantive questions raised in the
// meeting that were left open, each with the segment that asked it.
func (p *Provider) Questions(ctx context.Context, segs []ai.Segment) ([]ai.Item, error) {
	return p.items(ctx, segs, "questions",
		`List the open questions of this meeting: substantive questions that were raised and not answered or resolved, `+
			`each as the question itself with the segmentIndex where it was asked.`)
}

// items runs a decisions-or-questions extraction over the transcript's
// chunks and merges the results in meeting order.
func (p *Provider) items(ctx context.Context, segs []ai.Segment, op, task string) ([]ai.Item, error) {
	var out []ai.Item
	seen := map[string]bool{}
	for _, tr := range chunks(segs, p.cfg.MaxContextChars, p.cfg.MaxChunks) {
		user := task + ` Reply as {"items":[{"text":"...","segmentIndex":0}]}; an empty list if there are none.` + "\n\nTranscript:\n" + tr
		var res struct {
			Items []citedText `json:"items"`
		}
		raw, ok, err := p.completeJSON(ctx, op, systemPrompt, user, itemsSchema, &res)
		if err != nil {
			return nil, err
		}
		if !ok {
			res.Items = proseItems(raw)
		}
		for _, it := range res.Items {
			txt := strings.TrimSpace(it.Text)
			if txt == "" || seen[strings.ToLower(txt)] {
				continue
			}
			seen[strings.ToLower(txt)] = true
			i := resolveIndex(segs, it.SegmentIndex, txt, 0)
			out = append(out, ai.Item{Text: txt, Speaker: segs[i].Speaker, SegmentIndex: i})
		}
	}
	sortBySegment(out, func(it ai.Item) int { return it.SegmentIndex })
	return out, nil
}

// Sentiment implements ai.Engine: the model rates the text's overall tone
// from -1 (very negative) to 1 (very positive). Text over the context budget
// is clipped.
func (p *Provider) Sentiment(ctx context.Context, s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ctx.Err()
	}
	user := `Rate the overall sentiment of this text as a number from -1 (very negative) through 0 (neutral) to 1 (very positive). ` +
		`Reply as {"score":0.0}.` + "\n\nText:\n" + clip(s, p.cfg.MaxContextChars)
	var out struct {
		Score *float64 `json:"score"`
	}
	raw, ok, err := p.completeJSON(ctx, "sentiment", `You rate the sentiment of text. Reply with a single JSON object and nothing else.`, user, sentimentSchema, &out)
	if err != nil {
		return 0, err
	}
	if !ok || out.Score == nil {
		m := numberRE.FindString(raw)
		f, perr := strconv.ParseFloat(m, 64)
		if perr != nil {
			return 0, badResponse("sentiment", "no score in reply %q", clip(raw, 200))
		}
		out.Score = &f
	}
	return min(max(*out.Score, -1), 1), nil
}

var numberRE = regexp.MustCompile(`[-+]?\d*\.?\d+`)

// proseSentences reads a reply that ignored the JSON schema as sentences,
// each cited by the first "[n]" on its line (-1 when none).
func proseSentences(raw string) []citedText {
	var out []citedText
	for _, l := range plainLines(raw) {
		cite := segIndex(-1)
		if len(l.cites) > 0 {
			cite = segIndex(l.cites[0])
		}
		for _, s := range text.Sentences(l.text) {
			out = append(out, citedText{Text: s, SegmentIndex: cite})
		}
	}
	return out
}

// proseItems reads a reply that ignored the JSON schema as one item per
// line.
func proseItems(raw string) []citedText {
	var out []citedText
	for _, l := range plainLines(raw) {
		cite := segIndex(-1)
		if len(l.cites) > 0 {
			cite = segIndex(l.cites[0])
		}
		out = append(out, citedText{Text: l.text, SegmentIndex: cite})
	}
	return out
}

// resolveSentences turns model sentences into ai.Sentences with valid
// segment indices and their speakers.
func resolveSentences(segs []ai.Segment, in []citedText) []ai.Sentence {
	var out []ai.Sentence
	prev := 0
	for _, c := range in {
		t := strings.TrimSpace(c.Text)
		if t == "" {
			continue
		}
		i := resolveIndex(segs, c.SegmentIndex, t, prev)
		prev = i
		out = append(out, ai.Sentence{Text: t, SegmentIndex: i, Speaker: segs[i].Speaker})
	}
	return out
}

// resolveIndex returns the model's citation if it names a segment, else the
// segment sharing most words with the text, else fallback: a sentence
// nothing supports is attributed to where the previous one was.
func resolveIndex(segs []ai.Segment, cited segIndex, txt string, fallback int) int {
	if int(cited) >= 0 && int(cited) < len(segs) {
		return int(cited)
	}
	if i := bestSegment(segs, txt); i >= 0 {
		return i
	}
	return min(max(fallback, 0), len(segs)-1)
}

// capWords keeps whole sentences up to maxWords, with a quarter's slack since
// models count loosely, and always the first sentence.
func capWords(sents []ai.Sentence, maxWords int) []ai.Sentence {
	limit := maxWords + maxWords/4
	words := 0
	for i, s := range sents {
		words += text.WordCount(s.Text)
		if words > limit && i > 0 {
			return sents[:i]
		}
	}
	return sents
}

// summaryMarkdown renders sentences as a bullet list attributed to their
// speakers, in the offline engine's format.
func summaryMarkdown(sents []ai.Sentence) string {
	var b strings.Builder
	for _, s := range sents {
		if s.Speaker != "" {
			fmt.Fprintf(&b, "- **%s:** %s\n", s.Speaker, s.Text)
		} else {
			fmt.Fprintf(&b, "- %s\n", s.Text)
		}
	}
	return b.String()
}

// citationRuns merges the segments an answer cites into contiguous runs,
// ordered by where the answer first cites them.
func citationRuns(segs []ai.Segment, sents []ai.Sentence) []ai.Citation {
	cited := map[int]bool{}
	var order []int
	for _, s := range sents {
		if !cited[s.SegmentIndex] {
			cited[s.SegmentIndex] = true
			order = append(order, s.SegmentIndex)
		}
	}
	runOf := map[int]int{} // segment -> index in runs
	var runs []ai.Citation
	for _, i := range order {
		if _, ok := runOf[i]; ok {
			continue
		}
		lo, hi := i, i
		for cited[lo-1] {
			lo--
		}
		for cited[hi+1] {
			hi++
		}
		c := ai.Citation{SegmentStart: lo, SegmentEnd: hi, Speaker: segs[lo].Speaker, Start: segs[lo].Start, End: segs[hi].End}
		for j := lo; j <= hi; j++ {
			runOf[j] = len(runs)
			if segs[j].Speaker != c.Speaker {
				c.Speaker = "" // a run across speakers has no single one
			}
		}
		runs = append(runs, c)
	}
	return runs
}

// sortBySegment orders items by the segment they cite, keeping the model's
// order within a segment.
func sortBySegment[T any](items []T, seg func(T) int) {
	sort.SliceStable(items, func(i, j int) bool { return seg(items[i]) < seg(items[j]) })
}
