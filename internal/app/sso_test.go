package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/client"
	"github.com/quorumhq/quorum/internal/app"
	"github.com/quorumhq/quorum/internal/config"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/sso/ssotest"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

// newSSOEnv is newEnv with the server's public URL known before the app is
// built, since identity providers send users back to it, and domain
// challenges looked up at the test's DNS server.
func newSSOEnv(t *testing.T, dbURL string, dns *ssotest.DNS) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	cfg, _, err := config.Load([]string{"--database-url", dbURL, "--data-dir", t.TempDir(), "--public-url", base,
		"--allow-private-urls", "--dns-server", dns.Addr}, nil, io.Discard)
	require.NoError(t, err)
	buf := &syncBuffer{}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewJSONHandler(buf, nil)))
	require.NoError(t, err)
	require.NoError(t, a.Start(context.Background()))
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", lastLines(buf.String(), 30))
		}
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Close(ctx); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	return &env{t: t, app: a, srv: srv, log: buf}
}

// browser keeps cookies and follows no redirect by itself.
type browser struct {
	t  *testing.T
	hc *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.hc.Do(req)
	require.NoError(b.t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(b.t, err)
	return resp, string(body)
}

func (b *browser) get(u string) (*http.Response, string) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(b.t, err)
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) (*http.Response, string) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// authorize opens the authorize page and submits it with the decision:
// "sso" goes through the identity provider and back; "allow" signs in with
// the password. It returns where the browser ended: the partner's redirect
// URI (a redirect to it) or a page.
func (b *browser) authorize(e *env, a client.App, challenge, email, password, decision string) (*http.Response, string) {
	b.t.Helper()
	authURL := e.client().AuthorizationURL(a, client.AuthorizeParams{Scope: "openid profile meetings:read", State: "partner-state",
		CodeChallenge: challenge})
	resp, page := b.get(authURL)
	require.Equal(b.t, http.StatusOK, resp.StatusCode, page)
	u, err := url.Parse(authURL)
	require.NoError(b.t, err)
	form := u.Query()
	form.Set("csrf_token", csrfToken(b.t, []byte(page)))
	form.Set("email", email)
	form.Set("password", password)
	form.Set("decision", decision)
	resp, page = b.post(e.srv.URL+"/oauth2/authorize", form)
	for hops := 0; resp.StatusCode == http.StatusFound && !strings.HasPrefix(resp.Header.Get("Location"), a.RedirectURI); hops++ {
		require.Less(b.t, hops, 5, "too many redirects")
		resp, page = b.get(resp.Header.Get("Location"))
	}
	return resp, page
}

// signIn runs the whole flow through the identity provider and returns the
// Partner access token the code is exchanged for.
func signInSSO(t *testing.T, e *env, f fixture, email string) string {
	t.Helper()
	verifier, challenge := client.NewPKCE()
	resp, page := newBrowser(t).authorize(e, f.app, challenge, email, "", "sso")
	require.Equal(t, http.StatusFound, resp.StatusCode, page)
	back, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "partner-state", back.Query().Get("state"))
	require.NotEmpty(t, back.Query().Get("code"), "redirect: %s", back)
	tok, err := e.client().ExchangeCode(context.Background(), f.app, back.Query().Get("code"), verifier)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(tok.AccessToken, "cto_at_v1_"))
	return tok.AccessToken
}

// TestSSOSignIn: an app verifies its domain against a local DNS server,
// configures a local OpenID provider, and its users sign in from the
// authorize page through the provider to a Partner access token, in both
// modes: partner_managed creates the user on first sign-in; strict refuses
// passwords for the domain and unknown users.
func TestSSOSignIn(t *testing.T) {
	for name, dbURL := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dns := ssotest.NewDNS(t)
			idp := ssotest.NewProvider(t)
			e := newSSOEnv(t, dbURL, dns)
			hook := newHook(t)
			f, admin := webhookFixture(t, e, "owner@acme-sso.com", hook)

			// The domain check fails, then passes, against the DNS server.
			v, err := admin.StartIdPDomainVerification(ctx, "ACME-SSO.com")
			require.NoError(t, err)
			require.Equal(t, "acme-sso.com", v.Domain)
			require.Equal(t, "pending", v.Status)
			require.Equal(t, "_contio-challenge.acme-sso.com", v.DNSRecordName)
			require.NotNil(t, v.ExpiresAt)
			v, err = admin.CheckIdPDomainVerification(ctx, "acme-sso.com")
			require.NoError(t, err)
			require.Equal(t, "pending", v.Status)
			dns.SetTXT(v.DNSRecordName, v.DNSRecordValue)
			v, err = admin.CheckIdPDomainVerification(ctx, "acme-sso.com")
			require.NoError(t, err)
			require.Equal(t, "verified", v.Status)
			require.NotNil(t, v.VerifiedAt)
			require.Nil(t, v.ExpiresAt)
			waitUntil(t, 10*time.Second, "domain events", func() bool {
				return len(hook.ofType("partner.idp.domain_verified")) == 1 && len(hook.ofType("partner.idp.domain_verification_failed")) == 1
			})
			failed := hook.ofType("partner.idp.domain_verification_failed")[0].Envelope.Data
			require.Equal(t, "acme-sso.com", failed["domain"])
			require.Equal(t, "record_not_found", failed["reason"])
			require.Equal(t, "verified", hook.ofType("partner.idp.domain_verified")[0].Envelope.Data["status"])

			// No provider yet: the page offers passwords only.
			resp, page := newBrowser(t).get(e.client().AuthorizationURL(f.app, client.AuthorizeParams{}))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.NotContains(t, page, `value="sso"`)

			cfg, err := admin.CreateIdPConfig(ctx, client.NewIdPConfig{Name: "Acme Okta", DiscoveryURL: idp.DiscoveryURL(),
				IdPClientID: idp.ClientID, IdPClientSecret: idp.ClientSecret, Mode: "partner_managed",
				ClaimMappings: map[string]string{"email": "email", "name": "display_name"}})
			require.NoError(t, err)
			require.Equal(t, "oidc", cfg.Type)
			require.Equal(t, idp.Issuer, *cfg.Issuer)
			require.Nil(t, cfg.AllowedEmailDomains)
			status, body := rawCall(t, e, http.MethodGet, "/v1/partner/admin/idp", "", "", nil, "X-API-Key", f.apiKey)
			require.Equal(t, http.StatusOK, status)
			require.NotContains(t, body, "idp_client_secret")
			for _, v := range body {
				require.NotEqual(t, idp.ClientSecret, v)
			}

			// partner_managed: a new user signs in and is created, in the
			// app's organization, with the mapped claims.
			idp.SetUser(map[string]any{"email": "carol@acme-sso.com", "email_verified": true, "display_name": "Carol Danvers"})
			token := signInSSO(t, e, f, "carol@acme-sso.com")
			profile, err := e.client(client.WithBearer(token)).Profile(ctx)
			require.NoError(t, err)
			require.Equal(t, "carol@acme-sso.com", profile.Email)
			require.Equal(t, "Carol Danvers", profile.DisplayName)
			require.Equal(t, f.org.UUID, profile.WorkspaceID)
			seen := idp.Authorizations()
			last := seen[len(seen)-1]
			require.Equal(t, "S256", last.Get("code_challenge_method"))
			require.Equal(t, e.srv.URL+"/oauth2/sso/callback", last.Get("redirect_uri"))
			require.Equal(t, "carol@acme-sso.com", last.Get("login_hint"))

			// partner_managed keeps password sign-in for the domain.
			_, err = e.app.Identities.CreateUser(ctx, identity.NewUser{OrgID: f.org.ID, Email: "dave@acme-sso.com", Name: "Dave",
				Password: "dave's long password"})
			require.NoError(t, err)
			_, challenge := client.NewPKCE()
			resp, page = newBrowser(t).authorize(e, f.app, challenge, "dave@acme-sso.com", "dave's long password", "allow")
			require.Equal(t, http.StatusFound, resp.StatusCode, page)

			// A provider that refuses brings the user back to the form.
			idp.Deny(true)
			resp, page = newBrowser(t).authorize(e, f.app, challenge, "carol@acme-sso.com", "", "sso")
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode, page)
			require.Contains(t, page, "The identity provider did not sign you in")
			idp.Deny(false)

			// strict: the password form refuses the domain's emails...
			_, err = admin.UpdateIdPConfig(ctx, client.IdPConfigUpdate{Mode: ptr("strict"), AllowedEmailDomains: &[]string{"acme-sso.com"}})
			require.NoError(t, err)
			_, challenge = client.NewPKCE()
			resp, page = newBrowser(t).authorize(e, f.app, challenge, "dave@acme-sso.com", "dave's long password", "allow")
			require.Equal(t, http.StatusForbidden, resp.StatusCode)
			require.Contains(t, page, "acme-sso.com accounts sign in with Acme Okta")
			// ...existing users sign in through the provider...
			idp.SetUser(map[string]any{"email": "dave@acme-sso.com", "display_name": "Dave"})
			token = signInSSO(t, e, f, "dave@acme-sso.com")
			profile, err = e.client(client.WithBearer(token)).Profile(ctx)
			require.NoError(t, err)
			require.Equal(t, "dave@acme-sso.com", profile.Email)
			// ...and unknown ones are not created.
			idp.SetUser(map[string]any{"email": "erin@acme-sso.com"})
			_, challenge = client.NewPKCE()
			resp, page = newBrowser(t).authorize(e, f.app, challenge, "erin@acme-sso.com", "", "sso")
			require.Equal(t, http.StatusForbidden, resp.StatusCode, page)
			require.Contains(t, page, "There is no account for erin@acme-sso.com")
			_, err = e.app.Identities.UserByEmail(ctx, "erin@acme-sso.com")
			require.Error(t, err)

			// Other domains keep their passwords, and cannot use the provider.
			_, challenge = client.NewPKCE()
			resp, page = newBrowser(t).authorize(e, f.app, challenge, "owner@acme-sso.com", f.password, "allow")
			require.Equal(t, http.StatusForbidden, resp.StatusCode, "the owner is in the domain too: %s", page)
			resp, page = newBrowser(t).authorize(e, f.app, challenge, "someone@elsewhere-corp.com", "", "sso")
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, page)
			require.Contains(t, page, "Single sign-on is not set up for elsewhere-corp.com")

			// A callback without the browser that began it finishes nothing.
			resp, page = newBrowser(t).get(e.srv.URL + "/oauth2/sso/callback?state=forged&code=x")
			require.Equal(t, http.StatusBadRequest, resp.StatusCode)
			require.Contains(t, page, "started in another browser")

			// Deleting the configuration revokes the domain, and passwords work again.
			require.NoError(t, admin.DeleteIdPConfig(ctx))
			waitUntil(t, 10*time.Second, "revocation event", func() bool { return len(hook.ofType("partner.idp.domain_revoked")) == 1 })
			_, err = admin.IdPDomainVerification(ctx, "acme-sso.com")
			apiErr(t, err, http.StatusNotFound, "not_found")
			resp, page = newBrowser(t).authorize(e, f.app, challenge, "dave@acme-sso.com", "dave's long password", "allow")
			require.Equal(t, http.StatusFound, resp.StatusCode, page)
		})
	}
}

// TestSSOAdminErrors: the admin API's answers for bad configurations and
// domains, with the spec's statuses and codes.
func TestSSOAdminErrors(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		f := e.fixture("errors@example.com")
		admin := e.client(client.WithAPIKey(f.apiKey, f.app.ClientID))
		_, err := admin.IdPConfig(ctx)
		apiErr(t, err, http.StatusNotFound, "not_found")
		_, err = admin.UpdateIdPConfig(ctx, client.IdPConfigUpdate{Name: ptr("x")})
		apiErr(t, err, http.StatusNotFound, "not_found")
		apiErr(t, admin.DeleteIdPConfig(ctx), http.StatusNotFound, "not_found")
		_, err = admin.CreateIdPConfig(ctx, client.NewIdPConfig{Name: "x", DiscoveryURL: "https://idp.acme-corp.com/.well-known/openid-configuration",
			IdPClientID: "c", IdPClientSecret: "s", Mode: "strict"})
		apiErr(t, err, http.StatusBadRequest, "strict_mode_requires_domains")
		_, err = admin.CreateIdPConfig(ctx, client.NewIdPConfig{Name: "x", DiscoveryURL: "http://127.0.0.1:1/.well-known/openid-configuration",
			IdPClientID: "c", IdPClientSecret: "s", Mode: "partner_managed"})
		apiErr(t, err, http.StatusBadRequest, "discovery_fetch_failed")
		_, err = admin.CreateIdPConfig(ctx, client.NewIdPConfig{Name: "x", DiscoveryURL: "https://idp.acme-corp.com/",
			IdPClientID: "c", IdPClientSecret: "s", Mode: "partner_managed"})
		apiErr(t, err, http.StatusBadRequest, "invalid_request_body")
		for domain, code := range map[string]string{"gmail.com": "domain_is_generic", "example.com": "domain_reserved",
			"acme.test": "domain_reserved", "not_a_domain": "invalid_domain"} {
			_, err = admin.StartIdPDomainVerification(ctx, domain)
			apiErr(t, err, http.StatusBadRequest, code)
			_, err = admin.IdPDomainVerification(ctx, domain)
			apiErr(t, err, http.StatusBadRequest, code)
		}
		_, err = admin.IdPDomainVerification(ctx, "never-started.com")
		apiErr(t, err, http.StatusNotFound, "not_found")
		_, err = admin.CheckIdPDomainVerification(ctx, "never-started.com")
		apiErr(t, err, http.StatusNotFound, "not_found")
		for i := 0; i < 10; i++ {
			_, err := admin.StartIdPDomainVerification(ctx, "pending-"+string(rune('a'+i))+".com")
			require.NoError(t, err)
		}
		_, err = admin.StartIdPDomainVerification(ctx, "eleventh.com")
		ce := apiErr(t, err, http.StatusTooManyRequests, "too_many_pending_verifications")
		require.NotEmpty(t, ce.RetryAfter)
	})
}

// TestSSOAdminTenantMatrix: every IdP route with another app's key reaches
// nothing of the first app's configuration or domains, and every route
// without a key answers 401.
func TestSSOAdminTenantMatrix(t *testing.T) {
	for name, dbURL := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			dns := ssotest.NewDNS(t)
			idp := ssotest.NewProvider(t)
			e := newSSOEnv(t, dbURL, dns)
			owner := e.fixture("owner@matrix.com")
			ownerAdmin := e.client(client.WithAPIKey(owner.apiKey, owner.app.ClientID))
			v, err := ownerAdmin.StartIdPDomainVerification(ctx, "matrix-corp.com")
			require.NoError(t, err)
			dns.SetTXT(v.DNSRecordName, v.DNSRecordValue)
			_, err = ownerAdmin.CheckIdPDomainVerification(ctx, "matrix-corp.com")
			require.NoError(t, err)
			pending, err := ownerAdmin.StartIdPDomainVerification(ctx, "matrix-pending.com")
			require.NoError(t, err)
			before, err := ownerAdmin.CreateIdPConfig(ctx, client.NewIdPConfig{Name: "Matrix IdP", DiscoveryURL: idp.DiscoveryURL(),
				IdPClientID: idp.ClientID, IdPClientSecret: idp.ClientSecret, Mode: "strict", AllowedEmailDomains: []string{"matrix-corp.com"}})
			require.NoError(t, err)

			intruder := e.fixture("intruder@elsewhere.com")
			calls := []struct{ method, path, body string }{
				{"GET", "/v1/partner/admin/idp", ""},
				{"PUT", "/v1/partner/admin/idp", `{"name":"Hijacked","is_active":false}`},
				{"DELETE", "/v1/partner/admin/idp", ""},
				{"GET", "/v1/partner/admin/idp/domains/matrix-corp.com", ""},
				{"POST", "/v1/partner/admin/idp/domains/matrix-corp.com/check", ""},
				{"GET", "/v1/partner/admin/idp/domains/matrix-pending.com", ""},
				{"POST", "/v1/partner/admin/idp/domains/matrix-pending.com/check", ""},
			}
			for _, c := range calls {
				resp, body := raw(t, c.method, e.srv.URL+c.path, "application/json", c.body, map[string]string{"X-API-Key": intruder.apiKey})
				require.Equal(t, http.StatusNotFound, resp.StatusCode, "%s %s as another app: %v", c.method, c.path, body)
			}
			// Starting a challenge for the same domain makes the intruder's
			// own, leaving the owner's alone.
			resp, body := raw(t, "POST", e.srv.URL+"/v1/partner/admin/idp/domains/matrix-pending.com/verify", "", "",
				map[string]string{"X-API-Key": intruder.apiKey})
			require.Equal(t, http.StatusCreated, resp.StatusCode, "%v", body)
			require.NotEqual(t, pending.DNSRecordValue, body["dns_record_value"])
			// Creating a configuration that claims the owner's domain fails.
			resp, body = raw(t, "POST", e.srv.URL+"/v1/partner/admin/idp", "application/json",
				`{"name":"Claim","discovery_url":"`+idp.DiscoveryURL()+`","idp_client_id":"c","idp_client_secret":"s","mode":"strict","allowed_email_domains":["matrix-corp.com"]}`,
				map[string]string{"X-API-Key": intruder.apiKey})
			require.Equal(t, http.StatusBadRequest, resp.StatusCode, "%v", body)
			require.Equal(t, "domain_not_verified", body["code"])

			after, err := ownerAdmin.IdPConfig(ctx)
			require.NoError(t, err)
			require.Equal(t, before, after)
			still, err := ownerAdmin.IdPDomainVerification(ctx, "matrix-pending.com")
			require.NoError(t, err)
			require.Equal(t, pending.DNSRecordValue, still.DNSRecordValue)

			for _, c := range append(calls, struct{ method, path, body string }{"POST", "/v1/partner/admin/idp", "{}"},
				struct{ method, path, body string }{"POST", "/v1/partner/admin/idp/domains/matrix-corp.com/verify", ""}) {
				resp, _ := raw(t, c.method, e.srv.URL+c.path, "application/json", c.body, nil)
				require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%s %s without a key", c.method, c.path)
			}
		})
	}
}
