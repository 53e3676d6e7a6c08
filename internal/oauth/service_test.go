package oauth_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/oauth"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// twoTenants runs fn on every backend with two unrelated tenants.
func twoTenants(t *testing.T, fn func(t *testing.T, e *env, a, b tenant)) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(db)
		fn(t, e, e.tenant(t, "ann@a.example"), e.tenant(t, "bob@b.example"))
	})
}

func requireCode(t *testing.T, err error, kind fault.Kind, code string) {
	t.Helper()
	fe, ok := fault.As(err)
	require.True(t, ok, "want a %s fault, got %v", code, err)
	require.Equal(t, kind, fe.Kind, "%v", err)
	require.Equal(t, code, fe.Code, "%v", err)
}

func (e *env) setStatus(t *testing.T, app identity.App, st identity.AppStatus) {
	t.Helper()
	_, err := e.ids.UpdateApp(context.Background(), app.ID, identity.AppPatch{Status: &st})
	require.NoError(t, err)
}

func TestAuthenticate(t *testing.T) {
	twoTenants(t, func(t *testing.T, e *env, a, b tenant) {
		ctx := context.Background()
		tok, err := e.svc.IssueForUser(ctx, a.app, a.user, "openid profile")
		require.NoError(t, err)
		c, err := e.svc.Authenticate(ctx, tok.AccessToken)
		require.NoError(t, err)
		require.Equal(t, caller.UserToken, c.Credential)
		require.Equal(t, a.org.ID, c.OrgID)
		require.Equal(t, a.app.ID, c.AppID)
		require.Equal(t, a.user.ID, c.UserID)
		require.Equal(t, a.user.Email, c.UserRef)
		require.Equal(t, []string{"openid", "profile"}, c.Scopes)
		require.NotZero(t, c.TokenID)

		cc, err := e.svc.ClientCredentials(ctx, b.app, "meetings:read")
		require.NoError(t, err)
		c, err = e.svc.Authenticate(ctx, cc.AccessToken)
		require.NoError(t, err)
		require.Equal(t, caller.AppToken, c.Credential)
		require.Equal(t, b.org.ID, c.OrgID)
		require.Equal(t, b.app.ID, c.AppID)
		require.Zero(t, c.UserID)
		require.Empty(t, c.UserRef)

		for _, bad := range []string{"", "nope", oauth.AccessPrefix + "unknown", tok.RefreshToken} {
			_, err := e.svc.Authenticate(ctx, bad)
			requireCode(t, err, fault.KindUnauthorized, "unauthorized")
		}

		// A suspended app's tokens stop on the next request and work again
		// once it is reactivated; the other app's tokens never notice.
		e.setStatus(t, a.app, identity.AppSuspended)
		_, err = e.svc.Authenticate(ctx, tok.AccessToken)
		requireCode(t, err, fault.KindUnauthorized, "unauthorized")
		_, err = e.svc.Authenticate(ctx, cc.AccessToken)
		require.NoError(t, err)
		e.setStatus(t, a.app, identity.AppActive)
		_, err = e.svc.Authenticate(ctx, tok.AccessToken)
		require.NoError(t, err)

		require.NoError(t, e.svc.Revoke(ctx, a.app, tok.AccessToken))
		_, err = e.svc.Authenticate(ctx, tok.AccessToken)
		requireCode(t, err, fault.KindUnauthorized, "unauthorized")
	})
}

func TestCodesBelongToTheirApp(t *testing.T) {
	twoTenants(t, func(t *testing.T, e *env, a, b tenant) {
		ctx := context.Background()
		code := e.code(t, a)
		_, err := e.svc.ExchangeCode(ctx, b.app, code, redirectURI, "")
		requireCode(t, err, fault.KindInvalid, "invalid_grant")
		// App B's attempt neither spent the code nor revoked anything.
		tok, err := e.svc.ExchangeCode(ctx, a.app, code, redirectURI, "")
		require.NoError(t, err)
		_, err = e.svc.Authenticate(ctx, tok.AccessToken)
		require.NoError(t, err)

		// A user can only approve an app linked to one of their workspaces.
		_, err = e.svc.Approve(ctx, b.app, a.user, oauth.AuthorizeRequest{ClientID: b.app.ClientID, RedirectURI: redirectURI, ResponseType: "code"}, []string{"openid"})
		requireCode(t, err, fault.KindForbidden, "workspace_not_authorized")
	})
}

func TestCodeExchange(t *testing.T) {
	twoTenants(t, func(t *testing.T, e *env, a, _ tenant) {
		ctx := context.Background()
		// A failed check leaves the code usable.
		code := e.code(t, a)
		_, err := e.svc.ExchangeCode(ctx, a.app, code, "http://127.0.0.1:9/other", "")
		requireCode(t, err, fault.KindInvalid, "invalid_grant")
		tok, err := e.svc.ExchangeCode(ctx, a.app, code, redirectURI, "")
		require.NoError(t, err)

		// A second use revokes everything the code issued.
		_, err = e.svc.ExchangeCode(ctx, a.app, code, redirectURI, "")
		requireCode(t, err, fault.KindInvalid, "invalid_grant")
		_, err = e.svc.Authenticate(ctx, tok.AccessToken)
		requireCode(t, err, fault.KindUnauthorized, "unauthorized")
		_, err = e.svc.Refresh(ctx, a.app, tok.RefreshToken)
		requireCode(t, err, fault.KindInvalid, "invalid_grant")

		_, err = e.svc.ExchangeCode(ctx, a.app, "cto_ac_v1_unknown", redirectURI, "")
		requireCode(t, err, fault.KindInvalid, "invalid_grant")
		_, err = e.svc.ExchangeCode(ctx, a.app, "", redirectURI, "")
		requireCode(t, err, fault.KindInvalid, "invalid_request")
	})
}

func TestRefresh(t *testing.T) {
	twoTenants(t, func(t *testing.T, e *env, a, b tenant) {
		ctx := context.Background()
		tok, err := e.svc.IssueForUser(ctx, a.app, a.user, "openid")
		require.NoError(t, err)
		// Another app cannot rotate, introspect or revoke app A's tokens.
		_, err = e.svc.Refresh(ctx, b.app, tok.RefreshToken)
		requireCode(t, err, fault.KindInvalid, "invalid_grant")
		in, err := e.svc.Introspect(ctx, b.app, tok.AccessToken)
		require.NoError(t, err)
		require.False(t, in.Active)
		require.NoError(t, e.svc.Revoke(ctx, b.app, tok.AccessToken))
		require.NoError(t, e.svc.Revoke(ctx, b.app, tok.RefreshToken))
		in, err = e.svc.Introspect(ctx, a.app, tok.AccessToken)
		require.NoError(t, err)
		require.True(t, in.Active)
		require.Equal(t, a.user.UUID, in.Subject)
		require.Equal(t, a.user.Email, in.Username)

		next, err := e.svc.Refresh(ctx, a.app, tok.RefreshToken)
		require.NoError(t, err)
		_, err = e.svc.Authenticate(ctx, next.AccessToken)
		require.NoError(t, err)
		// Replaying the rotated token revokes the whole family.
		_, err = e.svc.Refresh(ctx, a.app, tok.RefreshToken)
		requireCode(t, err, fault.KindInvalid, "invalid_grant")
		_, err = e.svc.Authenticate(ctx, next.AccessToken)
		requireCode(t, err, fault.KindUnauthorized, "unauthorized")
		_, err = e.svc.Refresh(ctx, a.app, next.RefreshToken)
		requireCode(t, err, fault.KindInvalid, "invalid_grant")

		// Revoking a refresh token revokes its family.
		tok, err = e.svc.IssueForUser(ctx, a.app, a.user, "openid")
		require.NoError(t, err)
		require.NoError(t, e.svc.Revoke(ctx, a.app, tok.RefreshToken))
		_, err = e.svc.Authenticate(ctx, tok.AccessToken)
		requireCode(t, err, fault.KindUnauthorized, "unauthorized")
	})
}

func TestVerifyOTP(t *testing.T) {
	twoTenants(t, func(t *testing.T, e *env, a, b tenant) {
		ctx := context.Background()
		ch, err := e.svc.InitiateOTP(ctx, a.app, a.user.Email, "")
		require.NoError(t, err)
		code := e.mail.lastCode(a.user.Email)
		require.NotEmpty(t, code)

		// Neither another app nor another email can use the session, and
		// their tries cost it nothing.
		for i := 0; i < 6; i++ {
			_, err = e.svc.VerifyOTP(ctx, b.app, a.user.Email, code, ch.Session)
			requireCode(t, err, fault.KindUnauthorized, "invalid_code")
			_, err = e.svc.VerifyOTP(ctx, a.app, b.user.Email, code, ch.Session)
			requireCode(t, err, fault.KindUnauthorized, "invalid_code")
		}
		tok, err := e.svc.VerifyOTP(ctx, a.app, a.user.Email, code, ch.Session)
		require.NoError(t, err)
		c, err := e.svc.Authenticate(ctx, tok.AccessToken)
		require.NoError(t, err)
		require.Equal(t, a.user.ID, c.UserID)
		_, err = e.svc.VerifyOTP(ctx, a.app, a.user.Email, code, ch.Session)
		requireCode(t, err, fault.KindUnauthorized, "invalid_code")

		// Five wrong guesses use up a session.
		ch, err = e.svc.InitiateOTP(ctx, a.app, a.user.Email, "")
		require.NoError(t, err)
		code = e.mail.lastCode(a.user.Email)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for i := 0; i < 5; i++ {
			_, err = e.svc.VerifyOTP(ctx, a.app, a.user.Email, wrong, ch.Session)
			requireCode(t, err, fault.KindUnauthorized, "invalid_code")
		}
		_, err = e.svc.VerifyOTP(ctx, a.app, a.user.Email, code, ch.Session)
		requireCode(t, err, fault.KindUnauthorized, "invalid_code")
	})
}

func TestInitiateOTPWithoutProvisioning(t *testing.T) {
	twoTenants(t, func(t *testing.T, e *env, a, b tenant) {
		ctx := context.Background()
		// An unknown email and another tenant's member get the same answer
		// as a member: a session, no provisioning, and no error that tells
		// them apart. No mail goes out and no code verifies the session.
		for _, email := range []string{"stranger@elsewhere.example", b.user.Email} {
			ch, err := e.svc.InitiateOTP(ctx, a.app, email, "Stranger")
			require.NoError(t, err, email)
			require.NotEmpty(t, ch.Session)
			require.False(t, ch.UserProvisioned)
			require.Zero(t, e.mail.count(email), email)
			for _, guess := range []string{"000000", "123456"} {
				_, err = e.svc.VerifyOTP(ctx, a.app, email, guess, ch.Session)
				requireCode(t, err, fault.KindUnauthorized, "invalid_code")
			}
		}
		_, err := e.ids.UserByEmail(ctx, "stranger@elsewhere.example")
		require.ErrorIs(t, err, fault.ErrNotFound, "nobody was provisioned")
		ms, err := e.ids.Memberships(ctx, b.user.ID)
		require.NoError(t, err)
		require.Len(t, ms, 1, "app A claimed no one from org B")

		// The cap on codes counts known and unknown addresses alike.
		for _, email := range []string{a.user.Email, "stranger@elsewhere.example"} {
			n := 0
			if email == "stranger@elsewhere.example" {
				n = 1 // requested once above
			}
			for ; n < 5; n++ {
				_, err := e.svc.InitiateOTP(ctx, a.app, email, "")
				require.NoError(t, err, email)
			}
			_, err := e.svc.InitiateOTP(ctx, a.app, email, "")
			requireCode(t, err, fault.KindRateLimited, "rate_limited")
		}
	})
}

func TestInitiateOTPWithProvisioning(t *testing.T) {
	twoTenants(t, func(t *testing.T, e *env, a, b tenant) {
		ctx := context.Background()
		on := true
		app, err := e.ids.UpdateApp(ctx, a.app.ID, identity.AppPatch{ProvisionUsers: &on})
		require.NoError(t, err)

		ch, err := e.svc.InitiateOTP(ctx, app, "New.Person@a.example", "New Person")
		require.NoError(t, err)
		require.True(t, ch.UserProvisioned)
		u, err := e.ids.UserByEmail(ctx, "new.person@a.example")
		require.NoError(t, err)
		require.Equal(t, "New Person", u.Name)
		tok, err := e.svc.VerifyOTP(ctx, app, "new.person@a.example", e.mail.lastCode("new.person@a.example"), ch.Session)
		require.NoError(t, err)
		c, err := e.svc.Authenticate(ctx, tok.AccessToken)
		require.NoError(t, err)
		require.Equal(t, a.org.ID, c.OrgID, "provisioned into the app's organization")

		// Provisioning never claims a member of another organization.
		ch, err = e.svc.InitiateOTP(ctx, app, b.user.Email, "")
		require.NoError(t, err)
		require.False(t, ch.UserProvisioned)
		require.Zero(t, e.mail.count(b.user.Email))
		ms, err := e.ids.Memberships(ctx, b.user.ID)
		require.NoError(t, err)
		require.Len(t, ms, 1)
	})
}

func TestCheckConsent(t *testing.T) {
	twoTenants(t, func(t *testing.T, e *env, a, b tenant) {
		ctx := context.Background()
		e.code(t, a) // approving records consent
		c, err := e.svc.CheckConsent(ctx, a.app, a.user.Email, "openid profile")
		require.NoError(t, err)
		require.True(t, c.HasConsent)
		c, err = e.svc.CheckConsent(ctx, a.app, a.user.Email, "openid meetings:write")
		require.NoError(t, err)
		require.False(t, c.HasConsent)
		c, err = e.svc.CheckConsent(ctx, b.app, a.user.Email, "openid")
		require.NoError(t, err)
		require.False(t, c.HasConsent, "consent to app A is not consent to app B")
	})
}
