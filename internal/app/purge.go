package app

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"
)

// purgeArgs is the hourly job that deletes expired idempotency keys and
// cloud tokens, so those tables stay small.
type purgeArgs struct{}

func (purgeArgs) Kind() string { return "purge_expired" }

type purgeWorker struct {
	river.WorkerDefaults[purgeArgs]
	purge  []func(context.Context) (int64, error)
	logger *slog.Logger
}

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[purgeArgs]) error {
	var total int64
	for _, p := range w.purge {
		n, err := p(ctx)
		if err != nil {
			return err
		}
		total += n
	}
	w.logger.InfoContext(ctx, "purged expired rows", "rows", total)
	return nil
}
