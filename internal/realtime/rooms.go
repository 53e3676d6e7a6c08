package realtime

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/page"
)

// MaxMessageChars is the longest message, in characters after trimming.
const MaxMessageChars = 1000

// Limits of message history pages.
const (
	DefaultHistoryLimit = 50
	MaxHistoryLimit     = 100
)

// previewChars is the length of a conversation's last-message preview.
const previewChars = 100

// Message is one chat message.
type Message struct {
	ID string `json:"id"`
	// Seq numbers the room's messages from 1 without gaps; it is the SSE
	// event id of the message.
	Seq        int64     `json:"seq"`
	RoomName   string    `json:"roomName"`
	SenderID   string    `json:"senderId"`
	SenderName string    `json:"senderName"`
	Text       string    `json:"text"`
	CreatedAt  time.Time `json:"createdAt"`
}

// Conversation is a room a user has written in, with its latest message.
type Conversation struct {
	RoomName     string    `json:"roomName"`
	LastMessage  Message   `json:"lastMessage"`
	MessageCount int64     `json:"messageCount"`
	UpdatedAt    time.Time `json:"updatedAt"`

	roomID int64
}

func roomTopic(orgID int64, room string) string {
	return "room:" + strconv.FormatInt(orgID, 10) + ":" + room
}

func validRoom(field, name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 || strings.ContainsFunc(name, isControl) {
		return "", fault.Invalid(field, "validation_error", "%s must be 1 to 200 characters without control characters", field)
	}
	return name, nil
}

// Send stores a message from the caller's user in room and then publishes
// it to the room's subscribers. The text must be 1 to MaxMessageChars
// characters after trimming.
func (s *Service) Send(ctx context.Context, c caller.Caller, room, userID, senderName, text string) (Message, error) {
	u, err := actingUser(c, userID)
	if err != nil {
		return Message{}, err
	}
	if room, err = validRoom("roomName", room); err != nil {
		return Message{}, err
	}
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n == 0 || n > MaxMessageChars {
		return Message{}, fault.Invalid("text", "validation_error", "text must be 1 to %d characters after trimming, not %d", MaxMessageChars, n)
	}
	if !utf8.ValidString(text) {
		return Message{}, fault.Invalid("text", "validation_error", "text must be valid UTF-8")
	}
	senderName = strings.TrimSpace(senderName)
	if utf8.RuneCountInString(senderName) > 200 {
		return Message{}, fault.Invalid("senderName", "validation_error", "senderName must be at most 200 characters")
	}
	m := Message{ID: uuid.NewString(), RoomName: room, SenderID: u, SenderName: senderName, Text: text, CreatedAt: s.now()}
	if err := s.store.insertMessage(ctx, c.OrgID, &m); err != nil {
		return Message{}, err
	}
	s.publish(ctx, roomTopic(c.OrgID, room), "message", m.Seq, m)
	return m, nil
}

// publish sends an event after its change is committed. A failure is only
// logged: the change is stored, and streams recover it from the store at
// their next event or when the broker connection comes back.
func (s *Service) publish(ctx context.Context, topic, name string, id int64, data any) {
	payload, err := encodeEvent(name, id, data)
	if err == nil {
		err = s.broker.Publish(context.WithoutCancel(ctx), topic, payload)
	}
	if err != nil {
		s.logger.WarnContext(ctx, "publish failed; subscribers will catch up from the store", "topic", topic, "error", err)
	}
}

func encodeEvent(name string, id int64, data any) ([]byte, error) {
	d, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(&Event{Name: name, ID: id, Data: d})
}

// History returns a room's messages, newest first, a page at a time.
// A room nobody has written in has no messages.
func (s *Service) History(ctx context.Context, c caller.Caller, room string, r page.Request) (page.Page[Message], error) {
	room, err := validRoom("roomName", room)
	if err != nil {
		return page.Page[Message]{}, err
	}
	if r.Limit == 0 {
		r.Limit = DefaultHistoryLimit
	}
	if r, err = r.Normalize(MaxHistoryLimit); err != nil {
		return page.Page[Message]{}, err
	}
	before := int64(-1)
	if r.After != "" {
		parts, err := page.ParseCursor(r.After, 1)
		if err != nil {
			return page.Page[Message]{}, err
		}
		if before, err = strconv.ParseInt(parts[0], 10, 64); err != nil || before < 1 {
			return page.Page[Message]{}, fault.Invalid("cursor", "invalid_cursor", "cursor is not one this server issued")
		}
	}
	items, err := s.store.history(ctx, c.OrgID, room, before, r.Limit+1)
	if err != nil {
		return page.Page[Message]{}, err
	}
	return page.Of(items, r, -1, func(last Message) string { return page.Cursor(strconv.FormatInt(last.Seq, 10)) }), nil
}

// Conversations lists the rooms the caller's user has written in, most
// recent first, with each room's last message (its text cut to a preview)
// and message count.
func (s *Service) Conversations(ctx context.Context, c caller.Caller, userID string, r page.Request) (page.Page[Conversation], error) {
	u, err := actingUser(c, userID)
	if err != nil {
		return page.Page[Conversation]{}, err
	}
	if r, err = r.Normalize(page.MaxLimit); err != nil {
		return page.Page[Conversation]{}, err
	}
	var at time.Time
	var id int64
	if r.After != "" {
		if at, id, err = page.ParseKeyCursor(r.After); err != nil {
			return page.Page[Conversation]{}, err
		}
	}
	items, err := s.store.conversations(ctx, c.OrgID, u, at, id, r.Limit+1)
	if err != nil {
		return page.Page[Conversation]{}, err
	}
	for i := range items {
		if t := items[i].LastMessage.Text; utf8.RuneCountInString(t) > previewChars {
			items[i].LastMessage.Text = string([]rune(t)[:previewChars]) + "…"
		}
	}
	return page.Of(items, r, -1, func(last Conversation) string { return page.KeyCursor(last.UpdatedAt, last.roomID) }), nil
}
