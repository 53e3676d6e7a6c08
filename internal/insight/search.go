package insight

import (
	"context"
	"fmt"
	"strings"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/index"
	"github.com/quorumhq/quorum/internal/search"
)

// SearchRequest is a search over an organization's meetings and documents.
type SearchRequest struct {
	Query      string
	MeetingIDs []string
	// Source is "transcript", "document" or empty for both.
	Source   string
	RoomName string
	Limit    int
}

// Hit is one search result. Transcript hits point at a run of the
// meeting's segments: SegmentStart and SegmentEnd are 0-based positions in
// imported order, inclusive.
type Hit struct {
	ID           string
	Source       string
	MeetingID    string
	DocumentID   string
	SegmentStart int
	SegmentEnd   int
	Speaker      string
	StartTime    float64
	EndTime      float64
	Text         string
	Score        float64
}

// Search finds the chunks that best match a query.
func (s *Service) Search(ctx context.Context, c caller.Caller, r SearchRequest) ([]Hit, error) {
	q, err := validQuery("query", r.Query)
	if err != nil {
		return nil, err
	}
	limit, err := validLimit(r.Limit, DefaultLimit)
	if err != nil {
		return nil, err
	}
	meetings, err := s.scope(ctx, c, r.MeetingIDs, r.RoomName)
	if err != nil {
		return nil, err
	}
	if meetings != nil && len(meetings) == 0 {
		return []Hit{}, nil // a room with no meetings
	}
	hits, err := s.index.Search(ctx, index.Query{OrgID: c.OrgID, Text: q, MeetingUUIDs: meetings, Source: r.Source, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Hit, 0, len(hits))
	for _, h := range hits {
		out = append(out, toHit(h))
	}
	return out, nil
}

// scope resolves the meetings a request is limited to: explicit ids (each
// must belong to the organization), or the meetings of a room. nil means
// no limit.
func (s *Service) scope(ctx context.Context, c caller.Caller, ids []string, room string) ([]string, error) {
	if len(ids) > MaxLimit {
		return nil, fault.Invalid("meetingIds", "validation_error", "at most %d meetingIds", MaxLimit)
	}
	if len(ids) > 0 {
		if _, err := s.meetings.Resolve(ctx, c, ids); err != nil {
			return nil, err
		}
		return ids, nil
	}
	if strings.TrimSpace(room) == "" {
		return nil, nil
	}
	return s.meetings.InRoom(ctx, c, room)
}

func toHit(h search.Hit) Hit {
	out := Hit{Source: string(h.Source), MeetingID: h.MeetingID, DocumentID: h.DocumentID, SegmentStart: h.SegmentStart,
		SegmentEnd: h.SegmentEnd, Speaker: h.Speaker, StartTime: h.Start, EndTime: h.End, Text: h.Text, Score: h.Score}
	owner := h.MeetingID
	if h.Source == search.SourceDocument {
		owner = h.DocumentID
	}
	out.ID = fmt.Sprintf("%s:%d-%d", owner, h.SegmentStart, h.SegmentEnd)
	return out
}
