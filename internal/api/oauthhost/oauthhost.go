// Package oauthhost serves Quorum's OAuth 2.0 host for partner apps: the
// token endpoint, revocation, introspection, userInfo, consent checks, email
// one-time codes, the login and consent page, and the public app info a
// consent screen shows. Clients authenticate inside each operation (HTTP
// Basic or form fields), so its operations are registered as public.
package oauthhost

import (
	"context"
	"net/http"
	"net/url"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/oauth"
	"github.com/quorumhq/quorum/internal/sso"
)

// Handler serves the OAuth host.
type Handler struct {
	// Surface is the OAuth host (/oauth2, /auth); Info is the public part
	// of the Partner API (/v1/partner/info).
	Surface    *rest.Surface
	Info       *rest.Surface
	Identities *identity.Service
	OAuth      *oauth.Service
	// SSO signs users in through their app's identity provider; nil
	// offers password sign-in only.
	SSO  *sso.Service
	csrf csrfGuard
}

// NewHandler returns the OAuth host's handler. csrfKey signs the login
// form's CSRF tokens; replicas behind one address must share it.
func NewHandler(surface, info *rest.Surface, identities *identity.Service, o *oauth.Service, csrfKey []byte, publicURL string) *Handler {
	return &Handler{Surface: surface, Info: info, Identities: identities, OAuth: o, csrf: newCSRFGuard(csrfKey, publicURL)}
}

// Register adds every operation of the OAuth host to api.
func (h *Handler) Register(api huma.API) {
	const tag = "OAuth"
	s := h.Surface
	rest.RegisterPublic(api, s, rest.Op{ID: "token", Method: http.MethodPost, Path: "/oauth2/token", Tag: tag,
		Summary: "Issue tokens (authorization_code, refresh_token, client_credentials)"}, h.token)
	rest.RegisterPublic(api, s, rest.Op{ID: "revoke", Method: http.MethodPost, Path: "/oauth2/revoke", Tag: tag,
		Summary: "Revoke a token (RFC 7009)"}, h.revoke)
	rest.RegisterPublic(api, s, rest.Op{ID: "introspect", Method: http.MethodPost, Path: "/oauth2/introspect", Tag: tag,
		Summary: "Describe a token (RFC 7662)"}, h.introspect)
	rest.RegisterPublic(api, s, rest.Op{ID: "userInfo", Method: http.MethodGet, Path: "/oauth2/userInfo", Tag: tag,
		Summary: "OpenID Connect claims of the token's user"}, h.userInfo)
	rest.RegisterPublic(api, s, rest.Op{ID: "scopes", Method: http.MethodGet, Path: "/oauth2/scopes", Tag: tag,
		Summary: "Scopes the client may request"}, h.scopes)
	rest.RegisterPublic(api, s, rest.Op{ID: "checkConsent", Method: http.MethodPost, Path: "/oauth2/check-consent", Tag: tag,
		Summary: "Whether a user already approved the client"}, h.checkConsent)
	rest.RegisterPublic(api, s, rest.Op{ID: "initiateAuth", Method: http.MethodPost, Path: "/auth/initiate", Tag: tag,
		Summary: "Email a one-time sign-in code"}, h.initiate)
	rest.RegisterPublic(api, s, rest.Op{ID: "verifyAuth", Method: http.MethodPost, Path: "/auth/verify", Tag: tag,
		Summary: "Exchange a one-time code for tokens"}, h.verify)
	h.registerAuthorize(api)
	h.registerSSO(api)
	rest.RegisterPublic(api, h.Info, rest.Op{ID: "partnerInfo", Method: http.MethodGet, Path: "/info/{clientId}/public", Tag: tag,
		Summary: "Public information about a partner app"}, h.partnerInfo)
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
