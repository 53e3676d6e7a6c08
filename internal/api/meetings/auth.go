package meetings

import (
	"context"
	"net/url"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/fault"
)

// Open lists the surface's paths that take no bearer token.
var Open = []string{"/api/auth/token", "/api/auth/revoke-token"}

type formInput struct {
	RawBody []byte `contentType:"application/x-www-form-urlencoded"`
}

// ExtToken is the OAuth 2 token response.
type ExtToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

type tokenOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         ExtToken
}

func (h *Handler) registerAuth(api huma.API) {
	rest.RegisterPublic(api, h.Surface, op("token", "POST", "/auth/token", "Get an access token (client credentials)", "Auth"), h.token)
	rest.RegisterPublic(api, h.Surface, op("revoke-token", "POST", "/auth/revoke-token", "Revoke an access token", "Auth"), h.revoke)
}

func (h *Handler) form(ctx context.Context, in *formInput) (url.Values, error) {
	form, err := url.ParseQuery(string(in.RawBody))
	if err != nil {
		return nil, fault.Invalid("non_field_errors", "invalid", "The body must be form-encoded.")
	}
	return form, nil
}

// token serves POST /api/auth/token/.
func (h *Handler) token(ctx context.Context, in *formInput) (*tokenOutput, error) {
	form, err := h.form(ctx, in)
	if err != nil {
		return nil, err
	}
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		return nil, fault.Invalid("grant_type", "unsupported_grant_type", "grant_type must be client_credentials.")
	}
	app, err := h.Identities.AuthenticateClient(ctx, form.Get("client_id"), form.Get("client_secret"))
	if err != nil {
		return nil, err
	}
	t, err := h.Tokens.Issue(ctx, app)
	if err != nil {
		return nil, err
	}
	return &tokenOutput{CacheControl: "no-store", Body: ExtToken{AccessToken: t.AccessToken, TokenType: "Bearer",
		ExpiresIn: t.ExpiresIn, Scope: t.Scope}}, nil
}

// revoke serves POST /api/auth/revoke-token/.
func (h *Handler) revoke(ctx context.Context, in *formInput) (*struct{}, error) {
	form, err := h.form(ctx, in)
	if err != nil {
		return nil, err
	}
	app, err := h.Identities.AuthenticateClient(ctx, form.Get("client_id"), form.Get("client_secret"))
	if err != nil {
		return nil, err
	}
	return nil, h.Tokens.Revoke(ctx, app, form.Get("token"))
}
