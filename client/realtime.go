package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RoomMessage is a chat message.
type RoomMessage struct {
	ID         string    `json:"id"`
	Seq        int64     `json:"seq"`
	RoomName   string    `json:"roomName"`
	SenderID   string    `json:"senderId"`
	SenderName string    `json:"senderName"`
	Text       string    `json:"text"`
	CreatedAt  time.Time `json:"createdAt"`
}

// SendMessage posts text to room as the token's user.
func (c *Client) SendMessage(ctx context.Context, room, text, senderName string) (*RoomMessage, error) {
	var out RoomMessage
	err := c.do(ctx, request{method: http.MethodPost, path: roomPath(room) + "/messages",
		json: map[string]string{"text": text, "senderName": senderName}}, &out)
	return &out, err
}

func roomPath(room string) string { return "/cloud/v1/rooms/" + url.PathEscape(room) }

// MessagePage is one page of a room's history, newest first.
type MessagePage struct {
	Messages   []RoomMessage `json:"messages"`
	NextCursor string        `json:"nextCursor"`
}

// MessageHistory fetches one page of a room's messages, newest first;
// cursor is the NextCursor of the previous page ("" for the first).
func (c *Client) MessageHistory(ctx context.Context, room string, limit int, cursor string) (*MessagePage, error) {
	var out MessagePage
	err := c.do(ctx, request{method: http.MethodGet, path: roomPath(room) + "/messages", query: pageQuery(limit, cursor)}, &out)
	return &out, err
}

// History iterates over a room's messages, newest first, fetching pages
// as it goes; iteration stops at the first error, which it yields.
func (c *Client) History(ctx context.Context, room string) iter.Seq2[RoomMessage, error] {
	return func(yield func(RoomMessage, error) bool) {
		cursor := ""
		for {
			p, err := c.MessageHistory(ctx, room, 100, cursor)
			if err != nil {
				yield(RoomMessage{}, err)
				return
			}
			for _, m := range p.Messages {
				if !yield(m, nil) {
					return
				}
			}
			if p.NextCursor == "" {
				return
			}
			cursor = p.NextCursor
		}
	}
}

// Conversation is a room the user has written in.
type Conversation struct {
	RoomName     string      `json:"roomName"`
	LastMessage  RoomMessage `json:"lastMessage"`
	MessageCount int64       `json:"messageCount"`
	UpdatedAt    time.Time   `json:"updatedAt"`
}

// ConversationPage is one page of conversations, most recent first.
type ConversationPage struct {
	Conversations []Conversation `json:"conversations"`
	NextCursor    string         `json:"nextCursor"`
}

// Conversations fetches one page of the token user's conversations.
func (c *Client) Conversations(ctx context.Context, limit int, cursor string) (*ConversationPage, error) {
	var out ConversationPage
	err := c.do(ctx, request{method: http.MethodGet, path: "/cloud/v1/conversations", query: pageQuery(limit, cursor)}, &out)
	return &out, err
}

// StreamTicket is a single-use ticket for one stream.
type StreamTicket struct {
	Ticket     string    `json:"ticket"`
	ExpiresAt  time.Time `json:"expiresAt"`
	Scope      string    `json:"scope"`
	RoomName   string    `json:"roomName"`
	UserID     string    `json:"userId"`
	StreamPath string    `json:"streamPath"`
}

// RoomTicket issues a ticket for room's stream.
func (c *Client) RoomTicket(ctx context.Context, room string) (*StreamTicket, error) {
	var out StreamTicket
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/stream-tickets",
		json: map[string]string{"scope": "room", "roomName": room}}, &out)
	return &out, err
}

// ActiveRoomsTicket issues a ticket for userID's discovery stream.
func (c *Client) ActiveRoomsTicket(ctx context.Context, userID string) (*StreamTicket, error) {
	var out StreamTicket
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/stream-tickets",
		json: map[string]string{"scope": "active-rooms", "userId": userID}}, &out)
	return &out, err
}

// RoomStreamURL returns a URL for room's stream with a fresh ticket, for
// an EventSource elsewhere; the cloud token never appears in it.
func (c *Client) RoomStreamURL(ctx context.Context, room string) (string, error) {
	t, err := c.RoomTicket(ctx, room)
	if err != nil {
		return "", err
	}
	return c.base + t.StreamPath, nil
}

// StreamEvent is one server-sent event.
type StreamEvent struct {
	// ID is the event id: a room message's number (Seq).
	ID string
	// Type is ready, message, snapshot, room-added, room-updated,
	// room-removed, shutdown or error.
	Type string
	Data json.RawMessage
}

// Message decodes a message event.
func (e StreamEvent) Message() (RoomMessage, error) {
	var m RoomMessage
	err := json.Unmarshal(e.Data, &m)
	return m, err
}

// StreamOption configures StreamRoom and StreamActiveRooms.
type StreamOption func(*streamConfig)

type streamConfig struct {
	lastEventID string
	minDelay    time.Duration
	maxDelay    time.Duration
	reconnect   bool
}

// AfterEventID starts a room stream after the given event id, replaying
// the messages that followed it.
func AfterEventID(id string) StreamOption { return func(s *streamConfig) { s.lastEventID = id } }

// ReconnectDelay bounds the wait between reconnection attempts (doubling
// from min to max); the default is 250 ms to 10 s.
func ReconnectDelay(lo, hi time.Duration) StreamOption {
	return func(s *streamConfig) { s.minDelay, s.maxDelay = lo, hi }
}

// NoReconnect makes a stream return when its connection ends.
func NoReconnect() StreamOption { return func(s *streamConfig) { s.reconnect = false } }

// ErrStreamEnded is returned by a stream with NoReconnect whose
// connection ended.
var ErrStreamEnded = errors.New("quorum: stream ended")

// StreamRoom delivers room's events to fn until ctx ends (it then returns
// ctx's error) or fn returns an error (which it returns). A dropped
// connection, a server shutdown or a slow-consumer error is followed by a
// reconnection with a new ticket and Last-Event-ID, so the messages missed
// meanwhile arrive, in order, before new ones. Errors that retrying cannot
// fix (a 4xx other than 429) are returned.
func (c *Client) StreamRoom(ctx context.Context, room string, fn func(StreamEvent) error, opts ...StreamOption) error {
	return c.stream(ctx, func(ctx context.Context) (*StreamTicket, error) { return c.RoomTicket(ctx, room) }, fn, opts)
}

// StreamActiveRooms delivers the discovery events of userID (a snapshot on
// every connection, then room-added, room-updated, room-removed) to fn,
// reconnecting like StreamRoom.
func (c *Client) StreamActiveRooms(ctx context.Context, userID string, fn func(StreamEvent) error, opts ...StreamOption) error {
	return c.stream(ctx, func(ctx context.Context) (*StreamTicket, error) { return c.ActiveRoomsTicket(ctx, userID) }, fn, opts)
}

// errHandler wraps an error returned by the caller's handler.
type errHandler struct{ err error }

func (e errHandler) Error() string { return e.err.Error() }

func (c *Client) stream(ctx context.Context, ticket func(context.Context) (*StreamTicket, error), fn func(StreamEvent) error, opts []StreamOption) error {
	cfg := streamConfig{minDelay: 250 * time.Millisecond, maxDelay: 10 * time.Second, reconnect: true}
	for _, o := range opts {
		o(&cfg)
	}
	last := cfg.lastEventID
	delay := cfg.minDelay
	for {
		received, err := c.streamOnce(ctx, ticket, last, func(e StreamEvent) error {
			if e.ID != "" {
				last = e.ID
			}
			return fn(e)
		})
		var he errHandler
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &he):
			return he.err
		case !cfg.reconnect:
			if err == nil {
				err = ErrStreamEnded
			}
			return err
		}
		wait := delay
		var ae *Error
		if errors.As(err, &ae) {
			if ae.Status == http.StatusTooManyRequests {
				if s, perr := strconv.Atoi(ae.RetryAfter); perr == nil && s > 0 {
					wait = time.Duration(s) * time.Second
				}
			} else if ae.Status >= 400 && ae.Status < 500 {
				return err
			}
		}
		if received {
			delay = cfg.minDelay
			wait = delay
		} else {
			delay = min(2*delay, cfg.maxDelay)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// streamOnce runs one connection; received reports whether any event
// arrived (a healthy connection resets the reconnection backoff).
func (c *Client) streamOnce(ctx context.Context, ticket func(context.Context) (*StreamTicket, error), last string,
	fn func(StreamEvent) error) (received bool, err error) {
	t, err := ticket(ctx)
	if err != nil {
		return false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+t.StreamPath, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if last != "" {
		req.Header.Set("Last-Event-ID", last)
	}
	// The client's overall timeout would cut a healthy stream.
	h := *c.http
	h.Timeout = 0
	resp, err := h.Do(req)
	if err != nil {
		return false, fmt.Errorf("open stream: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return false, decodeError(resp, body)
	}
	err = readEvents(resp.Body, func(e StreamEvent) error {
		received = true
		if err := fn(e); err != nil {
			return errHandler{err}
		}
		if e.Type == "shutdown" || e.Type == "error" {
			return io.EOF // the server ends the stream; reconnect
		}
		return nil
	})
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return received, err
}

// readEvents parses a text/event-stream body.
func readEvents(r io.Reader, fn func(StreamEvent) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var e StreamEvent
	var data bytes.Buffer
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if e.Type != "" || data.Len() > 0 {
				if e.Type == "" {
					e.Type = "message"
				}
				e.Data = json.RawMessage(bytes.Clone(data.Bytes()))
				if err := fn(e); err != nil {
					return err
				}
			}
			e, data = StreamEvent{}, bytes.Buffer{}
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			e.ID = value
		case "event":
			e.Type = value
		case "data":
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(value)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return io.EOF
}

// Heartbeat marks the token's user online for the server's presence TTL.
func (c *Client) Heartbeat(ctx context.Context) error {
	return c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/presence/heartbeat", json: map[string]string{}}, nil)
}

// Offline marks the token's user offline at once.
func (c *Client) Offline(ctx context.Context) error {
	return c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/presence/offline", json: map[string]string{}}, nil)
}

// KeepPresence sends a heartbeat every interval (5 s when zero) until ctx
// ends, then marks the user offline. A failed heartbeat is retried at the
// next tick; KeepPresence returns nil when ctx ends.
func (c *Client) KeepPresence(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		_ = c.Heartbeat(ctx)
		select {
		case <-ctx.Done():
			off, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = c.Offline(off)
			return nil
		case <-tick.C:
		}
	}
}

// OnlineUsers lists the organization's online users.
func (c *Client) OnlineUsers(ctx context.Context) ([]string, error) {
	var out struct {
		UserIDs []string `json:"userIds"`
	}
	err := c.do(ctx, request{method: http.MethodGet, path: "/cloud/v1/presence/online"}, &out)
	return out.UserIDs, err
}

// Relationships lists the online users whose profile field userField
// matches the field callerField of the caller's profile profileID.
func (c *Client) Relationships(ctx context.Context, profileID, userField, callerField string) ([]string, error) {
	var out struct {
		UserIDs []string `json:"userIds"`
	}
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/presence/relationships",
		json: map[string]string{"profileId": profileID, "userField": userField, "callerField": callerField}}, &out)
	return out.UserIDs, err
}

// Profile is a user's profile metadata.
type Profile struct {
	ID        string         `json:"id"`
	UserID    string         `json:"userId"`
	Metadata  map[string]any `json:"metadata"`
	UpdatedAt time.Time      `json:"updatedAt"`
}

// PutProfile creates or replaces the token user's profile profileID.
func (c *Client) PutProfile(ctx context.Context, profileID string, metadata map[string]any) (*Profile, error) {
	var out Profile
	err := c.do(ctx, request{method: http.MethodPut, path: "/cloud/v1/profiles/" + url.PathEscape(profileID),
		json: map[string]any{"metadata": metadata}}, &out)
	return &out, err
}

// ActiveRoom is a room advertised for discovery.
type ActiveRoom struct {
	Name             string         `json:"name"`
	OwnerID          string         `json:"ownerId"`
	OwnerDisplayName string         `json:"ownerDisplayName"`
	TargetUserIDs    []string       `json:"targetUserIds"`
	Metadata         map[string]any `json:"metadata"`
	CreatedAt        time.Time      `json:"createdAt"`
	UpdatedAt        time.Time      `json:"updatedAt"`
}

// AdvertiseRoom publishes (or, for its owner, replaces) an advertised room.
func (c *Client) AdvertiseRoom(ctx context.Context, r ActiveRoom) (*ActiveRoom, error) {
	var out ActiveRoom
	err := c.do(ctx, request{method: http.MethodPost, path: "/cloud/v1/active-rooms", json: map[string]any{
		"name": r.Name, "ownerDisplayName": r.OwnerDisplayName, "targetUserIds": r.TargetUserIDs, "metadata": r.Metadata}}, &out)
	return &out, err
}

// ActiveRoomPatch changes some fields of an advertised room; nil fields
// stay as they are.
type ActiveRoomPatch struct {
	OwnerDisplayName *string         `json:"ownerDisplayName,omitempty"`
	TargetUserIDs    *[]string       `json:"targetUserIds,omitempty"`
	Metadata         *map[string]any `json:"metadata,omitempty"`
}

// UpdateActiveRoom changes an advertised room (owner only).
func (c *Client) UpdateActiveRoom(ctx context.Context, name string, p ActiveRoomPatch) (*ActiveRoom, error) {
	var out ActiveRoom
	err := c.do(ctx, request{method: http.MethodPatch, path: "/cloud/v1/active-rooms/" + url.PathEscape(name), json: p}, &out)
	return &out, err
}

// RemoveActiveRoom withdraws an advertised room (owner only).
func (c *Client) RemoveActiveRoom(ctx context.Context, name string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: "/cloud/v1/active-rooms/" + url.PathEscape(name)}, nil)
}

// ActiveRooms lists the advertised rooms that target userID (all of the
// organization's when userID is empty), every page.
func (c *Client) ActiveRooms(ctx context.Context, userID string) ([]ActiveRoom, error) {
	var all []ActiveRoom
	cursor := ""
	for {
		q := pageQuery(100, cursor)
		if userID != "" {
			q.Set("userId", userID)
		}
		var out struct {
			Rooms      []ActiveRoom `json:"rooms"`
			NextCursor string       `json:"nextCursor"`
		}
		if err := c.do(ctx, request{method: http.MethodGet, path: "/cloud/v1/active-rooms", query: q}, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Rooms...)
		if out.NextCursor == "" {
			return all, nil
		}
		cursor = out.NextCursor
	}
}
