package actionitem_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

func setup(t *testing.T, db *store.DB) (*actionitem.Service, caller.Caller, caller.Caller, meeting.Meeting) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	q, err := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	ids := identity.NewService(db, false)
	orgA, err := ids.CreateOrg(ctx, "A")
	require.NoError(t, err)
	orgB, err := ids.CreateOrg(ctx, "B")
	require.NoError(t, err)
	a := caller.Caller{Credential: caller.CloudToken, OrgID: orgA.ID, UserRef: "ann@a.test"}
	b := caller.Caller{Credential: caller.CloudToken, OrgID: orgB.ID, UserRef: "bob@b.test"}
	meetings := meeting.NewService(db, q, nil, nil)
	m, err := meetings.Create(ctx, a, meeting.New{Title: "Planning"})
	require.NoError(t, err)
	return actionitem.NewService(db, q, nil, meetings), a, b, m
}

func TestCreateAndList(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, a, _, m := setup(t, db)
		for i := range 5 {
			it, err := svc.Create(ctx, a, m.UUID, actionitem.New{Title: fmt.Sprintf("task %d", i), Owner: "Raj", DueDate: "2026-12-01"})
			require.NoError(t, err)
			require.Equal(t, m.ID, it.MeetingID)
			require.Equal(t, actionitem.StatusPending, it.Status)
			require.Equal(t, "user", it.Source)
		}
		var titles []string
		r := page.Request{Limit: 2}
		for {
			p, err := svc.ListByMeeting(ctx, a, m.UUID, r)
			require.NoError(t, err)
			for _, it := range p.Items {
				titles = append(titles, it.Title)
			}
			if p.Next == "" {
				break
			}
			r.After = p.Next
		}
		require.Equal(t, []string{"task 0", "task 1", "task 2", "task 3", "task 4"}, titles)

		for _, n := range []actionitem.New{{Title: ""}, {Title: "x", DueDate: "tomorrow"}} {
			_, err := svc.Create(ctx, a, m.UUID, n)
			require.ErrorIs(t, err, fault.ErrInvalid)
		}
		_, err := svc.ListByMeeting(ctx, a, m.UUID, page.Request{Limit: actionitem.MaxPage + 1})
		require.ErrorIs(t, err, fault.ErrInvalid)
	})
}

// TestTenantIsolation: another organization can neither add items to the
// meeting nor list them; both see the meeting as not found.
func TestTenantIsolation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, a, b, m := setup(t, db)
		_, err := svc.Create(ctx, a, m.UUID, actionitem.New{Title: "ours"})
		require.NoError(t, err)
		_, err = svc.Create(ctx, b, m.UUID, actionitem.New{Title: "theirs"})
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = svc.ListByMeeting(ctx, b, m.UUID, page.Request{})
		require.ErrorIs(t, err, fault.ErrNotFound)
		p, err := svc.ListByMeeting(ctx, a, m.UUID, page.Request{})
		require.NoError(t, err)
		require.Len(t, p.Items, 1)
	})
}
