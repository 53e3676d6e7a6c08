package openai

import (
	"context"
	"errors"
	"strings"

	oai "github.com/openai/openai-go/v3"
)

// ChatStream is Chat with the reply streamed: onDelta (if not nil) receives
// each piece of text as the server sends it, and the returned Reply holds the
// whole text, the tool calls assembled from their argument fragments and, if
// the server reports it, the usage. onDelta runs on the calling goroutine and
// should return quickly; the stream is not read while it runs.
//
// A stream that ends without a finish_reason was cut off, and is reported as
// ErrUnavailable rather than returned half-finished.
func (p *Provider) ChatStream(ctx context.Context, messages []Message, tools []Tool, onDelta func(string)) (Reply, error) {
	const op = "chat stream"
	params, err := p.chatParams(messages, tools)
	if err != nil {
		return Reply{}, err
	}
	// Usage comes in one last chunk with no choices, and only if asked for.
	params.StreamOptions = oai.ChatCompletionStreamOptionsParam{IncludeUsage: oai.Bool(true)}
	stream := p.chat.NewStreaming(ctx, params)
	defer stream.Close()

	var acc streamAccumulator
	for stream.Next() {
		if text := acc.add(stream.Current()); text != "" && onDelta != nil {
			onDelta(text)
		}
	}
	if err := stream.Err(); err != nil {
		return Reply{}, wrapErr(ctx, op, err)
	}
	if err := ctx.Err(); err != nil {
		return Reply{}, wrapErr(ctx, op, err)
	}
	if acc.reply.FinishReason == "" {
		return Reply{}, &UpstreamError{Op: op, Err: errors.New("stream ended before a finish_reason"), kind: ErrUnavailable}
	}
	return acc.finish(), nil
}

// streamAccumulator assembles a Reply from completion chunks.
type streamAccumulator struct {
	reply   Reply
	content strings.Builder
	calls   []*toolCallBuilder
	// byIndex maps a chunk's tool_calls[].index to its entry in calls.
	byIndex map[int64]int
}

type toolCallBuilder struct {
	id, name string
	args     strings.Builder
}

// add folds one chunk in and returns the text it carried.
func (a *streamAccumulator) add(chunk oai.ChatCompletionChunk) string {
	if chunk.Model != "" {
		a.reply.Model = chunk.Model
	}
	if chunk.Usage.TotalTokens > 0 || chunk.Usage.PromptTokens > 0 {
		a.reply.Usage = Usage{
			PromptTokens:     int(chunk.Usage.PromptTokens),
			CompletionTokens: int(chunk.Usage.CompletionTokens),
			TotalTokens:      int(chunk.Usage.TotalTokens),
		}
	}
	var text string
	for _, c := range chunk.Choices {
		if c.Index != 0 { // only one choice is ever asked for
			continue
		}
		if c.FinishReason != "" {
			a.reply.FinishReason = c.FinishReason
		}
		text += c.Delta.Content
		for _, d := range c.Delta.ToolCalls {
			a.addToolCall(d)
		}
	}
	a.content.WriteString(text)
	return text
}

// addToolCall folds in one tool-call fragment. OpenAI sends the id and name
// in the first fragment of a call and only argument text after, all under
// the call's index. Some compatible servers instead send every call whole
// under index 0; a fresh id under an index already holding a different call
// therefore starts a new call rather than corrupting the old one.
func (a *streamAccumulator) addToolCall(d oai.ChatCompletionChunkChoiceDeltaToolCall) {
	if a.byIndex == nil {
		a.byIndex = map[int64]int{}
	}
	i, ok := a.byIndex[d.Index]
	if !ok || (d.ID != "" && a.calls[i].id != "" && d.ID != a.calls[i].id) {
		a.calls = append(a.calls, &toolCallBuilder{})
		i = len(a.calls) - 1
		a.byIndex[d.Index] = i
	}
	b := a.calls[i]
	if b.id == "" {
		b.id = d.ID
	}
	// The name arrives whole; servers that repeat it on every fragment
	// must not have it doubled.
	if b.name == "" {
		b.name = d.Function.Name
	}
	b.args.WriteString(d.Function.Arguments)
}

// finish returns the assembled reply.
func (a *streamAccumulator) finish() Reply {
	r := a.reply
	r.Content = a.content.String()
	for _, b := range a.calls {
		r.ToolCalls = append(r.ToolCalls, ToolCall{ID: b.id, Name: b.name, Arguments: b.args.String()})
	}
	return r
}
