package openai

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeOpenAI is an in-process server speaking the OpenAI wire format for
// the endpoints the provider uses. Each endpoint is scripted by a handler
// the test sets; the fake decodes every request body in the API's own shape
// and records it, so tests assert what the provider actually sent.
type fakeOpenAI struct {
	t   *testing.T
	srv *httptest.Server

	mu sync.Mutex
	// chat answers POST /v1/chat/completions calls in turn; the last one
	// answers any further calls.
	chat       []func(w http.ResponseWriter, r *http.Request, req chatRequest)
	embed      func(w http.ResponseWriter, req embedRequest)
	transcribe func(w http.ResponseWriter, req transcribeRequest)

	chatReqs  []chatRequest
	embedReqs []embedRequest
	authz     []string // Authorization header of every request
}

// chatRequest is a chat completions request body as the API defines it.
type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role       string          `json:"role"`
		Content    json.RawMessage `json:"content"`
		ToolCallID string          `json:"tool_call_id"`
		ToolCalls  []struct {
			ID       string `json:"id"`
			Type     string `json:"type"`
			Function struct {
				Name      string `json:"name"`
				Arguments string `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
	} `json:"messages"`
	Tools []struct {
		Type     string `json:"type"`
		Function struct {
			Name        string         `json:"name"`
			Description string         `json:"description"`
			Parameters  map[string]any `json:"parameters"`
		} `json:"function"`
	} `json:"tools"`
	ResponseFormat *struct {
		Type       string `json:"type"`
		JSONSchema struct {
			Name   string         `json:"name"`
			Strict bool           `json:"strict"`
			Schema map[string]any `json:"schema"`
		} `json:"json_schema"`
	} `json:"response_format"`
	Stream        bool `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	// Raw keeps the whole body for asserting fields that must be absent.
	Raw map[string]any `json:"-"`
}

// content returns message i's content as a string ("" when absent or null).
func (r chatRequest) content(i int) string {
	var s string
	_ = json.Unmarshal(r.Messages[i].Content, &s)
	return s
}

// userPrompt is the content of the last user message.
func (r chatRequest) userPrompt() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.content(i)
		}
	}
	return ""
}

type embedRequest struct {
	Model          string   `json:"model"`
	Input          []string `json:"input"`
	EncodingFormat string   `json:"encoding_format"`
}

type transcribeRequest struct {
	Model          string
	ResponseFormat string
	Filename       string
	Audio          []byte
}

func newFake(t *testing.T) *fakeOpenAI {
	t.Helper()
	f := &fakeOpenAI{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", f.serveChat)
	mux.HandleFunc("POST /v1/embeddings", f.serveEmbed)
	mux.HandleFunc("POST /v1/audio/transcriptions", f.serveTranscribe)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("fake: unexpected %s %s", r.Method, r.URL.Path)
		writeAPIError(w, http.StatusNotFound, "not found", "invalid_request_error", "")
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// provider returns a Provider pointed at the fake, without retries unless
// the test's edit asks for them.
func (f *fakeOpenAI) provider(edit ...func(*Config)) *Provider {
	f.t.Helper()
	cfg := Config{
		BaseURL:         f.srv.URL + "/v1",
		APIKey:          "sk-test",
		Model:           "test-chat",
		EmbedModel:      "test-embed",
		TranscribeModel: "test-whisper",
		MaxRetries:      -1,
	}
	for _, e := range edit {
		e(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	return p
}

// onChat queues handlers for the next chat calls.
func (f *fakeOpenAI) onChat(h ...func(w http.ResponseWriter, r *http.Request, req chatRequest)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chat = append(f.chat, h...)
}

// chatCalls returns the chat requests received so far.
func (f *fakeOpenAI) chatCalls() []chatRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]chatRequest(nil), f.chatReqs...)
}

func (f *fakeOpenAI) record(r *http.Request) {
	f.mu.Lock()
	f.authz = append(f.authz, r.Header.Get("Authorization"))
	f.mu.Unlock()
}

func (f *fakeOpenAI) serveChat(w http.ResponseWriter, r *http.Request) {
	f.record(r)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		f.t.Errorf("chat: Content-Type %q", ct)
	}
	body, _ := io.ReadAll(r.Body)
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		f.t.Errorf("chat: body is not a chat request: %v\n%s", err, body)
		writeAPIError(w, http.StatusBadRequest, "bad body", "invalid_request_error", "")
		return
	}
	_ = json.Unmarshal(body, &req.Raw)
	if req.Model == "" || len(req.Messages) == 0 {
		f.t.Errorf("chat: model and messages are required: %s", body)
	}
	f.mu.Lock()
	n := len(f.chatReqs)
	f.chatReqs = append(f.chatReqs, req)
	var h func(http.ResponseWriter, *http.Request, chatRequest)
	if len(f.chat) > 0 {
		h = f.chat[min(n, len(f.chat)-1)]
	}
	f.mu.Unlock()
	if h == nil {
		f.t.Errorf("chat: unscripted call %d", n)
		writeAPIError(w, http.StatusInternalServerError, "unscripted", "server_error", "")
		return
	}
	h(w, r, req)
}

func (f *fakeOpenAI) serveEmbed(w http.ResponseWriter, r *http.Request) {
	f.record(r)
	var req embedRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.t.Errorf("embeddings: body: %v", err)
	}
	f.mu.Lock()
	f.embedReqs = append(f.embedReqs, req)
	h := f.embed
	f.mu.Unlock()
	h(w, req)
}

func (f *fakeOpenAI) serveTranscribe(w http.ResponseWriter, r *http.Request) {
	f.record(r)
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		f.t.Errorf("transcriptions: not multipart: %v", err)
		writeAPIError(w, http.StatusBadRequest, "bad form", "invalid_request_error", "")
		return
	}
	req := transcribeRequest{Model: r.FormValue("model"), ResponseFormat: r.FormValue("response_format")}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		f.t.Errorf("transcriptions: no file part: %v", err)
	} else {
		req.Filename = hdr.Filename
		req.Audio, _ = io.ReadAll(file)
		file.Close()
	}
	f.transcribe(w, req)
}

// writeJSON writes v as a 200 JSON response.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// writeAPIError writes an error in the API's {"error": {...}} shape.
func writeAPIError(w http.ResponseWriter, status int, msg, typ, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	var c any
	if code != "" {
		c = code
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": c}})
}

// completion is a non-streamed chat.completion response.
func completion(content string, finish string, calls ...ToolCall) map[string]any {
	msg := map[string]any{"role": "assistant", "content": content, "refusal": nil}
	if content == "" && len(calls) > 0 {
		msg["content"] = nil
	}
	if len(calls) > 0 {
		var tcs []map[string]any
		for _, c := range calls {
			tcs = append(tcs, map[string]any{"id": c.ID, "type": "function", "function": map[string]any{"name": c.Name, "arguments": c.Arguments}})
		}
		msg["tool_calls"] = tcs
	}
	return map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "test-chat-0613",
		"choices": []any{map[string]any{"index": 0, "message": msg, "logprobs": nil, "finish_reason": finish}},
		"usage":   map[string]any{"prompt_tokens": 40, "completion_tokens": 12, "total_tokens": 52},
	}
}

// replyJSON answers a chat call with content (typically JSON text).
func replyJSON(content string) func(http.ResponseWriter, *http.Request, chatRequest) {
	return func(w http.ResponseWriter, _ *http.Request, _ chatRequest) { writeJSON(w, completion(content, "stop")) }
}

// chunk is one chat.completion.chunk of a stream.
func chunk(delta map[string]any, finish any) map[string]any {
	return map[string]any{
		"id": "chatcmpl-2", "object": "chat.completion.chunk", "created": 1700000000, "model": "test-chat-0613",
		"choices": []any{map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish}},
	}
}

// usageChunk is the final chunk include_usage asks for: no choices.
func usageChunk(prompt, completion int) map[string]any {
	return map[string]any{
		"id": "chatcmpl-2", "object": "chat.completion.chunk", "created": 1700000000, "model": "test-chat-0613",
		"choices": []any{},
		"usage":   map[string]any{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
	}
}

// writeSSE streams events as server-sent "data:" lines, flushing each, and
// ends with [DONE] unless done is false.
func writeSSE(w http.ResponseWriter, done bool, events ...any) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	fl := w.(http.Flusher)
	for _, e := range events {
		b, _ := json.Marshal(e)
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
	}
	if done {
		fmt.Fprint(w, "data: [DONE]\n\n")
		fl.Flush()
	}
}
