package oauthhost

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/oauth"
)

// maxEchoBytes caps the part of an error description that may quote the
// request back in a redirect.
const maxEchoBytes = 200

// oauthParams are the authorization request parameters the form carries.
var oauthParams = []string{"client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge", "code_challenge_method", "login_hint"}

type authorizeQuery struct {
	ClientID            string `query:"client_id"`
	RedirectURI         string `query:"redirect_uri"`
	ResponseType        string `query:"response_type"`
	Scope               string `query:"scope"`
	State               string `query:"state"`
	CodeChallenge       string `query:"code_challenge"`
	CodeChallengeMethod string `query:"code_challenge_method"`
	LoginHint           string `query:"login_hint"`
}

type authorizeOutput struct {
	Status        int
	SetCookie     string `header:"Set-Cookie"`
	Location      string `header:"Location"`
	ContentType   string `header:"Content-Type"`
	CacheControl  string `header:"Cache-Control"`
	RetryAfter    string `header:"Retry-After"`
	FrameOptions  string `header:"X-Frame-Options"`
	ContentPolicy string `header:"Content-Security-Policy"`
	Body          []byte
}

type authorizePostInput struct {
	Cookie  string `header:"Cookie"`
	RawBody []byte `contentType:"application/x-www-form-urlencoded"`
}

func (h *Handler) registerAuthorize(api huma.API) {
	rest.RegisterPublic(api, h.Surface, rest.Op{ID: "authorize", Method: http.MethodGet, Path: "/oauth2/authorize", Tag: "OAuth",
		Summary: "Login and consent page", Doc: func(o *huma.Operation) {
			o.Responses = map[string]*huma.Response{
				"200": {Description: "HTML login and consent form", Content: map[string]*huma.MediaType{"text/html": {}}},
				"302": {Description: "Redirect to the client with an error"},
			}
		}}, h.authorizeForm)
	rest.RegisterPublic(api, h.Surface, rest.Op{ID: "authorizeSubmit", Method: http.MethodPost, Path: "/oauth2/authorize", Tag: "OAuth",
		Summary: "Submit the login and consent form", Doc: func(o *huma.Operation) {
			o.Responses = map[string]*huma.Response{
				"302": {Description: "Redirect to the client with a code or an error"},
				"200": {Description: "The form again, with an error", Content: map[string]*huma.MediaType{"text/html": {}}},
			}
		}}, h.authorizeSubmit)
}

func (q authorizeQuery) request() oauth.AuthorizeRequest {
	return oauth.AuthorizeRequest{ClientID: q.ClientID, RedirectURI: q.RedirectURI, ResponseType: q.ResponseType, Scope: q.Scope,
		State: q.State, CodeChallenge: q.CodeChallenge, CodeChallengeMethod: q.CodeChallengeMethod}
}

// authorizeForm serves GET /oauth2/authorize: the login and consent page.
func (h *Handler) authorizeForm(ctx context.Context, in *authorizeQuery) (*authorizeOutput, error) {
	req := in.request()
	app, scopes, err := h.OAuth.CheckAuthorize(ctx, req)
	if err != nil {
		return h.authorizeFailure(req, err)
	}
	return h.form(ctx, http.StatusOK, app, scopes, *in, in.LoginHint, "")
}

// form renders the login and consent page for a valid request, offering
// the app's identity provider when it has an active one.
func (h *Handler) form(ctx context.Context, status int, app identity.App, scopes []string, q authorizeQuery, email, message string) (*authorizeOutput, error) {
	d := pageData{AppName: app.Name, Scopes: scopes, Hidden: hidden(q), Email: email, LockEmail: q.LoginHint != "", Error: message}
	if h.SSO != nil {
		name, err := h.SSO.Offer(ctx, app)
		if err != nil {
			return nil, err
		}
		d.SSOName = name
	}
	return page(status, h.csrf.with(d))
}

// authorizeSubmit serves POST /oauth2/authorize.
func (h *Handler) authorizeSubmit(ctx context.Context, in *authorizePostInput) (*authorizeOutput, error) {
	form, err := url.ParseQuery(string(in.RawBody))
	if err != nil {
		return page(http.StatusBadRequest, pageData{Fatal: "The form could not be read."})
	}
	q := queryOf(form)
	req := q.request()
	app, scopes, err := h.OAuth.CheckAuthorize(ctx, req)
	if err != nil {
		return h.authorizeFailure(req, err)
	}
	if !h.csrf.ok(in.Cookie, form.Get("csrf_token")) {
		return h.form(ctx, http.StatusBadRequest, app, scopes, q, form.Get("email"), "This form expired or was not opened in this browser. Please try again.")
	}
	email := form.Get("email")
	if q.LoginHint != "" {
		email = q.LoginHint
	}
	switch form.Get("decision") {
	case "deny":
		return redirect(req, url.Values{"error": {"access_denied"}, "error_description": {"the user denied the request"}})
	case "sso":
		// Choosing the identity provider on this page is the consent; the
		// code is issued when the provider sends the user back.
		return h.beginSSO(ctx, in.Cookie, app, scopes, q, email)
	case "allow":
	default:
		return h.form(ctx, http.StatusBadRequest, app, scopes, q, form.Get("email"), "Choose Allow or Deny.")
	}
	if h.SSO != nil {
		if err := h.SSO.PasswordAllowed(ctx, app, email); err != nil {
			return h.retryForm(ctx, err, app, scopes, q, email)
		}
	}
	user, err := h.OAuth.Login(ctx, app, email, form.Get("password"), rest.ClientAddr(ctx))
	if err != nil {
		return h.retryForm(ctx, err, app, scopes, q, email)
	}
	code, err := h.OAuth.Approve(ctx, app, user, req, scopes)
	if err != nil {
		return h.retryForm(ctx, err, app, scopes, q, email)
	}
	return redirect(req, url.Values{"code": {code}})
}

// retryForm shows the form again for errors the user can fix.
func (h *Handler) retryForm(ctx context.Context, err error, app identity.App, scopes []string, q authorizeQuery, email string) (*authorizeOutput, error) {
	fe, ok := fault.As(err)
	if !ok {
		return nil, err
	}
	status := http.StatusUnauthorized
	switch fe.Kind {
	case fault.KindInvalid:
		status = http.StatusBadRequest
	case fault.KindForbidden:
		status = http.StatusForbidden
	case fault.KindRateLimited:
		status = http.StatusTooManyRequests
	}
	out, err := h.form(ctx, status, app, scopes, q, email, fe.Message)
	if err == nil && fe.RetryAfter > 0 {
		out.RetryAfter = strconv.Itoa(int((fe.RetryAfter + time.Second - 1) / time.Second))
	}
	return out, err
}

// authorizeFailure redirects errors back to the client when the redirect
// URI is trusted, and shows them on the page otherwise (RFC 6749 §4.1.2.1).
func (h *Handler) authorizeFailure(req oauth.AuthorizeRequest, err error) (*authorizeOutput, error) {
	if errors.Is(err, oauth.ErrUnsafeRedirect) {
		return page(http.StatusBadRequest, pageData{Fatal: err.Error()})
	}
	code, desc := "server_error", "internal error"
	if fe, ok := fault.As(err); ok {
		code, desc = fe.Code, fe.Message
	}
	// Descriptions quote the request (an unknown scope, say); a hostile
	// request must not grow the Location header without bound.
	if len(desc) > maxEchoBytes {
		desc = strings.ToValidUTF8(desc[:maxEchoBytes], "") + "..."
	}
	return redirect(req, url.Values{"error": {code}, "error_description": {desc}})
}

// queryOf reads the authorization request from the form's (or a stored
// request's) parameters.
func queryOf(form url.Values) authorizeQuery {
	return authorizeQuery{
		ClientID: form.Get("client_id"), RedirectURI: form.Get("redirect_uri"), ResponseType: form.Get("response_type"),
		Scope: form.Get("scope"), State: form.Get("state"), CodeChallenge: form.Get("code_challenge"),
		CodeChallengeMethod: form.Get("code_challenge_method"), LoginHint: form.Get("login_hint"),
	}
}

func hidden(q authorizeQuery) map[string]string {
	vals := []string{q.ClientID, q.RedirectURI, q.ResponseType, q.Scope, q.State, q.CodeChallenge, q.CodeChallengeMethod, q.LoginHint}
	out := map[string]string{}
	for i, name := range oauthParams {
		if vals[i] != "" {
			out[name] = vals[i]
		}
	}
	return out
}

func redirect(req oauth.AuthorizeRequest, params url.Values) (*authorizeOutput, error) {
	u, err := url.Parse(req.RedirectURI)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	if req.State != "" {
		q.Set("state", req.State)
	}
	u.RawQuery = q.Encode()
	return &authorizeOutput{Status: http.StatusFound, Location: u.String(), CacheControl: "no-store"}, nil
}
