package openai

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestChatStreamContent(t *testing.T) {
	f := newFake(t)
	f.onChat(func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
		if !req.Stream || req.StreamOptions == nil || !req.StreamOptions.IncludeUsage {
			t.Errorf("stream = %v, stream_options = %+v; want a stream with usage", req.Stream, req.StreamOptions)
		}
		writeSSE(w, true,
			chunk(map[string]any{"role": "assistant", "content": ""}, nil),
			chunk(map[string]any{"content": "The budget "}, nil),
			chunk(map[string]any{"content": "is over "}, nil),
			chunk(map[string]any{"content": "by $40k."}, nil),
			chunk(map[string]any{}, "stop"),
			usageChunk(30, 9),
		)
	})
	var deltas []string
	reply, err := f.provider().ChatStream(context.Background(), []Message{{Role: RoleUser, Content: "Budget?"}}, nil,
		func(s string) { deltas = append(deltas, s) })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"The budget ", "is over ", "by $40k."}; !reflect.DeepEqual(deltas, want) {
		t.Errorf("deltas = %q, want %q", deltas, want)
	}
	want := Reply{Content: "The budget is over by $40k.", Usage: Usage{30, 9, 39}, Model: "test-chat-0613", FinishReason: "stop"}
	if !reflect.DeepEqual(reply, want) {
		t.Errorf("reply = %+v\nwant %+v", reply, want)
	}
}

// Two parallel tool calls whose ids, names and argument fragments arrive
// interleaved over several chunks, as OpenAI streams them.
func TestChatStreamToolCalls(t *testing.T) {
	f := newFake(t)
	tc := func(index int, id, name, args string) map[string]any {
		d := map[string]any{"index": index, "function": map[string]any{"arguments": args}}
		if id != "" {
			d["id"], d["type"] = id, "function"
			d["function"].(map[string]any)["name"] = name
		}
		return map[string]any{"tool_calls": []any{d}}
	}
	f.onChat(func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
		if len(req.Tools) != 2 {
			t.Errorf("tools = %d", len(req.Tools))
		}
		writeSSE(w, true,
			chunk(map[string]any{"role": "assistant", "content": nil}, nil),
			chunk(tc(0, "call_1", "create_action_item", ""), nil),
			chunk(tc(0, "", "", `{"text":"Upd`), nil),
			chunk(tc(1, "call_2", "list_agenda", ""), nil),
			chunk(tc(0, "", "", `ate the fore`), nil),
			chunk(tc(1, "", "", `{}`), nil),
			chunk(tc(0, "", "", `cast","owner":"Carol"}`), nil),
			chunk(map[string]any{}, "tool_calls"),
			usageChunk(50, 20),
		)
	})
	var deltas int
	reply, err := f.provider().ChatStream(context.Background(), []Message{{Role: RoleUser, Content: "Note it"}}, agentTools(),
		func(string) { deltas++ })
	if err != nil {
		t.Fatal(err)
	}
	want := []ToolCall{
		{ID: "call_1", Name: "create_action_item", Arguments: `{"text":"Update the forecast","owner":"Carol"}`},
		{ID: "call_2", Name: "list_agenda", Arguments: `{}`},
	}
	if !reflect.DeepEqual(reply.ToolCalls, want) {
		t.Errorf("tool calls = %+v\nwant %+v", reply.ToolCalls, want)
	}
	if reply.FinishReason != "tool_calls" || reply.Content != "" || deltas != 0 || reply.Usage.TotalTokens != 70 {
		t.Errorf("reply = %+v, deltas %d", reply, deltas)
	}
}

// Some compatible servers stream each call whole, all under index 0.
func TestChatStreamWholeToolCallsAtIndexZero(t *testing.T) {
	f := newFake(t)
	whole := func(id, name, args string) map[string]any {
		return map[string]any{"tool_calls": []any{map[string]any{
			"index": 0, "id": id, "type": "function", "function": map[string]any{"name": name, "arguments": args},
		}}}
	}
	f.onChat(func(w http.ResponseWriter, _ *http.Request, _ chatRequest) {
		writeSSE(w, true,
			chunk(whole("call_a", "list_agenda", `{}`), nil),
			chunk(whole("call_b", "create_action_item", `{"text":"x"}`), nil),
			chunk(map[string]any{}, "tool_calls"),
		)
	})
	reply, err := f.provider().ChatStream(context.Background(), []Message{{Role: RoleUser, Content: "go"}}, agentTools(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []ToolCall{{"call_a", "list_agenda", `{}`}, {"call_b", "create_action_item", `{"text":"x"}`}}
	if !reflect.DeepEqual(reply.ToolCalls, want) {
		t.Errorf("tool calls = %+v\nwant %+v", reply.ToolCalls, want)
	}
}

func TestChatStreamFailures(t *testing.T) {
	tests := []struct {
		name    string
		serve   func(w http.ResponseWriter)
		wantMsg string
	}{
		{
			name: "cut off before finish_reason",
			serve: func(w http.ResponseWriter) {
				writeSSE(w, false, chunk(map[string]any{"content": "The bud"}, nil))
			},
			wantMsg: "finish_reason",
		},
		{
			name: "error event mid-stream",
			serve: func(w http.ResponseWriter) {
				writeSSE(w, false,
					chunk(map[string]any{"content": "The bud"}, nil),
					map[string]any{"error": map[string]any{"message": "model overloaded", "type": "server_error"}},
				)
			},
			wantMsg: "model overloaded",
		},
		{
			name: "status 503 before streaming",
			serve: func(w http.ResponseWriter) {
				writeAPIError(w, http.StatusServiceUnavailable, "loading model", "server_error", "")
			},
			wantMsg: "loading model",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.onChat(func(w http.ResponseWriter, _ *http.Request, _ chatRequest) { tt.serve(w) })
			_, err := f.provider().ChatStream(context.Background(), []Message{{Role: RoleUser, Content: "hi"}}, nil, nil)
			if !errorsIsAll(err, ErrUpstream, ErrUnavailable) {
				t.Fatalf("err = %v, want ErrUnavailable", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantMsg)
			}
		})
	}
}
