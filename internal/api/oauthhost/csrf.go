package oauthhost

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/quorumhq/quorum/internal/secret"
)

// csrfGuard pairs the login form with the browser that loaded it and with
// this server: the cookie holds a random nonce, and the form's token is an
// HMAC of that nonce under a server key. Someone who can plant a cookie for
// the site (a sibling subdomain, a network attacker on plain http) still
// cannot make a form token that matches it.
type csrfGuard struct {
	key []byte
	// secure is set when the public URL is https: the cookie then uses the
	// __Host- prefix, which browsers accept only from the exact origin over
	// TLS with Path=/ and no Domain, so no subdomain can set it.
	secure bool
}

func newCSRFGuard(key []byte, publicURL string) csrfGuard {
	return csrfGuard{key: key, secure: strings.HasPrefix(publicURL, "https://")}
}

func (g csrfGuard) cookieName() string {
	if g.secure {
		return "__Host-quorum_csrf"
	}
	return "quorum_csrf"
}

func (g csrfGuard) token(nonce string) string {
	mac := hmac.New(sha256.New, g.key)
	mac.Write([]byte("quorum login form\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// with gives a page a fresh nonce cookie and the form token bound to it.
func (g csrfGuard) with(d pageData) pageData {
	nonce := secret.New("")
	d.CSRF = g.token(nonce)
	d.setCookie = (&http.Cookie{Name: g.cookieName(), Value: nonce, Path: "/", HttpOnly: true, Secure: g.secure,
		SameSite: http.SameSiteLaxMode}).String()
	return d
}

// ok reports whether the form token matches a nonce cookie of this server.
func (g csrfGuard) ok(cookieHeader, formToken string) bool {
	cookies, err := http.ParseCookie(cookieHeader)
	if err != nil || formToken == "" {
		return false
	}
	for _, c := range cookies {
		if c.Name == g.cookieName() && c.Value != "" && hmac.Equal([]byte(g.token(c.Value)), []byte(formToken)) {
			return true
		}
	}
	return false
}
