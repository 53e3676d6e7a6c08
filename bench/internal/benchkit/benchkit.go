// Package benchkit holds what the benches under bench/ share: starting
// the built quorum binary and waiting until it is ready, the bare
// net/http ceiling they compare Quorum with, the load loop and its
// percentiles, throwaway PostgreSQL databases, and a few helpers for
// their reports. Each bench keeps its own scenario and output in its main
// package; what is here is only the machinery, written once so that the
// benches measure alike and a fix to it reaches them all.
package benchkit

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
)

// Clip returns b as text, cut after n bytes, so that an unexpected answer
// can go into an error message without flooding it.
func Clip(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

// LoadAverage returns the 1, 5 and 15 minute load averages of the
// machine, for a report's header: a number measured on a busy machine
// reads differently.
func LoadAverage() (string, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "", fmt.Errorf("read load average: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "", fmt.Errorf("read load average: %q has fewer than three fields", b)
	}
	return strings.Join(f[:3], " "), nil
}

// StartCPUProfile writes a CPU profile of this process to path until the
// returned function is called: a bench that runs Quorum in process can
// show where the time of a run went.
func StartCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("start CPU profile %s: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}

// Cleanups undoes what a run starts or creates, once, whichever way the
// run ends. The functions run in the reverse order of Add, so that what
// came later goes first: a server stops before its database is dropped.
type Cleanups struct{ fns []func() error }

// Add registers fn to run on Run.
func (c *Cleanups) Add(fn func() error) { c.fns = append(c.fns, fn) }

// Run calls the functions added, the last first, each even when another
// failed, forgets them, and returns their errors joined.
func (c *Cleanups) Run() error {
	var errs []error
	for i := len(c.fns) - 1; i >= 0; i-- {
		errs = append(errs, c.fns[i]())
	}
	c.fns = nil
	return errors.Join(errs...)
}
