package app_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/quorumhq/quorum/client"
	"github.com/stretchr/testify/require"
)

// TestAuthorizeErrorEchoIsCapped: an authorize error redirected back to
// the client quotes the request, but a hostile 100 KB scope must not become
// a 100 KB Location header (finding 12).
func TestAuthorizeErrorEchoIsCapped(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		f := e.fixture("echo@example.com")
		q := url.Values{"client_id": {f.app.ClientID}, "redirect_uri": {f.app.RedirectURI}, "response_type": {"code"},
			"state": {"s1"}, "scope": {strings.Repeat("x", 100<<10)}}
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, e.srv.URL+"/oauth2/authorize?"+q.Encode(), nil)
		require.NoError(t, err)
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusFound, resp.StatusCode)
		loc := resp.Header.Get("Location")
		require.Less(t, len(loc), 1024, "Location echoes at most a bounded part of the request")
		u, err := url.Parse(loc)
		require.NoError(t, err)
		require.Equal(t, "invalid_scope", u.Query().Get("error"))
		require.Equal(t, "s1", u.Query().Get("state"))
	})
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

// csrfToken reads the login form's CSRF token from its page.
func csrfToken(t *testing.T, page []byte) string {
	t.Helper()
	m := csrfField.FindSubmatch(page)
	require.NotNil(t, m, "the login page carries a csrf_token field")
	return html.UnescapeString(string(m[1]))
}

// TestLoginCSRFIsBoundToTheServer: a cookie an attacker plants together
// with a matching form field no longer passes (finding 9); only a token the
// server derived from the browser's nonce does.
func TestLoginCSRFIsBoundToTheServer(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		f := e.fixture("csrf@example.com")
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		post := func(cookie *http.Cookie, token string) *http.Response {
			form := url.Values{"client_id": {f.app.ClientID}, "redirect_uri": {f.app.RedirectURI}, "response_type": {"code"},
				"decision": {"allow"}, "email": {f.user.Email}, "password": {f.password}, "csrf_token": {token}}
			req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/oauth2/authorize", strings.NewReader(form.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(cookie)
			resp, err := noFollow.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			return resp
		}
		// Planted: the attacker chose both the cookie and the field.
		resp := post(&http.Cookie{Name: "quorum_csrf", Value: "planted"}, "planted")
		require.Equal(t, http.StatusBadRequest, resp.StatusCode)
		require.Empty(t, resp.Header.Get("Location"))

		// Loaded: the page's own cookie and token sign the user in.
		page, err := noFollow.Get(e.client().AuthorizationURL(f.app, client.AuthorizeParams{}))
		require.NoError(t, err)
		body, _ := io.ReadAll(page.Body)
		page.Body.Close()
		token := csrfToken(t, body)
		var nonce *http.Cookie
		for _, ck := range page.Cookies() {
			if ck.Name == "quorum_csrf" {
				nonce = ck
			}
		}
		require.NotNil(t, nonce)
		require.NotEqual(t, nonce.Value, token, "the form token is derived from the cookie, not a copy of it")
		require.Equal(t, "/", nonce.Path)
		require.True(t, nonce.HttpOnly)
		resp = post(nonce, token)
		require.Equal(t, http.StatusFound, resp.StatusCode)
		require.Contains(t, resp.Header.Get("Location"), "code=")
	})
}

// TestLoginCSRFCookieOnHTTPS: behind an https public URL the nonce cookie
// is a __Host- cookie, which only the exact origin can set, over TLS.
func TestLoginCSRFCookieOnHTTPS(t *testing.T) {
	e := newEnv(t, "sqlite://"+t.TempDir()+"/q.db", "--public-url", "https://quorum.example")
	f := e.fixture("tls@example.com")
	resp, err := http.Get(e.client().AuthorizationURL(f.app, client.AuthorizeParams{}))
	require.NoError(t, err)
	resp.Body.Close()
	set := resp.Header.Get("Set-Cookie")
	require.True(t, strings.HasPrefix(set, "__Host-quorum_csrf="), set)
	require.Contains(t, set, "Secure")
	require.Contains(t, set, "Path=/")
	require.NotContains(t, set, "Domain=")
}
