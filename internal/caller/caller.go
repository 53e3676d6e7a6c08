// Package caller describes who an authenticated request acts for. Every
// surface's authenticator resolves its credential into one Caller, and every
// domain service call takes it, so tenancy, per-app visibility and roles are
// enforced in one place: inside the service and its store queries.
package caller

import (
	"context"
	"slices"
	"strconv"
)

// Credential names the kind of credential a caller presented.
type Credential string

// The credential kinds.
const (
	// UserToken is a Partner OAuth access token issued to a user.
	UserToken Credential = "user_token"
	// AppToken is a Partner client-credentials token: the app, no user.
	AppToken Credential = "app_token"
	// AdminKey is a Partner app's admin API key.
	AdminKey Credential = "admin_key"
	// CloudToken is a Cloud API "ct_" token acting for an app's end user.
	CloudToken Credential = "cloud_token"
	// System is Quorum itself: the admin CLI and background jobs.
	System Credential = "system"
)

// Caller is the principal of one request.
type Caller struct {
	Credential Credential
	// OrgID is the organization (tenant) the caller acts in; never zero for
	// a caller that reaches tenant data.
	OrgID int64
	// AppID is the partner app behind the credential (0 for System).
	AppID int64
	// UserID is the Quorum user, when the credential names one.
	UserID int64
	// UserRef is the end user as the app names it (Cloud tokens), or the
	// user's email when UserID is set; it is what "created by" records.
	UserRef string
	// Scopes are the OAuth scopes granted to a Partner token.
	Scopes []string
	// TokenID is the database id of the token, when there is one.
	TokenID int64
}

// ForSystem is a caller for work Quorum does on an organization's behalf
// (the admin CLI, background jobs).
func ForSystem(orgID int64) Caller {
	return Caller{Credential: System, OrgID: orgID, UserRef: "system"}
}

// HasScope reports whether the caller was granted scope s. Credentials
// without scopes (admin keys, cloud tokens, System) have every scope.
func (c Caller) HasScope(s string) bool {
	switch c.Credential {
	case UserToken, AppToken:
		return slices.Contains(c.Scopes, s)
	}
	return true
}

// HasUser reports whether the caller is a Quorum user.
func (c Caller) HasUser() bool { return c.UserID != 0 }

// Key is a stable string naming the caller, used to scope idempotency keys
// and rate limits: one app's end user never shares a key space with another.
func (c Caller) Key() string {
	app := strconv.FormatInt(c.AppID, 10)
	switch c.Credential {
	case UserToken, AppToken:
		return "partner-user:" + app + ":" + strconv.FormatInt(c.UserID, 10)
	case AdminKey:
		return "partner-admin:" + app
	case CloudToken:
		return "cloud:" + app + ":" + c.UserRef
	}
	return string(c.Credential) + ":" + strconv.FormatInt(c.OrgID, 10)
}

type ctxKey struct{}

// With stores c in ctx; authenticators call it.
func With(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// From returns the caller stored in ctx.
func From(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(ctxKey{}).(Caller)
	return c, ok
}
