package oauth

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
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

// loginEnv is a user and an app on a Service whose clock the test moves.
type loginEnv struct {
	s   *Service
	app identity.App
	now time.Time
}

const loginEmail, loginPassword = "ann@example.com", "correct horse battery"

func newLoginEnv(t *testing.T, db *store.DB) *loginEnv {
	t.Helper()
	ctx := context.Background()
	ids := identity.NewService(db, false)
	org, err := ids.CreateOrg(ctx, "Org")
	require.NoError(t, err)
	for _, email := range []string{loginEmail, "bob@example.com"} {
		_, err = ids.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: email, Name: "User", Password: loginPassword})
		require.NoError(t, err)
	}
	app, _, err := ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "App", RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
	require.NoError(t, err)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &loginEnv{app: app, now: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
	e.s = NewService(db, ids, mail.LogSender{Logger: logger}, logger)
	e.s.now = func() time.Time { return e.now }
	return e
}

func rateLimited(err error) bool {
	fe, ok := fault.As(err)
	return ok && fe.Kind == fault.KindRateLimited && fe.Code == "rate_limited" && fe.RetryAfter > 0
}

// TestLoginParallelGuesses: 50 wrong passwords at once, with the clock
// standing still. Six are checked (five free, the sixth sets the lock),
// the rest are refused unchecked, and so is the right password after
// them; the lock holds the account from every address and the address for
// every account, and nobody else.
func TestLoginParallelGuesses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newLoginEnv(t, db)
		const racers = 50
		var wg sync.WaitGroup
		var refused atomic.Int32
		start := make(chan struct{})
		for i := 0; i < racers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := e.s.Login(ctx, e.app, loginEmail, "wrong password", "192.0.2.1"); rateLimited(err) {
					refused.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		require.Equal(t, int32(racers-loginFree-1), refused.Load())

		_, err := e.s.Login(ctx, e.app, loginEmail, loginPassword, "192.0.2.1")
		require.True(t, rateLimited(err), "%v", err)
		_, err = e.s.Login(ctx, e.app, loginEmail, loginPassword, "198.51.100.9")
		require.True(t, rateLimited(err), "%v", err)
		_, err = e.s.Login(ctx, e.app, "bob@example.com", loginPassword, "192.0.2.1")
		require.True(t, rateLimited(err), "%v", err)
		_, err = e.s.Login(ctx, e.app, "bob@example.com", loginPassword, "198.51.100.9")
		require.NoError(t, err)
	})
}

// TestLoginThrottle walks the lock schedule on a fake clock.
func TestLoginThrottle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newLoginEnv(t, db)
		s, app := e.s, e.app
		const email, password = loginEmail, loginPassword
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
		e.now = e.now.Add(time.Second)
		fail(fault.KindRateLimited, time.Second)
		e.now = e.now.Add(time.Second)
		fail(fault.KindUnauthorized, 0) // the 7th locks for 4 s
		fail(fault.KindRateLimited, 4*time.Second)
		_, err := s.Login(ctx, app, email, password, addr)
		fe, _ := fault.As(err)
		require.Equal(t, fault.KindRateLimited, fe.Kind, "the right password waits too")

		// A success clears the account's counter.
		e.now = e.now.Add(4 * time.Second)
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
		e.now = e.now.Add(loginWindow + 8*time.Second)
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
