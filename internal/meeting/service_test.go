package meeting_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
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
	"github.com/quorumhq/quorum/internal/transcript"
)

// tenants is a meeting service with two organizations' callers.
type tenants struct {
	svc  *meeting.Service
	a, b caller.Caller
}

func newTenants(t *testing.T, db *store.DB) tenants {
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
	return tenants{svc: meeting.NewService(db, q, nil, nil),
		a: caller.Caller{Credential: caller.CloudToken, OrgID: orgA.ID, UserRef: "ann@a.test"},
		b: caller.Caller{Credential: caller.CloudToken, OrgID: orgB.ID, UserRef: "bob@b.test"}}
}

func segs(texts ...string) []transcript.Segment {
	out := make([]transcript.Segment, len(texts))
	for i, t := range texts {
		out[i] = transcript.Segment{Speaker: "Ann", Text: t, Start: float64(i), End: float64(i) + 1}
	}
	return out
}

func TestCreateGetReplace(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tt := newTenants(t, db)
		m, err := tt.svc.Create(ctx, tt.a, meeting.New{Title: "  Launch  ", Segments: segs("one", "two")})
		require.NoError(t, err)
		require.Equal(t, "Launch", m.Title)
		require.Equal(t, "ann@a.test", m.CreatedBy, "the caller, not the input, says who created it")
		require.Equal(t, 2, m.SegmentCount)
		require.EqualValues(t, 1, m.TranscriptVersion)

		got, err := tt.svc.Get(ctx, tt.a, m.UUID)
		require.NoError(t, err)
		require.Equal(t, m.ID, got.ID)
		require.Equal(t, 2, got.SegmentCount)

		r, err := tt.svc.ReplaceTranscript(ctx, tt.a, m.UUID, segs("x", "y", "z"))
		require.NoError(t, err)
		require.EqualValues(t, 2, r.TranscriptVersion)
		require.Equal(t, 3, r.SegmentCount)
		stored, err := tt.svc.Segments(ctx, r)
		require.NoError(t, err)
		require.Len(t, stored, 3)
		require.Equal(t, "z", stored[2].Text)

		_, err = tt.svc.Create(ctx, tt.a, meeting.New{Title: " "})
		requireCode(t, err, fault.KindInvalid, "validation_error")
		_, err = tt.svc.ReplaceTranscript(ctx, tt.a, m.UUID, nil)
		requireCode(t, err, fault.KindInvalid, "empty_transcript")
	})
}

// TestTenantIsolation: every method that takes a caller answers another
// organization's meeting as not found, and lists only the caller's own.
func TestTenantIsolation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tt := newTenants(t, db)
		m, err := tt.svc.Create(ctx, tt.a, meeting.New{Title: "Secret", RoomName: "war-room", Segments: segs("plans")})
		require.NoError(t, err)

		_, err = tt.svc.Get(ctx, tt.b, m.UUID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = tt.svc.GetByID(ctx, tt.b, m.ID)
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = tt.svc.Resolve(ctx, tt.b, []string{m.UUID})
		require.ErrorIs(t, err, fault.ErrNotFound)
		_, err = tt.svc.ReplaceTranscript(ctx, tt.b, m.UUID, segs("overwritten"))
		require.ErrorIs(t, err, fault.ErrNotFound)
		rooms, err := tt.svc.InRoom(ctx, tt.b, "war-room")
		require.NoError(t, err)
		require.Empty(t, rooms)
		p, err := tt.svc.List(ctx, tt.b, page.Request{})
		require.NoError(t, err)
		require.Empty(t, p.Items)

		ids, err := tt.svc.Resolve(ctx, tt.a, []string{m.UUID})
		require.NoError(t, err)
		require.Equal(t, m.ID, ids[m.UUID])
		rooms, err = tt.svc.InRoom(ctx, tt.a, "war-room")
		require.NoError(t, err)
		require.Equal(t, []string{m.UUID}, rooms)
	})
}

func TestListPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tt := newTenants(t, db)
		const n = 7
		for i := range n {
			_, err := tt.svc.Create(ctx, tt.a, meeting.New{Title: fmt.Sprintf("m%d", i)})
			require.NoError(t, err)
		}
		var titles []string
		r := page.Request{Limit: 3}
		for pages := 0; ; pages++ {
			require.Less(t, pages, n, "paging must end")
			p, err := tt.svc.List(ctx, tt.a, r)
			require.NoError(t, err)
			for _, m := range p.Items {
				titles = append(titles, m.Title)
			}
			if p.Next == "" {
				break
			}
			r.After = p.Next
		}
		require.Equal(t, []string{"m6", "m5", "m4", "m3", "m2", "m1", "m0"}, titles, "newest first, each once")

		_, err := tt.svc.List(ctx, tt.a, page.Request{Limit: page.MaxLimit + 1})
		requireCode(t, err, fault.KindInvalid, "validation_error")
		_, err = tt.svc.List(ctx, tt.a, page.Request{After: "not-a-cursor"})
		requireCode(t, err, fault.KindInvalid, "invalid_cursor")
	})
}

// TestConcurrentReplace: parallel uploads to one meeting serialize on it
// instead of colliding on segment positions (a 500 on PostgreSQL before).
func TestConcurrentReplace(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tt := newTenants(t, db)
		m, err := tt.svc.Create(ctx, tt.a, meeting.New{Title: "Busy", Segments: segs("start")})
		require.NoError(t, err)
		const writers = 10
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := tt.svc.ReplaceTranscript(ctx, tt.a, m.UUID, segs(fmt.Sprintf("take %d a", i), fmt.Sprintf("take %d b", i)))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		got, err := tt.svc.Get(ctx, tt.a, m.UUID)
		require.NoError(t, err)
		require.EqualValues(t, 1+writers, got.TranscriptVersion)
		stored, err := tt.svc.Segments(ctx, got)
		require.NoError(t, err)
		require.Len(t, stored, 2)
		require.Equal(t, 2, got.SegmentCount)
	})
}

func requireCode(t *testing.T, err error, kind fault.Kind, code string) {
	t.Helper()
	var fe *fault.Error
	require.True(t, errors.As(err, &fe), "want a fault error, got %v", err)
	require.Equal(t, kind, fe.Kind)
	require.Equal(t, code, fe.Code)
}
