package participant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store"
)

type sqlStore struct{ db *store.DB }

const columns = `p.id, p.uuid, p.meeting_id, m.uuid, COALESCE(p.user_id, 0), COALESCE(u.uuid, ''), p.email, p.name, p.role,
	p.is_attended, p.created_at, p.updated_at`

const from = ` FROM meeting_participants p JOIN meetings m ON m.id = p.meeting_id LEFT JOIN users u ON u.id = p.user_id`

func scan(row interface{ Scan(...any) error }) (Participant, error) {
	var p Participant
	var role string
	err := row.Scan(&p.ID, &p.UUID, &p.MeetingID, &p.MeetingUUID, &p.UserID, &p.UserUUID, &p.Email, &p.Name, &role,
		&p.IsAttended, &p.CreatedAt, &p.UpdatedAt)
	p.Role = meeting.Role(role)
	return p, err
}

func (s sqlStore) list(ctx context.Context, orgID, meetingID int64) ([]Participant, error) {
	rows, err := s.db.Query(ctx, `SELECT `+columns+from+` WHERE p.org_id = ? AND p.meeting_id = ? ORDER BY p.id`, orgID, meetingID)
	if err != nil {
		return nil, fmt.Errorf("list participants of meeting %d: %w", meetingID, err)
	}
	defer rows.Close()
	out := []Participant{}
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan participant: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// insert adds p; its email names a user when that user is a member of the
// meeting's organization.
func (s sqlStore) insert(ctx context.Context, tx *sql.Tx, orgID int64, p *Participant) error {
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO meeting_participants (uuid, org_id, meeting_id, user_id, email, name, role,
		created_at, updated_at) VALUES (?, ?, ?,
		(SELECT u.id FROM users u JOIN memberships ms ON ms.user_id = u.id AND ms.org_id = ? WHERE u.email = ?),
		?, ?, ?, ?, ?) RETURNING id`,
		p.UUID, orgID, p.MeetingID, orgID, p.Email, p.Email, p.Name, string(p.Role), p.CreatedAt, p.UpdatedAt).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("add participant to meeting %s: %w", p.MeetingUUID, err)
	}
	err = s.db.TxQueryRow(ctx, tx, `SELECT COALESCE(p.user_id, 0), COALESCE(u.uuid, '') FROM meeting_participants p
		LEFT JOIN users u ON u.id = p.user_id WHERE p.id = ?`, p.ID).Scan(&p.UserID, &p.UserUUID)
	if err != nil {
		return fmt.Errorf("load participant %s: %w", p.UUID, err)
	}
	return nil
}

// delete removes one participant of a meeting and returns it.
func (s sqlStore) delete(ctx context.Context, tx *sql.Tx, orgID, meetingID int64, id string) (Participant, error) {
	p, err := scan(s.db.TxQueryRow(ctx, tx, `SELECT `+columns+from+` WHERE p.org_id = ? AND p.meeting_id = ? AND p.uuid = ?`,
		orgID, meetingID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Participant{}, fault.NotFound("participant")
	}
	if err != nil {
		return Participant{}, fmt.Errorf("load participant %s: %w", id, err)
	}
	if _, err := s.db.TxExec(ctx, tx, `DELETE FROM meeting_participants WHERE org_id = ? AND id = ?`, orgID, p.ID); err != nil {
		return Participant{}, fmt.Errorf("remove participant %s: %w", id, err)
	}
	return p, nil
}
