package usage_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
	"github.com/quorumhq/quorum/internal/usage"
)

func TestUsage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := identity.NewService(db, false)
		a, err := ids.CreateOrg(ctx, "A")
		require.NoError(t, err)
		b, err := ids.CreateOrg(ctx, "B")
		require.NoError(t, err)
		svc := usage.NewService(db)

		require.NoError(t, svc.Record(ctx, nil, a.ID, usage.SpeechToText, 30))
		require.NoError(t, svc.Record(ctx, nil, a.ID, usage.SpeechToText, 12))
		require.NoError(t, svc.Record(ctx, nil, a.ID, usage.SpeechToText, 0))
		require.NoError(t, svc.Record(ctx, nil, b.ID, usage.AIChatInput, 7))
		require.ErrorContains(t, svc.Record(ctx, nil, a.ID, "teleportation", 1), "unknown capability")
		require.NoError(t, svc.SetQuota(ctx, a.ID, usage.SpeechToText, 100))
		require.NoError(t, svc.SetQuota(ctx, a.ID, usage.SpeechToText, 200))

		lines, err := svc.Report(ctx, []int64{a.ID}, time.Time{}, time.Time{})
		require.NoError(t, err)
		require.Len(t, lines, len(usage.Capabilities))
		for _, l := range lines {
			require.Equal(t, a.ID, l.OrgID, "only the asked organization")
			if l.Capability == usage.SpeechToText {
				require.EqualValues(t, 42, l.Usage)
				require.EqualValues(t, 200, *l.Quota)
			} else {
				require.Zero(t, l.Usage)
				require.Nil(t, l.Quota)
			}
		}
		// A period that ended before the work counts nothing.
		lines, err = svc.Report(ctx, []int64{a.ID, b.ID}, time.Time{}, time.Now().Add(-time.Hour))
		require.NoError(t, err)
		require.Len(t, lines, 2*len(usage.Capabilities))
		for _, l := range lines {
			require.Zero(t, l.Usage)
		}
		require.NoError(t, svc.SetQuota(ctx, a.ID, usage.SpeechToText, -1))
		lines, err = svc.Report(ctx, []int64{a.ID}, time.Time{}, time.Time{})
		require.NoError(t, err)
		require.Nil(t, lines[0].Quota)
	})
}
