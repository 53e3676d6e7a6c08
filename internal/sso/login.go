package sso

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/secret"
)

// LoginTTL is how long a sign-in through a provider may take, from the
// authorize page to the provider's callback.
const LoginTTL = 10 * time.Minute

// MinBrowserKey is the shortest browser key Begin accepts: the random
// value of a cookie only the browser that began the sign-in holds.
const MinBrowserKey = 32

// Login is a sign-in completed through a provider.
type Login struct {
	AppID int64
	User  identity.User
	// Request is the authorization request the sign-in began from, as the
	// authorize page's parameters.
	Request url.Values
}

func unavailable(format string, args ...any) error {
	return fault.Invalid("email", "sso_unavailable", format, args...)
}

func signInFailed() error {
	return fault.Unauthorized("sso_failed", "The identity provider did not complete the sign-in. Please try again.")
}

// Offer returns the name of the app's active identity provider for its
// sign-in page, or "" when it has none.
func (s *Service) Offer(ctx context.Context, app identity.App) (string, error) {
	cfg, err := s.store.configForSignIn(ctx, app.ID)
	if errors.Is(err, fault.ErrNotFound) || err == nil && !cfg.IsActive {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return cfg.Name, nil
}

// domains are the email domains an active configuration signs in: its
// claimed domains, or every domain its app verified when it lists none.
func (s *Service) domains(ctx context.Context, cfg Config) ([]string, error) {
	if len(cfg.AllowedEmailDomains) > 0 {
		return cfg.AllowedEmailDomains, nil
	}
	return s.store.verifiedDomains(ctx, nil, cfg.OrgID, cfg.AppID)
}

// covers returns the app's active configuration when it signs in email's
// domain.
func (s *Service) covers(ctx context.Context, appID int64, email string) (Config, bool, error) {
	cfg, err := s.store.configForSignIn(ctx, appID)
	if errors.Is(err, fault.ErrNotFound) {
		return Config{}, false, nil
	}
	if err != nil || !cfg.IsActive {
		return Config{}, false, err
	}
	d := EmailDomain(email)
	if d == "" {
		return cfg, false, nil
	}
	ds, err := s.domains(ctx, cfg)
	if err != nil {
		return Config{}, false, err
	}
	return cfg, slices.Contains(ds, d), nil
}

// PasswordAllowed refuses a password sign-in on the app's page for an
// email of a domain its strict-mode provider signs in.
func (s *Service) PasswordAllowed(ctx context.Context, app identity.App, email string) error {
	cfg, ok, err := s.covers(ctx, app.ID, strings.ToLower(strings.TrimSpace(email)))
	if err != nil || !ok || cfg.Mode != Strict {
		return err
	}
	return fault.Forbidden("sso_required", "%s accounts sign in with %s: choose \u201cSign in with %s\u201d.", EmailDomain(email), cfg.Name, cfg.Name)
}

// pkceVerifier derives the sign-in's PKCE verifier from the browser key,
// so that only the browser that began it can finish it, and the database
// never holds the verifier.
func pkceVerifier(browser, state string) string {
	mac := hmac.New(sha256.New, []byte(browser))
	mac.Write([]byte("quorum sso pkce verifier\x00" + state))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (s *Service) oauth2Config(cfg Config, clientSecret string) *oauth2.Config {
	return &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: clientSecret, RedirectURL: s.callback, Scopes: cfg.Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: cfg.AuthorizationEndpoint, TokenURL: cfg.TokenEndpoint}}
}

// Begin starts a sign-in of email through the app's provider, for the
// authorization request of the page (request), from the browser holding
// browser (a random cookie value). It returns the provider's authorization
// URL to send the browser to.
func (s *Service) Begin(ctx context.Context, app identity.App, email string, request url.Values, browser string) (string, error) {
	if len(browser) < MinBrowserKey {
		return "", fmt.Errorf("sso: browser key too short")
	}
	email, err := identity.NormalizeEmail(email)
	if err != nil {
		return "", unavailable("Enter your work email to sign in with single sign-on.")
	}
	cfg, ok, err := s.covers(ctx, app.ID, email)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", unavailable("Single sign-on is not set up for %s addresses.", EmailDomain(email))
	}
	state, nonce := secret.New(""), secret.New("")
	now := s.now()
	row := loginRow{ConfigID: cfg.ID, AppID: app.ID, Nonce: nonce, Email: email, Request: jsonText(request)}
	if err := s.store.insertLogin(ctx, secret.Hash(state), secret.Hash(browser), row, now, now.Add(LoginTTL)); err != nil {
		return "", err
	}
	return s.oauth2Config(cfg, "").AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(pkceVerifier(browser, state)),
		oauth2.SetAuthURLParam("login_hint", email)), nil
}

// errStale is a sign-in that is not in flight from this browser.
var errStale = fault.Invalid("state", "sso_state_invalid", "This sign-in expired or was started in another browser. Please start again.")

// Abandon ends a sign-in the provider refused and returns the request it
// began from.
func (s *Service) Abandon(ctx context.Context, state, browser string) (url.Values, error) {
	row, ok, err := s.store.consumeLogin(ctx, secret.Hash(state), secret.Hash(browser), s.now())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errStale
	}
	return decodeRequest(row.Request)
}

func decodeRequest(raw string) (url.Values, error) {
	var v url.Values
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return nil, fmt.Errorf("decode sso request: %w", err)
	}
	return v, nil
}

// Complete finishes a sign-in at the provider's callback: it consumes the
// sign-in in flight (once, from the browser that began it), redeems the
// code with the PKCE verifier, verifies the ID token (signature, issuer,
// audience, expiry, nonce), maps its claims and finds the user, creating
// it in partner_managed mode. The request of the returned Login is the
// authorization request to answer; errors that carry it are *LoginError.
func (s *Service) Complete(ctx context.Context, state, code, browser string) (Login, error) {
	row, ok, err := s.store.consumeLogin(ctx, secret.Hash(state), secret.Hash(browser), s.now())
	if err != nil {
		return Login{}, err
	}
	if !ok {
		return Login{}, errStale
	}
	req, err := decodeRequest(row.Request)
	if err != nil {
		return Login{}, err
	}
	user, err := s.complete(ctx, row, state, code, browser)
	if err != nil {
		return Login{}, &LoginError{Request: req, Err: err}
	}
	return Login{AppID: row.AppID, User: user, Request: req}, nil
}

// LoginError is a sign-in that failed after its request was known, so the
// page can show the form again.
type LoginError struct {
	Request url.Values
	Err     error
}

// Error implements error.
func (e *LoginError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *LoginError) Unwrap() error { return e.Err }

func (s *Service) complete(ctx context.Context, row loginRow, state, code, browser string) (identity.User, error) {
	cfg, err := s.store.configByID(ctx, row.ConfigID, row.AppID)
	if errors.Is(err, fault.ErrNotFound) || err == nil && !cfg.IsActive {
		return identity.User{}, unavailable("Single sign-on is no longer available for this app.")
	}
	if err != nil {
		return identity.User{}, err
	}
	if code == "" {
		return identity.User{}, signInFailed()
	}
	clientSecret, err := s.clientSecret(cfg)
	if err != nil {
		return identity.User{}, err
	}
	rp := s.relyingParty(cfg)
	hctx := oidc.ClientContext(ctx, s.client)
	tok, err := s.oauth2Config(cfg, clientSecret).Exchange(hctx, code, oauth2.VerifierOption(pkceVerifier(browser, state)))
	if err != nil {
		s.logger.WarnContext(ctx, "sso code exchange failed", "app_id", row.AppID, "error", err)
		return identity.User{}, signInFailed()
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		s.logger.WarnContext(ctx, "sso token response has no id_token", "app_id", row.AppID)
		return identity.User{}, signInFailed()
	}
	idt, err := rp.verifier.Verify(ctx, raw)
	if err != nil {
		s.logger.WarnContext(ctx, "sso id token rejected", "app_id", row.AppID, "error", err)
		return identity.User{}, signInFailed()
	}
	if !secret.Equal(idt.Nonce, row.Nonce) {
		s.logger.WarnContext(ctx, "sso id token nonce mismatch", "app_id", row.AppID)
		return identity.User{}, signInFailed()
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return identity.User{}, fmt.Errorf("decode id token claims: %w", err)
	}
	if _, ok := claims[cfg.ClaimMappings["email"]]; !ok && cfg.UserinfoEndpoint != "" {
		if err := s.userinfo(hctx, rp, tok, idt.Subject, claims); err != nil {
			s.logger.WarnContext(ctx, "sso userinfo failed", "app_id", row.AppID, "error", err)
			return identity.User{}, signInFailed()
		}
	}
	return s.user(ctx, cfg, claims)
}

// userinfo adds the claims of the userinfo endpoint that the ID token
// lacks; its subject must be the ID token's.
func (s *Service) userinfo(ctx context.Context, rp *relyingParty, tok *oauth2.Token, subject string, claims map[string]any) error {
	ui, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return err
	}
	if ui.Subject != subject {
		return fmt.Errorf("userinfo subject %q is not the id token's", ui.Subject)
	}
	more := map[string]any{}
	if err := ui.Claims(&more); err != nil {
		return err
	}
	for k, v := range more {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}

// clip shortens a claim to what a user's name fields hold.
func clip(s string) string {
	if len(s) > 255 {
		return strings.ToValidUTF8(s[:255], "")
	}
	return s
}

func stringClaim(claims map[string]any, name string) string {
	if name == "" {
		return ""
	}
	v, _ := claims[name].(string)
	return strings.TrimSpace(v)
}

// user maps the claims to a Quorum user: the email must be verified (or
// not said otherwise) and of a domain the configuration signs in.
func (s *Service) user(ctx context.Context, cfg Config, claims map[string]any) (identity.User, error) {
	email, err := identity.NormalizeEmail(stringClaim(claims, cfg.ClaimMappings["email"]))
	if err != nil {
		return identity.User{}, fault.Forbidden("sso_no_email", "The identity provider did not give a valid email address.")
	}
	if v, ok := claims["email_verified"]; ok && (v == false || v == "false") {
		return identity.User{}, fault.Forbidden("sso_email_unverified", "The identity provider has not verified %s.", email)
	}
	ds, err := s.domains(ctx, cfg)
	if err != nil {
		return identity.User{}, err
	}
	if !slices.Contains(ds, EmailDomain(email)) {
		return identity.User{}, fault.Forbidden("sso_domain_not_allowed", "%s is not in a domain this app signs in with %s.", email, cfg.Name)
	}
	u, err := s.identities.UserByEmail(ctx, email)
	if err == nil || !errors.Is(err, fault.ErrNotFound) {
		return u, err
	}
	if cfg.Mode != PartnerManaged {
		return identity.User{}, fault.Forbidden("sso_user_unknown", "There is no account for %s yet; ask your administrator to add you.", email)
	}
	name := stringClaim(claims, cfg.ClaimMappings["name"])
	given, family := stringClaim(claims, cfg.ClaimMappings["given_name"]), stringClaim(claims, cfg.ClaimMappings["family_name"])
	if name == "" {
		name = strings.TrimSpace(given + " " + family)
	}
	if name == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	u, err = s.identities.CreateUser(ctx, identity.NewUser{OrgID: cfg.OrgID, Email: email, Name: clip(name), Role: identity.RoleMember,
		GivenName: clip(given), FamilyName: clip(family), EmailVerified: true})
	if errors.Is(err, fault.ErrConflict) {
		// A parallel first sign-in created it.
		return s.identities.UserByEmail(ctx, email)
	}
	if err != nil {
		return identity.User{}, err
	}
	s.logger.InfoContext(ctx, "sso user provisioned", "app_id", cfg.AppID, "org_id", cfg.OrgID, "user_id", u.ID)
	return u, nil
}

// relyingParty is a configuration's provider with its key set.
type relyingParty struct {
	version  time.Time
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// relyingParty returns the cached relying party of a configuration, or
// builds one when the configuration changed since.
func (s *Service) relyingParty(cfg Config) *relyingParty {
	if v, ok := s.providers.Load(cfg.ID); ok && v.(*relyingParty).version.Equal(cfg.UpdatedAt) {
		return v.(*relyingParty)
	}
	p := (&oidc.ProviderConfig{IssuerURL: cfg.Issuer, AuthURL: cfg.AuthorizationEndpoint, TokenURL: cfg.TokenEndpoint,
		UserInfoURL: cfg.UserinfoEndpoint, JWKSURL: cfg.JWKSURI, Algorithms: cfg.signingAlgs}).
		NewProvider(oidc.ClientContext(context.Background(), s.client))
	rp := &relyingParty{version: cfg.UpdatedAt, provider: p, verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID})}
	s.providers.Store(cfg.ID, rp)
	return rp
}

// PurgeLogins deletes sign-ins in flight that expired; a periodic job
// calls it.
func (s *Service) PurgeLogins(ctx context.Context) (int64, error) {
	return s.store.purgeLogins(ctx, s.now())
}
