package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// ChatSession is a conversation with the meeting agent (Partner user API).
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

// ChatTurn is one message of a session: the user's (odd sequence numbers)
// or the agent's answer (even).
type ChatTurn struct {
	ID             string  `json:"id"`
	SessionID      string  `json:"session_id"`
	SequenceNumber int     `json:"sequence_number"`
	Role           string  `json:"role"`
	Content        string  `json:"content"`
	Status         string  `json:"status"`
	CreatedAt      string  `json:"created_at"`
	CompletedAt    *string `json:"completed_at"`
	Error          *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	AgentMetadata *struct {
		ToolCalls []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"tool_calls"`
		ReferencedDocuments []string `json:"referenced_documents"`
		Model               string   `json:"model"`
		TokenUsage          struct {
			PromptTokens     int `json:"prompt_tokens"`
			CompletionTokens int `json:"completion_tokens"`
			TotalTokens      int `json:"total_tokens"`
		} `json:"token_usage"`
	} `json:"agent_metadata"`
}

// NewChatSession starts a session.
type NewChatSession struct {
	Message            string            `json:"message"`
	MeetingID          string            `json:"meeting_id,omitempty"`
	ContextDocumentIDs []string          `json:"context_document_ids,omitempty"`
	Metadata           map[string]string `json:"metadata,omitempty"`
}

// CreatedChatSession is a new session with its queued first turn.
type CreatedChatSession struct {
	ChatSession
	InitialTurn ChatTurn `json:"initial_turn"`
}

// ChatSessionList is one page of sessions.
type ChatSessionList struct {
	Items  []ChatSession `json:"items"`
	Total  int           `json:"total"`
	Limit  int           `json:"limit"`
	Offset int           `json:"offset"`
}

// ChatSessionDetail is a session with a page of its turns.
type ChatSessionDetail struct {
	Session        ChatSession `json:"session"`
	Turns          []ChatTurn  `json:"turns"`
	TurnPagination struct {
		Total   int  `json:"total"`
		Limit   int  `json:"limit"`
		Offset  int  `json:"offset"`
		HasMore bool `json:"has_more"`
	} `json:"turn_pagination"`
}

// ChatSessionQuery selects the turns returned with a session: Include is
// "undelivered" (the server's default) or "all_turns".
type ChatSessionQuery struct {
	Include    string
	TurnLimit  int
	TurnOffset int
}

// SentChatMessage is a queued message and its place in the queue.
type SentChatMessage struct {
	Turn        ChatTurn `json:"turn"`
	Position    int      `json:"position"`
	QueuedTurns int      `json:"queued_turns"`
}

// CreateChatSession starts a session with its first message.
func (c *Client) CreateChatSession(ctx context.Context, n NewChatSession) (*CreatedChatSession, error) {
	var out CreatedChatSession
	if err := c.do(ctx, request{method: http.MethodPost, path: "/v1/partner/user/sessions", json: n}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ChatSessions lists one page of the user's sessions; meetingID and status
// filter when set.
func (c *Client) ChatSessions(ctx context.Context, meetingID, status string, limit, offset int) (*ChatSessionList, error) {
	q := contentPageQuery(limit, offset)
	if meetingID != "" {
		q.Set("meeting_id", meetingID)
	}
	if status != "" {
		q.Set("status", status)
	}
	var out ChatSessionList
	if err := c.do(ctx, request{method: http.MethodGet, path: "/v1/partner/user/sessions", query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllChatSessions iterates over every session of the user, newest first.
func (c *Client) AllChatSessions(ctx context.Context, meetingID, status string) iter.Seq2[ChatSession, error] {
	return func(yield func(ChatSession, error) bool) {
		for offset := 0; ; {
			p, err := c.ChatSessions(ctx, meetingID, status, 100, offset)
			if err != nil {
				yield(ChatSession{}, err)
				return
			}
			for _, s := range p.Items {
				if !yield(s, nil) {
					return
				}
			}
			offset += len(p.Items)
			if len(p.Items) == 0 || offset >= p.Total {
				return
			}
		}
	}
}

// ChatSession returns a session with a page of its turns.
func (c *Client) ChatSession(ctx context.Context, id string, q ChatSessionQuery) (*ChatSessionDetail, error) {
	v := url.Values{}
	if q.Include != "" {
		v.Set("include", q.Include)
	}
	if q.TurnLimit > 0 {
		v.Set("turn_limit", strconv.Itoa(q.TurnLimit))
	}
	if q.TurnOffset > 0 {
		v.Set("turn_offset", strconv.Itoa(q.TurnOffset))
	}
	var out ChatSessionDetail
	if err := c.do(ctx, request{method: http.MethodGet, path: "/v1/partner/user/sessions/" + url.PathEscape(id), query: v}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SendChatMessage queues a message in a session; meetingID may attach a
// session that has no meeting yet.
func (c *Client) SendChatMessage(ctx context.Context, sessionID, message, meetingID string) (*SentChatMessage, error) {
	body := map[string]string{"message": message}
	if meetingID != "" {
		body["meeting_id"] = meetingID
	}
	var out SentChatMessage
	if err := c.do(ctx, request{method: http.MethodPut, path: "/v1/partner/user/sessions/" + url.PathEscape(sessionID), json: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ChatTurn returns one turn of a session.
func (c *Client) ChatTurn(ctx context.Context, sessionID, turnID string) (*ChatTurn, error) {
	var out struct {
		Turn ChatTurn `json:"turn"`
	}
	path := "/v1/partner/user/sessions/" + url.PathEscape(sessionID) + "/turns/" + url.PathEscape(turnID)
	if err := c.do(ctx, request{method: http.MethodGet, path: path}, &out); err != nil {
		return nil, err
	}
	return &out.Turn, nil
}
