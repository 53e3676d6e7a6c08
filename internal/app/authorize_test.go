package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
