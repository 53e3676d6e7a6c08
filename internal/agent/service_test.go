package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/ai/offline"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/contextdoc"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/insight"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/transcript"
)

// scriptedChat plays a model: each reply is taken in turn, and every
// request is kept for assertions.
type scriptedChat struct {
	replies  []Reply
	requests [][]Message
}

func (c *scriptedChat) Chat(_ context.Context, msgs []Message, tools []ToolSpec) (Reply, error) {
	if len(tools) != 8 {
		return Reply{}, fmt.Errorf("want 8 tools, got %d", len(tools))
	}
	c.requests = append(c.requests, append([]Message(nil), msgs...))
	if len(c.replies) == 0 {
		return Reply{Content: "loop"}, nil
	}
	r := c.replies[0]
	c.replies = c.replies[1:]
	return r, nil
}

func newService(t *testing.T, db *store.DB, chat Chat, maxSteps int) (*Service, caller.Caller, meeting.Meeting) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q, err := jobs.New(db, logger, jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	var idx *index.Service
	meetings := meeting.NewService(db, q, func(ctx context.Context, tx *jobs.Tx, orgID, meetingID int64) error {
		return idx.Enqueue(ctx, tx, orgID, index.SourceTranscript, meetingID)
	}, nil)
	idx = index.NewService(db, meetings, logger)
	org, err := identity.NewService(db, false).CreateOrg(ctx, "Acme")
	require.NoError(t, err)
	c := caller.Caller{Credential: caller.CloudToken, OrgID: org.ID, UserRef: "ann@example.com"}
	m, err := meetings.Create(ctx, c, meeting.New{Title: "Sync", Segments: []transcript.Segment{
		{Speaker: "Ann", Text: "We agreed to ship on Monday."}, {Speaker: "Raj", Text: "I will update the docs."},
	}})
	require.NoError(t, err)
	require.NoError(t, idx.Reindex(ctx, index.Args{OrgID: org.ID, Source: index.SourceTranscript, SourceID: m.ID}))
	ins := insight.NewService(insight.Config{DB: db, Queue: q, Meetings: meetings, Index: idx, Engine: offline.Engine{},
		Model: "quorum-offline", Logger: logger})
	s := NewService(Config{DB: db, Meetings: meetings, Insight: ins, Actions: actionitem.NewService(db, q, nil), Engine: offline.Engine{},
		Chat: chat, Model: "fake-model", MaxSteps: maxSteps, Logger: logger})
	return s, c, m
}

func TestModelDrivenLoop(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		chat := &scriptedChat{replies: []Reply{
			{ToolCalls: []ToolCall{{ID: "c1", Name: "search_meeting", Arguments: `{"query":"ship"}`}}},
			{ToolCalls: []ToolCall{
				{ID: "c2", Name: "create_action_item", Arguments: `{"title":"Update the docs","owner":"Raj","due_date":"2026-12-01"}`},
				{ID: "c3", Name: "no_such_tool", Arguments: `{}`},
			}},
			{Content: "We ship on Monday [segment 0]; I recorded Raj's docs task.", Model: "fake-model-2"},
		}}
		s, c, m := newService(t, db, chat, 5)
		ctx := context.Background()

		run, err := s.Run(ctx, c, m.UUID, "When do we ship? Also note Raj's task.")
		require.NoError(t, err)
		require.Equal(t, 3, run.Steps)
		require.Equal(t, "fake-model-2", run.Model)
		require.Contains(t, run.Reply, "Monday")
		require.Len(t, run.ToolCalls, 3)
		require.Equal(t, "success", run.ToolCalls[0].Status)
		require.Contains(t, run.ToolCalls[0].Result, "ship on Monday")
		require.Equal(t, "success", run.ToolCalls[1].Status)
		require.Equal(t, "failure", run.ToolCalls[2].Status)

		// Tool results went back to the model, matched to their calls.
		last := chat.requests[2]
		var toolMsgs []Message
		for _, msg := range last {
			if msg.Role == "tool" {
				toolMsgs = append(toolMsgs, msg)
			}
		}
		require.Len(t, toolMsgs, 3)
		require.Equal(t, "c3", toolMsgs[2].ToolCallID)
		require.True(t, strings.HasPrefix(toolMsgs[2].Content, "error: unknown tool"))

		p, err := s.actions.ListByMeeting(ctx, c, m.UUID, page.Request{})
		items := p.Items
		require.NoError(t, err)
		require.Len(t, items, 1)
		require.Equal(t, "2026-12-01", items[0].DueDate)

		saved, err := s.Get(ctx, c, m.UUID, run.ID)
		require.NoError(t, err)
		require.Len(t, saved.ToolCalls, 3)
		var args map[string]string
		require.NoError(t, json.Unmarshal(saved.ToolCalls[1].Arguments, &args))
		require.Equal(t, "Raj", args["owner"])
	})
}

func TestLoopIsBounded(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		forever := make([]Reply, 10)
		for i := range forever {
			forever[i] = Reply{ToolCalls: []ToolCall{{ID: fmt.Sprint(i), Name: "get_summary", Arguments: `{}`}}}
		}
		s, c, m := newService(t, db, &scriptedChat{replies: forever}, 3)
		run, err := s.Run(context.Background(), c, m.UUID, "Summarize")
		require.NoError(t, err)
		require.Equal(t, 3, run.Steps)
		require.Len(t, run.ToolCalls, 3)
		require.Contains(t, run.Reply, "stopped after 3 steps")
	})
}

type fakeDocs struct{ texts []contextdoc.Text }

func (f fakeDocs) Texts(context.Context, caller.Caller, int64, []string) ([]contextdoc.Text, error) {
	return f.texts, nil
}

func (f fakeDocs) Foreign(_ context.Context, _ caller.Caller, ids []string) (map[string]bool, error) {
	return map[string]bool{}, nil
}

func TestOfflineDocumentsAndActions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		s, c, m := newService(t, db, nil, 0)
		s.docs = fakeDocs{texts: []contextdoc.Text{{ID: "doc-1", Title: "Budget brief", Text: "Hiring plan\nThe launch budget is 40000 dollars for marketing."}}}
		ctx := context.Background()

		run, err := s.Chat(ctx, c, ChatRequest{MeetingUUID: m.UUID, Message: "What is the launch budget for marketing?", DocumentIDs: []string{"doc-1"}})
		require.NoError(t, err)
		require.Contains(t, run.Reply, "40000")
		require.Contains(t, run.Reply, `[document "Budget brief"]`)
		require.Equal(t, []string{"doc-1"}, run.ReferencedDocuments)

		run, err = s.Chat(ctx, c, ChatRequest{MeetingUUID: m.UUID, Message: "Which documents are attached?"})
		require.NoError(t, err)
		require.Contains(t, run.Reply, "doc-1: Budget brief")

		_, err = s.Chat(ctx, c, ChatRequest{MeetingUUID: m.UUID, Message: "Add an action item for Raj to update the docs"})
		require.NoError(t, err)
		run, err = s.Chat(ctx, c, ChatRequest{MeetingUUID: m.UUID, Message: "Mark the docs task as complete"})
		require.NoError(t, err)
		require.Equal(t, "update_action_item", run.ToolCalls[0].Name)
		require.Equal(t, "success", run.ToolCalls[0].Status, run.ToolCalls[0].Result)
		p, err := s.actions.ListByMeeting(ctx, c, m.UUID, page.Request{})
		require.NoError(t, err)
		require.Equal(t, actionitem.StatusCompleted, p.Items[0].Status)
		require.False(t, p.Items[0].CompletedAt.IsZero())

		_, err = s.Chat(ctx, c, ChatRequest{MeetingUUID: m.UUID, Message: strings.Repeat("x", MaxChatRunes+1)})
		require.Error(t, err)
	})
}
