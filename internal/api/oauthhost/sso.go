package oauthhost

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/sso"
)

// The browser that begins a sign-in through an identity provider keeps a
// random key in a cookie; the sign-in in flight is stored under its hash and
// its PKCE verifier derives from it, so only that browser can finish it.
// The cookie is SameSite=Lax: the provider's redirect back is a top-level
// navigation, which carries it.

func (h *Handler) ssoCookieName() string {
	if h.csrf.secure {
		return "__Host-quorum_sso"
	}
	return "quorum_sso"
}

// browserKey returns the browser's sign-in key from its cookies, or "".
func (h *Handler) browserKey(cookieHeader string) string {
	cookies, err := http.ParseCookie(cookieHeader)
	if err != nil {
		return ""
	}
	for _, c := range cookies {
		if c.Name == h.ssoCookieName() && len(c.Value) >= sso.MinBrowserKey {
			return c.Value
		}
	}
	return ""
}

type ssoCallbackInput struct {
	Cookie           string `header:"Cookie"`
	Code             string `query:"code"`
	State            string `query:"state"`
	Error            string `query:"error"`
	ErrorDescription string `query:"error_description"`
}

func (h *Handler) registerSSO(api huma.API) {
	rest.RegisterPublic(api, h.Surface, rest.Op{ID: "ssoCallback", Method: http.MethodGet, Path: sso.CallbackPath, Tag: "OAuth",
		Summary: "Where an app's identity provider sends the user back after single sign-on", Doc: func(o *huma.Operation) {
			o.Responses = map[string]*huma.Response{
				"302": {Description: "Redirect to the client with a code"},
				"200": {Description: "The login form again, with an error", Content: map[string]*huma.MediaType{"text/html": {}}},
			}
		}}, h.ssoCallback)
}

// beginSSO sends the browser to the app's identity provider to sign in
// email, for the page's authorization request.
func (h *Handler) beginSSO(ctx context.Context, cookieHeader string, app identity.App, scopes []string, q authorizeQuery, email string) (*authorizeOutput, error) {
	if h.SSO == nil {
		return h.form(ctx, http.StatusBadRequest, app, scopes, q, email, "Choose Allow or Deny.")
	}
	key := h.browserKey(cookieHeader)
	if key == "" {
		key = secret.New("")
	}
	request := url.Values{}
	for k, v := range hidden(q) {
		request.Set(k, v)
	}
	authURL, err := h.SSO.Begin(ctx, app, email, request, key)
	if err != nil {
		return h.retryForm(ctx, err, app, scopes, q, email)
	}
	cookie := (&http.Cookie{Name: h.ssoCookieName(), Value: key, Path: "/", MaxAge: int(sso.LoginTTL.Seconds()), HttpOnly: true,
		Secure: h.csrf.secure, SameSite: http.SameSiteLaxMode}).String()
	return &authorizeOutput{Status: http.StatusFound, Location: authURL, SetCookie: cookie, CacheControl: "no-store"}, nil
}

// ssoCallback serves GET /oauth2/sso/callback: it finishes the sign-in the
// browser began on the authorize page and answers that page's request with
// an authorization code, or shows the page again with what went wrong.
func (h *Handler) ssoCallback(ctx context.Context, in *ssoCallbackInput) (*authorizeOutput, error) {
	if h.SSO == nil {
		return page(http.StatusNotFound, pageData{Fatal: "Single sign-on is not available."})
	}
	key := h.browserKey(in.Cookie)
	if in.Error != "" {
		request, err := h.SSO.Abandon(ctx, in.State, key)
		if err != nil {
			return h.ssoFatal(err)
		}
		return h.resume(ctx, request, fault.Unauthorized("sso_refused", "The identity provider did not sign you in. Try again, or choose Deny."))
	}
	login, err := h.SSO.Complete(ctx, in.State, in.Code, key)
	var le *sso.LoginError
	if errors.As(err, &le) {
		return h.resume(ctx, le.Request, le.Err)
	}
	if err != nil {
		return h.ssoFatal(err)
	}
	q := queryOf(login.Request)
	req := q.request()
	app, scopes, err := h.OAuth.CheckAuthorize(ctx, req)
	if err != nil {
		return h.authorizeFailure(req, err)
	}
	if app.ID != login.AppID {
		return page(http.StatusBadRequest, pageData{Fatal: "This sign-in does not belong to this app."})
	}
	code, err := h.OAuth.Approve(ctx, app, login.User, req, scopes)
	if err != nil {
		return h.retryForm(ctx, err, app, scopes, q, login.User.Email)
	}
	return redirect(req, url.Values{"code": {code}})
}

// resume shows the authorize page of a stored request again with the
// reason a sign-in through the provider failed.
func (h *Handler) resume(ctx context.Context, request url.Values, cause error) (*authorizeOutput, error) {
	q := queryOf(request)
	req := q.request()
	app, scopes, err := h.OAuth.CheckAuthorize(ctx, req)
	if err != nil {
		return h.authorizeFailure(req, err)
	}
	return h.retryForm(ctx, cause, app, scopes, q, q.LoginHint)
}

// ssoFatal answers a callback that matches no sign-in of this browser.
func (h *Handler) ssoFatal(err error) (*authorizeOutput, error) {
	if fe, ok := fault.As(err); ok {
		return page(http.StatusBadRequest, pageData{Fatal: fe.Message})
	}
	return nil, err
}
