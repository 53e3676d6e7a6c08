package media

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
)

// Recording is a meeting's stored media file.
type Recording struct {
	ContentType string
	Size        int64
	// Format and Duration (seconds) were probed from the file.
	Format   string
	Duration float64
}

// Recording describes the stored recording of a meeting of the caller's
// organization; a meeting without one is fault.ErrNotFound.
func (s *Service) Recording(ctx context.Context, c caller.Caller, meetingUUID string) (Recording, error) {
	imp, err := s.store.byMeeting(ctx, c.OrgID, meetingUUID)
	if err != nil {
		return Recording{}, err
	}
	if imp.Kind != KindMedia || imp.BlobKey == "" {
		return Recording{}, fault.NotFound("recording")
	}
	return Recording{ContentType: imp.ContentType, Size: imp.Size, Format: imp.Format, Duration: imp.Duration}, nil
}

// ServeRecording writes the stored recording of a meeting of the caller's
// organization, honouring Range and conditional requests
// (http.ServeContent). It returns a domain error, before writing anything,
// when there is no recording.
func (s *Service) ServeRecording(w http.ResponseWriter, r *http.Request, c caller.Caller, meetingUUID string) error {
	ctx := r.Context()
	imp, err := s.store.byMeeting(ctx, c.OrgID, meetingUUID)
	if err != nil {
		return err
	}
	if imp.Kind != KindMedia || imp.BlobKey == "" {
		return fault.NotFound("recording")
	}
	rc, _, err := s.cfg.Blobs.Open(ctx, imp.BlobKey)
	if err != nil {
		return err
	}
	defer rc.Close()
	rs, ok := rc.(io.ReadSeeker)
	if !ok {
		data, err := io.ReadAll(rc)
		if err != nil {
			return err
		}
		rs = bytes.NewReader(data)
	}
	if imp.ContentType != "" {
		w.Header().Set("Content-Type", imp.ContentType)
	}
	http.ServeContent(w, r, "recording", imp.UpdatedAt, rs)
	return nil
}
