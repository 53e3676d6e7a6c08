// Package agent runs a tool-using assistant over one meeting: it reads the
// transcript, summary, context documents and action items through tools,
// can act (create action items, change their status), stops after a
// bounded number of steps and records every tool call. With a chat model configured the model plans the calls;
// otherwise a rule-based planner drives the same tools with the offline
// engine's retrieval and extraction.
package agent

import (
	"context"
	"encoding/json"
	"time"
)

// DefaultMaxSteps bounds the model round trips of one run.
const DefaultMaxSteps = 6

// Message is one entry of a chat with a model.
type Message struct {
	Role       string // system, user, assistant or tool
	Content    string
	ToolCallID string
	ToolCalls  []ToolCall
}

// ToolCall is a model's request to run a tool.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string // JSON object
}

// Reply is a model's answer: content, or tool calls to make first.
type Reply struct {
	Content   string
	ToolCalls []ToolCall
	Model     string
}

// ToolSpec describes a tool to the model.
type ToolSpec struct {
	Name        string
	Description string
	Parameters  map[string]any // JSON Schema of the arguments object
}

// Chat is a chat model with tool calling (an OpenAI-compatible endpoint).
type Chat interface {
	Chat(ctx context.Context, messages []Message, tools []ToolSpec) (Reply, error)
}

// CallRecord is one executed tool call, kept with the run.
type CallRecord struct {
	Name       string
	Arguments  json.RawMessage
	Result     string
	Status     string // success or failure
	DurationMS int64
}

// Run is one completed exchange with the agent.
type Run struct {
	ID        string
	MeetingID string
	Message   string
	Reply     string
	Model     string
	Steps     int
	ToolCalls []CallRecord
	CreatedAt time.Time
	// ReferencedDocuments are the context documents the run read or cited.
	ReferencedDocuments []string
}
