package insight

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
)

// MaxDocumentBytes caps the text of one document.
const MaxDocumentBytes = 2 << 20

// Document is a text document searched beside transcripts.
type Document struct {
	ID        string
	MeetingID string
	Title     string
	Size      int
	CreatedAt time.Time
}

// AddDocument stores a document and queues its indexing in the same
// transaction.
func (s *Service) AddDocument(ctx context.Context, c caller.Caller, meetingUUID, title, content string) (Document, error) {
	title = strings.TrimSpace(title)
	if title == "" || utf8.RuneCountInString(title) > 500 {
		return Document{}, fault.Invalid("title", "validation_error", "title must be 1 to 500 characters")
	}
	if strings.TrimSpace(content) == "" {
		return Document{}, fault.Invalid("content", "validation_error", "content must not be empty")
	}
	if len(content) > MaxDocumentBytes {
		return Document{}, &fault.Error{Kind: fault.KindTooLarge, Code: "payload_too_large", Field: "content", Message: "content is larger than 2 MiB"}
	}
	if err := meeting.ValidText("title", title); err != nil {
		return Document{}, err
	}
	if err := meeting.ValidText("content", content); err != nil {
		return Document{}, err
	}
	var meetingID any
	if meetingUUID != "" {
		m, err := s.meetings.Get(ctx, c, meetingUUID)
		if err != nil {
			return Document{}, err
		}
		meetingID = m.ID
	}
	d := Document{ID: uuid.NewString(), MeetingID: meetingUUID, Title: title, Size: len(content), CreatedAt: s.now()}
	err := s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		id, err := s.insertDocument(ctx, tx, c.OrgID, meetingID, d, content)
		if err != nil {
			return err
		}
		if err := s.index.Enqueue(ctx, tx, c.OrgID, index.SourceDocument, id); err != nil {
			return err
		}
		if meetingUUID == "" {
			// The Partner catalogue has context events for meetings only.
			return nil
		}
		e := event.From(c, event.MeetingContextCreated, &event.Context{ContextID: d.ID, MeetingID: meetingUUID,
			Title: d.Title, CreatedAt: d.CreatedAt})
		e.OccurredAt = d.CreatedAt
		return event.Emit(ctx, s.events, tx, e)
	})
	if err != nil {
		return Document{}, err
	}
	return d, nil
}
