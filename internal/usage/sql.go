package usage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/store"
)

type sqlStore struct{ db *store.DB }

func (s sqlStore) insert(ctx context.Context, tx *jobs.Tx, orgID int64, capability string, amount int64, now time.Time) error {
	const q = `INSERT INTO usage_records (org_id, capability, amount, recorded_at) VALUES (?, ?, ?, ?)`
	var err error
	if tx != nil {
		_, err = s.db.TxExec(ctx, tx.Tx, q, orgID, capability, amount, now)
	} else {
		_, err = s.db.Exec(ctx, q, orgID, capability, amount, now)
	}
	if err != nil {
		return fmt.Errorf("record %s usage of org %d: %w", capability, orgID, err)
	}
	return nil
}

func (s sqlStore) upsertQuota(ctx context.Context, orgID int64, capability string, limit int64) error {
	_, err := s.db.Exec(ctx, `INSERT INTO usage_quotas (org_id, capability, quota) VALUES (?, ?, ?)
		ON CONFLICT (org_id, capability) DO UPDATE SET quota = excluded.quota`, orgID, capability, limit)
	if err != nil {
		return fmt.Errorf("set %s quota of org %d: %w", capability, orgID, err)
	}
	return nil
}

func (s sqlStore) deleteQuota(ctx context.Context, orgID int64, capability string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM usage_quotas WHERE org_id = ? AND capability = ?`, orgID, capability); err != nil {
		return fmt.Errorf("remove %s quota of org %d: %w", capability, orgID, err)
	}
	return nil
}

// report reads the organizations, their quotas and their summed use in
// three queries and joins them here, so unused capabilities are listed too.
func (s sqlStore) report(ctx context.Context, orgIDs []int64, from, to time.Time) ([]Line, error) {
	in := store.Placeholders(len(orgIDs))
	ids := make([]any, len(orgIDs))
	for i, id := range orgIDs {
		ids[i] = id
	}
	names := map[int64]string{}
	if err := s.each(ctx, `SELECT id, name FROM organizations WHERE id IN (`+in+`) ORDER BY id`, ids, func(r *sql.Rows) error {
		var id int64
		var name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		names[id] = name
		return nil
	}); err != nil {
		return nil, fmt.Errorf("usage report organizations: %w", err)
	}
	type key struct {
		org int64
		cap string
	}
	quotas := map[key]int64{}
	if err := s.each(ctx, `SELECT org_id, capability, quota FROM usage_quotas WHERE org_id IN (`+in+`)`, ids, func(r *sql.Rows) error {
		var k key
		var q int64
		if err := r.Scan(&k.org, &k.cap, &q); err != nil {
			return err
		}
		quotas[k] = q
		return nil
	}); err != nil {
		return nil, fmt.Errorf("usage report quotas: %w", err)
	}
	args := append([]any{}, ids...)
	q := `SELECT org_id, capability, SUM(amount) FROM usage_records WHERE org_id IN (` + in + `)`
	if !from.IsZero() {
		q += ` AND recorded_at >= ?`
		args = append(args, from)
	}
	if !to.IsZero() {
		q += ` AND recorded_at < ?`
		args = append(args, to)
	}
	used := map[key]int64{}
	if err := s.each(ctx, q+` GROUP BY org_id, capability`, args, func(r *sql.Rows) error {
		var k key
		var n int64
		if err := r.Scan(&k.org, &k.cap, &n); err != nil {
			return err
		}
		used[k] = n
		return nil
	}); err != nil {
		return nil, fmt.Errorf("usage report sums: %w", err)
	}
	out := []Line{}
	for _, org := range orgIDs {
		name, ok := names[org]
		if !ok {
			continue
		}
		for _, c := range Capabilities {
			l := Line{OrgID: org, OrgName: name, Capability: c, Usage: used[key{org, c}]}
			if qv, ok := quotas[key{org, c}]; ok {
				l.Quota = &qv
			}
			out = append(out, l)
		}
	}
	return out, nil
}

func (s sqlStore) each(ctx context.Context, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
