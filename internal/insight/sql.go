package insight

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/quorumhq/quorum/internal/meeting"
)

// storedSummary loads the stored summary of m's current transcript
// version; ok is false when none is stored for that version.
func (s *Service) storedSummary(ctx context.Context, m meeting.Meeting) (out MeetingSummary, ok bool, err error) {
	var body string
	err = s.db.R.QueryRowContext(ctx, s.db.Rebind(`SELECT s.body FROM meeting_summaries s JOIN meetings m ON m.id = s.meeting_id
		WHERE m.org_id = ? AND s.meeting_id = ? AND s.transcript_version = ?`), m.OrgID, m.ID, m.TranscriptVersion).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return MeetingSummary{}, false, nil
	}
	if err != nil {
		return MeetingSummary{}, false, fmt.Errorf("load summary of meeting %s: %w", m.UUID, err)
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		// A body from an older format is recomputed, not served.
		return MeetingSummary{}, false, nil
	}
	return out, true, nil
}

// storeSummary stores sum as the summary of m's transcript version. It
// never replaces the summary of a newer version, which a concurrent job
// may have stored first.
func (s *Service) storeSummary(ctx context.Context, m meeting.Meeting, sum MeetingSummary) error {
	b, err := json.Marshal(sum)
	if err != nil {
		return fmt.Errorf("encode summary of meeting %s: %w", m.UUID, err)
	}
	_, err = s.db.W.ExecContext(ctx, s.db.Rebind(`INSERT INTO meeting_summaries (meeting_id, transcript_version, body, created_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (meeting_id) DO UPDATE SET transcript_version = excluded.transcript_version, body = excluded.body,
			created_at = excluded.created_at
		WHERE meeting_summaries.transcript_version <= excluded.transcript_version`),
		m.ID, m.TranscriptVersion, string(b), s.now())
	if err != nil {
		return fmt.Errorf("store summary of meeting %s: %w", m.UUID, err)
	}
	return nil
}
