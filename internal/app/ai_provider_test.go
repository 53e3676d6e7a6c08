package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

// fakeModel speaks the OpenAI chat-completions wire format: the first call
// of each exchange asks for a transcript search, the next one answers.
func fakeModel(t *testing.T, fail *atomic.Bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		if fail.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":{"message":"model crashed","type":"server_error"}}`))
			return
		}
		var req struct {
			Model    string `json:"model"`
			Messages []struct {
				Role    string `json:"role"`
				Content any    `json:"content"`
			} `json:"messages"`
			Tools []struct {
				Function struct {
					Name string `json:"name"`
				} `json:"function"`
			} `json:"tools"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		msg := map[string]any{"role": "assistant", "content": "The launch moved because billing is late [segment 0]."}
		finish := "stop"
		if len(req.Tools) > 0 && req.Messages[len(req.Messages)-1].Role == "user" {
			msg = map[string]any{"role": "assistant", "content": nil, "tool_calls": []any{map[string]any{
				"id": "call_1", "type": "function", "function": map[string]any{"name": "search_meeting", "arguments": `{"query":"launch"}`}}}}
			finish = "tool_calls"
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
			"usage":   map[string]any{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
		})
	}))
}

func TestAgentWithOpenAICompatibleModel(t *testing.T) {
	var fail atomic.Bool
	model := fakeModel(t, &fail)
	defer model.Close()
	e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db", "--ai-base-url", model.URL+"/v1", "--ai-model", "fake-llm")
	f := e.fixture("llm@example.com")
	c := cloudClient(t, e, f, "llm@example.com")
	ctx := context.Background()
	m, err := c.ImportMeeting(ctx, client.NewMeeting{Title: "Launch", Segments: []client.Segment{
		{Speaker: "Ann", Text: "The launch moves to March because billing is late."},
	}})
	require.NoError(t, err)
	waitForHits(t, c, "", client.SearchRequest{Query: "launch", MeetingIDs: []string{m.ID}})

	run, err := c.AskAgent(ctx, m.ID, "Why did the launch move?")
	require.NoError(t, err)
	require.Equal(t, 2, run.Steps)
	require.Equal(t, "fake-llm", run.Model)
	require.Contains(t, run.Reply, "billing is late")
	require.Len(t, run.ToolCalls, 1)
	require.Equal(t, "search_meeting", run.ToolCalls[0].Name)
	require.Contains(t, run.ToolCalls[0].Result, "billing is late")

	fail.Store(true)
	_, err = c.AskAgent(ctx, m.ID, "Why did the launch move?")
	apiErr(t, err, http.StatusServiceUnavailable, "upstream_unavailable")
}
