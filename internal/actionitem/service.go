package actionitem

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/store"
)

// Service stores action items; every call is scoped to one organization.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns a Service.
func NewService(db *store.DB) *Service {
	return &Service{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// Create adds an action item to a meeting the caller has already loaded
// within orgID.
func (s *Service) Create(ctx context.Context, orgID, meetingID int64, n New) (ActionItem, error) {
	if err := n.validate(); err != nil {
		return ActionItem{}, err
	}
	now := s.now()
	a := ActionItem{UUID: uuid.NewString(), OrgID: orgID, MeetingID: meetingID, Title: n.Title, Description: n.Description,
		Owner: n.Owner, DueDate: n.DueDate, Status: StatusPending, Source: n.Source, CreatedAt: now, UpdatedAt: now}
	err := s.db.W.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO action_items (uuid, org_id, meeting_id, title, description, owner, due_date,
		status, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		a.UUID, orgID, meetingID, a.Title, a.Description, a.Owner, a.DueDate, string(a.Status), a.Source, now, now).Scan(&a.ID)
	if err != nil {
		return ActionItem{}, fmt.Errorf("insert action item: %w", err)
	}
	return a, nil
}

// ListByMeeting returns a meeting's action items, oldest first.
func (s *Service) ListByMeeting(ctx context.Context, orgID, meetingID int64) ([]ActionItem, error) {
	rows, err := s.db.R.QueryContext(ctx, s.db.Rebind(`SELECT id, uuid, org_id, meeting_id, title, description, owner, due_date, status, source,
		completed_at, created_at, updated_at FROM action_items WHERE org_id = ? AND meeting_id = ? ORDER BY created_at, id`), orgID, meetingID)
	if err != nil {
		return nil, fmt.Errorf("list action items of meeting %d: %w", meetingID, err)
	}
	defer rows.Close()
	out := []ActionItem{}
	for rows.Next() {
		var a ActionItem
		var status string
		var completed *time.Time
		if err := rows.Scan(&a.ID, &a.UUID, &a.OrgID, &a.MeetingID, &a.Title, &a.Description, &a.Owner, &a.DueDate, &status, &a.Source,
			&completed, &a.CreatedAt, &a.UpdatedAt); err != nil {
			return nil, fmt.Errorf("scan action item: %w", err)
		}
		a.Status = Status(status)
		if completed != nil {
			a.CompletedAt = *completed
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
