package actionitem_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

func TestUpdateKeepsStatusConsistent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, a, _, m := setup(t, db)
		a.AppID = 7 // no such app row is needed until a context is stored
		it, err := svc.Create(ctx, a, m.UUID, actionitem.New{Title: "Ship", DueDate: "2026-01-31T23:30:00-05:00"})
		require.NoError(t, err)
		require.Equal(t, "2026-01-31", it.DueDate)
		require.Equal(t, actionitem.StatusNeedsReview, actionitem.PartnerStatus(it.Status))

		done, err := svc.Update(ctx, a, it.UUID, actionitem.Patch{IsCompleted: ptr(true)})
		require.NoError(t, err)
		require.Equal(t, actionitem.StatusCompleted, done.Status)
		require.False(t, done.CompletedAt.IsZero())
		again, err := svc.Update(ctx, a, it.UUID, actionitem.Patch{Title: ptr("Ship it")})
		require.NoError(t, err)
		require.True(t, again.CompletedAt.Equal(done.CompletedAt))
		open, err := svc.Update(ctx, a, it.UUID, actionitem.Patch{Status: ptr(actionitem.StatusBlocked)})
		require.NoError(t, err)
		require.False(t, open.IsCompleted())
		require.True(t, open.CompletedAt.IsZero())
		_, err = svc.Update(ctx, a, it.UUID, actionitem.Patch{Status: ptr(actionitem.StatusCompleted), IsCompleted: ptr(false)})
		require.ErrorIs(t, err, fault.ErrInvalid)
		_, err = svc.Update(ctx, a, it.UUID, actionitem.Patch{PartnerContext: json.RawMessage(`[1,2]`)})
		require.ErrorIs(t, err, fault.ErrInvalid)

		f := true
		p, err := svc.List(ctx, a, actionitem.Filter{IsCompleted: &f}, page.Request{})
		require.NoError(t, err)
		require.Zero(t, p.Total)
	})
}

// TestPartnerTenantIsolation: every caller-taking method answers another
// organization's item as not found and lists none of it.
func TestPartnerTenantIsolation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, a, b, m := setup(t, db)
		it, err := svc.Create(ctx, a, m.UUID, actionitem.New{Title: "ours"})
		require.NoError(t, err)
		_, err = svc.Get(ctx, b, it.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = svc.Update(ctx, b, it.UUID, actionitem.Patch{Title: ptr("theirs")})
		require.ErrorIs(t, err, fault.ErrNotFound)
		require.ErrorIs(t, svc.Delete(ctx, b, it.UUID), fault.ErrNotFound)
		p, err := svc.List(ctx, b, actionitem.Filter{}, page.Request{})
		require.NoError(t, err)
		require.Zero(t, p.Total)
		p, err = svc.List(ctx, b, actionitem.Filter{MeetingID: m.UUID}, page.Request{})
		require.NoError(t, err)
		require.Zero(t, p.Total)

		require.NoError(t, svc.Delete(ctx, a, it.UUID))
		_, err = svc.Get(ctx, a, it.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
	})
}

func ptr[T any](v T) *T { return &v }
