package client

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// App identifies an OAuth client.
type App struct {
	ClientID     string
	ClientSecret string
	RedirectURI  string
}

// Token is a token endpoint response.
type Token struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

// AuthorizeParams are the query parameters of /oauth2/authorize.
type AuthorizeParams struct {
	Scope         string
	State         string
	CodeChallenge string // S256 challenge; see NewPKCE
	LoginHint     string
}

// AuthorizationURL builds the URL a browser is sent to.
func (c *Client) AuthorizationURL(app App, p AuthorizeParams) string {
	return c.base + "/oauth2/authorize?" + authorizeValues(app, p).Encode()
}

func authorizeValues(app App, p AuthorizeParams) url.Values {
	q := url.Values{"client_id": {app.ClientID}, "redirect_uri": {app.RedirectURI}, "response_type": {"code"}}
	if p.Scope != "" {
		q.Set("scope", p.Scope)
	}
	if p.State != "" {
		q.Set("state", p.State)
	}
	if p.CodeChallenge != "" {
		q.Set("code_challenge", p.CodeChallenge)
		q.Set("code_challenge_method", "S256")
	}
	if p.LoginHint != "" {
		q.Set("login_hint", p.LoginHint)
	}
	return q
}

// NewPKCE returns a random code verifier and its S256 challenge.
func NewPKCE() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// ErrNoRedirect is returned by SubmitLogin when the server showed the form
// again instead of redirecting (for example after a wrong password).
var ErrNoRedirect = errors.New("the authorization server did not redirect")

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

// SubmitLogin loads the login and consent page and submits it as a browser
// would, with decision "allow" or "deny", and returns the redirect URL the
// server answers with. It is meant for tests and automation; people use the
// HTML page.
func (c *Client) SubmitLogin(ctx context.Context, app App, p AuthorizeParams, email, password, decision string) (*url.URL, error) {
	hc := *c.http
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// The form is tied to the browser that loaded it: its csrf_token field
	// must go back with the cookie the page set.
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.AuthorizationURL(app, p), nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("load login page: %w", err)
	}
	page, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("load login page: %w", err)
	}
	form := authorizeValues(app, p)
	form.Set("email", email)
	form.Set("password", password)
	form.Set("decision", decision)
	if m := csrfField.FindSubmatch(page); m != nil {
		form.Set("csrf_token", html.UnescapeString(string(m[1])))
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/oauth2/authorize", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range resp.Cookies() {
		req.AddCookie(ck)
	}
	resp, err = hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("submit login: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("%w (status %d)", ErrNoRedirect, resp.StatusCode)
	}
	return url.Parse(resp.Header.Get("Location"))
}

func (c *Client) token(ctx context.Context, app App, form url.Values) (*Token, error) {
	var t Token
	err := c.do(ctx, request{method: http.MethodPost, path: "/oauth2/token", form: form, basic: [2]string{app.ClientID, app.ClientSecret}}, &t)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// ExchangeCode redeems an authorization code (verifier may be empty).
func (c *Client) ExchangeCode(ctx context.Context, app App, code, verifier string) (*Token, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {app.RedirectURI}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return c.token(ctx, app, form)
}

// Refresh rotates a refresh token.
func (c *Client) Refresh(ctx context.Context, app App, refreshToken string) (*Token, error) {
	return c.token(ctx, app, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

// ClientCredentials gets an app-only token.
func (c *Client) ClientCredentials(ctx context.Context, app App, scope string) (*Token, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	return c.token(ctx, app, form)
}

// Revoke revokes a token.
func (c *Client) Revoke(ctx context.Context, app App, token string) error {
	return c.do(ctx, request{method: http.MethodPost, path: "/oauth2/revoke", form: url.Values{"token": {token}},
		basic: [2]string{app.ClientID, app.ClientSecret}}, nil)
}

// Introspection is an RFC 7662 answer.
type Introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope"`
	ClientID  string `json:"client_id"`
	Username  string `json:"username"`
	Sub       string `json:"sub"`
	Exp       int64  `json:"exp"`
	TokenType string `json:"token_type"`
}

// Introspect describes a token.
func (c *Client) Introspect(ctx context.Context, app App, token string) (*Introspection, error) {
	var out Introspection
	err := c.do(ctx, request{method: http.MethodPost, path: "/oauth2/introspect", form: url.Values{"token": {token}},
		basic: [2]string{app.ClientID, app.ClientSecret}}, &out)
	return &out, err
}

// UserInfo holds OpenID Connect claims.
type UserInfo struct {
	Sub   string `json:"sub"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// UserInfo returns the claims of the client's bearer token.
func (c *Client) UserInfo(ctx context.Context) (*UserInfo, error) {
	var out UserInfo
	err := c.do(ctx, request{method: http.MethodGet, path: "/oauth2/userInfo"}, &out)
	return &out, err
}

// Scopes lists the scopes the app may request.
func (c *Client) Scopes(ctx context.Context, app App) ([]string, error) {
	var out struct {
		Scopes []string `json:"scopes"`
	}
	err := c.do(ctx, request{method: http.MethodGet, path: "/oauth2/scopes", basic: [2]string{app.ClientID, app.ClientSecret}}, &out)
	return out.Scopes, err
}

// Consent is a check-consent answer.
type Consent struct {
	HasConsent      bool `json:"has_consent"`
	RequiresConsent bool `json:"requires_consent"`
}

// CheckConsent asks whether a user already approved the app for scope.
func (c *Client) CheckConsent(ctx context.Context, app App, email, scope string) (*Consent, error) {
	var out Consent
	err := c.do(ctx, request{method: http.MethodPost, path: "/oauth2/check-consent", basic: [2]string{app.ClientID, app.ClientSecret},
		json: map[string]string{"client_id": app.ClientID, "email": email, "scope": scope}}, &out)
	return &out, err
}

// InitiateAuth emails a one-time code and returns the session to verify it.
func (c *Client) InitiateAuth(ctx context.Context, app App, email, name string) (session string, err error) {
	var out struct {
		Session string `json:"session"`
	}
	err = c.do(ctx, request{method: http.MethodPost, path: "/auth/initiate", basic: [2]string{app.ClientID, app.ClientSecret},
		json: map[string]string{"client_id": app.ClientID, "email": email, "name": name}}, &out)
	return out.Session, err
}

// VerifyAuth exchanges a one-time code for tokens.
func (c *Client) VerifyAuth(ctx context.Context, app App, email, code, session string) (*Token, error) {
	var out Token
	err := c.do(ctx, request{method: http.MethodPost, path: "/auth/verify", basic: [2]string{app.ClientID, app.ClientSecret},
		json: map[string]string{"client_id": app.ClientID, "email": email, "code": code, "session": session}}, &out)
	return &out, err
}

// PartnerInfo is the public description of an app.
type PartnerInfo struct {
	ClientID    string `json:"client_id"`
	Name        string `json:"name"`
	CompanyName string `json:"company_name"`
}

// PartnerInfo fetches an app's public description (no credentials).
func (c *Client) PartnerInfo(ctx context.Context, clientID string) (*PartnerInfo, error) {
	var out PartnerInfo
	err := c.do(ctx, request{method: http.MethodGet, path: "/v1/partner/info/" + url.PathEscape(clientID) + "/public", noAuth: true}, &out)
	return &out, err
}
