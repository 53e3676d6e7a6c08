package jobs

import (
	"time"

	"github.com/riverqueue/river"
)

// Every returns a periodic job that enqueues args every interval, for
// Config.PeriodicJobs. opts may be nil.
//
// Unless opts or the args' kind set unique options, the job is unique per interval, so a leader
// change (the new leader restarts the schedule from scratch) cannot enqueue
// the same tick twice. With runOnStart a tick is enqueued as soon as a
// leader is elected, which suits long intervals that a restart would
// otherwise keep postponing.
func Every(interval time.Duration, args river.JobArgs, opts *river.InsertOpts, runOnStart bool) *river.PeriodicJob {
	var o river.InsertOpts
	if opts != nil {
		o = *opts
	}
	// River refuses unique periods under a second; such short intervals
	// only occur in tests, where a duplicate tick is harmless.
	if interval >= time.Second && !hasUniqueOpts(o) {
		if withOpts, ok := args.(river.JobArgsWithInsertOpts); !ok || !hasUniqueOpts(withOpts.InsertOpts()) {
			o.UniqueOpts = river.UniqueOpts{ByPeriod: interval}
		}
	}
	return river.NewPeriodicJob(
		river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) {
			o := o // each insert gets its own copy; River may mutate options
			return args, &o
		},
		&river.PeriodicJobOpts{RunOnStart: runOnStart},
	)
}

func hasUniqueOpts(o river.InsertOpts) bool {
	u := o.UniqueOpts
	return u.ByArgs || u.ByPeriod != 0 || u.ByQueue || len(u.ByState) > 0
}
