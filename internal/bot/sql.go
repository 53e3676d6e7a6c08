package bot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/store"
)

// sqlStore keeps bots; every query names the organization, except the
// scheduler's claim (all organizations' due bots) and the lookup of a
// webhook's bot by the provider's id.
type sqlStore struct{ db *store.DB }

// schedule stores a meeting's bot, moving one not yet dispatched.
func (s sqlStore) schedule(ctx context.Context, tx *jobs.Tx, b Bot, appID int64, now time.Time) error {
	res, err := s.db.TxExec(ctx, tx.Tx, `INSERT INTO meeting_bots (org_id, meeting_id, app_id, meeting_url, join_at, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'scheduled', ?, ?)
		ON CONFLICT (meeting_id) DO UPDATE SET meeting_url = excluded.meeting_url, join_at = excluded.join_at,
			updated_at = excluded.updated_at
		WHERE meeting_bots.dispatched_at IS NULL`, b.OrgID, b.MeetingID, appID, b.MeetingURL, b.JoinAt, now, now)
	if err != nil {
		return fmt.Errorf("schedule bot: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fault.Conflict("bot_dispatched", "the meeting's bot was already sent")
	}
	return nil
}

// claimDue marks every undispatched bot due by `by` dispatched at now and
// returns their (org id, bot id) pairs. One conditional UPDATE: a bot
// another replica claimed first no longer matches.
func (s sqlStore) claimDue(ctx context.Context, tx *jobs.Tx, by, now time.Time) ([][2]int64, error) {
	rows, err := s.db.TxQuery(ctx, tx.Tx, `UPDATE meeting_bots SET dispatched_at = ?, state = 'dispatched', updated_at = ?
		WHERE dispatched_at IS NULL AND join_at <= ?
		RETURNING org_id, id`, now, now, by)
	if err != nil {
		return nil, fmt.Errorf("claim due bots: %w", err)
	}
	defer rows.Close()
	var out [][2]int64
	for rows.Next() {
		var p [2]int64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

const columns = `b.id, b.org_id, b.meeting_id, m.uuid, b.meeting_url, b.join_at, b.dispatched_at, b.provider_bot_id, b.state, b.error
	FROM meeting_bots b JOIN meetings m ON m.id = b.meeting_id`

func scanBot(row *sql.Row) (Bot, error) {
	var b Bot
	var dispatched sql.NullTime
	err := row.Scan(&b.ID, &b.OrgID, &b.MeetingID, &b.MeetingUUID, &b.MeetingURL, &b.JoinAt, &dispatched, &b.ProviderBotID, &b.State, &b.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return Bot{}, fault.NotFound("bot")
	}
	if err != nil {
		return Bot{}, fmt.Errorf("load bot: %w", err)
	}
	b.DispatchedAt = dispatched.Time
	return b, nil
}

func (s sqlStore) byID(ctx context.Context, orgID, id int64) (Bot, error) {
	return scanBot(s.db.QueryRow(ctx, `SELECT `+columns+` WHERE b.org_id = ? AND b.id = ?`, orgID, id))
}

func (s sqlStore) byMeeting(ctx context.Context, orgID int64, meetingUUID string) (Bot, error) {
	return scanBot(s.db.QueryRow(ctx, `SELECT `+columns+` WHERE b.org_id = ? AND m.uuid = ?`, orgID, meetingUUID))
}

// byProviderID finds a webhook's bot; the provider's id is the only key
// a webhook carries, and the tenant comes from the row found.
func (s sqlStore) byProviderID(ctx context.Context, tx *jobs.Tx, providerID string) (Bot, error) {
	return scanBot(s.db.TxQueryRow(ctx, tx.Tx, `SELECT `+columns+` WHERE b.provider_bot_id = ?`, providerID))
}

func (s sqlStore) created(ctx context.Context, b Bot, providerID string, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE meeting_bots SET provider_bot_id = ?, state = 'created', updated_at = ?
		WHERE org_id = ? AND id = ? AND provider_bot_id = ''`, providerID, now, b.OrgID, b.ID)
	if err != nil {
		return fmt.Errorf("record bot %d: %w", b.ID, err)
	}
	return nil
}

func (s sqlStore) failed(ctx context.Context, orgID, id int64, msg string, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE meeting_bots SET state = 'failed', error = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		msg, now, orgID, id)
	return err
}

func (s sqlStore) setState(ctx context.Context, tx *jobs.Tx, b Bot, state string, done bool, now time.Time) error {
	var doneAt any
	if done {
		doneAt = now
	}
	_, err := s.db.TxExec(ctx, tx.Tx, `UPDATE meeting_bots SET state = ?, done_at = COALESCE(done_at, ?), updated_at = ?
		WHERE org_id = ? AND id = ?`, state, doneAt, now, b.OrgID, b.ID)
	if err != nil {
		return fmt.Errorf("set state of bot %d: %w", b.ID, err)
	}
	return nil
}

// remember records a webhook's idempotency key and reports whether it is
// new: the insert is the consume-once write.
func (s sqlStore) remember(ctx context.Context, tx *jobs.Tx, key string, now time.Time) (bool, error) {
	res, err := s.db.TxExec(ctx, tx.Tx, `INSERT INTO bot_webhook_deliveries (idempotency_key, received_at) VALUES (?, ?)
		ON CONFLICT (idempotency_key) DO NOTHING`, key, now)
	if err != nil {
		return false, fmt.Errorf("record webhook %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
