package sso_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/jobs"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/sso"
	"github.com/quorumhq/quorum/internal/sso/ssotest"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/store/storetest"
)

func TestNormalizeDomain(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		{in: "Acme.COM", want: "acme.com"},
		{in: " acme.com. ", want: "acme.com"},
		{in: "sub.acme.co.uk", want: "sub.acme.co.uk"},
		{in: "Bücher.de", want: "xn--bcher-kva.de"},
		{in: "xn--bcher-kva.de", want: "xn--bcher-kva.de"},
		{in: "", code: "invalid_domain"},
		{in: "localhost", code: "invalid_domain"},
		{in: "acme", code: "invalid_domain"},
		{in: "acme..com", code: "invalid_domain"},
		{in: "-acme.com", code: "invalid_domain"},
		{in: "acme_corp.com", code: "invalid_domain"},
		{in: "10.0.0.1", code: "invalid_domain"},
		{in: "user@acme.com", code: "invalid_domain"},
		{in: strings.Repeat("a", 64) + ".com", code: "invalid_domain"},
		{in: "example.com", code: "domain_reserved"},
		{in: "mail.example.org", code: "domain_reserved"},
		{in: "acme.test", code: "domain_reserved"},
		{in: "acme.invalid", code: "domain_reserved"},
		{in: "host.localhost", code: "domain_reserved"},
		{in: "co.uk", code: "domain_reserved"},
		{in: "gmail.com", code: "domain_is_generic"},
		{in: "Outlook.com", code: "domain_is_generic"},
		{in: "yahoo.com", code: "domain_is_generic"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := sso.NormalizeDomain(tt.in)
			if tt.code != "" {
				requireCode(t, err, tt.code)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func requireCode(t *testing.T, err error, code string) *fault.Error {
	t.Helper()
	fe, ok := fault.As(err)
	require.True(t, ok, "want fault %s, got %v", code, err)
	require.Equal(t, code, fe.Code, "%v", err)
	return fe
}

// recorder is an event.Emitter that keeps what it is given.
type recorder struct {
	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) Emit(_ context.Context, _ *jobs.Tx, e event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

func (r *recorder) ofType(typ string) []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event.Event
	for _, e := range r.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

type world struct {
	svc      *sso.Service
	db       *store.DB
	ids      *identity.Service
	events   *recorder
	dns      *ssotest.DNS
	idp      *ssotest.Provider
	a, b     caller.Caller
	appA     identity.App
	orgA     identity.Org
	box      *secret.Box
	resolver sso.Resolver
}

func setup(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, jobs.Migrate(ctx, db))
	q, err := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), jobs.Config{InsertOnly: true})
	require.NoError(t, err)
	ids := identity.NewService(db, false)
	w := &world{db: db, ids: ids, events: &recorder{}, dns: ssotest.NewDNS(t), idp: ssotest.NewProvider(t)}
	var callers [2]caller.Caller
	for i, name := range []string{"A", "B"} {
		org, err := ids.CreateOrg(ctx, "Org "+name)
		require.NoError(t, err)
		app, _, err := ids.CreateApp(ctx, identity.NewApp{OrgID: org.ID, Name: "App " + name, RedirectURIs: []string{"https://partner.test/cb"}})
		require.NoError(t, err)
		callers[i] = caller.Caller{Credential: caller.AdminKey, OrgID: org.ID, AppID: app.ID}
		if i == 0 {
			w.appA, w.orgA = app, org
		}
	}
	w.a, w.b = callers[0], callers[1]
	key := make([]byte, secret.KeySize)
	_, _ = rand.Read(key)
	w.box, err = secret.NewBox(key)
	require.NoError(t, err)
	w.resolver = sso.ResolverAt(w.dns.Addr)
	w.svc = sso.NewService(sso.Options{DB: db, Queue: q, Events: w.events, Box: w.box, Identities: ids,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), PublicURL: "https://quorum.test", AllowPrivateURLs: true, Resolver: w.resolver})
	return w
}

// verify proves c's ownership of domain through the local DNS server.
func (w *world) verify(t *testing.T, c caller.Caller, domain string) {
	t.Helper()
	ctx := context.Background()
	v, err := w.svc.StartVerification(ctx, c, domain)
	require.NoError(t, err)
	w.dns.SetTXT(v.RecordName(), "unrelated=1", v.RecordValue())
	v, err = w.svc.CheckVerification(ctx, c, domain)
	require.NoError(t, err)
	require.Equal(t, sso.Verified, v.Status)
}

func (w *world) newConfig(mode sso.Mode, domains ...string) sso.NewConfig {
	return sso.NewConfig{Name: "Acme Okta", DiscoveryURL: w.idp.DiscoveryURL(), ClientID: w.idp.ClientID,
		ClientSecret: w.idp.ClientSecret, Mode: mode, AllowedEmailDomains: domains}
}

func TestDomainVerification(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)

		_, err := w.svc.Verification(ctx, w.a, "acme-corp.com")
		requireCode(t, err, "not_found")
		_, err = w.svc.StartVerification(ctx, w.a, "gmail.com")
		requireCode(t, err, "domain_is_generic")
		_, err = w.svc.CheckVerification(ctx, w.a, "acme.test")
		requireCode(t, err, "domain_reserved")

		v, err := w.svc.StartVerification(ctx, w.a, "ACME-corp.com")
		require.NoError(t, err)
		require.Equal(t, "acme-corp.com", v.Domain)
		require.Equal(t, sso.Pending, v.Status)
		require.Equal(t, "_contio-challenge.acme-corp.com", v.RecordName())
		require.True(t, strings.HasPrefix(v.RecordValue(), "contio-domain-verify="))
		require.False(t, v.ExpiresAt.IsZero())
		require.True(t, v.VerifiedAt.IsZero())

		// Another app sees nothing of it.
		_, err = w.svc.Verification(ctx, w.b, "acme-corp.com")
		requireCode(t, err, "not_found")
		_, err = w.svc.CheckVerification(ctx, w.b, "acme-corp.com")
		requireCode(t, err, "not_found")

		// No record at all, then a wrong one: the check fails, with reasons.
		got, err := w.svc.CheckVerification(ctx, w.a, "acme-corp.com")
		require.NoError(t, err)
		require.Equal(t, sso.Pending, got.Status)
		w.dns.SetTXT(v.RecordName(), "contio-domain-verify=not-the-token")
		_, err = w.svc.CheckVerification(ctx, w.a, "acme-corp.com")
		require.NoError(t, err)
		failed := w.events.ofType(event.IdPDomainVerificationFailed)
		require.Len(t, failed, 2)
		require.Equal(t, sso.ReasonNotFound, failed[0].Data.(*event.IdPDomainFailure).Reason)
		require.Equal(t, sso.ReasonMismatch, failed[1].Data.(*event.IdPDomainFailure).Reason)
		require.True(t, failed[0].AppOnly)
		require.Equal(t, w.a.AppID, failed[0].AppID)

		// The right record verifies the domain, once.
		w.dns.SetTXT(v.RecordName(), "v=spf1 -all", v.RecordValue())
		got, err = w.svc.CheckVerification(ctx, w.a, "acme-corp.com")
		require.NoError(t, err)
		require.Equal(t, sso.Verified, got.Status)
		require.False(t, got.VerifiedAt.IsZero())
		require.True(t, got.ExpiresAt.IsZero())
		verified := w.events.ofType(event.IdPDomainVerified)
		require.Len(t, verified, 1)
		require.Equal(t, "acme-corp.com", verified[0].Data.(*event.IdPDomain).Domain)
		w.dns.SetTXT(v.RecordName())
		again, err := w.svc.CheckVerification(ctx, w.a, "acme-corp.com")
		require.NoError(t, err)
		require.Equal(t, got.VerifiedAt.Unix(), again.VerifiedAt.Unix())
		require.Len(t, w.events.ofType(event.IdPDomainVerified), 1)
		restarted, err := w.svc.StartVerification(ctx, w.a, "acme-corp.com")
		require.NoError(t, err)
		require.Equal(t, sso.Verified, restarted.Status)

		// A pending challenge expires lazily, and can be issued anew.
		p, err := w.svc.StartVerification(ctx, w.a, "other-corp.com")
		require.NoError(t, err)
		later := time.Now().Add(sso.ChallengeTTL + time.Hour)
		sso.SetNow(w.svc, func() time.Time { return later })
		expired, err := w.svc.Verification(ctx, w.a, "other-corp.com")
		require.NoError(t, err)
		require.Equal(t, sso.Expired, expired.Status)
		w.dns.SetTXT(p.RecordName(), p.RecordValue())
		expired, err = w.svc.CheckVerification(ctx, w.a, "other-corp.com")
		require.NoError(t, err)
		require.Equal(t, sso.Expired, expired.Status, "an expired challenge does not verify")
		require.Equal(t, sso.ReasonExpired, w.events.ofType(event.IdPDomainVerificationFailed)[2].Data.(*event.IdPDomainFailure).Reason)
		renewed, err := w.svc.StartVerification(ctx, w.a, "other-corp.com")
		require.NoError(t, err)
		require.Equal(t, sso.Pending, renewed.Status)
		require.NotEqual(t, p.Token, renewed.Token)

		// At most MaxPending live challenges.
		for i := 1; i < sso.MaxPending; i++ {
			_, err := w.svc.StartVerification(ctx, w.a, "pending"+string(rune('a'+i))+".com")
			require.NoError(t, err)
		}
		_, err = w.svc.StartVerification(ctx, w.a, "one-too-many.com")
		fe := requireCode(t, err, "too_many_pending_verifications")
		require.Equal(t, fault.KindRateLimited, fe.Kind)
		_, err = w.svc.StartVerification(ctx, w.b, "one-too-many.com")
		require.NoError(t, err, "the limit is per app")
	})
}

func TestConfigLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)

		bad := func(mutate func(*sso.NewConfig), code string) {
			t.Helper()
			n := w.newConfig(sso.PartnerManaged)
			mutate(&n)
			_, err := w.svc.Create(ctx, w.a, n)
			requireCode(t, err, code)
		}
		bad(func(n *sso.NewConfig) { n.Name = " " }, "invalid_request_body")
		bad(func(n *sso.NewConfig) { n.Mode = "lenient" }, "invalid_request_body")
		bad(func(n *sso.NewConfig) { n.DiscoveryURL = w.idp.Issuer + "/openid" }, "invalid_request_body")
		bad(func(n *sso.NewConfig) { n.ClientSecret = "" }, "invalid_idp_credentials")
		bad(func(n *sso.NewConfig) { n.ClientID = "" }, "invalid_idp_credentials")
		bad(func(n *sso.NewConfig) { n.Scopes = []string{"email"} }, "invalid_request_body")
		bad(func(n *sso.NewConfig) { n.ClaimMappings = map[string]string{"email": "mail", "salary": "pay"} }, "invalid_request_body")
		bad(func(n *sso.NewConfig) { n.Mode = sso.Strict }, "strict_mode_requires_domains")
		bad(func(n *sso.NewConfig) { n.AllowedEmailDomains = []string{"gmail.com"} }, "domain_is_generic")
		bad(func(n *sso.NewConfig) { n.AllowedEmailDomains = []string{"example.com"} }, "domain_reserved")
		bad(func(n *sso.NewConfig) { n.AllowedEmailDomains = []string{"not a domain"} }, "invalid_domain")
		bad(func(n *sso.NewConfig) { n.AllowedEmailDomains = []string{"acme-corp.com"} }, "domain_not_verified")
		bad(func(n *sso.NewConfig) { n.DiscoveryURL = w.idp.Issuer + "/missing/.well-known/openid-configuration" }, "discovery_fetch_failed")
		wrongIssuer := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
			_, _ = rw.Write([]byte(`{"issuer":"https://elsewhere.test","authorization_endpoint":"https://elsewhere.test/a",` +
				`"token_endpoint":"https://elsewhere.test/t","jwks_uri":"https://elsewhere.test/k"}`))
		}))
		defer wrongIssuer.Close()
		bad(func(n *sso.NewConfig) { n.DiscoveryURL = wrongIssuer.URL + "/.well-known/openid-configuration" }, "invalid_idp")

		// The outbound guard refuses a private provider unless allowed.
		guarded := sso.NewService(sso.Options{DB: db, Box: w.box, Identities: w.ids, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		_, err := guarded.Create(ctx, w.a, w.newConfig(sso.PartnerManaged))
		requireCode(t, err, "discovery_fetch_failed")

		_, err = w.svc.Get(ctx, w.a)
		requireCode(t, err, "not_found")
		w.verify(t, w.a, "acme-corp.com")
		cfg, err := w.svc.Create(ctx, w.a, w.newConfig(sso.Strict, "Acme-Corp.com"))
		require.NoError(t, err)
		require.Equal(t, []string{"acme-corp.com"}, cfg.AllowedEmailDomains)
		require.Equal(t, w.idp.Issuer, cfg.Issuer)
		require.Equal(t, w.idp.Issuer+"/authorize", cfg.AuthorizationEndpoint)
		require.Equal(t, w.idp.Issuer+"/token", cfg.TokenEndpoint)
		require.Equal(t, w.idp.Issuer+"/userinfo", cfg.UserinfoEndpoint)
		require.Equal(t, w.idp.Issuer+"/jwks", cfg.JWKSURI)
		require.Equal(t, sso.DefaultScopes, cfg.Scopes)
		require.Equal(t, sso.DefaultClaimMappings(), cfg.ClaimMappings)
		require.Equal(t, w.appA.UUID, cfg.AppUUID)
		require.True(t, cfg.IsActive)
		require.False(t, cfg.DiscoveryLastFetchedAt.IsZero())

		// The secret is sealed at rest.
		var sealed []byte
		require.NoError(t, db.R.QueryRowContext(ctx, db.Rebind(`SELECT client_secret_sealed FROM idp_configs WHERE app_id = ?`), w.a.AppID).Scan(&sealed))
		require.NotContains(t, string(sealed), w.idp.ClientSecret)

		_, err = w.svc.Create(ctx, w.a, w.newConfig(sso.PartnerManaged))
		fe := requireCode(t, err, "idp_config_exists")
		require.Equal(t, fault.KindConflict, fe.Kind)

		// Another app reaches nothing of it, and cannot claim its domain.
		_, err = w.svc.Get(ctx, w.b)
		requireCode(t, err, "not_found")
		name := "Stolen"
		_, err = w.svc.Update(ctx, w.b, sso.Patch{Name: &name})
		requireCode(t, err, "not_found")
		requireCode(t, w.svc.Delete(ctx, w.b), "not_found")
		w.verify(t, w.b, "acme-corp.com")
		_, err = w.svc.Create(ctx, w.b, w.newConfig(sso.Strict, "acme-corp.com"))
		fe = requireCode(t, err, "domain_already_claimed")
		require.Equal(t, fault.KindInvalid, fe.Kind)
		bcfg, err := w.svc.Create(ctx, w.b, w.newConfig(sso.PartnerManaged))
		require.NoError(t, err)
		require.Nil(t, bcfg.AllowedEmailDomains)
		domains := []string{"acme-corp.com"}
		_, err = w.svc.Update(ctx, w.b, sso.Patch{AllowedEmailDomains: &domains})
		fe = requireCode(t, err, "domain_already_claimed")
		require.Equal(t, fault.KindConflict, fe.Kind)

		// A partial update keeps what it does not name.
		inactive, newName, secretValue := false, "Acme Entra", "rotated-secret"
		upd, err := w.svc.Update(ctx, w.a, sso.Patch{Name: &newName, IsActive: &inactive, ClientSecret: &secretValue})
		require.NoError(t, err)
		require.Equal(t, "Acme Entra", upd.Name)
		require.False(t, upd.IsActive)
		require.Equal(t, sso.Strict, upd.Mode)
		require.Equal(t, []string{"acme-corp.com"}, upd.AllowedEmailDomains)
		empty := []string{}
		_, err = w.svc.Update(ctx, w.a, sso.Patch{AllowedEmailDomains: &empty})
		requireCode(t, err, "strict_mode_requires_domains")

		// Deleting revokes the app's verified domains.
		require.NoError(t, w.svc.Delete(ctx, w.a))
		_, err = w.svc.Get(ctx, w.a)
		requireCode(t, err, "not_found")
		revoked := w.events.ofType(event.IdPDomainRevoked)
		require.Len(t, revoked, 1)
		require.Equal(t, "acme-corp.com", revoked[0].Data.(*event.IdPDomainRevocation).Domain)
		require.Equal(t, w.a.AppID, revoked[0].AppID)
		_, err = w.svc.Verification(ctx, w.a, "acme-corp.com")
		requireCode(t, err, "not_found")
		// The domain is free for the other app now.
		_, err = w.svc.Update(ctx, w.b, sso.Patch{AllowedEmailDomains: &domains})
		require.NoError(t, err)
	})
}

// signIn plays the browser: it follows Begin's URL to the provider and
// returns the state and code the provider sends back.
func signIn(t *testing.T, authURL string) (state, code string, back url.Values) {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "https://quorum.test/oauth2/sso/callback", loc.Scheme+"://"+loc.Host+loc.Path)
	return loc.Query().Get("state"), loc.Query().Get("code"), loc.Query()
}

func TestSignIn(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		browser := secret.New("")
		request := url.Values{"client_id": {w.appA.ClientID}, "state": {"partner-state"}}

		offer, err := w.svc.Offer(ctx, w.appA)
		require.NoError(t, err)
		require.Empty(t, offer)
		_, err = w.svc.Begin(ctx, w.appA, "ann@acme-corp.com", request, browser)
		requireCode(t, err, "sso_unavailable")

		w.verify(t, w.a, "acme-corp.com")
		_, err = w.svc.Create(ctx, w.a, w.newConfig(sso.PartnerManaged))
		require.NoError(t, err)
		offer, err = w.svc.Offer(ctx, w.appA)
		require.NoError(t, err)
		require.Equal(t, "Acme Okta", offer)
		require.NoError(t, w.svc.PasswordAllowed(ctx, w.appA, "ann@acme-corp.com"), "partner_managed keeps passwords")
		_, err = w.svc.Begin(ctx, w.appA, "ann@unverified-corp.com", request, browser)
		requireCode(t, err, "sso_unavailable")

		// partner_managed: the first sign-in creates the user with the mapped claims.
		w.idp.SetUser(map[string]any{"email": "Ann@Acme-Corp.com", "email_verified": true, "name": "Ann Smith",
			"given_name": "Ann", "family_name": "Smith"})
		authURL, err := w.svc.Begin(ctx, w.appA, "ann@acme-corp.com", request, browser)
		require.NoError(t, err)
		state, code, _ := signIn(t, authURL)
		seen := w.idp.Authorizations()
		require.Equal(t, "ann@acme-corp.com", seen[len(seen)-1].Get("login_hint"))
		require.Equal(t, "openid email profile", seen[len(seen)-1].Get("scope"))
		require.NotEmpty(t, seen[len(seen)-1].Get("nonce"))

		_, err = w.svc.Complete(ctx, state, code, secret.New(""))
		requireCode(t, err, "sso_state_invalid")
		login, err := w.svc.Complete(ctx, state, code, browser)
		require.NoError(t, err)
		require.Equal(t, "ann@acme-corp.com", login.User.Email)
		require.Equal(t, "Ann Smith", login.User.Name)
		require.Equal(t, "partner-state", login.Request.Get("state"))
		require.Equal(t, w.appA.ID, login.AppID)
		u, err := w.ids.UserByEmail(ctx, "ann@acme-corp.com")
		require.NoError(t, err)
		require.True(t, u.EmailVerified)
		require.Equal(t, "Smith", u.FamilyName)
		m, err := w.ids.MembershipForApp(ctx, u.ID, w.appA)
		require.NoError(t, err)
		require.Equal(t, w.orgA.ID, m.Org.ID)
		_, err = w.svc.Complete(ctx, state, code, browser)
		requireCode(t, err, "sso_state_invalid")

		// The provider may not sign in addresses of other domains, nor
		// unverified ones.
		for _, tc := range []struct {
			claims map[string]any
			code   string
		}{
			{map[string]any{"email": "eve@evil-corp.com", "name": "Eve"}, "sso_domain_not_allowed"},
			{map[string]any{"email": "bob@acme-corp.com", "email_verified": false}, "sso_email_unverified"},
			{map[string]any{"sub": "no-email"}, "sso_no_email"},
		} {
			w.idp.SetUser(tc.claims)
			authURL, err := w.svc.Begin(ctx, w.appA, "ann@acme-corp.com", request, browser)
			require.NoError(t, err)
			state, code, _ := signIn(t, authURL)
			_, err = w.svc.Complete(ctx, state, code, browser)
			var le *sso.LoginError
			require.ErrorAs(t, err, &le)
			require.Equal(t, "partner-state", le.Request.Get("state"))
			requireCode(t, err, tc.code)
		}

		// A refused sign-in gives back its request.
		w.idp.Deny(true)
		authURL, err = w.svc.Begin(ctx, w.appA, "ann@acme-corp.com", request, browser)
		require.NoError(t, err)
		state, _, back := signIn(t, authURL)
		require.Equal(t, "access_denied", back.Get("error"))
		got, err := w.svc.Abandon(ctx, state, browser)
		require.NoError(t, err)
		require.Equal(t, request, got)
		w.idp.Deny(false)

		// strict: passwords are refused for the domain, unknown users too.
		mode, domains := sso.Strict, []string{"acme-corp.com"}
		_, err = w.svc.Update(ctx, w.a, sso.Patch{Mode: &mode, AllowedEmailDomains: &domains})
		require.NoError(t, err)
		requireCode(t, w.svc.PasswordAllowed(ctx, w.appA, "Ann@acme-corp.com"), "sso_required")
		require.NoError(t, w.svc.PasswordAllowed(ctx, w.appA, "ann@elsewhere-corp.com"))
		w.idp.SetUser(map[string]any{"email": "newcomer@acme-corp.com"})
		authURL, err = w.svc.Begin(ctx, w.appA, "newcomer@acme-corp.com", request, browser)
		require.NoError(t, err)
		state, code, _ = signIn(t, authURL)
		_, err = w.svc.Complete(ctx, state, code, browser)
		requireCode(t, err, "sso_user_unknown")
		w.idp.SetUser(map[string]any{"email": "ann@acme-corp.com"})
		authURL, err = w.svc.Begin(ctx, w.appA, "ann@acme-corp.com", request, browser)
		require.NoError(t, err)
		state, code, _ = signIn(t, authURL)
		login, err = w.svc.Complete(ctx, state, code, browser)
		require.NoError(t, err)
		require.Equal(t, u.ID, login.User.ID)

		// An inactive configuration signs nobody in and blocks no password.
		inactive := false
		_, err = w.svc.Update(ctx, w.a, sso.Patch{IsActive: &inactive})
		require.NoError(t, err)
		require.NoError(t, w.svc.PasswordAllowed(ctx, w.appA, "ann@acme-corp.com"))
		_, err = w.svc.Begin(ctx, w.appA, "ann@acme-corp.com", request, browser)
		requireCode(t, err, "sso_unavailable")

		n, err := w.svc.PurgeLogins(ctx)
		require.NoError(t, err)
		require.Zero(t, n, "nothing has expired yet")
	})
}
