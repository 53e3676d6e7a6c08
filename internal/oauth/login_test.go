package oauth

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/mail"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

func TestLoginBackoff(t *testing.T) {
	require.Equal(t, 2*time.Second, loginBackoff(6))
	require.Equal(t, 4*time.Second, loginBackoff(7))
	require.Equal(t, 512*time.Second, loginBackoff(14))
	require.Equal(t, loginMaxLock, loginBackoff(15))
	require.Equal(t, loginMaxLock, loginBackoff(1000))

	require.Equal(t, "2001:db8:1:2::/64", addressKey("2001:db8:1:2:aaaa::1"))
	require.Equal(t, addressKey("2001:db8:1:2::1"), addressKey("2001:db8:1:2:ffff::9"))
	require.Equal(t, "192.0.2.1", addressKey("192.0.2.1"))
}

// TestLoginThrottle walks the lock schedule on a fake clock.
func TestLoginThrottle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := identity.NewService(db, false)
		org, err := ids.CreateOrg(ctx, "Org")
		require.NoError(t, err)
		const email, password = "ann@example.com", "correct horse battery"
		_, err = ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: email, Name: "Ann", Password: password})
		require.NoError(t, err)
		app, _, err := ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "App", RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
		require.NoError(t, err)
		s := NewService(db, ids, mail.LogSender{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return now }
		const addr = "192.0.2.1"

		fail := func(wantKind fault.Kind, wantRetry time.Duration) {
			t.Helper()
			_, err := s.Login(ctx, app, email, "wrong password", addr)
			fe, ok := fault.As(err)
			require.True(t, ok, "%v", err)
			require.Equal(t, wantKind, fe.Kind, "%v", err)
			require.Equal(t, wantRetry, fe.RetryAfter)
		}
		for i := 0; i < loginFree; i++ {
			fail(fault.KindUnauthorized, 0)
		}
		fail(fault.KindUnauthorized, 0) // the 6th is checked, then locks for 2 s
		fail(fault.KindRateLimited, 2*time.Second)
		now = now.Add(time.Second)
		fail(fault.KindRateLimited, time.Second)
		now = now.Add(time.Second)
		fail(fault.KindUnauthorized, 0) // the 7th locks for 4 s
		fail(fault.KindRateLimited, 4*time.Second)
		_, err = s.Login(ctx, app, email, password, addr)
		fe, _ := fault.As(err)
		require.Equal(t, fault.KindRateLimited, fe.Kind, "the right password waits too")

		// A success clears the account's counter.
		now = now.Add(4 * time.Second)
		_, err = s.Login(ctx, app, email, password, "198.51.100.7")
		require.NoError(t, err)
		for i := 0; i < loginFree; i++ {
			_, err = s.Login(ctx, app, email, "wrong password", "198.51.100.7")
			require.ErrorIs(t, err, fault.ErrUnauthorized)
		}

		// The address that failed seven times is still counted: its next
		// failure locks it for 2^(8-5) s, whatever the account.
		fail(fault.KindUnauthorized, 0)
		_, err = s.Login(ctx, app, "someone@example.com", "whatever", addr)
		fe, _ = fault.As(err)
		require.Equal(t, fault.KindRateLimited, fe.Kind)
		require.Equal(t, 8*time.Second, fe.RetryAfter)

		// After a quiet window every counter starts again.
		now = now.Add(loginWindow + 8*time.Second)
		n, err := s.PurgeRateLimits(ctx)
		require.NoError(t, err)
		require.Positive(t, n)
		for i := 0; i < loginFree; i++ {
			fail(fault.KindUnauthorized, 0)
		}
		_, err = s.Login(ctx, app, email, password, addr)
		require.NoError(t, err)
	})
}
