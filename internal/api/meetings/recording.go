// Package meetings serves the Meetings API (/api/v1/external/...).
package meetings

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/meeting"
)

// RecordingPath is the route of a meeting's recording file, with and
// without its trailing slash (the Meetings API serves both).
const RecordingPath = "/api/v1/external/meetings/{id}/recording/file"

// RecordingStore serves stored recordings (media.Service).
type RecordingStore interface {
	ServeRecording(w http.ResponseWriter, r *http.Request, c caller.Caller, meetingUUID string) error
}

// MeetingsByID finds a meeting by its integer id (meeting.Service).
type MeetingsByID interface {
	GetByID(ctx context.Context, c caller.Caller, id int64) (meeting.Meeting, error)
}

// Recording serves GET RecordingPath: the stored media of a meeting of
// the caller's organization, with Range support. It is a plain handler
// rather than a huma operation because the body is a seekable file, not
// JSON; the surface has authenticated the caller already.
func Recording(m MeetingsByID, rec RecordingStore) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, ok := caller.From(ctx)
		if !ok || c.OrgID == 0 {
			writeErr(w, r, fault.Unauthorized("unauthorized", "Authentication credentials were not provided."))
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			writeErr(w, r, fault.NotFound("meeting"))
			return
		}
		mt, err := m.GetByID(ctx, c, id)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		if err := rec.ServeRecording(w, r, c, mt.UUID); err != nil {
			writeErr(w, r, err)
		}
	}
}

func writeErr(w http.ResponseWriter, r *http.Request, err error) {
	status, detail := http.StatusInternalServerError, "internal error"
	var fe *fault.Error
	if errors.As(err, &fe) {
		switch fe.Kind {
		case fault.KindNotFound:
			status, detail = http.StatusNotFound, "Not found."
		case fault.KindUnauthorized:
			status, detail = http.StatusUnauthorized, fe.Error()
		case fault.KindForbidden:
			status, detail = http.StatusForbidden, fe.Error()
		}
	}
	rest.NewError(r.Context(), status, "", detail, nil).Write(w)
}
