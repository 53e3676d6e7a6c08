package openai

import (
	"context"
	"fmt"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"
)

// Message roles Chat accepts.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Message is one turn of a chat. An assistant turn that called tools carries
// them in ToolCalls (its Content may be empty); each result goes back as a
// RoleTool message whose ToolCallID names the call it answers.
type Message struct {
	Role       string
	Content    string
	ToolCallID string
	ToolCalls  []ToolCall
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON schema of the call's arguments object; nil
	// means the tool takes none.
	Parameters map[string]any
}

// ToolCall is the model's request to run a tool. Arguments is the JSON
// object text exactly as the model produced it; the caller validates it.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string
}

// Usage is the upstream's token accounting for one completion. Servers that
// do not report it leave it zero.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	TotalTokens      int
}

// Reply is the model's answer to a chat: text, tool calls, or both.
type Reply struct {
	Content   string
	ToolCalls []ToolCall
	Usage     Usage
	// Model is the model that answered, as the server names it.
	Model string
	// FinishReason is "stop", "tool_calls", "length" (cut off at the
	// token limit) or "content_filter".
	FinishReason string
}

// Chat sends messages and the tools the model may call, and returns its
// reply. It does not run tools: the agent executes the returned ToolCalls,
// appends the assistant message and one RoleTool message per call, and calls
// Chat again.
func (p *Provider) Chat(ctx context.Context, messages []Message, tools []Tool) (Reply, error) {
	params, err := p.chatParams(messages, tools)
	if err != nil {
		return Reply{}, err
	}
	res, err := p.chat.New(ctx, params)
	if err != nil {
		return Reply{}, wrapErr(ctx, "chat", err)
	}
	return toReply("chat", res)
}

// chatParams converts a chat to the SDK's request. No temperature or token
// limit is sent: reasoning models reject both, and server defaults suit the
// agent.
func (p *Provider) chatParams(messages []Message, tools []Tool) (oai.ChatCompletionNewParams, error) {
	if len(messages) == 0 {
		return oai.ChatCompletionNewParams{}, fmt.Errorf("openai: chat: no messages")
	}
	params := oai.ChatCompletionNewParams{Model: p.cfg.Model}
	for i, m := range messages {
		msg, err := toMessageParam(m)
		if err != nil {
			return oai.ChatCompletionNewParams{}, fmt.Errorf("openai: chat: message %d: %w", i, err)
		}
		params.Messages = append(params.Messages, msg)
	}
	for i, t := range tools {
		if t.Name == "" {
			return oai.ChatCompletionNewParams{}, fmt.Errorf("openai: chat: tool %d has no name", i)
		}
		def := shared.FunctionDefinitionParam{Name: t.Name}
		if t.Description != "" {
			def.Description = oai.String(t.Description)
		}
		schema := t.Parameters
		if schema == nil {
			// An explicit empty object schema means "no arguments" to every
			// server, where a missing one leaves chat templates that render
			// tool schemas into the prompt looking at null.
			schema = map[string]any{"type": "object", "properties": map[string]any{}}
		}
		def.Parameters = shared.FunctionParameters(schema)
		params.Tools = append(params.Tools, oai.ChatCompletionFunctionTool(def))
	}
	return params, nil
}

// toMessageParam converts one Message to the SDK's union type.
func toMessageParam(m Message) (oai.ChatCompletionMessageParamUnion, error) {
	switch m.Role {
	case RoleSystem:
		return oai.SystemMessage(m.Content), nil
	case RoleUser:
		return oai.UserMessage(m.Content), nil
	case RoleTool:
		if m.ToolCallID == "" {
			return oai.ChatCompletionMessageParamUnion{}, fmt.Errorf("tool message without ToolCallID")
		}
		return oai.ToolMessage(m.Content, m.ToolCallID), nil
	case RoleAssistant:
		var a oai.ChatCompletionAssistantMessageParam
		// Content is omitted, not sent empty, on a pure tool-call turn:
		// that is what the API itself returns for such turns.
		if m.Content != "" || len(m.ToolCalls) == 0 {
			a.Content.OfString = oai.String(m.Content)
		}
		for _, tc := range m.ToolCalls {
			a.ToolCalls = append(a.ToolCalls, oai.ChatCompletionMessageToolCallUnionParam{
				OfFunction: &oai.ChatCompletionMessageFunctionToolCallParam{
					ID: tc.ID,
					Function: oai.ChatCompletionMessageFunctionToolCallFunctionParam{
						Name:      tc.Name,
						Arguments: argumentsOrEmpty(tc.Arguments),
					},
				},
			})
		}
		return oai.ChatCompletionMessageParamUnion{OfAssistant: &a}, nil
	}
	return oai.ChatCompletionMessageParamUnion{}, fmt.Errorf("unknown role %q", m.Role)
}

// argumentsOrEmpty replaces empty tool arguments with "{}": some servers
// answer a call with no arguments with an empty string, and refuse it when
// it comes back in the history.
func argumentsOrEmpty(s string) string {
	if s == "" {
		return "{}"
	}
	return s
}

// toReply reads the first choice of a completion.
func toReply(op string, res *oai.ChatCompletion) (Reply, error) {
	if res == nil || len(res.Choices) == 0 {
		return Reply{}, badResponse(op, "completion has no choices")
	}
	c := res.Choices[0]
	r := Reply{
		Content:      c.Message.Content,
		Model:        res.Model,
		FinishReason: c.FinishReason,
		Usage: Usage{
			PromptTokens:     int(res.Usage.PromptTokens),
			CompletionTokens: int(res.Usage.CompletionTokens),
			TotalTokens:      int(res.Usage.TotalTokens),
		},
	}
	for _, tc := range c.Message.ToolCalls {
		// Custom (free-text) tools are never offered, so only function
		// calls can come back; a server inventing others is ignored.
		if tc.Type != "" && tc.Type != "function" {
			continue
		}
		r.ToolCalls = append(r.ToolCalls, ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
	}
	return r, nil
}
