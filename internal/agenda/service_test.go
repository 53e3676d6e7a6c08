package agenda_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/agenda"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

func ptr[T any](v T) *T { return &v }

func TestAgendaRules(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		require.NoError(t, jobs.Migrate(ctx, db))
		q, err := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Config{InsertOnly: true})
		require.NoError(t, err)
		ids := identity.NewService(db, false)
		orgA, err := ids.CreateOrg(ctx, "A")
		require.NoError(t, err)
		orgB, err := ids.CreateOrg(ctx, "B")
		require.NoError(t, err)
		user := func(org identity.Org, email string) caller.Caller {
			u, err := ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: email, Name: email})
			require.NoError(t, err)
			return caller.Caller{Credential: caller.UserToken, OrgID: org.ID, UserID: u.ID}
		}
		ann, viewer, bob := user(orgA, "ann@a.test"), user(orgA, "vi@a.test"), user(orgB, "bob@b.test")
		meetings := meeting.NewService(db, q, nil, nil)
		m, err := meetings.Plan(ctx, ann, meeting.Draft{Title: "Plan"})
		require.NoError(t, err)
		svc := agenda.NewService(db, q, nil, meetings)

		open, err := svc.Create(ctx, ann, m.UUID, agenda.Fields{Type: ptr("DISCUSSION"), Title: ptr("Open"), TalkingPoints: ptr("mine")})
		require.NoError(t, err)
		hidden, err := svc.Create(ctx, ann, m.UUID, agenda.Fields{Type: ptr("DECISION"), Title: ptr("Leads"), RestrictedToLeads: ptr(true)})
		require.NoError(t, err)
		require.Equal(t, 2, hidden.Sequence)
		_, err = svc.Create(ctx, ann, m.UUID, agenda.Fields{Type: ptr("DISCUSSION"), Title: ptr("t"), TimeAllocationMinutes: ptr(math.NaN())})
		require.ErrorIs(t, err, fault.ErrInvalid)

		items, err := svc.List(ctx, viewer, m.UUID)
		require.NoError(t, err)
		require.Len(t, items, 1)
		require.False(t, items[0].HasTalkingPoints)
		_, err = svc.Update(ctx, viewer, m.UUID, open.UUID, agenda.Fields{Title: ptr("x")})
		require.ErrorIs(t, err, fault.ErrForbidden)
		items, err = svc.List(ctx, ann, m.UUID)
		require.NoError(t, err)
		require.Len(t, items, 2)
		require.Equal(t, "mine", items[0].TalkingPoints)

		// Tenancy.
		_, err = svc.List(ctx, bob, m.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = svc.Create(ctx, bob, m.UUID, agenda.Fields{Type: ptr("DISCUSSION"), Title: ptr("t")})
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = svc.Update(ctx, bob, m.UUID, open.UUID, agenda.Fields{Title: ptr("t")})
		require.ErrorIs(t, err, fault.ErrNotFound)
		require.ErrorIs(t, svc.Delete(ctx, bob, m.UUID, open.UUID), fault.ErrNotFound)

		require.NoError(t, svc.Delete(ctx, ann, m.UUID, hidden.UUID))
		require.ErrorIs(t, svc.Delete(ctx, ann, m.UUID, hidden.UUID), fault.ErrNotFound)
	})
}
