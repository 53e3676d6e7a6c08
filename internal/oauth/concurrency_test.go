package oauth_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// Every single-use credential is consumed by one conditional write, so 50
// parallel consumers see exactly one success on PostgreSQL as on SQLite.
const racers = 50

func TestConcurrentCodeExchange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(db)
		tn := e.tenant(t, "ann@example.com")
		code := e.code(t, tn)
		ok := parallel(racers, func(int) error {
			_, err := e.svc.ExchangeCode(context.Background(), tn.app, code, redirectURI, "")
			return err
		})
		require.Equal(t, 1, ok, "successful exchanges of one authorization code")
	})
}

func TestConcurrentRefresh(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(db)
		tn := e.tenant(t, "bob@example.com")
		tok, err := e.svc.IssueForUser(context.Background(), tn.app, tn.user, "openid profile")
		require.NoError(t, err)
		ok := parallel(racers, func(int) error {
			_, err := e.svc.Refresh(context.Background(), tn.app, tok.RefreshToken)
			return err
		})
		require.Equal(t, 1, ok, "successful rotations of one refresh token")
	})
}

func TestConcurrentOTPWrongGuesses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(db)
		tn := e.tenant(t, "cat@example.com")
		ch, err := e.svc.InitiateOTP(ctx, tn.app, tn.user.Email, "")
		require.NoError(t, err)
		code := e.mail.lastCode(tn.user.Email)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		ok := parallel(racers, func(int) error {
			_, err := e.svc.VerifyOTP(ctx, tn.app, tn.user.Email, wrong, ch.Session)
			return err
		})
		require.Zero(t, ok)
		var attempts int
		require.NoError(t, db.R.QueryRowContext(ctx, db.Rebind(`SELECT attempts FROM auth_challenges WHERE session = ?`), ch.Session).Scan(&attempts))
		require.LessOrEqual(t, attempts, 5, "attempts recorded against a cap of 5")
		_, err = e.svc.VerifyOTP(ctx, tn.app, tn.user.Email, code, ch.Session)
		require.Error(t, err, "the right code after the cap")
	})
}

func TestConcurrentOTPVerify(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(db)
		tn := e.tenant(t, "dan@example.com")
		ch, err := e.svc.InitiateOTP(ctx, tn.app, tn.user.Email, "")
		require.NoError(t, err)
		code := e.mail.lastCode(tn.user.Email)
		ok := parallel(racers, func(int) error {
			_, err := e.svc.VerifyOTP(ctx, tn.app, tn.user.Email, code, ch.Session)
			return err
		})
		require.Equal(t, 1, ok, "successful verifications of one sign-in code")
	})
}
