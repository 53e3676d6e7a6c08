package partner

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/oauth"
	"github.com/quorumhq/quorum/internal/secret"
)

var authorizePage = template.Must(template.New("authorize").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to {{.AppName}}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f5f6f8;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;padding:2rem;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);width:22rem}
h1{font-size:1.2rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem;font-size:.9rem}
input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #ccd;border-radius:6px}
ul{padding-left:1.2rem;font-size:.9rem;color:#333}.error{color:#b00020;font-size:.9rem}
.buttons{display:flex;gap:.6rem;margin-top:1.2rem}button{flex:1;padding:.6rem;border-radius:6px;border:1px solid #335;cursor:pointer}
button[value=allow]{background:#335;color:#fff}button[value=deny]{background:#fff}
</style></head><body><main>
{{if .Fatal}}<h1>Cannot continue</h1><p class="error">{{.Fatal}}</p>{{else}}
<h1>{{.AppName}} wants to access your Quorum account</h1>
<p>It asks for:</p><ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/oauth2/authorize">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<input type="hidden" name="csrf_token" value="{{.CSRF}}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="{{.Email}}"{{if .LockEmail}} readonly{{end}}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<div class="buttons"><button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
<button type="submit" name="decision" value="allow">Allow</button></div>
</form>{{end}}
</main></body></html>
`))

type pageData struct {
	AppName   string
	Scopes    []string
	Hidden    map[string]string
	Email     string
	LockEmail bool
	Error     string
	Fatal     string
	CSRF      string
}

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
	FrameOptions  string `header:"X-Frame-Options"`
	ContentPolicy string `header:"Content-Security-Policy"`
	Body          []byte
}

type authorizePostInput struct {
	Cookie  string `header:"Cookie"`
	RawBody []byte `contentType:"application/x-www-form-urlencoded"`
}

// csrfCookie pairs the login form with the browser that loaded it: the
// form's csrf_token must equal this cookie, which another site can neither
// read nor set, so a cross-site post cannot approve an app.
const csrfCookie = "quorum_csrf"

// withCSRF adds a fresh token to a page: in its form and in a cookie.
func withCSRF(d pageData) pageData {
	d.CSRF = secret.New("")
	return d
}

func csrfOK(cookieHeader, formToken string) bool {
	cookies, err := http.ParseCookie(cookieHeader)
	if err != nil || formToken == "" {
		return false
	}
	for _, c := range cookies {
		if c.Name == csrfCookie && secret.Equal(c.Value, formToken) {
			return true
		}
	}
	return false
}

func (h *Handler) registerAuthorize(api huma.API) {
	get := h.op("authorize", http.MethodGet, "/oauth2/authorize", "Login and consent page", "OAuth", "")
	get.Responses = map[string]*huma.Response{
		"200": {Description: "HTML login and consent form", Content: map[string]*huma.MediaType{"text/html": {}}},
		"302": {Description: "Redirect to the client with an error"},
	}
	huma.Register(api, get, h.authorizeForm)
	post := h.op("authorizeSubmit", http.MethodPost, "/oauth2/authorize", "Submit the login and consent form", "OAuth", "")
	post.Responses = map[string]*huma.Response{
		"302": {Description: "Redirect to the client with a code or an error"},
		"200": {Description: "The form again, with an error", Content: map[string]*huma.MediaType{"text/html": {}}},
	}
	huma.Register(api, post, h.authorizeSubmit)
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
	return page(http.StatusOK, withCSRF(pageData{AppName: app.Name, Scopes: scopes, Hidden: hidden(*in), Email: in.LoginHint, LockEmail: in.LoginHint != ""}))
}

// authorizeSubmit serves POST /oauth2/authorize.
func (h *Handler) authorizeSubmit(ctx context.Context, in *authorizePostInput) (*authorizeOutput, error) {
	form, err := url.ParseQuery(string(in.RawBody))
	if err != nil {
		return page(http.StatusBadRequest, pageData{Fatal: "The form could not be read."})
	}
	q := authorizeQuery{
		ClientID: form.Get("client_id"), RedirectURI: form.Get("redirect_uri"), ResponseType: form.Get("response_type"),
		Scope: form.Get("scope"), State: form.Get("state"), CodeChallenge: form.Get("code_challenge"),
		CodeChallengeMethod: form.Get("code_challenge_method"), LoginHint: form.Get("login_hint"),
	}
	req := q.request()
	app, scopes, err := h.OAuth.CheckAuthorize(ctx, req)
	if err != nil {
		return h.authorizeFailure(req, err)
	}
	if !csrfOK(in.Cookie, form.Get("csrf_token")) {
		return page(http.StatusBadRequest, withCSRF(pageData{AppName: app.Name, Scopes: scopes, Hidden: hidden(q), Email: form.Get("email"),
			LockEmail: q.LoginHint != "", Error: "This form expired or was not opened in this browser. Please try again."}))
	}
	switch form.Get("decision") {
	case "deny":
		return redirect(req, url.Values{"error": {"access_denied"}, "error_description": {"the user denied the request"}})
	case "allow":
	default:
		return page(http.StatusBadRequest, withCSRF(pageData{AppName: app.Name, Scopes: scopes, Hidden: hidden(q), Email: form.Get("email"), Error: "Choose Allow or Deny."}))
	}
	email := form.Get("email")
	if q.LoginHint != "" {
		email = q.LoginHint
	}
	user, err := h.Identities.Authenticate(ctx, email, form.Get("password"))
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
		return nil, fail(ctx, err)
	}
	status := http.StatusUnauthorized
	if fe.Kind == fault.KindForbidden {
		status = http.StatusForbidden
	}
	return page(status, withCSRF(pageData{AppName: app.Name, Scopes: scopes, Hidden: hidden(q), Email: email, LockEmail: q.LoginHint != "", Error: fe.Message}))
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
	return redirect(req, url.Values{"error": {code}, "error_description": {desc}})
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

func page(status int, d pageData) (*authorizeOutput, error) {
	var buf bytes.Buffer
	if err := authorizePage.Execute(&buf, d); err != nil {
		return nil, err
	}
	var cookie string
	if d.CSRF != "" {
		cookie = (&http.Cookie{Name: csrfCookie, Value: d.CSRF, Path: "/oauth2/authorize", HttpOnly: true, SameSite: http.SameSiteLaxMode}).String()
	}
	return &authorizeOutput{Status: status, SetCookie: cookie, ContentType: "text/html; charset=utf-8", CacheControl: "no-store",
		FrameOptions: "DENY", ContentPolicy: "frame-ancestors 'none'; default-src 'none'; style-src 'unsafe-inline'",
		Body: buf.Bytes()}, nil
}
