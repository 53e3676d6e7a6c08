package eval

import (
	"context"
	"os"
	"testing"

	"github.com/quorumhq/quorum/internal/search"
)

// TestQMSum runs the full QMSum evaluation when QUORUM_EVAL_QMSUM names a
// split ("val"); the data directory defaults to /work/shared/data/qmsum and
// can be set with QUORUM_QMSUM_DIR.
func TestQMSum(t *testing.T) {
	split := os.Getenv("QUORUM_EVAL_QMSUM")
	if split == "" {
		t.Skip("set QUORUM_EVAL_QMSUM=val to run the QMSum evaluation")
	}
	dir := os.Getenv("QUORUM_QMSUM_DIR")
	if dir == "" {
		dir = "/work/shared/data/qmsum"
	}
	if _, err := RunQMSum(context.Background(), split, dir, os.Stdout, NewDirect(search.DefaultParams())); err != nil {
		t.Fatal(err)
	}
}
