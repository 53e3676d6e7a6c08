package oauthhost

import (
	"context"
	"net/url"

	"github.com/quorumhq/quorum/internal/fault"
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

// token serves POST /oauth2/token.
func (h *Handler) token(ctx context.Context, in *formInput) (*tokenOutput, error) {
	form, err := url.ParseQuery(string(in.RawBody))
	if err != nil {
		return nil, &fault.Error{Kind: fault.KindInvalid, Code: "invalid_request", Message: "body must be form-encoded"}
	}
	app, err := h.client(ctx, in.Authorization, form)
	if err != nil {
		return nil, err
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
		return nil, err
	}
	return &tokenOutput{CacheControl: "no-store", Body: toTokenResponse(t)}, nil
}

// revoke serves POST /oauth2/revoke.
func (h *Handler) revoke(ctx context.Context, in *formInput) (*struct{}, error) {
	form, _ := url.ParseQuery(string(in.RawBody))
	app, err := h.client(ctx, in.Authorization, form)
	if err != nil {
		return nil, err
	}
	if err := h.OAuth.Revoke(ctx, app, form.Get("token")); err != nil {
		return nil, err
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
		return nil, err
	}
	i, err := h.OAuth.Introspect(ctx, app, form.Get("token"))
	if err != nil {
		return nil, err
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

type scopesOutput struct {
	Body struct {
		Scopes []string `json:"scopes"`
	}
}

// scopes serves GET /oauth2/scopes.
func (h *Handler) scopes(ctx context.Context, in *basicInput) (*scopesOutput, error) {
	app, err := h.client(ctx, in.Authorization, nil)
	if err != nil {
		return nil, err
	}
	out := &scopesOutput{}
	out.Body.Scopes = app.Scopes
	return out, nil
}
