package meeting_test

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
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// users is a meeting service with a user caller in each of two
// organizations and a second, plain member in the first.
type users struct {
	svc          *meeting.Service
	a, b, member caller.Caller
	orgA         identity.Org
}

func newUsers(t *testing.T, db *store.DB) users {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	q, err := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	ids := identity.NewService(db, false)
	user := func(org identity.Org, email string) caller.Caller {
		u, err := ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: email, Name: email})
		require.NoError(t, err)
		return caller.Caller{Credential: caller.UserToken, OrgID: org.ID, UserID: u.ID, AppID: 0}
	}
	orgA, err := ids.CreateOrg(ctx, "A")
	require.NoError(t, err)
	orgB, err := ids.CreateOrg(ctx, "B")
	require.NoError(t, err)
	return users{svc: meeting.NewService(db, q, nil, nil), a: user(orgA, "ann@a.test"), member: user(orgA, "max@a.test"),
		b: user(orgB, "bob@b.test"), orgA: orgA}
}

func TestPlanAndUpdate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUsers(t, db)
		m, err := u.svc.Plan(ctx, u.a, meeting.Draft{Title: "Kickoff", StartTime: "2026-05-01T10:00:00Z", EndTime: "2026-05-01T11:00:00Z",
			Participants: []meeting.Invitee{{Email: " Guest@X.test ", Role: meeting.RoleEditor}}})
		require.NoError(t, err)
		require.Equal(t, meeting.StatusScheduled, m.Status)
		require.Equal(t, u.orgA.UUID, m.OrgUUID)
		require.NotEmpty(t, m.CreatorUUID)

		acc, err := u.svc.Access(ctx, u.a, m.UUID)
		require.NoError(t, err)
		require.Equal(t, meeting.RoleEditor, acc.Role)
		acc, err = u.svc.Access(ctx, u.member, m.UUID)
		require.NoError(t, err)
		require.Equal(t, meeting.RoleViewer, acc.Role, "a plain member who is no participant views")
		_, err = u.svc.Update(ctx, u.member, m.UUID, meeting.Patch{Title: ptr("x")})
		require.ErrorIs(t, err, fault.ErrForbidden)

		done, err := u.svc.Update(ctx, u.a, m.UUID, meeting.Patch{Status: ptr("completed")})
		require.NoError(t, err)
		require.Equal(t, meeting.StatusCompleted, done.Status)
		require.False(t, done.CompletedAt.IsZero())
		later, err := u.svc.Update(ctx, u.a, m.UUID, meeting.Patch{Title: ptr("Kickoff, again")})
		require.NoError(t, err)
		require.True(t, later.CompletedAt.Equal(done.CompletedAt), "completing happens once")

		p, err := u.svc.ListPlanned(ctx, u.a, meeting.Range{StartDate: "2026-05-01", EndDate: "2026-05-01T23:00:00Z"}, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		_, err = u.svc.ListPlanned(ctx, u.a, meeting.Range{StartDate: "May"}, page.Request{})
		requireCode(t, err, fault.KindInvalid, "invalid_start_date")

		_, err = u.svc.Plan(ctx, caller.Caller{Credential: caller.AppToken, OrgID: u.a.OrgID, AppID: 1}, meeting.Draft{Title: "t"})
		require.ErrorIs(t, err, fault.ErrForbidden, "an app token plans nothing")
		_, err = u.svc.Plan(ctx, u.a, meeting.Draft{Title: "t", TemplateID: "x"})
		require.ErrorIs(t, err, fault.ErrNotFound, "no template service: every template is unknown")
	})
}

// TestPlannedTenantIsolation: every caller-taking method added for the
// Partner API answers another organization's meeting as not found.
func TestPlannedTenantIsolation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUsers(t, db)
		m, err := u.svc.Plan(ctx, u.a, meeting.Draft{Title: "Ours"})
		require.NoError(t, err)
		other, err := u.svc.Plan(ctx, u.a, meeting.Draft{Title: "Also ours"})
		require.NoError(t, err)

		_, err = u.svc.Access(ctx, u.b, m.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = u.svc.Update(ctx, u.b, m.UUID, meeting.Patch{Title: ptr("theirs")})
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, _, err = u.svc.Lookup(ctx, u.b, m.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = u.svc.ExportSRT(ctx, u.b, m.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = u.svc.Merge(ctx, caller.ForSystem(u.b.OrgID), m.UUID, other.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = u.svc.Copy(ctx, caller.ForSystem(u.b.OrgID), m.UUID, u.b.OrgID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		p, err := u.svc.ListPlanned(ctx, u.b, meeting.Range{}, page.Request{})
		require.NoError(t, err)
		require.Zero(t, p.Total)

		got, redirect, err := u.svc.Lookup(ctx, u.a, m.UUID)
		require.NoError(t, err)
		require.Empty(t, redirect)
		require.Equal(t, "Ours", got.Title)
	})
}

func TestMergeAndCopy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u := newUsers(t, db)
		a, err := u.svc.Plan(ctx, u.a, meeting.Draft{Title: "A"})
		require.NoError(t, err)
		b, err := u.svc.Plan(ctx, u.a, meeting.Draft{Title: "B"})
		require.NoError(t, err)
		c, err := u.svc.Plan(ctx, u.a, meeting.Draft{Title: "C"})
		require.NoError(t, err)
		sys := caller.ForSystem(u.a.OrgID)
		_, err = u.svc.Merge(ctx, sys, a.UUID, b.UUID)
		require.NoError(t, err)
		_, err = u.svc.Merge(ctx, sys, b.UUID, c.UUID)
		require.NoError(t, err)
		_, redirect, err := u.svc.Lookup(ctx, u.a, a.UUID)
		require.NoError(t, err)
		require.Equal(t, c.UUID, redirect, "earlier merges follow: a redirect is one hop")
		_, err = u.svc.Merge(ctx, sys, c.UUID, c.UUID)
		require.ErrorIs(t, err, fault.ErrInvalid)

		cp, err := u.svc.Copy(ctx, sys, c.UUID, u.b.OrgID)
		require.NoError(t, err)
		require.Equal(t, c.UUID, cp.CopiedFrom)
		_, redirect, err = u.svc.Lookup(ctx, u.b, c.UUID)
		require.NoError(t, err)
		require.Equal(t, cp.UUID, redirect)
		acc, err := u.svc.Access(ctx, u.b, cp.UUID)
		require.NoError(t, err)
		require.Equal(t, meeting.RoleViewer, acc.Role, "the original's creator is no member of the copy's workspace")
	})
}

func ptr[T any](v T) *T { return &v }
