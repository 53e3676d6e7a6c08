package calendar

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/netguard"
	"github.com/quorumhq/quorum/internal/page"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

func newTestService(t *testing.T, db *store.DB) (*Service, *meeting.Service, caller.Caller, caller.Caller, caller.Caller) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	q, err := jobs.New(db, logger, jobs.Config{InsertOnly: true})
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
	meetings := meeting.NewService(db, q, nil, nil)
	svc := NewService(Config{DB: db, Queue: q, Meetings: meetings, Guard: netguard.Guard{AllowPrivate: true}, Logger: logger})
	return svc, meetings, user(orgA, "ann@a.test"), user(orgA, "amy@a.test"), user(orgB, "bob@b.test")
}

func oneEvent(uid, title string, at time.Time) string {
	f := at.UTC().Format("20060102T150405Z")
	return string(ics(vevent("UID:"+uid, "DTSTART:"+f, "DURATION:PT1H", "SUMMARY:"+title)))
}

// TestCalendarTenancy: events and calendars belong to one user; a
// colleague in the same organization and another organization see and
// change none of them.
func TestCalendarTenancy(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, meetings, ann, amy, bob := newTestService(t, db)
		f, err := svc.AddFeed(ctx, ann, NewFeed{ICS: []byte(oneEvent("x", "Review", time.Now().Add(time.Hour)))})
		require.NoError(t, err)
		p, err := svc.List(ctx, ann, Range{}, page.Request{})
		require.NoError(t, err)
		require.Equal(t, 1, p.Total)
		ev := p.Items[0]
		m, err := meetings.Plan(ctx, ann, meeting.Draft{Title: "Mine"})
		require.NoError(t, err)

		for _, c := range []caller.Caller{amy, bob} {
			_, err := svc.Get(ctx, c, ev.UUID)
			require.ErrorIs(t, err, fault.ErrNotFound)
			_, _, err = svc.CreateMeeting(ctx, c, ev.UUID)
			require.ErrorIs(t, err, fault.ErrNotFound)
			_, err = svc.Refresh(ctx, c, f.UUID)
			require.ErrorIs(t, err, fault.ErrNotFound)
			require.ErrorIs(t, svc.DeleteFeed(ctx, c, f.UUID), fault.ErrNotFound)
			fs, err := svc.Feeds(ctx, c)
			require.NoError(t, err)
			require.Empty(t, fs)
			p, err := svc.List(ctx, c, Range{}, page.Request{})
			require.NoError(t, err)
			require.Zero(t, p.Total)
		}
		// Amy is a viewer of Ann's meeting; Bob does not see it at all.
		require.ErrorIs(t, svc.Link(ctx, amy, m.UUID, ev.UUID), fault.ErrForbidden)
		require.ErrorIs(t, svc.Link(ctx, bob, m.UUID, ev.UUID), fault.ErrNotFound)
		require.ErrorIs(t, svc.Unlink(ctx, bob, m.UUID), fault.ErrNotFound)
		app := caller.Caller{Credential: caller.AppToken, OrgID: ann.OrgID, AppID: 1}
		_, err = svc.List(ctx, app, Range{}, page.Request{})
		require.ErrorIs(t, err, fault.ErrForbidden)

		require.NoError(t, svc.Link(ctx, ann, m.UUID, ev.UUID))
		require.NoError(t, svc.Unlink(ctx, ann, m.UUID))
	})
}

// TestRefreshDue: the periodic refresh reads every feed not read within
// RefreshEvery, applies what changed, and records a failing feed's error
// without stopping the others.
func TestRefreshDue(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _, ann, _, bob := newTestService(t, db)
		start := time.Now().UTC().Truncate(time.Microsecond)
		clock := start
		svc.now = func() time.Time { return clock }
		var title atomic.Value
		title.Store("Standup")
		good := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			fmt.Fprint(rw, oneEvent("s", title.Load().(string), start.Add(24*time.Hour)))
		}))
		t.Cleanup(good.Close)
		bad := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			http.Error(rw, "gone", http.StatusGone)
		}))
		t.Cleanup(bad.Close)

		fa, err := svc.AddFeed(ctx, ann, NewFeed{URL: good.URL})
		require.NoError(t, err)
		require.Equal(t, 1, fa.EventCount)
		fb, err := svc.AddFeed(ctx, bob, NewFeed{URL: bad.URL})
		require.NoError(t, err)
		require.Contains(t, fb.LastError, "410")

		n, err := svc.RefreshDue(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		clock = clock.Add(RefreshEvery + time.Minute)
		title.Store("Daily standup")
		n, err = svc.RefreshDue(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		p, err := svc.List(ctx, ann, Range{}, page.Request{})
		require.NoError(t, err)
		require.Equal(t, "Daily standup", p.Items[0].Title)
		fs, err := svc.Feeds(ctx, bob)
		require.NoError(t, err)
		require.Contains(t, fs[0].LastError, "410")
		require.True(t, fs[0].LastSyncedAt.Equal(clock))
	})
}
