package participant_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/participant"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

func setup(t *testing.T, db *store.DB) (*participant.Service, caller.Caller, caller.Caller, meeting.Meeting) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	q, err := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	ids := identity.NewService(db, false)
	user := func(org, email string) caller.Caller {
		o, err := ids.CreateOrg(ctx, org)
		require.NoError(t, err)
		u, err := ids.CreateUser(ctx, identity.NewUser{OrgID: o.ID, Email: email, Name: email})
		require.NoError(t, err)
		return caller.Caller{Credential: caller.UserToken, OrgID: o.ID, UserID: u.ID}
	}
	a, b := user("A", "ann@a.test"), user("B", "bob@b.test")
	meetings := meeting.NewService(db, q, nil, nil)
	m, err := meetings.Plan(ctx, a, meeting.Draft{Title: "Plan"})
	require.NoError(t, err)
	return participant.NewService(db, q, nil, meetings), a, b, m
}

func TestAddListRemove(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, a, b, m := setup(t, db)
		p, err := svc.Add(ctx, a, m.UUID, participant.New{Email: "Gus@X.test", Name: " Gus ", Role: "VIEWER"})
		require.NoError(t, err)
		require.Equal(t, "gus@x.test", p.Email)
		require.Equal(t, "Gus", p.Name)
		require.Zero(t, p.UserID, "a guest")
		_, err = svc.Add(ctx, a, m.UUID, participant.New{Email: "gus@x.test", Name: "Gus", Role: "EDITOR"})
		require.ErrorIs(t, err, fault.ErrConflict)
		// bob's email names no member of A: a guest, even though bob is a user.
		bobHere, err := svc.Add(ctx, a, m.UUID, participant.New{Email: "bob@b.test", Name: "Bob", Role: "EDITOR"})
		require.NoError(t, err)
		require.Zero(t, bobHere.UserID)
		ps, err := svc.List(ctx, a, m.UUID)
		require.NoError(t, err)
		require.Len(t, ps, 3)
		require.Equal(t, meeting.RoleEditor, ps[0].Role, "the creator comes first, as an editor")

		// Tenancy: B sees none of it, changes none of it.
		_, err = svc.List(ctx, b, m.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = svc.Add(ctx, b, m.UUID, participant.New{Email: "x@b.test", Name: "X", Role: "EDITOR"})
		require.ErrorIs(t, err, fault.ErrNotFound)
		require.ErrorIs(t, svc.Remove(ctx, b, m.UUID, p.UUID), fault.ErrNotFound)

		require.NoError(t, svc.Remove(ctx, a, m.UUID, p.UUID))
		require.ErrorIs(t, svc.Remove(ctx, a, m.UUID, p.UUID), fault.ErrNotFound)
	})
}
