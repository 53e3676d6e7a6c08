package oauthhost

import (
	"bytes"
	"html/template"
)

// authorizePage is the login and consent form. html/template escapes every
// value, and the page forbids framing, so it cannot be clickjacked.
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
button[value=sso]{background:#eef;color:#224}.sso{font-size:.85rem;color:#444;margin:1.2rem 0 0}
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
{{if .SSOName}}<p class="sso">Work account? Enter your email and allow with your organization's sign-in:</p>
<div class="buttons"><button type="submit" name="decision" value="sso" formnovalidate>Allow and sign in with {{.SSOName}}</button></div>{{end}}
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
	// SSOName is the app's identity provider, offered beside the password.
	SSOName string
	// setCookie is the nonce cookie the form's CSRF token is bound to.
	setCookie string
}

func page(status int, d pageData) (*authorizeOutput, error) {
	var buf bytes.Buffer
	if err := authorizePage.Execute(&buf, d); err != nil {
		return nil, err
	}
	cookie := d.setCookie
	return &authorizeOutput{Status: status, SetCookie: cookie, ContentType: "text/html; charset=utf-8", CacheControl: "no-store",
		FrameOptions: "DENY", ContentPolicy: "frame-ancestors 'none'; default-src 'none'; style-src 'unsafe-inline'",
		Body: buf.Bytes()}, nil
}
