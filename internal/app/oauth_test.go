package app_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/secret"
)

// login runs the browser part of the authorization-code flow and returns
// the code.
func login(t *testing.T, c *client.Client, f fixture, p client.AuthorizeParams) string {
	t.Helper()
	u, err := c.SubmitLogin(context.Background(), f.app, p, f.user.Email, f.password, "allow")
	require.NoError(t, err)
	require.Equal(t, p.State, u.Query().Get("state"))
	code := u.Query().Get("code")
	require.NotEmpty(t, code, "redirect %s has no code", u)
	return code
}

func TestAuthorizationCodeFlow(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("ann@example.com")
		c := e.client()

		// The authorize page is a real login form carrying the request.
		resp, err := http.Get(c.AuthorizationURL(f.app, client.AuthorizeParams{Scope: "openid profile", State: "s1"}))
		require.NoError(t, err)
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		for _, want := range []string{`name="email"`, `name="password"`, `name="decision"`, `value="` + f.app.ClientID + `"`} {
			require.Contains(t, string(page), want)
		}

		code := login(t, c, f, client.AuthorizeParams{Scope: "openid profile", State: "s1"})
		tok, err := c.ExchangeCode(ctx, f.app, code, "")
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(tok.AccessToken, "cto_at_v1_"))
		require.True(t, strings.HasPrefix(tok.RefreshToken, "cto_rt_v1_"))
		require.Equal(t, 86400, tok.ExpiresIn)
		require.Equal(t, "openid profile", tok.Scope)

		p, err := c.With(client.WithBearer(tok.AccessToken)).Profile(ctx)
		require.NoError(t, err)
		require.Equal(t, f.user.UUID, p.ID)
		require.Equal(t, f.org.UUID, p.WorkspaceID)
		require.Equal(t, "WORKSPACE_MEMBER", p.WorkspaceRole)
		require.True(t, strings.HasSuffix(p.CreatedAt, "Z"), p.CreatedAt)

		ny, err := c.With(client.WithBearer(tok.AccessToken), client.WithTimezone("America/New_York")).Profile(ctx)
		require.NoError(t, err)
		require.Regexp(t, `-0[45]:00$`, ny.CreatedAt)

		// A code works once; its second use revokes what it issued.
		_, err = c.ExchangeCode(ctx, f.app, code, "")
		apiErr(t, err, 400, "invalid_grant")
		_, err = c.With(client.WithBearer(tok.AccessToken)).Profile(ctx)
		apiErr(t, err, 401, "unauthorized")
	})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("bob@example.com")
		c := e.client()
		tok, err := c.ExchangeCode(ctx, f.app, login(t, c, f, client.AuthorizeParams{State: "x"}), "")
		require.NoError(t, err)

		next, err := c.Refresh(ctx, f.app, tok.RefreshToken)
		require.NoError(t, err)
		require.NotEqual(t, tok.RefreshToken, next.RefreshToken)
		_, err = c.With(client.WithBearer(next.AccessToken)).Profile(ctx)
		require.NoError(t, err)

		// Replaying the rotated token means it leaked: the family dies.
		_, err = c.Refresh(ctx, f.app, tok.RefreshToken)
		apiErr(t, err, 400, "invalid_grant")
		_, err = c.Refresh(ctx, f.app, next.RefreshToken)
		apiErr(t, err, 400, "invalid_grant")
		_, err = c.With(client.WithBearer(next.AccessToken)).Profile(ctx)
		apiErr(t, err, 401, "unauthorized")
	})
}

func TestTokenEndpointRejects(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("cat@example.com")
		other := e.fixture("dan@example.com")
		c := e.client()

		bad := f.app
		bad.ClientSecret = "qcs_wrong"
		_, err := c.ClientCredentials(ctx, bad, "")
		apiErr(t, err, 401, "invalid_client")

		// redirect_uri must match the one the code was issued for.
		code := login(t, c, f, client.AuthorizeParams{State: "r"})
		mismatch := f.app
		mismatch.RedirectURI = "http://127.0.0.1:9/other"
		_, err = c.ExchangeCode(ctx, mismatch, code, "")
		apiErr(t, err, 400, "invalid_grant")

		// A code belongs to the client it was issued to.
		code = login(t, c, f, client.AuthorizeParams{State: "r"})
		_, err = c.ExchangeCode(ctx, other.app, code, "")
		apiErr(t, err, 400, "invalid_grant")

		// Expired codes are refused.
		code = login(t, c, f, client.AuthorizeParams{State: "r"})
		_, err = e.app.DB.W.Exec(e.app.DB.Rebind(`UPDATE oauth_codes SET expires_at = ? WHERE code_hash = ?`),
			time.Now().UTC().Add(-time.Minute), secret.Hash(code))
		require.NoError(t, err)
		_, err = c.ExchangeCode(ctx, f.app, code, "")
		apiErr(t, err, 400, "invalid_grant")

		// PKCE: a code bound to a challenge needs the right verifier.
		verifier, challenge := client.NewPKCE()
		code = login(t, c, f, client.AuthorizeParams{State: "p", CodeChallenge: challenge})
		wrong, _ := client.NewPKCE()
		_, err = c.ExchangeCode(ctx, f.app, code, wrong)
		apiErr(t, err, 400, "invalid_grant")
		code = login(t, c, f, client.AuthorizeParams{State: "p", CodeChallenge: challenge})
		_, err = c.ExchangeCode(ctx, f.app, code, verifier)
		require.NoError(t, err)

		_, err = c.Refresh(ctx, f.app, "cto_rt_v1_unknown")
		apiErr(t, err, 400, "invalid_grant")
	})
}

func TestAuthorizeForm(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("eve@example.com")
		c := e.client()

		u, err := c.SubmitLogin(ctx, f.app, client.AuthorizeParams{State: "d"}, f.user.Email, f.password, "deny")
		require.NoError(t, err)
		require.Equal(t, "access_denied", u.Query().Get("error"))
		require.Equal(t, "d", u.Query().Get("state"))

		_, err = c.SubmitLogin(ctx, f.app, client.AuthorizeParams{State: "w"}, f.user.Email, "wrong password", "allow")
		require.True(t, errors.Is(err, client.ErrNoRedirect), "%v", err)

		u, err = c.SubmitLogin(ctx, f.app, client.AuthorizeParams{Scope: "openid admin:everything"}, f.user.Email, f.password, "allow")
		require.NoError(t, err)
		require.Equal(t, "invalid_scope", u.Query().Get("error"))

		// A post that did not come from a page this browser loaded (no
		// matching csrf cookie) never approves the app.
		form := "client_id=" + f.app.ClientID + "&redirect_uri=" + f.app.RedirectURI + "&response_type=code&decision=allow" +
			"&csrf_token=forged&email=" + f.user.Email + "&password=" + strings.ReplaceAll(f.password, " ", "+")
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequest("POST", e.srv.URL+"/oauth2/authorize", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "quorum_csrf", Value: "something-else"})
		resp, err := noFollow.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
		require.Empty(t, resp.Header.Get("Location"))

		// An unregistered redirect URI is never redirected to.
		unregistered := f.app
		unregistered.RedirectURI = "https://evil.example/cb"
		resp, err = http.Get(c.AuthorizationURL(unregistered, client.AuthorizeParams{}))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	})
}

func TestAuthHostEndpoints(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("fay@example.com")
		c := e.client()

		cc, err := c.ClientCredentials(ctx, f.app, "meetings:read")
		require.NoError(t, err)
		require.Empty(t, cc.RefreshToken)
		require.Equal(t, "meetings:read", cc.Scope)

		tok, err := c.ExchangeCode(ctx, f.app, login(t, c, f, client.AuthorizeParams{State: "i"}), "")
		require.NoError(t, err)
		in, err := c.Introspect(ctx, f.app, tok.AccessToken)
		require.NoError(t, err)
		require.True(t, in.Active)
		require.Equal(t, f.app.ClientID, in.ClientID)
		require.Equal(t, f.user.UUID, in.Sub)

		info, err := c.With(client.WithBearer(tok.AccessToken)).UserInfo(ctx)
		require.NoError(t, err)
		require.Equal(t, f.user.Email, info.Email)

		require.NoError(t, c.Revoke(ctx, f.app, tok.AccessToken))
		in, err = c.Introspect(ctx, f.app, tok.AccessToken)
		require.NoError(t, err)
		require.False(t, in.Active)
		require.NoError(t, c.Revoke(ctx, f.app, "not-a-token"), "RFC 7009: unknown tokens are fine")

		scopes, err := c.Scopes(ctx, f.app)
		require.NoError(t, err)
		require.Contains(t, scopes, "meetings:read")

		consent, err := c.CheckConsent(ctx, f.app, f.user.Email, "openid profile meetings:read meetings:write")
		require.NoError(t, err)
		require.True(t, consent.HasConsent)
		consent, err = c.CheckConsent(ctx, f.app, "nobody@example.com", "")
		require.NoError(t, err)
		require.False(t, consent.HasConsent)
		require.True(t, consent.RequiresConsent)

		pi, err := c.PartnerInfo(ctx, f.app.ClientID)
		require.NoError(t, err)
		require.Equal(t, "App of fay@example.com", pi.Name)
		_, err = c.PartnerInfo(ctx, "qc_nope")
		apiErr(t, err, 404, "not_found")
	})
}

func TestEmailCodeSignIn(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("gus@example.com")
		c := e.client()

		session, err := c.InitiateAuth(ctx, f.app, f.user.Email, "")
		require.NoError(t, err)
		code := e.lastOTP(f.user.Email)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err = c.VerifyAuth(ctx, f.app, f.user.Email, wrong, session)
		apiErr(t, err, 401, "invalid_code")
		tok, err := c.VerifyAuth(ctx, f.app, f.user.Email, code, session)
		require.NoError(t, err)
		p, err := c.With(client.WithBearer(tok.AccessToken)).Profile(ctx)
		require.NoError(t, err)
		require.Equal(t, f.user.UUID, p.ID)
		_, err = c.VerifyAuth(ctx, f.app, f.user.Email, code, session)
		apiErr(t, err, 401, "invalid_code")

		// Codes are capped per address, so guesses are too.
		for i := 0; i < 4; i++ {
			_, err = c.InitiateAuth(ctx, f.app, f.user.Email, "")
			require.NoError(t, err)
		}
		_, err = c.InitiateAuth(ctx, f.app, f.user.Email, "")
		ce := apiErr(t, err, 429, "rate_limited")
		require.Equal(t, "600", ce.RetryAfter)

		// A new email is provisioned into the app's workspace when the app
		// provisions users.
		a, err := e.app.Identities.AppByClientID(ctx, f.app.ClientID)
		require.NoError(t, err)
		on := true
		_, err = e.app.Identities.UpdateApp(ctx, a.ID, identity.AppPatch{ProvisionUsers: &on})
		require.NoError(t, err)
		session, err = c.InitiateAuth(ctx, f.app, "new.person@example.com", "New Person")
		require.NoError(t, err)
		tok, err = c.VerifyAuth(ctx, f.app, "new.person@example.com", e.lastOTP("new.person@example.com"), session)
		require.NoError(t, err)
		p, err = c.With(client.WithBearer(tok.AccessToken)).Profile(ctx)
		require.NoError(t, err)
		require.Equal(t, "New Person", p.DisplayName)
		require.Equal(t, f.org.UUID, p.WorkspaceID)
	})
}
