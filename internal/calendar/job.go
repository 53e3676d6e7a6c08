package calendar

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/quorumhq/quorum/internal/jobs"
)

// RefreshArgs is the periodic job that refreshes calendar feeds.
type RefreshArgs struct{}

// Kind implements river.JobArgs.
func (RefreshArgs) Kind() string { return "calendar_refresh" }

// refreshTimeout bounds one refresh run: a batch of feeds, each fetch
// bounded by FetchTimeout.
const refreshTimeout = 10 * time.Minute

// RefreshWorker runs RefreshArgs; its Service is set before the queue
// starts.
type RefreshWorker struct {
	river.WorkerDefaults[RefreshArgs]
	Service *Service
}

// Timeout implements river.Worker.
func (w *RefreshWorker) Timeout(*river.Job[RefreshArgs]) time.Duration { return refreshTimeout }

// Work refreshes the feeds that are due.
func (w *RefreshWorker) Work(ctx context.Context, _ *river.Job[RefreshArgs]) error {
	n, err := w.Service.RefreshDue(ctx)
	if n > 0 {
		w.Service.logger.InfoContext(ctx, "refreshed calendar feeds", "feeds", n)
	}
	return err
}

// PeriodicJob schedules the refresh; a feed is read again once it is
// RefreshEvery old, so ticking at that interval keeps every feed within
// twice that.
func PeriodicJob() *river.PeriodicJob {
	return jobs.Every(RefreshEvery, RefreshArgs{}, nil, true)
}
