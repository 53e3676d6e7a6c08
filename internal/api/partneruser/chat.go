package partneruser

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/chat"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/page"
)

// ChatSession is the Partner API's raw Session.
type ChatSession struct {
	ID        string            `json:"id"`
	MeetingID *string           `json:"meeting_id"`
	Status    string            `json:"status"`
	Title     *string           `json:"title"`
	TurnCount int               `json:"turn_count"`
	Metadata  map[string]string `json:"metadata"`
	CreatedAt string            `json:"created_at"`
	UpdatedAt string            `json:"updated_at"`
}

// ChatTurn is the Partner API's raw Turn.
type ChatTurn struct {
	ID             string             `json:"id"`
	SessionID      string             `json:"session_id"`
	SequenceNumber int                `json:"sequence_number"`
	Role           string             `json:"role"`
	Content        string             `json:"content"`
	Status         string             `json:"status"`
	Error          *ChatTurnError     `json:"error,omitempty"`
	AgentMetadata  *ChatAgentMetadata `json:"agent_metadata,omitempty"`
	CreatedAt      string             `json:"created_at"`
	CompletedAt    *string            `json:"completed_at"`
}

// ChatAgentMetadata describes how the agent produced an answer.
type ChatAgentMetadata struct {
	ToolCalls           []ChatToolCall `json:"tool_calls"`
	ReferencedDocuments []string       `json:"referenced_documents"`
	Model               string         `json:"model"`
	TokenUsage          ChatTokenUsage `json:"token_usage"`
}

// ChatToolCall is one tool the agent ran: success or failure.
type ChatToolCall struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// ChatTokenUsage counts model tokens (zero when the model reports none).
type ChatTokenUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func toAgentMetadata(m *chat.AgentMetadata) *ChatAgentMetadata {
	if m == nil {
		return nil
	}
	out := &ChatAgentMetadata{ToolCalls: make([]ChatToolCall, 0, len(m.ToolCalls)), ReferencedDocuments: m.ReferencedDocuments,
		Model: m.Model, TokenUsage: ChatTokenUsage(m.TokenUsage)}
	if out.ReferencedDocuments == nil {
		out.ReferencedDocuments = []string{}
	}
	for _, tc := range m.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, ChatToolCall(tc))
	}
	return out
}

// ChatTurnError explains a failed turn.
type ChatTurnError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// CreatedChatSession is the answer to createChatSession: the session's
// fields and its queued first turn.
type CreatedChatSession struct {
	ChatSession
	InitialTurn ChatTurn `json:"initial_turn"`
}

// TurnPagination describes the page of turns of a session.
type TurnPagination struct {
	Total   int  `json:"total"`
	Limit   int  `json:"limit"`
	Offset  int  `json:"offset"`
	HasMore bool `json:"has_more"`
}

// ChatSessionDetail is the answer to getChatSession.
type ChatSessionDetail struct {
	Session        ChatSession    `json:"session"`
	Turns          []ChatTurn     `json:"turns"`
	TurnPagination TurnPagination `json:"turn_pagination"`
}

// SentChatMessage is the answer to sendChatMessage.
type SentChatMessage struct {
	Turn        ChatTurn `json:"turn"`
	Position    int      `json:"position"`
	QueuedTurns int      `json:"queued_turns"`
}

// ChatTurnEnvelope is the answer to getChatTurn.
type ChatTurnEnvelope struct {
	Turn ChatTurn `json:"turn"`
}

func toChatSession(ctx context.Context) func(chat.Session) ChatSession {
	return func(s chat.Session) ChatSession {
		meta := s.Metadata
		if meta == nil {
			meta = map[string]string{}
		}
		return ChatSession{ID: s.UUID, MeetingID: Optional(s.MeetingUUID), Status: s.Status, Title: Optional(s.Title),
			TurnCount: s.TurnCount, Metadata: meta, CreatedAt: rest.Time(ctx, s.CreatedAt), UpdatedAt: rest.Time(ctx, s.UpdatedAt)}
	}
}

func toChatTurn(ctx context.Context, t chat.Turn) ChatTurn {
	out := ChatTurn{ID: t.UUID, SessionID: t.SessionUUID, SequenceNumber: t.Sequence, Role: t.Role, Content: t.Content, Status: t.Status,
		AgentMetadata: toAgentMetadata(t.Agent), CreatedAt: rest.Time(ctx, t.CreatedAt)}
	if t.Status == chat.TurnFailed {
		out.Error = &ChatTurnError{Code: t.ErrorCode, Message: t.ErrorMessage}
	}
	if !t.CompletedAt.IsZero() {
		out.CompletedAt = rest.TimePtr(ctx, t.CompletedAt)
	}
	return out
}

// chatHandler serves chat sessions with the agent.
type chatHandler struct {
	Surface *rest.Surface
	Chat    *chat.Service
}

type chatCreateInput struct {
	Body struct {
		Message            string            `json:"message" doc:"the first message (1 to 10000 characters)"`
		MeetingID          string            `json:"meeting_id,omitempty" doc:"a meeting the user may read"`
		ContextDocumentIDs []string          `json:"context_document_ids,omitempty" doc:"context documents to prime the agent with"`
		Metadata           map[string]string `json:"metadata,omitempty" doc:"at most 10 keys; keys up to 256, values up to 1024 characters"`
	}
}

type listSessionsInput struct {
	MeetingID string `query:"meeting_id"`
	Status    string `query:"status" doc:"active, closed or expired"`
	PageQuery
}

type getSessionInput struct {
	ID         string `path:"sessionId"`
	Include    string `query:"include" doc:"undelivered (default: turns not yet returned to this caller) or all_turns"`
	TurnLimit  int    `query:"turn_limit" doc:"turns per page (default 50, at most 200)"`
	TurnOffset int    `query:"turn_offset"`
}

type chatSendInput struct {
	ID   string `path:"sessionId"`
	Body struct {
		Message   string `json:"message" doc:"the message (1 to 10000 characters)"`
		MeetingID string `json:"meeting_id,omitempty"`
	}
}

type turnInput struct {
	SessionID string `path:"sessionId"`
	TurnID    string `path:"turnId"`
}

type createdSessionOutput struct{ Body CreatedChatSession }

type sessionListOutput struct{ Body List[ChatSession] }

type sessionDetailOutput struct{ Body ChatSessionDetail }

type sentOutput struct{ Body SentChatMessage }

type turnOutput struct{ Body ChatTurnEnvelope }

func (h *chatHandler) register(api huma.API) {
	const tag = "Chat Sessions"
	rest.Register(api, h.Surface, rest.Op{ID: "createSession", Method: http.MethodPost, Path: "/sessions", Tag: tag,
		Summary: "Start a chat session with the agent", Scope: "chat:write", Status: http.StatusCreated}, h.create)
	rest.Register(api, h.Surface, rest.Op{ID: "listSessions", Method: http.MethodGet, Path: "/sessions", Tag: tag,
		Summary: "The user's chat sessions in this app, newest first", Scope: "chat:read"}, h.list)
	rest.Register(api, h.Surface, rest.Op{ID: "getSession", Method: http.MethodGet, Path: "/sessions/{sessionId}", Tag: tag,
		Summary: "A chat session with a page of its turns", Scope: "chat:read"}, h.get)
	rest.Register(api, h.Surface, rest.Op{ID: "sendSessionMessage", Method: http.MethodPut, Path: "/sessions/{sessionId}", Tag: tag,
		Summary: "Queue a message in a session", Scope: "chat:write", Status: http.StatusAccepted}, h.send)
	rest.Register(api, h.Surface, rest.Op{ID: "getSessionTurn", Method: http.MethodGet, Path: "/sessions/{sessionId}/turns/{turnId}", Tag: tag,
		Summary: "One turn of a session", Scope: "chat:read"}, h.turn)
}

// create serves POST /sessions.
func (h *chatHandler) create(ctx context.Context, c caller.Caller, in *chatCreateInput) (*createdSessionOutput, error) {
	s, t, err := h.Chat.Create(ctx, c, chat.NewSession{Message: in.Body.Message, MeetingID: in.Body.MeetingID,
		DocumentIDs: in.Body.ContextDocumentIDs, Metadata: in.Body.Metadata})
	if err != nil {
		return nil, err
	}
	return &createdSessionOutput{Body: CreatedChatSession{ChatSession: toChatSession(ctx)(s), InitialTurn: toChatTurn(ctx, t)}}, nil
}

// list serves GET /sessions.
func (h *chatHandler) list(ctx context.Context, c caller.Caller, in *listSessionsInput) (*sessionListOutput, error) {
	p, err := h.Chat.List(ctx, c, chat.Filter{MeetingID: in.MeetingID, Status: in.Status}, in.Request())
	if err != nil {
		return nil, err
	}
	return &sessionListOutput{Body: ListOf(p, toChatSession(ctx))}, nil
}

// get serves GET /sessions/{sessionId}.
func (h *chatHandler) get(ctx context.Context, c caller.Caller, in *getSessionInput) (*sessionDetailOutput, error) {
	v := chat.View{Limit: in.TurnLimit, Offset: in.TurnOffset}
	switch in.Include {
	case "", "undelivered":
	case "all_turns":
		v.AllTurns = true
	default:
		return nil, fault.Invalid("include", "validation_error", "include must be undelivered or all_turns")
	}
	s, p, err := h.Chat.Get(ctx, c, in.ID, v)
	if err != nil {
		return nil, err
	}
	return &sessionDetailOutput{Body: sessionDetail(ctx, s, p)}, nil
}

func sessionDetail(ctx context.Context, s chat.Session, p page.Page[chat.Turn]) ChatSessionDetail {
	out := ChatSessionDetail{Session: toChatSession(ctx)(s), Turns: make([]ChatTurn, 0, len(p.Items)),
		TurnPagination: TurnPagination{Total: p.Total, Limit: p.Limit, Offset: p.Offset, HasMore: p.Offset+len(p.Items) < p.Total}}
	for _, t := range p.Items {
		out.Turns = append(out.Turns, toChatTurn(ctx, t))
	}
	return out
}

// send serves PUT /sessions/{sessionId}.
func (h *chatHandler) send(ctx context.Context, c caller.Caller, in *chatSendInput) (*sentOutput, error) {
	sent, err := h.Chat.Send(ctx, c, in.ID, in.Body.Message, in.Body.MeetingID)
	if err != nil {
		return nil, err
	}
	return &sentOutput{Body: SentChatMessage{Turn: toChatTurn(ctx, sent.Turn), Position: sent.Position, QueuedTurns: sent.Queued}}, nil
}

// turn serves GET /sessions/{sessionId}/turns/{turnId}.
func (h *chatHandler) turn(ctx context.Context, c caller.Caller, in *turnInput) (*turnOutput, error) {
	t, err := h.Chat.Turn(ctx, c, in.SessionID, in.TurnID)
	if err != nil {
		return nil, err
	}
	return &turnOutput{Body: ChatTurnEnvelope{Turn: toChatTurn(ctx, t)}}, nil
}
