package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quorumhq/quorum/internal/ai"
)

// meeting is a small transcript the engine tests share.
func meeting() []ai.Segment {
	return []ai.Segment{
		{Speaker: "Alice", Text: "Welcome everyone, today we review the Q3 budget and the launch date.", Start: 0, End: 6},
		{Speaker: "Bob", Text: "Marketing spend is forty thousand over plan because of the trade show.", Start: 6, End: 12},
		{Speaker: "Bob", Text: "I suggest we cut the podcast sponsorship to compensate.", Start: 12, End: 17},
		{Speaker: "Alice", Text: "Agreed, we cut the podcast. Carol, can you update the forecast by Friday?", Start: 17, End: 24},
		{Speaker: "Carol", Text: "Yes, I will send the updated forecast by Friday.", Start: 24, End: 28},
		{Speaker: "Alice", Text: "Do we still launch on October 3rd? Nobody knows yet.", Start: 28, End: 33},
	}
}

// assertStructured checks that a request asked for the named JSON schema in
// strict mode, with every property required as strict mode demands.
func assertStructured(t *testing.T, req chatRequest, name string) {
	t.Helper()
	if req.Model != "test-chat" {
		t.Errorf("model = %q, want test-chat", req.Model)
	}
	if len(req.Messages) != 2 || req.Messages[0].Role != "system" || req.Messages[1].Role != "user" {
		t.Fatalf("messages = %+v, want system then user", req.Messages)
	}
	rf := req.ResponseFormat
	if rf == nil || rf.Type != "json_schema" || rf.JSONSchema.Name != name || !rf.JSONSchema.Strict {
		t.Fatalf("response_format = %+v, want strict json_schema %q", rf, name)
	}
	checkStrict(t, rf.JSONSchema.Schema)
}

// checkStrict walks a schema and fails on an object that does not require
// all of its properties or allows others.
func checkStrict(t *testing.T, s map[string]any) {
	t.Helper()
	switch s["type"] {
	case "object":
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		if len(req) != len(props) || s["additionalProperties"] != false {
			t.Errorf("object schema not strict: %v", s)
		}
		for _, p := range props {
			checkStrict(t, p.(map[string]any))
		}
	case "array":
		checkStrict(t, s["items"].(map[string]any))
	}
}

func TestSummarizeStructured(t *testing.T) {
	f := newFake(t)
	f.onChat(func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
		assertStructured(t, req, "cited_sentences")
		prompt := req.userPrompt()
		for _, want := range []string{"at most 50 words", "[0] Alice (0:00): Welcome everyone", "[4] Carol (0:24): Yes, I will send"} {
			if !strings.Contains(prompt, want) {
				t.Errorf("prompt lacks %q:\n%s", want, prompt)
			}
		}
		if strings.Contains(prompt, "omitted") {
			t.Errorf("short transcript was windowed:\n%s", prompt)
		}
		writeJSON(w, completion(`{"sentences":[`+
			`{"text":"Marketing is $40k over plan due to the trade show.","segmentIndex":1},`+
			`{"text":"The team cut the podcast sponsorship.","segmentIndex":3},`+
			`{"text":"Carol will update the forecast by Friday.","segmentIndex":4}]}`, "stop"))
	})
	got, err := f.provider().Summarize(context.Background(), meeting(), ai.SummaryOptions{MaxWords: 50})
	if err != nil {
		t.Fatal(err)
	}
	want := []ai.Sentence{
		{Text: "Marketing is $40k over plan due to the trade show.", SegmentIndex: 1, Speaker: "Bob"},
		{Text: "The team cut the podcast sponsorship.", SegmentIndex: 3, Speaker: "Alice"},
		{Text: "Carol will update the forecast by Friday.", SegmentIndex: 4, Speaker: "Carol"},
	}
	if !reflect.DeepEqual(got.Sentences, want) {
		t.Errorf("sentences = %+v\nwant %+v", got.Sentences, want)
	}
	if !strings.HasPrefix(got.Markdown, "- **Bob:** Marketing is $40k") || strings.Count(got.Markdown, "\n") != 3 {
		t.Errorf("markdown = %q", got.Markdown)
	}
}

func TestSummarizeFallbacks(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  []ai.Sentence
	}{
		{
			name:  "JSON in a code fence",
			reply: "```json\n{\"sentences\":[{\"text\":\"The podcast was cut.\",\"segmentIndex\":\"3\"}]}\n```",
			want:  []ai.Sentence{{Text: "The podcast was cut.", SegmentIndex: 3, Speaker: "Alice"}},
		},
		{
			name:  "prose with citations",
			reply: "- Marketing is over plan because of the trade show. [1]\n- Carol sends the forecast on Friday [4]",
			want: []ai.Sentence{
				{Text: "Marketing is over plan because of the trade show.", SegmentIndex: 1, Speaker: "Bob"},
				{Text: "Carol sends the forecast on Friday", SegmentIndex: 4, Speaker: "Carol"},
			},
		},
		{
			name:  "prose without citations is attributed by overlap",
			reply: "The podcast sponsorship is cut to compensate.",
			want:  []ai.Sentence{{Text: "The podcast sponsorship is cut to compensate.", SegmentIndex: 2, Speaker: "Bob"}},
		},
		{
			name:  "out-of-range index is attributed by overlap",
			reply: `{"sentences":[{"text":"The launch date of October 3rd is uncertain.","segmentIndex":99}]}`,
			want:  []ai.Sentence{{Text: "The launch date of October 3rd is uncertain.", SegmentIndex: 5, Speaker: "Alice"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.onChat(replyJSON(tt.reply))
			got, err := f.provider().Summarize(context.Background(), meeting(), ai.SummaryOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Sentences, tt.want) {
				t.Errorf("sentences = %+v\nwant %+v", got.Sentences, tt.want)
			}
		})
	}
}

// A server without structured output refuses response_format; the provider
// retries without it once and then stops sending it.
func TestStructuredOutputRejected(t *testing.T) {
	f := newFake(t)
	reply := `{"sentences":[{"text":"Budget review.","segmentIndex":0}]}`
	f.onChat(
		func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
			if req.ResponseFormat == nil {
				t.Error("first call should try json_schema")
			}
			writeAPIError(w, http.StatusBadRequest, "response_format json_schema is not supported", "invalid_request_error", "")
		},
		func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
			if _, ok := req.Raw["response_format"]; ok {
				t.Error("retry still sends response_format")
			}
			if !strings.Contains(req.userPrompt(), `Reply as {"sentences"`) {
				t.Error("retry prompt does not describe the JSON shape")
			}
			writeJSON(w, completion(reply, "stop"))
		},
	)
	p := f.provider()
	for range 2 {
		got, err := p.Summarize(context.Background(), meeting(), ai.SummaryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Sentences) != 1 || got.Sentences[0].SegmentIndex != 0 {
			t.Errorf("sentences = %+v", got.Sentences)
		}
	}
	if n := len(f.chatCalls()); n != 3 {
		t.Errorf("chat calls = %d, want 3 (reject, retry, then no schema)", n)
	}
}

func TestAnswerCitesSegments(t *testing.T) {
	f := newFake(t)
	f.onChat(func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
		assertStructured(t, req, "cited_sentences")
		if !strings.Contains(req.userPrompt(), "Question: Why is marketing over budget?") {
			t.Errorf("prompt lacks the question:\n%s", req.userPrompt())
		}
		writeJSON(w, completion(`{"sentences":[`+
			`{"text":"Spending on the trade show put marketing $40k over plan.","segmentIndex":1},`+
			`{"text":"To compensate, the podcast sponsorship will be cut.","segmentIndex":2},`+
			`{"text":"Alice agreed to the cut.","segmentIndex":3},`+
			`{"text":"The launch date is still open.","segmentIndex":5}]}`, "stop"))
	})
	got, err := f.provider().Answer(context.Background(), meeting(), "Why is marketing over budget?", ai.AnswerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Sentences) != 4 || got.Sentences[0].Speaker != "Bob" || got.Sentences[2].SegmentIndex != 3 {
		t.Errorf("sentences = %+v", got.Sentences)
	}
	if !strings.HasPrefix(got.Text, "Spending on the trade show") || !strings.HasSuffix(got.Text, "still open.") {
		t.Errorf("text = %q", got.Text)
	}
	want := []ai.Citation{
		{SegmentStart: 1, SegmentEnd: 3, Speaker: "", Start: 6, End: 24}, // Bob then Alice: no single speaker
		{SegmentStart: 5, SegmentEnd: 5, Speaker: "Alice", Start: 28, End: 33},
	}
	if !reflect.DeepEqual(got.Citations, want) {
		t.Errorf("citations = %+v\nwant %+v", got.Citations, want)
	}
}

func TestAnswerUnanswerable(t *testing.T) {
	f := newFake(t)
	f.onChat(replyJSON(`{"sentences":[]}`))
	got, err := f.provider().Answer(context.Background(), meeting(), "Who won the football?", ai.AnswerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != "" || got.Sentences != nil || got.Citations != nil {
		t.Errorf("answer = %+v, want empty", got)
	}
}

// Over budget, Answer keeps the segments matching the question and their
// original numbers.
func TestAnswerWindowsLongTranscript(t *testing.T) {
	var segs []ai.Segment
	for i := range 200 {
		segs = append(segs, ai.Segment{Speaker: "S", Text: fmt.Sprintf("Filler remark number %d about nothing in particular at all.", i)})
	}
	segs[150].Text = "The vendor contract renewal is due in March."
	f := newFake(t)
	f.onChat(func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
		prompt := req.userPrompt()
		if !strings.Contains(prompt, "[150] S: The vendor contract renewal") {
			t.Errorf("relevant segment dropped or renumbered")
		}
		if !strings.Contains(prompt, "omitted") || !strings.Contains(prompt, "some segments are omitted") {
			t.Errorf("prompt does not say segments are omitted")
		}
		if len(prompt) > 3000 {
			t.Errorf("prompt is %d chars, budget 2000 plus instructions", len(prompt))
		}
		writeJSON(w, completion(`{"sentences":[{"text":"The vendor contract renewal is due in March.","segmentIndex":150}]}`, "stop"))
	})
	p := f.provider(func(c *Config) { c.MaxContextChars = 2000 })
	got, err := p.Answer(context.Background(), segs, "When is the vendor contract renewal?", ai.AnswerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Citations) != 1 || got.Citations[0].SegmentStart != 150 {
		t.Errorf("citations = %+v", got.Citations)
	}
}

func TestActionItems(t *testing.T) {
	ref := time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CET", 3600)) // a Monday
	f := newFake(t)
	f.onChat(func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
		assertStructured(t, req, "action_items")
		if !strings.Contains(req.userPrompt(), "Monday, 2 March 2026") {
			t.Errorf("prompt lacks the reference date:\n%s", req.userPrompt())
		}
		writeJSON(w, completion(`{"items":[`+
			`{"text":"Update the forecast","owner":"Carol","due":"by Friday","dueDate":"2026-03-06","segmentIndex":4},`+
			`{"text":"Cancel the podcast sponsorship","owner":"","due":"","dueDate":"","segmentIndex":3},`+
			`{"text":"update the forecast","owner":"Carol","due":"","dueDate":"","segmentIndex":3}]}`, "stop"))
	})
	got, err := f.provider().ActionItems(context.Background(), meeting(), ai.ItemOptions{Reference: ref})
	if err != nil {
		t.Fatal(err)
	}
	friday := time.Date(2026, 3, 6, 0, 0, 0, 0, ref.Location())
	want := []ai.ActionItem{
		{Text: "Cancel the podcast sponsorship", SegmentIndex: 3},
		{Text: "Update the forecast", Owner: "Carol", Due: "by Friday", DueDate: &friday, SegmentIndex: 4},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("items = %+v\nwant %+v", got, want)
	}
}

// A transcript longer than the budget is read in chunks, one call each,
// and the items merged in meeting order.
func TestActionItemsChunked(t *testing.T) {
	var segs []ai.Segment
	for i := range 60 {
		segs = append(segs, ai.Segment{Speaker: "Dana", Text: fmt.Sprintf("Status update number %d, nothing else to report this week.", i)})
	}
	f := newFake(t)
	f.onChat(func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
		prompt := req.userPrompt()
		// Each chunk names its own first segment; cite it.
		i := strings.Index(prompt, "Transcript:\n[")
		var first int
		fmt.Sscanf(prompt[i+len("Transcript:\n["):], "%d", &first)
		if req.ResponseFormat.JSONSchema.Name != "action_items" {
			t.Errorf("schema %q", req.ResponseFormat.JSONSchema.Name)
		}
		writeJSON(w, completion(fmt.Sprintf(`{"items":[{"text":"Follow up on update %d","owner":"Dana","due":"","dueDate":"","segmentIndex":%d}]}`, first, first), "stop"))
	})
	p := f.provider(func(c *Config) { c.MaxContextChars = 1000; c.MaxChunks = 3 })
	got, err := p.ActionItems(context.Background(), segs, ai.ItemOptions{})
	if err != nil {
		t.Fatal(err)
	}
	calls := f.chatCalls()
	if len(calls) != 3 {
		t.Fatalf("calls = %d, want 3 (MaxChunks)", len(calls))
	}
	if len(got) != 3 || got[0].SegmentIndex != 0 || got[1].SegmentIndex != 20 || got[2].SegmentIndex != 40 {
		t.Errorf("items = %+v", got)
	}
	for _, it := range got {
		if it.DueDate != nil {
			t.Errorf("DueDate set without a reference: %+v", it)
		}
	}
}

func TestDecisionsAndQuestions(t *testing.T) {
	tests := []struct {
		name   string
		call   func(*Provider) ([]ai.Item, error)
		prompt string
		reply  string
		want   []ai.Item
	}{
		{
			name:   "decisions",
			call:   func(p *Provider) ([]ai.Item, error) { return p.Decisions(context.Background(), meeting()) },
			prompt: "List the decisions",
			reply:  `{"items":[{"text":"Cut the podcast sponsorship.","segmentIndex":3}]}`,
			want:   []ai.Item{{Text: "Cut the podcast sponsorship.", Speaker: "Alice", SegmentIndex: 3}},
		},
		{
			name:   "questions",
			call:   func(p *Provider) ([]ai.Item, error) { return p.Questions(context.Background(), meeting()) },
			prompt: "List the open questions",
			reply:  "1. Do we still launch on October 3rd? [5]",
			want:   []ai.Item{{Text: "Do we still launch on October 3rd?", Speaker: "Alice", SegmentIndex: 5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.onChat(func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
				assertStructured(t, req, "items")
				if !strings.Contains(req.userPrompt(), tt.prompt) {
					t.Errorf("prompt lacks %q", tt.prompt)
				}
				writeJSON(w, completion(tt.reply, "stop"))
			})
			got, err := tt.call(f.provider())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("items = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestKeywords(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  []ai.Keyword
	}{
		{
			name:  "scored",
			reply: `{"keywords":[{"phrase":"launch date","score":0.6},{"phrase":"Q3 budget","score":0.9},{"phrase":"q3 budget","score":0.5},{"phrase":"podcast","score":0.4}]}`,
			want:  []ai.Keyword{{Phrase: "Q3 budget", Score: 0.9}, {Phrase: "launch date", Score: 0.6}},
		},
		{
			name:  "plain list ranked by order",
			reply: "Q3 budget, podcast sponsorship, launch date",
			want:  []ai.Keyword{{Phrase: "Q3 budget", Score: 1}, {Phrase: "podcast sponsorship", Score: rankScore(1, 3)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.onChat(func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
				assertStructured(t, req, "keywords")
				if !strings.Contains(req.userPrompt(), "the 2 most important") {
					t.Errorf("prompt does not ask for 2")
				}
				writeJSON(w, completion(tt.reply, "stop"))
			})
			got, err := f.provider().Keywords(context.Background(), meeting(), 2)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("keywords = %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestSentiment(t *testing.T) {
	tests := []struct {
		reply   string
		want    float64
		wantErr error
	}{
		{reply: `{"score":0.75}`, want: 0.75},
		{reply: `{"score":-3}`, want: -1}, // clamped
		{reply: "Sentiment: -0.4 (mildly negative)", want: -0.4},
		{reply: "I cannot tell.", wantErr: ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.reply, func(t *testing.T) {
			f := newFake(t)
			f.onChat(func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
				assertStructured(t, req, "sentiment")
				if !strings.Contains(req.userPrompt(), "This release went really well.") {
					t.Errorf("prompt lacks the text")
				}
				writeJSON(w, completion(tt.reply, "stop"))
			})
			got, err := f.provider().Sentiment(context.Background(), "This release went really well.")
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrUpstream) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Sentiment = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// Empty inputs are answered without a request.
func TestEngineEmptyInputs(t *testing.T) {
	f := newFake(t) // no chat script: any call fails the test
	p := f.provider()
	ctx := context.Background()
	if s, err := p.Summarize(ctx, nil, ai.SummaryOptions{}); err != nil || s.Sentences != nil {
		t.Errorf("Summarize(nil) = %+v, %v", s, err)
	}
	if a, err := p.Answer(ctx, meeting(), "  ", ai.AnswerOptions{}); err != nil || a.Text != "" {
		t.Errorf("Answer(blank) = %+v, %v", a, err)
	}
	if k, err := p.Keywords(ctx, meeting(), 0); err != nil || k != nil {
		t.Errorf("Keywords(0) = %+v, %v", k, err)
	}
	if v, err := p.Sentiment(ctx, ""); err != nil || v != 0 {
		t.Errorf("Sentiment(\"\") = %v, %v", v, err)
	}
	if items, err := p.Decisions(ctx, nil); err != nil || items != nil {
		t.Errorf("Decisions(nil) = %+v, %v", items, err)
	}
}

// rankScore is the score Keywords gives the i-th of n unscored phrases,
// computed as it does so floats compare equal.
func rankScore(i, n int) float64 { return 1 - float64(i)/float64(n) }
