package agent

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store"
)

// sqlStore records agent runs and their tool calls.
type sqlStore struct{ db *store.DB }

func (s sqlStore) save(ctx context.Context, orgID, meetingID int64, userRef string, r Run) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := s.db.TxQueryRow(ctx, tx, `INSERT INTO agent_runs (uuid, org_id, meeting_id, message, reply, model, steps, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.ID, orgID, meetingID, r.Message, r.Reply, r.Model, r.Steps, userRef, r.CreatedAt).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert agent run: %w", err)
		}
		for i, c := range r.ToolCalls {
			if _, err := s.db.TxExec(ctx, tx, `INSERT INTO agent_tool_calls (run_id, seq, name, arguments, result, status, duration_ms)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, id, i, c.Name, string(c.Arguments), c.Result, c.Status, c.DurationMS); err != nil {
				return fmt.Errorf("insert agent tool call: %w", err)
			}
		}
		return nil
	})
}

// run loads a recorded run of a meeting with its tool calls.
func (s sqlStore) run(ctx context.Context, orgID int64, m meeting.Meeting, runUUID string) (Run, error) {
	r := Run{MeetingID: m.UUID, ToolCalls: []CallRecord{}}
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id, uuid, message, reply, model, steps, created_at FROM agent_runs
		WHERE org_id = ? AND meeting_id = ? AND uuid = ?`, orgID, m.ID, runUUID).Scan(&id, &r.ID, &r.Message, &r.Reply, &r.Model, &r.Steps, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fault.NotFound("agent run")
	}
	if err != nil {
		return Run{}, fmt.Errorf("load agent run %s: %w", runUUID, err)
	}
	rows, err := s.db.Query(ctx, `SELECT name, arguments, result, status, duration_ms FROM agent_tool_calls WHERE run_id = ? ORDER BY seq`, id)
	if err != nil {
		return Run{}, fmt.Errorf("load tool calls of run %s: %w", runUUID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c CallRecord
		var args string
		if err := rows.Scan(&c.Name, &args, &c.Result, &c.Status, &c.DurationMS); err != nil {
			return Run{}, fmt.Errorf("scan tool call: %w", err)
		}
		c.Arguments = json.RawMessage(args)
		r.ToolCalls = append(r.ToolCalls, c)
	}
	return r, rows.Err()
}
