package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/page"
)

// waitTurn polls a turn until it is completed or failed.
func waitTurn(t *testing.T, c *client.Client, sessionID, turnID string) *client.ChatTurn {
	t.Helper()
	var turn *client.ChatTurn
	waitFor(t, "turn "+turnID, func() bool {
		var err error
		turn, err = c.ChatTurn(context.Background(), sessionID, turnID)
		require.NoError(t, err)
		return turn.Status == "completed" || turn.Status == "failed"
	})
	return turn
}

// answerOf returns the agent's turn answering user turn seq.
func answerOf(t *testing.T, c *client.Client, sessionID string, seq int) client.ChatTurn {
	t.Helper()
	d, err := c.ChatSession(context.Background(), sessionID, client.ChatSessionQuery{Include: "all_turns", TurnLimit: 200})
	require.NoError(t, err)
	for _, turn := range d.Turns {
		if turn.SequenceNumber == seq+1 {
			require.Equal(t, "agent", turn.Role)
			return turn
		}
	}
	t.Fatalf("no answer to turn %d in %+v", seq, d.Turns)
	return client.ChatTurn{}
}

func TestChatSessionsAPI(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("ann@example.com")
		m := e.meetingOf(f, "Launch")
		pc := partnerAs(t, e, f.app.ClientID, f.user, contentScopes)

		// A context document to prime the session with.
		doc, err := pc.UploadContextDocument(ctx, m.UUID, client.ContextUpload{Data: []byte("Budget brief\nThe marketing budget for Zephyr is 40000 dollars.\n"),
			Filename: "budget.txt", SourceFormat: "txt"})
		require.NoError(t, err)
		waitFor(t, "processing", func() bool {
			d, err := pc.ContextDocument(ctx, m.UUID, doc.ID)
			require.NoError(t, err)
			return d.FileStatus == "processed"
		})

		created, err := pc.CreateChatSession(ctx, client.NewChatSession{Message: "What is the marketing budget for Zephyr?", MeetingID: m.UUID,
			ContextDocumentIDs: []string{doc.ID}, Metadata: map[string]string{"crm_id": "42"}})
		require.NoError(t, err)
		require.Equal(t, "active", created.Status)
		require.Equal(t, m.UUID, *created.MeetingID)
		require.Equal(t, "42", created.Metadata["crm_id"])
		require.NotEmpty(t, created.CreatedAt)
		require.Equal(t, 1, created.InitialTurn.SequenceNumber)
		require.Equal(t, "user", created.InitialTurn.Role)
		require.Equal(t, "queued", created.InitialTurn.Status)
		require.Nil(t, created.InitialTurn.CompletedAt)

		first := waitTurn(t, pc, created.ID, created.InitialTurn.ID)
		require.Equal(t, "completed", first.Status)
		// Undelivered (the default) shows each finished turn once.
		d, err := pc.ChatSession(ctx, created.ID, client.ChatSessionQuery{})
		require.NoError(t, err)
		require.Equal(t, created.ID, d.Session.ID)
		require.Equal(t, 2, d.Session.TurnCount)
		require.Len(t, d.Turns, 2)
		require.Equal(t, 2, d.TurnPagination.Total)
		require.False(t, d.TurnPagination.HasMore)
		ans := d.Turns[1]
		require.Equal(t, 2, ans.SequenceNumber)
		require.Equal(t, "agent", ans.Role)
		require.Equal(t, "completed", ans.Status)
		require.Contains(t, ans.Content, "40000")
		require.NotNil(t, ans.AgentMetadata)
		require.Contains(t, ans.AgentMetadata.ReferencedDocuments, doc.ID)
		require.NotEmpty(t, ans.AgentMetadata.Model)
		require.NotNil(t, ans.CompletedAt)

		// The agent acts: an action item asked for in chat is recorded.
		sent, err := pc.SendChatMessage(ctx, created.ID, "Add an action item for Raj to update the release notes by Friday", "")
		require.NoError(t, err)
		require.Equal(t, 3, sent.Turn.SequenceNumber)
		require.GreaterOrEqual(t, sent.Position, 1)
		waitTurn(t, pc, created.ID, sent.Turn.ID)
		items, err := e.app.Actions.ListByMeeting(ctx, caller.ForSystem(f.org.ID), m.UUID, page.Request{})
		require.NoError(t, err)
		require.Len(t, items.Items, 1)
		require.Equal(t, "Raj", items.Items[0].Owner)
		act := answerOf(t, pc, created.ID, 3)
		require.Equal(t, "create_action_item", act.AgentMetadata.ToolCalls[0].Name)
		require.Equal(t, "success", act.AgentMetadata.ToolCalls[0].Status)

		// Turns shown by all_turns count as delivered too.
		d, err = pc.ChatSession(ctx, created.ID, client.ChatSessionQuery{})
		require.NoError(t, err)
		require.Empty(t, d.Turns)
		require.Equal(t, 4, d.Session.TurnCount)
		d, err = pc.ChatSession(ctx, created.ID, client.ChatSessionQuery{Include: "all_turns", TurnLimit: 3})
		require.NoError(t, err)
		require.Len(t, d.Turns, 3)
		require.True(t, d.TurnPagination.HasMore)
		require.Equal(t, 3, d.TurnPagination.Limit)

		// A session without a meeting answers over the organization.
		org, err := pc.CreateChatSession(ctx, client.NewChatSession{Message: "When do we ship Zephyr?"})
		require.NoError(t, err)
		require.Nil(t, org.MeetingID)
		require.Equal(t, "completed", waitTurn(t, pc, org.ID, org.InitialTurn.ID).Status)
		require.Contains(t, answerOf(t, pc, org.ID, 1).Content, "Monday")

		list, err := pc.ChatSessions(ctx, "", "", 0, 0)
		require.NoError(t, err)
		require.Equal(t, 2, list.Total)
		require.Equal(t, org.ID, list.Items[0].ID, "newest first")
		list, err = pc.ChatSessions(ctx, m.UUID, "active", 0, 0)
		require.NoError(t, err)
		require.Equal(t, 1, list.Total)
		n := 0
		for s, err := range pc.AllChatSessions(ctx, "", "") {
			require.NoError(t, err)
			require.NotEmpty(t, s.ID)
			n++
		}
		require.Equal(t, 2, n)

		// An idle session expires and takes no more messages.
		expired, err := e.app.Chat.Expire(ctx, time.Now().Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, 2, expired)
		_, err = pc.SendChatMessage(ctx, created.ID, "Still there?", "")
		apiErr(t, err, 409, "session_not_active")
		list, err = pc.ChatSessions(ctx, "", "expired", 0, 0)
		require.NoError(t, err)
		require.Equal(t, 2, list.Total)
	})
}

func TestChatSessionsBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("bo@example.com")
		m := e.meetingOf(f, "Launch")
		pc := partnerAs(t, e, f.app.ClientID, f.user, contentScopes)
		s, err := pc.CreateChatSession(ctx, client.NewChatSession{Message: "hello", MeetingID: m.UUID})
		require.NoError(t, err)

		_, err = pc.CreateChatSession(ctx, client.NewChatSession{Message: ""})
		apiErr(t, err, 400, "validation_error")
		_, err = pc.CreateChatSession(ctx, client.NewChatSession{Message: strings.Repeat("x", 10001)})
		apiErr(t, err, 400, "validation_error")
		meta := map[string]string{}
		for i := range 11 {
			meta[fmt.Sprint("k", i)] = "v"
		}
		_, err = pc.CreateChatSession(ctx, client.NewChatSession{Message: "m", Metadata: meta})
		apiErr(t, err, 400, "validation_error")
		_, err = pc.CreateChatSession(ctx, client.NewChatSession{Message: "m", MeetingID: "nonexistent"})
		apiErr(t, err, 404, "not_found")
		_, err = pc.CreateChatSession(ctx, client.NewChatSession{Message: "m", ContextDocumentIDs: []string{"nonexistent"}})
		apiErr(t, err, 404, "not_found")
		_, err = pc.SendChatMessage(ctx, s.ID, "", "")
		apiErr(t, err, 400, "validation_error")
		_, err = pc.ChatSession(ctx, s.ID, client.ChatSessionQuery{Include: "everything"})
		apiErr(t, err, 400, "validation_error")
		_, err = pc.ChatSession(ctx, s.ID, client.ChatSessionQuery{TurnLimit: 201})
		apiErr(t, err, 400, "validation_error")
		_, err = pc.ChatSessions(ctx, "", "open", 0, 0)
		apiErr(t, err, 400, "validation_error")

		for _, id := range []string{"nonexistent", "00000000-0000-0000-0000-000000000000"} {
			_, err = pc.ChatSession(ctx, id, client.ChatSessionQuery{})
			apiErr(t, err, 404, "not_found")
			_, err = pc.SendChatMessage(ctx, id, "hi", "")
			apiErr(t, err, 404, "not_found")
			_, err = pc.ChatTurn(ctx, s.ID, id)
			apiErr(t, err, 404, "not_found")
			_, err = pc.ChatTurn(ctx, id, s.InitialTurn.ID)
			apiErr(t, err, 404, "not_found")
		}

		// Another app, another user and another organization see nothing.
		g := e.fixture("gus@example.com")
		gm := e.meetingOf(g, "Theirs")
		otherApp := partnerAs(t, e, e.secondApp(f), f.user, contentScopes)
		foreign := partnerAs(t, e, g.app.ClientID, g.user, contentScopes)
		for name, c := range map[string]*client.Client{"other app": otherApp, "other org": foreign} {
			_, err = c.ChatSession(ctx, s.ID, client.ChatSessionQuery{})
			apiErr(t, err, 404, "not_found")
			_, err = c.ChatTurn(ctx, s.ID, s.InitialTurn.ID)
			apiErr(t, err, 404, "not_found")
			_, err = c.SendChatMessage(ctx, s.ID, "hi", "")
			apiErr(t, err, 404, "not_found")
			list, err := c.ChatSessions(ctx, "", "", 0, 0)
			require.NoError(t, err, name)
			require.Equal(t, 0, list.Total, name)
		}
		_, err = foreign.CreateChatSession(ctx, client.NewChatSession{Message: "m", MeetingID: m.UUID})
		apiErr(t, err, 404, "not_found")
		_, err = pc.CreateChatSession(ctx, client.NewChatSession{Message: "m", MeetingID: gm.UUID})
		apiErr(t, err, 404, "not_found")
		doc, err := pc.UploadContextDocument(ctx, m.UUID, client.ContextUpload{Data: []byte("notes"), SourceFormat: "txt"})
		require.NoError(t, err)
		_, err = otherApp.CreateChatSession(ctx, client.NewChatSession{Message: "m", ContextDocumentIDs: []string{doc.ID}})
		apiErr(t, err, 404, "not_found")

		// Scopes: chat:read reads, chat:write writes.
		ro := partnerAs(t, e, f.app.ClientID, f.user, "openid chat:read")
		_, err = ro.ChatSession(ctx, s.ID, client.ChatSessionQuery{Include: "all_turns"})
		require.NoError(t, err)
		_, err = ro.CreateChatSession(ctx, client.NewChatSession{Message: "m"})
		apiErr(t, err, 403, "insufficient_scope")
		_, err = ro.SendChatMessage(ctx, s.ID, "m", "")
		apiErr(t, err, 403, "insufficient_scope")
		none := partnerAs(t, e, f.app.ClientID, f.user, "openid profile")
		_, err = none.ChatSessions(ctx, "", "", 0, 0)
		apiErr(t, err, 403, "insufficient_scope")
		_, err = none.ChatTurn(ctx, s.ID, s.InitialTurn.ID)
		apiErr(t, err, 403, "insufficient_scope")
	})
}
