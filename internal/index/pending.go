package index

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/jobs"
)

// PendingArgs is the periodic job that hands the sources queued in
// search_pending, by the migration that moved the index into the database,
// to the indexing job. Once they are all handed over it costs one query.
type PendingArgs struct{}

// Kind implements river.JobArgs.
func (PendingArgs) Kind() string { return "search_pending" }

// pendingBatch is how many sources one transaction hands over.
const pendingBatch = 500

// PendingWorker is the River worker of PendingArgs.
type PendingWorker struct {
	river.WorkerDefaults[PendingArgs]
	Service *Service
	Queue   *jobs.Queue
}

// Work queues an index job for every pending source, a batch per
// transaction, so a crash loses nothing and repeats at most a batch.
func (w *PendingWorker) Work(ctx context.Context, _ *river.Job[PendingArgs]) error {
	for {
		n, err := w.Service.queuePending(ctx, w.Queue)
		if err != nil || n == 0 {
			return err
		}
	}
}

func (s *Service) queuePending(ctx context.Context, q *jobs.Queue) (int, error) {
	var n int
	err := q.Tx(ctx, func(tx *jobs.Tx) error {
		rows, err := s.db.TxQuery(ctx, tx.Tx, `SELECT org_id, source, source_id FROM search_pending ORDER BY source, source_id LIMIT ?`, pendingBatch)
		if err != nil {
			return fmt.Errorf("list pending sources: %w", err)
		}
		var todo []Args
		for rows.Next() {
			var a Args
			if err := rows.Scan(&a.OrgID, &a.Source, &a.SourceID); err != nil {
				rows.Close()
				return fmt.Errorf("scan pending source: %w", err)
			}
			todo = append(todo, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list pending sources: %w", err)
		}
		for _, a := range todo {
			if err := s.Enqueue(ctx, tx, a.OrgID, a.Source, a.SourceID); err != nil {
				return err
			}
			if _, err := s.db.TxExec(ctx, tx.Tx, `DELETE FROM search_pending WHERE source = ? AND source_id = ?`, a.Source, a.SourceID); err != nil {
				return fmt.Errorf("hand over pending %s %d: %w", a.Source, a.SourceID, err)
			}
		}
		n = len(todo)
		return nil
	})
	return n, err
}
