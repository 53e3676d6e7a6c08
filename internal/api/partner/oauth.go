package partner

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/oauth"
)

// TokenResponse is the RFC 6749 token response.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
}

func toTokenResponse(t oauth.TokenSet) TokenResponse {
	return TokenResponse{AccessToken: t.AccessToken, TokenType: "Bearer", ExpiresIn: t.ExpiresIn, RefreshToken: t.RefreshToken, Scope: t.Scope}
}

type formInput struct {
	Authorization string `header:"Authorization"`
	RawBody       []byte `contentType:"application/x-www-form-urlencoded"`
}

type tokenOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         TokenResponse
}

type basicInput struct {
	Authorization string `header:"Authorization"`
}

type jsonAuthInput[T any] struct {
	Authorization string `header:"Authorization"`
	Body          T
}

func oauthError(ctx context.Context, err error) error {
	return rest.FromDomain(ctx, rest.SurfaceOAuth, err)
}

var errClientAuth = fault.Unauthorized("invalid_client", "client authentication failed")

// client authenticates the calling app by HTTP Basic (what the SDK sends)
// or, as RFC 6749 also allows, by client_id/client_secret form fields.
func (h *Handler) client(ctx context.Context, authorization string, form url.Values) (identity.App, error) {
	id, sec, ok := parseBasic(authorization)
	if !ok && form != nil {
		id, sec = form.Get("client_id"), form.Get("client_secret")
	}
	if id == "" || sec == "" {
		return identity.App{}, errClientAuth
	}
	return h.Identities.AuthenticateClient(ctx, id, sec)
}

func parseBasic(header string) (string, string, bool) {
	r := http.Request{Header: http.Header{"Authorization": []string{header}}}
	return r.BasicAuth()
}

func (h *Handler) registerOAuth(api huma.API) {
	const tag = "OAuth"
	huma.Register(api, h.op("token", http.MethodPost, "/oauth2/token", "Issue tokens (authorization_code, refresh_token, client_credentials)", tag, ""), h.token)
	huma.Register(api, h.op("revoke", http.MethodPost, "/oauth2/revoke", "Revoke a token (RFC 7009)", tag, ""), h.revoke)
	huma.Register(api, h.op("introspect", http.MethodPost, "/oauth2/introspect", "Describe a token (RFC 7662)", tag, ""), h.introspect)
	huma.Register(api, h.op("userInfo", http.MethodGet, "/oauth2/userInfo", "OpenID Connect claims of the token's user", tag, ""), h.userInfo)
	huma.Register(api, h.op("scopes", http.MethodGet, "/oauth2/scopes", "Scopes the client may request", tag, ""), h.scopes)
	huma.Register(api, h.op("checkConsent", http.MethodPost, "/oauth2/check-consent", "Whether a user already approved the client", tag, ""), h.checkConsent)
	huma.Register(api, h.op("initiateAuth", http.MethodPost, "/auth/initiate", "Email a one-time sign-in code", tag, ""), h.initiate)
	huma.Register(api, h.op("verifyAuth", http.MethodPost, "/auth/verify", "Exchange a one-time code for tokens", tag, ""), h.verify)
	huma.Register(api, h.op("partnerInfo", http.MethodGet, "/v1/partner/info/{clientId}/public", "Public information about a partner app", tag, ""), h.partnerInfo)
}

// token serves POST /oauth2/token.
func (h *Handler) token(ctx context.Context, in *formInput) (*tokenOutput, error) {
	form, err := url.ParseQuery(string(in.RawBody))
	if err != nil {
		return nil, oauthError(ctx, &fault.Error{Kind: fault.KindInvalid, Code: "invalid_request", Message: "body must be form-encoded"})
	}
	app, err := h.client(ctx, in.Authorization, form)
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	var t oauth.TokenSet
	switch form.Get("grant_type") {
	case "authorization_code":
		t, err = h.OAuth.ExchangeCode(ctx, app, form.Get("code"), form.Get("redirect_uri"), form.Get("code_verifier"))
	case "refresh_token":
		t, err = h.OAuth.Refresh(ctx, app, form.Get("refresh_token"))
	case "client_credentials":
		t, err = h.OAuth.ClientCredentials(ctx, app, form.Get("scope"))
	case "":
		err = &fault.Error{Kind: fault.KindInvalid, Code: "invalid_request", Message: "grant_type is required"}
	default:
		err = &fault.Error{Kind: fault.KindInvalid, Code: "unsupported_grant_type", Message: "unsupported grant_type"}
	}
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	return &tokenOutput{CacheControl: "no-store", Body: toTokenResponse(t)}, nil
}

// revoke serves POST /oauth2/revoke.
func (h *Handler) revoke(ctx context.Context, in *formInput) (*struct{}, error) {
	form, _ := url.ParseQuery(string(in.RawBody))
	app, err := h.client(ctx, in.Authorization, form)
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	if err := h.OAuth.Revoke(ctx, app, form.Get("token")); err != nil {
		return nil, oauthError(ctx, err)
	}
	return nil, nil
}

// Introspection is the RFC 7662 body.
type Introspection struct {
	Active    bool           `json:"active"`
	Scope     string         `json:"scope,omitempty"`
	ClientID  string         `json:"client_id,omitempty"`
	ClientID2 string         `json:"clientId,omitempty"`
	Username  string         `json:"username,omitempty"`
	Sub       string         `json:"sub,omitempty"`
	Exp       int64          `json:"exp,omitempty"`
	Iat       int64          `json:"iat,omitempty"`
	Nbf       int64          `json:"nbf,omitempty"`
	Iss       string         `json:"iss,omitempty"`
	Aud       []string       `json:"aud,omitempty"`
	TokenType string         `json:"token_type,omitempty"`
	Ext       map[string]any `json:"ext,omitempty"`
}

type introspectOutput struct{ Body Introspection }

// introspect serves POST /oauth2/introspect.
func (h *Handler) introspect(ctx context.Context, in *formInput) (*introspectOutput, error) {
	form, _ := url.ParseQuery(string(in.RawBody))
	app, err := h.client(ctx, in.Authorization, form)
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	i, err := h.OAuth.Introspect(ctx, app, form.Get("token"))
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	if !i.Active {
		return &introspectOutput{Body: Introspection{Active: false}}, nil
	}
	return &introspectOutput{Body: Introspection{
		Active: true, Scope: i.Scope, ClientID: i.ClientID, ClientID2: i.ClientID, Username: i.Username, Sub: i.Subject,
		Exp: i.ExpiresAt.Unix(), Iat: i.IssuedAt.Unix(), Nbf: i.IssuedAt.Unix(), Iss: "quorum", Aud: []string{i.ClientID},
		TokenType: i.TokenType, Ext: map[string]any{},
	}}, nil
}

// UserInfo holds the OpenID Connect standard claims.
type UserInfo struct {
	Sub                 string `json:"sub"`
	Email               string `json:"email"`
	EmailVerified       bool   `json:"email_verified"`
	Name                string `json:"name"`
	GivenName           string `json:"given_name"`
	FamilyName          string `json:"family_name"`
	Picture             string `json:"picture"`
	Locale              string `json:"locale"`
	PhoneNumber         string `json:"phone_number"`
	PhoneNumberVerified bool   `json:"phone_number_verified"`
}

type userInfoOutput struct{ Body UserInfo }

// userInfo serves GET /oauth2/userInfo.
func (h *Handler) userInfo(ctx context.Context, in *basicInput) (*userInfoOutput, error) {
	token, ok := strings.CutPrefix(in.Authorization, "Bearer ")
	if !ok {
		return nil, oauthError(ctx, fault.Unauthorized("invalid_token", "a bearer access token is required"))
	}
	g, err := h.OAuth.Authenticate(ctx, strings.TrimSpace(token))
	if err != nil || g.UserID == 0 {
		return nil, oauthError(ctx, fault.Unauthorized("invalid_token", "the access token is invalid or has no user"))
	}
	u, err := h.Identities.Store().User(ctx, g.UserID)
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	return &userInfoOutput{Body: UserInfo{Sub: u.UUID, Email: u.Email, EmailVerified: u.EmailVerified, Name: u.Name,
		GivenName: u.GivenName, FamilyName: u.FamilyName, Picture: u.Picture, Locale: u.Locale, PhoneNumber: u.PhoneNumber}}, nil
}

type scopesOutput struct {
	Body struct {
		Scopes []string `json:"scopes"`
	}
}

// scopes serves GET /oauth2/scopes.
func (h *Handler) scopes(ctx context.Context, in *basicInput) (*scopesOutput, error) {
	app, err := h.client(ctx, in.Authorization, nil)
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	out := &scopesOutput{}
	out.Body.Scopes = app.Scopes
	return out, nil
}

type checkConsentBody struct {
	ClientID string   `json:"client_id,omitempty"`
	Email    string   `json:"email"`
	Scope    string   `json:"scope,omitempty"`
	Scopes   []string `json:"scopes,omitempty"`
}

type consentOutput struct {
	Body struct {
		HasConsent      bool   `json:"has_consent"`
		RequiresConsent bool   `json:"requires_consent"`
		SessionValid    bool   `json:"session_valid"`
		RedirectURL     string `json:"redirect_url,omitempty"`
		HasConsent2     bool   `json:"hasConsent"`
		RequiresConsen2 bool   `json:"requiresConsent"`
		RedirectURL2    string `json:"redirectUrl,omitempty"`
	}
}

// checkConsent serves POST /oauth2/check-consent.
func (h *Handler) checkConsent(ctx context.Context, in *jsonAuthInput[checkConsentBody]) (*consentOutput, error) {
	app, err := h.client(ctx, in.Authorization, nil)
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	scope := in.Body.Scope
	if scope == "" {
		scope = strings.Join(in.Body.Scopes, " ")
	}
	c, err := h.OAuth.CheckConsent(ctx, app, in.Body.Email, scope)
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	out := &consentOutput{}
	out.Body.HasConsent, out.Body.HasConsent2 = c.HasConsent, c.HasConsent
	out.Body.RequiresConsent, out.Body.RequiresConsen2 = c.RequiresConsent, c.RequiresConsent
	return out, nil
}

type initiateBody struct {
	ClientID    string `json:"client_id,omitempty"`
	Email       string `json:"email"`
	Name        string `json:"name,omitempty"`
	WorkspaceID string `json:"workspace_id,omitempty"`
	IsAdmin     *bool  `json:"is_admin,omitempty"`
}

type initiateOutput struct {
	Body struct {
		Session          string            `json:"session"`
		ChallengeName    string            `json:"challenge_name"`
		ChallengeParams  map[string]string `json:"challenge_params"`
		UserProvisioned  bool              `json:"user_provisioned"`
		ChallengeName2   string            `json:"challengeName"`
		ChallengeParams2 map[string]string `json:"challengeParams"`
		UserProvisioned2 bool              `json:"userProvisioned"`
	}
}

// initiate serves POST /auth/initiate.
func (h *Handler) initiate(ctx context.Context, in *jsonAuthInput[initiateBody]) (*initiateOutput, error) {
	app, err := h.client(ctx, in.Authorization, nil)
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	if err := h.checkWorkspace(ctx, app, in.Body.WorkspaceID); err != nil {
		return nil, oauthError(ctx, err)
	}
	c, err := h.OAuth.InitiateOTP(ctx, app, in.Body.Email, in.Body.Name)
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	out := &initiateOutput{}
	params := map[string]string{"delivery_medium": "EMAIL", "email": in.Body.Email}
	out.Body.Session, out.Body.ChallengeName, out.Body.ChallengeName2 = c.Session, "EMAIL_OTP", "EMAIL_OTP"
	out.Body.ChallengeParams, out.Body.ChallengeParams2 = params, params
	out.Body.UserProvisioned, out.Body.UserProvisioned2 = c.UserProvisioned, c.UserProvisioned
	return out, nil
}

// checkWorkspace validates an optional workspace_id against the app.
func (h *Handler) checkWorkspace(ctx context.Context, app identity.App, workspaceID string) error {
	if workspaceID == "" {
		return nil
	}
	if _, err := uuid.Parse(workspaceID); err != nil {
		return &fault.Error{Kind: fault.KindInvalid, Code: "invalid_request", Field: "workspace_id", Message: "workspace_id must be a UUID"}
	}
	for _, orgID := range app.OrgIDs {
		o, err := h.Identities.Store().Org(ctx, orgID)
		if err != nil {
			return err
		}
		if o.UUID == workspaceID {
			return nil
		}
	}
	return &fault.Error{Kind: fault.KindNotFound, Code: "workspace_not_found", Message: "workspace not found for this app"}
}

type verifyBody struct {
	ClientID string `json:"client_id,omitempty"`
	Email    string `json:"email"`
	Code     string `json:"code"`
	Session  string `json:"session"`
}

type verifyOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Success      bool   `json:"success"`
		Message      string `json:"message"`
		Redirect     string `json:"redirect"`
		RedirectURL  string `json:"redirectUrl"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
		ExpiresIn    int    `json:"expires_in"`
		Scope        string `json:"scope"`
	}
}

// verify serves POST /auth/verify.
func (h *Handler) verify(ctx context.Context, in *jsonAuthInput[verifyBody]) (*verifyOutput, error) {
	app, err := h.client(ctx, in.Authorization, nil)
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	t, err := h.OAuth.VerifyOTP(ctx, app, in.Body.Email, in.Body.Code, in.Body.Session)
	if err != nil {
		return nil, oauthError(ctx, err)
	}
	out := &verifyOutput{CacheControl: "no-store"}
	out.Body.Success, out.Body.Message = true, "verified"
	out.Body.AccessToken, out.Body.RefreshToken, out.Body.ExpiresIn, out.Body.Scope = t.AccessToken, t.RefreshToken, t.ExpiresIn, t.Scope
	return out, nil
}

type partnerInfoInput struct {
	ClientID string `path:"clientId"`
}

type partnerInfoOutput struct {
	Body struct {
		ClientID    string `json:"client_id"`
		Name        string `json:"name"`
		CompanyName string `json:"company_name"`
		CoBrandName string `json:"co_brand_name"`
		Description string `json:"description"`
		LogoURL     string `json:"logoUrl"`
		WebsiteURL  string `json:"websiteUrl"`
	}
}

// partnerInfo serves GET /v1/partner/info/{clientId}/public; it needs no
// credentials and reveals only what a consent screen shows.
func (h *Handler) partnerInfo(ctx context.Context, in *partnerInfoInput) (*partnerInfoOutput, error) {
	app, err := h.Identities.AppByClientID(ctx, in.ClientID)
	if errors.Is(err, fault.ErrNotFound) || err == nil && app.Status != identity.AppActive {
		return nil, fail(ctx, fault.NotFound("partner app"))
	}
	if err != nil {
		return nil, fail(ctx, err)
	}
	out := &partnerInfoOutput{}
	out.Body.ClientID, out.Body.Name, out.Body.CompanyName = app.ClientID, app.Name, app.CompanyName
	out.Body.CoBrandName, out.Body.Description = app.Name, app.Description
	return out, nil
}
