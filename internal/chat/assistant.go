package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/quorumhq/quorum/internal/agent"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/insight"
)

// Question is a turn to answer, with what the session knows.
type Question struct {
	MeetingUUID string // "" for the whole organization
	Message     string
	DocumentIDs []string
	// History is the conversation before Message, oldest first.
	History []Turn
}

// Answer is the agent's reply to a turn.
type Answer struct {
	Content  string
	Metadata AgentMetadata
}

// Assistant answers turns; Agent is the production one.
type Assistant interface {
	Answer(ctx context.Context, c caller.Caller, q Question) (Answer, error)
}

// Agent answers a session about a meeting with the meeting agent (its
// transcript, context documents and action items, with tools that act) and
// a session without one with Ask over the organization's meetings.
type Agent struct {
	Agent   *agent.Service
	Insight *insight.Service
}

// historyTurns bounds the conversation a model sees before a message.
const historyTurns = 20

// Answer implements Assistant.
func (a Agent) Answer(ctx context.Context, c caller.Caller, q Question) (Answer, error) {
	if q.MeetingUUID == "" {
		res, err := a.Insight.Ask(ctx, c, insight.AskRequest{Question: truncate(q.Message, insight.MaxQueryRunes)})
		if err != nil {
			return Answer{}, err
		}
		out := Answer{Content: res.Answer, Metadata: AgentMetadata{Model: res.Model, ToolCalls: []ToolCall{{Name: "ask", Status: "success"}},
			ReferencedDocuments: []string{}}}
		var sources []string
		for i, h := range res.Sources {
			if h.DocumentID != "" {
				out.Metadata.ReferencedDocuments = append(out.Metadata.ReferencedDocuments, h.DocumentID)
			}
			sources = append(sources, fmt.Sprintf("[%d] meeting %s, segments %d-%d", i+1, h.MeetingID, h.SegmentStart, h.SegmentEnd))
		}
		if len(sources) > 0 {
			out.Content += "\n\nSources:\n" + strings.Join(sources, "\n")
		}
		return out, nil
	}
	history := q.History
	if len(history) > historyTurns {
		history = history[len(history)-historyTurns:]
	}
	var msgs []agent.Message
	for _, t := range history {
		role := "user"
		if t.Role == RoleAgent {
			role = "assistant"
		}
		msgs = append(msgs, agent.Message{Role: role, Content: t.Content})
	}
	run, err := a.Agent.Chat(ctx, c, agent.ChatRequest{MeetingUUID: q.MeetingUUID, Message: q.Message, DocumentIDs: q.DocumentIDs, History: msgs})
	if err != nil {
		return Answer{}, err
	}
	md := AgentMetadata{Model: run.Model, ToolCalls: make([]ToolCall, 0, len(run.ToolCalls)), ReferencedDocuments: run.ReferencedDocuments}
	if md.ReferencedDocuments == nil {
		md.ReferencedDocuments = []string{}
	}
	for _, tc := range run.ToolCalls {
		md.ToolCalls = append(md.ToolCalls, ToolCall{Name: tc.Name, Status: tc.Status})
	}
	return Answer{Content: run.Reply, Metadata: md}, nil
}

func truncate(s string, runes int) string {
	for i := range s {
		if runes == 0 {
			return s[:i]
		}
		runes--
	}
	return s
}

// errorCode classifies a failed answer for the turn's error.
func errorCode(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrTimeout
	}
	return ErrAgent
}
