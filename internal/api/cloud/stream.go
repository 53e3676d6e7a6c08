package cloud

import (
	"context"
	"net/http"
	"net/url"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/realtime"
)

// Stream paths take a ticket instead of a cloud token; the surface table
// lists them as open and the operations check the ticket.
const (
	RoomStreamPath      = "/rooms/{room}/stream"
	DiscoveryStreamPath = "/active-rooms/stream"
)

type ticketInput struct {
	Body struct {
		Scope    string `json:"scope,omitempty" doc:"room (the default when roomName is set) or active-rooms"`
		RoomName string `json:"roomName,omitempty"`
		UserID   string `json:"userId,omitempty" doc:"the discovery stream's user (default: the token's user)"`
	}
}

type ticketOutput struct {
	Body struct {
		realtime.Ticket
		// StreamPath is the stream's path with the ticket, to append to the
		// server's base URL.
		StreamPath string `json:"streamPath"`
	}
}

type roomStreamInput struct {
	Room        string `path:"room"`
	Ticket      string `query:"ticket" doc:"a single-use ticket from POST /cloud/v1/stream-tickets"`
	LastEventID string `header:"Last-Event-ID" doc:"the last message number received; the stream replays the ones after it"`
}

type discoveryStreamInput struct {
	UserID string `query:"userId" doc:"the user whose rooms are streamed (required)"`
	Ticket string `query:"ticket" doc:"a single-use ticket from POST /cloud/v1/stream-tickets"`
}

func (h *Handler) registerStreams(api huma.API) {
	const tag = "Cloud: Streams"
	rest.Register(api, h.Surface, rest.Op{ID: "createStreamTicket", Method: http.MethodPost, Path: "/stream-tickets", Tag: tag,
		Summary: "A single-use ticket (60 s) for one room stream or one user's discovery stream", Status: http.StatusCreated}, h.createTicket)
	sse := func(o *huma.Operation) {
		o.Responses = map[string]*huma.Response{"200": {Description: "server-sent events",
			Content: map[string]*huma.MediaType{"text/event-stream": {Schema: &huma.Schema{Type: "string"}}}}}
	}
	rest.RegisterPublic(api, h.Surface, rest.Op{ID: "streamRoom", Method: http.MethodGet, Path: RoomStreamPath, Tag: tag,
		Summary: "A room's messages as server-sent events (ready, message with id, shutdown, error; : ping comments)", Doc: sse}, h.roomStream)
	rest.RegisterPublic(api, h.Surface, rest.Op{ID: "streamActiveRooms", Method: http.MethodGet, Path: DiscoveryStreamPath, Tag: tag,
		Summary: "A user's advertised rooms as server-sent events (snapshot, room-added, room-updated, room-removed)", Doc: sse}, h.discoveryStream)
}

// createTicket serves POST /cloud/v1/stream-tickets.
func (h *Handler) createTicket(ctx context.Context, c caller.Caller, in *ticketInput) (*ticketOutput, error) {
	t, err := h.Realtime.IssueTicket(ctx, c, in.Body.Scope, in.Body.RoomName, in.Body.UserID)
	if err != nil {
		return nil, err
	}
	out := &ticketOutput{}
	out.Body.Ticket = t
	if t.Scope == realtime.ScopeRoom {
		out.Body.StreamPath = Base + "/rooms/" + url.PathEscape(t.RoomName) + "/stream?ticket=" + url.QueryEscape(t.Ticket)
	} else {
		out.Body.StreamPath = Base + "/active-rooms/stream?userId=" + url.QueryEscape(t.UserID) + "&ticket=" + url.QueryEscape(t.Ticket)
	}
	return out, nil
}

// roomStream serves GET /cloud/v1/rooms/{room}/stream. Ticket and limit
// errors are answered before the stream starts, in the surface's body.
func (h *Handler) roomStream(ctx context.Context, in *roomStreamInput) (*huma.StreamResponse, error) {
	st, err := h.Realtime.OpenRoomStream(ctx, in.Ticket, in.Room, in.LastEventID)
	if err != nil {
		return nil, err
	}
	return serve(st), nil
}

// discoveryStream serves GET /cloud/v1/active-rooms/stream.
func (h *Handler) discoveryStream(ctx context.Context, in *discoveryStreamInput) (*huma.StreamResponse, error) {
	st, err := h.Realtime.OpenDiscoveryStream(ctx, in.Ticket, in.UserID)
	if err != nil {
		return nil, err
	}
	return serve(st), nil
}

func serve(st *realtime.Stream) *huma.StreamResponse {
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		r, w := humago.Unwrap(hctx)
		st.Serve(w, r)
	}}
}
