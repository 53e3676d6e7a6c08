package cloud

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/realtime"
)

type sendMessageInput struct {
	Room string `path:"room" doc:"the room's name"`
	Body struct {
		Text string `json:"text,omitempty" doc:"1 to 1000 characters after trimming"`
		// Message is accepted for text, as some clients name it.
		Message    string `json:"message,omitempty" doc:"alias of text"`
		SenderName string `json:"senderName,omitempty"`
		UserID     string `json:"userId,omitempty" doc:"the sender; must be the token's user"`
	}
}

type messageOutput struct{ Body realtime.Message }

type historyInput struct {
	Room string `path:"room"`
	PageQuery
}

type historyOutput struct {
	Body struct {
		Messages   []realtime.Message `json:"messages"`
		NextCursor *string            `json:"nextCursor"`
	}
}

type conversationsInput struct {
	UserID string `query:"userId" doc:"the token's user (the default)"`
	PageQuery
}

type conversationsOutput struct {
	Body struct {
		Conversations []realtime.Conversation `json:"conversations"`
		NextCursor    *string                 `json:"nextCursor"`
	}
}

func (h *Handler) registerRooms(api huma.API) {
	const tag = "Cloud: Chat rooms"
	rest.Register(api, h.Surface, rest.Op{ID: "sendRoomMessage", Method: http.MethodPost, Path: "/rooms/{room}/messages", Tag: tag,
		Summary: "Send a message to a room (stored, then streamed to its subscribers)", Status: http.StatusCreated}, h.sendMessage)
	rest.Register(api, h.Surface, rest.Op{ID: "listRoomMessages", Method: http.MethodGet, Path: "/rooms/{room}/messages", Tag: tag,
		Summary: "A room's messages, newest first, a page at a time"}, h.history)
	rest.Register(api, h.Surface, rest.Op{ID: "listConversations", Method: http.MethodGet, Path: "/conversations", Tag: tag,
		Summary: "The rooms the user has written in, most recent first, with the last message"}, h.conversations)
}

// sendMessage serves POST /cloud/v1/rooms/{room}/messages.
func (h *Handler) sendMessage(ctx context.Context, c caller.Caller, in *sendMessageInput) (*messageOutput, error) {
	text := in.Body.Text
	if text == "" {
		text = in.Body.Message
	}
	m, err := h.Realtime.Send(ctx, c, in.Room, in.Body.UserID, in.Body.SenderName, text)
	if err != nil {
		return nil, err
	}
	return &messageOutput{Body: m}, nil
}

// history serves GET /cloud/v1/rooms/{room}/messages.
func (h *Handler) history(ctx context.Context, c caller.Caller, in *historyInput) (*historyOutput, error) {
	p, err := h.Realtime.History(ctx, c, in.Room, in.request())
	if err != nil {
		return nil, err
	}
	out := &historyOutput{}
	out.Body.Messages = p.Items
	out.Body.NextCursor = cursor(p.Next)
	return out, nil
}

// conversations serves GET /cloud/v1/conversations.
func (h *Handler) conversations(ctx context.Context, c caller.Caller, in *conversationsInput) (*conversationsOutput, error) {
	p, err := h.Realtime.Conversations(ctx, c, in.UserID, in.request())
	if err != nil {
		return nil, err
	}
	out := &conversationsOutput{}
	out.Body.Conversations = p.Items
	out.Body.NextCursor = cursor(p.Next)
	return out, nil
}

// cursor renders a next cursor as the real-time lists send it: null on
// the last page.
func cursor(next string) *string {
	if next == "" {
		return nil
	}
	return &next
}
