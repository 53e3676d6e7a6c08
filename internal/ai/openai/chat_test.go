package openai

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// agentTools is the tool set the chat tests offer.
func agentTools() []Tool {
	return []Tool{
		{
			Name:        "create_action_item",
			Description: "Create an action item in the meeting.",
			Parameters: map[string]any{
				"type": "object",
				"properties": map[string]any{
					"text":  map[string]any{"type": "string"},
					"owner": map[string]any{"type": "string"},
				},
				"required": []any{"text"},
			},
		},
		{Name: "list_agenda", Description: "List the agenda."}, // no parameters
	}
}

// A full agent round trip: the model calls a tool, the agent sends the
// result back, the model answers.
func TestChatToolRoundTrip(t *testing.T) {
	f := newFake(t)
	call := ToolCall{ID: "call_abc", Name: "create_action_item", Arguments: `{"text":"Update the forecast","owner":"Carol"}`}
	f.onChat(
		func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
			if req.Stream {
				t.Error("Chat asked for a stream")
			}
			if _, ok := req.Raw["response_format"]; ok {
				t.Error("Chat sent a response_format")
			}
			if len(req.Tools) != 2 {
				t.Fatalf("tools = %+v", req.Tools)
			}
			tool := req.Tools[0]
			if tool.Type != "function" || tool.Function.Name != "create_action_item" ||
				tool.Function.Description != "Create an action item in the meeting." ||
				!reflect.DeepEqual(tool.Function.Parameters["required"], []any{"text"}) {
				t.Errorf("tool 0 = %+v", tool)
			}
			if p := req.Tools[1].Function.Parameters; p["type"] != "object" {
				t.Errorf("parameterless tool sent parameters %v, want an empty object schema", p)
			}
			if req.Messages[0].Role != "system" || req.content(1) != "Carol will update the forecast; note it." {
				t.Errorf("messages = %+v", req.Messages)
			}
			writeJSON(w, completion("", "tool_calls", call))
		},
		func(w http.ResponseWriter, _ *http.Request, req chatRequest) {
			if len(req.Messages) != 4 {
				t.Fatalf("messages = %d, want system, user, assistant, tool", len(req.Messages))
			}
			a := req.Messages[2]
			if a.Role != "assistant" || len(a.ToolCalls) != 1 || a.ToolCalls[0].ID != "call_abc" ||
				a.ToolCalls[0].Type != "function" || a.ToolCalls[0].Function.Name != "create_action_item" ||
				a.ToolCalls[0].Function.Arguments != call.Arguments {
				t.Errorf("assistant message = %+v", a)
			}
			if _, ok := req.Raw["messages"].([]any)[2].(map[string]any)["content"]; ok {
				t.Error("tool-call turn sent content; it should be omitted")
			}
			tm := req.Messages[3]
			if tm.Role != "tool" || tm.ToolCallID != "call_abc" || req.content(3) != `{"id":"ai_1","status":"created"}` {
				t.Errorf("tool message = %+v", tm)
			}
			writeJSON(w, completion("Done: I created the action item for Carol.", "stop"))
		},
	)
	p := f.provider()
	msgs := []Message{
		{Role: RoleSystem, Content: "You are the meeting assistant."},
		{Role: RoleUser, Content: "Carol will update the forecast; note it."},
	}
	reply, err := p.Chat(context.Background(), msgs, agentTools())
	if err != nil {
		t.Fatal(err)
	}
	want := Reply{
		ToolCalls:    []ToolCall{call},
		Usage:        Usage{PromptTokens: 40, CompletionTokens: 12, TotalTokens: 52},
		Model:        "test-chat-0613",
		FinishReason: "tool_calls",
	}
	if !reflect.DeepEqual(reply, want) {
		t.Fatalf("reply = %+v\nwant %+v", reply, want)
	}

	msgs = append(msgs,
		Message{Role: RoleAssistant, ToolCalls: reply.ToolCalls},
		Message{Role: RoleTool, ToolCallID: call.ID, Content: `{"id":"ai_1","status":"created"}`},
	)
	reply, err = p.Chat(context.Background(), msgs, agentTools())
	if err != nil {
		t.Fatal(err)
	}
	if reply.Content != "Done: I created the action item for Carol." || reply.ToolCalls != nil || reply.FinishReason != "stop" {
		t.Errorf("reply = %+v", reply)
	}
}

func TestChatRejectsBadMessages(t *testing.T) {
	f := newFake(t) // no script: a request would fail the test
	p := f.provider()
	tests := []struct {
		name string
		msgs []Message
		tool []Tool
		want string
	}{
		{"no messages", nil, nil, "no messages"},
		{"unknown role", []Message{{Role: "narrator", Content: "x"}}, nil, `unknown role "narrator"`},
		{"tool result without id", []Message{{Role: RoleTool, Content: "{}"}}, nil, "ToolCallID"},
		{"tool without name", []Message{{Role: RoleUser, Content: "hi"}}, []Tool{{Description: "x"}}, "no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Chat(context.Background(), tt.msgs, tt.tool)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestChatNoChoices(t *testing.T) {
	f := newFake(t)
	f.onChat(func(w http.ResponseWriter, _ *http.Request, _ chatRequest) {
		c := completion("x", "stop")
		c["choices"] = []any{}
		writeJSON(w, c)
	})
	_, err := f.provider().Chat(context.Background(), []Message{{Role: RoleUser, Content: "hi"}}, nil)
	if !errorsIsAll(err, ErrUpstream, ErrBadResponse) {
		t.Errorf("err = %v, want ErrBadResponse", err)
	}
}
