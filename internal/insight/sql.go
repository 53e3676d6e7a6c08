package insight

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
)

// storedSummary loads the stored summary of m's current transcript
// version; ok is false when none is stored for that version.
func (s *Service) storedSummary(ctx context.Context, m meeting.Meeting) (out MeetingSummary, ok bool, err error) {
	var body string
	err = s.db.QueryRow(ctx, `SELECT s.body FROM meeting_summaries s JOIN meetings m ON m.id = s.meeting_id
		WHERE m.org_id = ? AND s.meeting_id = ? AND s.transcript_version = ?`, m.OrgID, m.ID, m.TranscriptVersion).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return MeetingSummary{}, false, nil
	}
	if err != nil {
		return MeetingSummary{}, false, fmt.Errorf("load summary of meeting %s: %w", m.UUID, err)
	}
	var stored summaryRecord
	if err := json.Unmarshal([]byte(body), &stored); err != nil {
		// A body from an older format is recomputed, not served.
		return MeetingSummary{}, false, nil
	}
	return stored.summary(), true, nil
}

// storeSummary stores sum as the summary of m's transcript version. It
// never replaces the summary of a newer version, which a concurrent job
// may have stored first, nor one of the same version. The first store of a
// version emits the internal summary-ready event in the same transaction:
// the replacing UPDATE and the INSERT are each conditional, so of two
// concurrent stores only one writes, and emits.
func (s *Service) storeSummary(ctx context.Context, m meeting.Meeting, sum MeetingSummary) error {
	b, err := json.Marshal(recordOf(sum))
	if err != nil {
		return fmt.Errorf("encode summary of meeting %s: %w", m.UUID, err)
	}
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		now := s.now()
		res, err := s.db.TxExec(ctx, tx.Tx, `UPDATE meeting_summaries SET transcript_version = ?, body = ?, created_at = ?
			WHERE meeting_id = ? AND transcript_version < ?`, m.TranscriptVersion, string(b), now, m.ID, m.TranscriptVersion)
		if err != nil {
			return fmt.Errorf("store summary of meeting %s: %w", m.UUID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store summary of meeting %s: %w", m.UUID, err)
		}
		if n == 0 {
			res, err = s.db.TxExec(ctx, tx.Tx, `INSERT INTO meeting_summaries (meeting_id, transcript_version, body, created_at)
				VALUES (?, ?, ?, ?) ON CONFLICT (meeting_id) DO NOTHING`, m.ID, m.TranscriptVersion, string(b), now)
			if err != nil {
				return fmt.Errorf("store summary of meeting %s: %w", m.UUID, err)
			}
			if n, err = res.RowsAffected(); err != nil {
				return fmt.Errorf("store summary of meeting %s: %w", m.UUID, err)
			}
		}
		if n == 0 {
			return nil
		}
		return event.Emit(ctx, s.events, tx, event.Event{Type: event.SummaryReady, OrgID: m.OrgID, OccurredAt: now,
			Data: event.MeetingRef{MeetingID: m.UUID, RowID: m.ID}})
	})
}

// summaryRecord is how a summary is stored in meeting_summaries.body; its
// field names are the storage format, kept stable across releases.
type summaryRecord struct {
	Summary     string       `json:"summary"`
	SummaryText string       `json:"summaryText"`
	Keywords    []string     `json:"keywords"`
	ActionItems []itemRecord `json:"actionItems"`
	Decisions   []itemRecord `json:"decisions"`
	Questions   []itemRecord `json:"questions"`
}

// itemRecord stores an action item, a decision or a question.
type itemRecord struct {
	Text         string `json:"text"`
	Owner        string `json:"owner,omitempty"`
	Speaker      string `json:"speaker,omitempty"`
	Due          string `json:"due,omitempty"`
	DueDate      string `json:"dueDate,omitempty"`
	SegmentIndex int    `json:"segmentIndex"`
}

func recordOf(s MeetingSummary) summaryRecord {
	r := summaryRecord{Summary: s.Summary, SummaryText: s.SummaryText, Keywords: s.Keywords}
	for _, a := range s.ActionItems {
		r.ActionItems = append(r.ActionItems, itemRecord{Text: a.Text, Owner: a.Owner, Due: a.Due, DueDate: a.DueDate, SegmentIndex: a.SegmentIndex})
	}
	for _, d := range s.Decisions {
		r.Decisions = append(r.Decisions, itemRecord{Text: d.Text, Speaker: d.Speaker, SegmentIndex: d.SegmentIndex})
	}
	for _, q := range s.Questions {
		r.Questions = append(r.Questions, itemRecord{Text: q.Text, Speaker: q.Speaker, SegmentIndex: q.SegmentIndex})
	}
	return r
}

func (r summaryRecord) summary() MeetingSummary {
	s := MeetingSummary{Summary: r.Summary, SummaryText: r.SummaryText, Keywords: r.Keywords,
		ActionItems: []ActionItem{}, Decisions: []Item{}, Questions: []Item{}}
	for _, a := range r.ActionItems {
		s.ActionItems = append(s.ActionItems, ActionItem{Text: a.Text, Owner: a.Owner, Due: a.Due, DueDate: a.DueDate, SegmentIndex: a.SegmentIndex})
	}
	for _, d := range r.Decisions {
		s.Decisions = append(s.Decisions, Item{Text: d.Text, Speaker: d.Speaker, SegmentIndex: d.SegmentIndex})
	}
	for _, q := range r.Questions {
		s.Questions = append(s.Questions, Item{Text: q.Text, Speaker: q.Speaker, SegmentIndex: q.SegmentIndex})
	}
	return s
}

// insertDocument stores a document in tx and returns its internal id.
func (s *Service) insertDocument(ctx context.Context, tx *jobs.Tx, orgID int64, meetingID any, d Document, content string) (int64, error) {
	var id int64
	err := s.db.TxQueryRow(ctx, tx.Tx, `INSERT INTO documents (uuid, org_id, meeting_id, title, content, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, d.ID, orgID, meetingID, d.Title, content, d.CreatedAt, d.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert document: %w", err)
	}
	return id, nil
}

// addMoodSamples appends samples to the organization's response context,
// creating it on first use, in one transaction.
func (s *Service) addMoodSamples(ctx context.Context, orgID int64, responseID string, samples []MoodSample, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var contextID int64
		err := s.db.TxQueryRow(ctx, tx, `INSERT INTO response_contexts (org_id, response_id, created_at, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (org_id, response_id) DO UPDATE SET updated_at = excluded.updated_at RETURNING id`, orgID, responseID, now, now).Scan(&contextID)
		if err != nil {
			return fmt.Errorf("upsert response context %s: %w", responseID, err)
		}
		for _, m := range samples {
			conf := 1.0
			if m.Confidence != nil {
				conf = *m.Confidence
			}
			ts := m.Timestamp
			if ts.IsZero() {
				ts = now
			}
			if _, err := s.db.TxExec(ctx, tx, `INSERT INTO mood_samples (context_id, participant_id, mood, sentiment, confidence, sampled_at)
				VALUES (?, ?, ?, ?, ?, ?)`, contextID, m.ParticipantID, strings.ToLower(strings.TrimSpace(m.Mood)), m.Sentiment, conf, ts.UTC()); err != nil {
				return fmt.Errorf("insert mood sample: %w", err)
			}
		}
		return nil
	})
}

// moodSamples loads the samples of the organization's response context in
// the order they were taken; Confidence is always set.
func (s *Service) moodSamples(ctx context.Context, orgID int64, responseID string) ([]MoodSample, error) {
	var contextID int64
	err := s.db.QueryRow(ctx, `SELECT id FROM response_contexts WHERE org_id = ? AND response_id = ?`, orgID, responseID).Scan(&contextID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFound("response")
	}
	if err != nil {
		return nil, fmt.Errorf("load response context %s: %w", responseID, err)
	}
	rows, err := s.db.Query(ctx, `SELECT participant_id, mood, sentiment, confidence, sampled_at FROM mood_samples
		WHERE context_id = ? ORDER BY sampled_at, id`, contextID)
	if err != nil {
		return nil, fmt.Errorf("load mood samples of %s: %w", responseID, err)
	}
	defer rows.Close()
	var out []MoodSample
	for rows.Next() {
		var m MoodSample
		var conf float64
		if err := rows.Scan(&m.ParticipantID, &m.Mood, &m.Sentiment, &conf, &m.Timestamp); err != nil {
			return nil, fmt.Errorf("scan mood sample: %w", err)
		}
		m.Confidence = &conf
		out = append(out, m)
	}
	return out, rows.Err()
}
