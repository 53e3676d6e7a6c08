package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
)

// fromAddr is an HTTP client whose connections leave from a given
// loopback address, so that the server sees another client address.
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
}

// submitLogin posts the login form as a browser would and returns the
// response.
func submitLogin(t *testing.T, hc *http.Client, e *env, f fixture, email, password string) *http.Response {
	t.Helper()
	noFollow := *hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.Get(e.client().AuthorizationURL(f.app, client.AuthorizeParams{State: "t"}))
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{"client_id": {f.app.ClientID}, "redirect_uri": {f.app.RedirectURI}, "response_type": {"code"}, "state": {"t"},
		"decision": {"allow"}, "email": {email}, "password": {password}, "csrf_token": {csrfToken(t, page)}}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth2/authorize", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range resp.Cookies() {
		req.AddCookie(ck)
	}
	resp, err = noFollow.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestLoginThrottling: 50 wrong passwords lock the account and the
// address, so the right password is then refused with 429 and
// Retry-After; another account from another address signs in.
func TestLoginThrottling(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		f := e.fixture("tom@example.com")
		other := e.fixture("una@example.com")
		attacker := fromAddr("127.0.0.1")
		for i := 0; i < 50; i++ {
			resp := submitLogin(t, attacker, e, f, f.user.Email, "wrong password")
			require.Contains(t, []int{http.StatusUnauthorized, http.StatusTooManyRequests}, resp.StatusCode)
		}
		resp := submitLogin(t, attacker, e, f, f.user.Email, f.password)
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		require.NoError(t, err)
		require.Positive(t, retry)
		require.Empty(t, resp.Header.Get("Location"))

		resp = submitLogin(t, fromAddr("127.0.0.2"), e, other, other.user.Email, other.password)
		require.Equal(t, http.StatusFound, resp.StatusCode)
		u, err := url.Parse(resp.Header.Get("Location"))
		require.NoError(t, err)
		require.NotEmpty(t, u.Query().Get("code"))
	})
}

// TestOTPInitiateRevealsNothing: /auth/initiate answers an unknown email
// and another tenant's member exactly as it answers a member, and no code
// can verify those sessions.
func TestOTPInitiateRevealsNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("val@example.com")
		other := e.fixture("wes@example.com")
		c := e.client()
		for _, email := range []string{f.user.Email, other.user.Email, "nobody@example.com"} {
			session, err := c.InitiateAuth(ctx, f.app, email, "")
			require.NoError(t, err, email)
			require.NotEmpty(t, session)
			if email == f.user.Email {
				continue
			}
			require.NotContains(t, e.log.String(), `"to":"`+email+`"`, "no mail to %s", email)
			_, err = c.VerifyAuth(ctx, f.app, email, "123456", session)
			apiErr(t, err, 401, "invalid_code")
		}
		_, err := e.app.Identities.UserByEmail(ctx, "nobody@example.com")
		require.Error(t, err, "not provisioned")
	})
}
