// Package partner serves the Partner API and its OAuth host with the exact
// wire behaviour of the published @contio/partner-sdk 1.9.0.
package partner

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/oauth"
)

// Handler serves the Partner surface.
type Handler struct {
	Identities    *identity.Service
	OAuth         *oauth.Service
	Logger        *slog.Logger
	EnforceScopes bool
	MaxBodyBytes  int64
}

// Register adds every Partner and OAuth operation to api.
func (h *Handler) Register(api huma.API) {
	h.registerOAuth(api)
	h.registerAuthorize(api)
	h.registerProfile(api)
	h.registerApp(api)
}

// op fills the fields every Partner operation shares.
func (h *Handler) op(id, method, path, summary, tag, scope string) huma.Operation {
	o := huma.Operation{
		OperationID:  id,
		Method:       method,
		Path:         path,
		Summary:      summary,
		Tags:         []string{tag},
		MaxBodyBytes: h.MaxBodyBytes,
		// Every Partner and OAuth success is a 200 unless stated otherwise.
		DefaultStatus: http.StatusOK,
	}
	if scope != "" {
		o.Metadata = map[string]any{"scope": scope}
		o.Security = []map[string][]string{{"oauth2": {scope}}}
	}
	return o
}

// UserCaller is a request authenticated with a user access token.
type UserCaller struct {
	Grant oauth.Grant
	App   identity.App
}

// AdminCaller is a request authenticated with an app's admin API key.
type AdminCaller struct {
	App identity.App
}

func userCaller(ctx context.Context) (*UserCaller, bool) {
	c, ok := rest.Principal(ctx).(*UserCaller)
	return c, ok
}

func adminCaller(ctx context.Context) (*AdminCaller, bool) {
	c, ok := rest.Principal(ctx).(*AdminCaller)
	return c, ok
}

// Authenticate is the net/http middleware that resolves the credentials of
// the user (Bearer) and admin (X-API-Key) Partner APIs before routing, so
// that idempotency keys can be scoped to the caller.
func (h *Handler) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/partner/user/"):
			token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok {
				rest.NewError(ctx, rest.SurfacePartner, http.StatusUnauthorized, "unauthorized", "missing bearer token", nil).Write(w)
				return
			}
			g, err := h.OAuth.Authenticate(ctx, strings.TrimSpace(token))
			if err != nil {
				rest.FromDomain(ctx, rest.SurfacePartner, err).Write(w)
				return
			}
			app, err := h.Identities.Store().AppByID(ctx, g.AppID)
			if err != nil || app.Status != identity.AppActive {
				rest.NewError(ctx, rest.SurfacePartner, http.StatusUnauthorized, "unauthorized", "the app of this token is not active", nil).Write(w)
				return
			}
			r = r.WithContext(rest.WithPrincipal(ctx, &UserCaller{Grant: g, App: app}))
		case strings.HasPrefix(r.URL.Path, "/v1/partner/admin/"):
			app, err := h.Identities.AppByKey(ctx, identity.CredAPIKey, r.Header.Get("X-API-Key"))
			if err == nil {
				if cid := r.Header.Get("X-Client-ID"); cid != "" && cid != app.ClientID {
					err = rest.NewError(ctx, rest.SurfacePartner, http.StatusUnauthorized, "unauthorized", "X-Client-ID does not match the API key", nil)
				}
			}
			if err != nil {
				rest.FromDomain(ctx, rest.SurfacePartner, err).Write(w)
				return
			}
			r = r.WithContext(rest.WithPrincipal(ctx, &AdminCaller{App: app}))
		}
		next.ServeHTTP(w, r)
	})
}

// IdempotencyScope scopes Idempotency-Key per user and app (user API) or
// per app (admin API).
func IdempotencyScope(r *http.Request) string {
	switch c := rest.Principal(r.Context()).(type) {
	case *UserCaller:
		return "partner-user:" + itoa(c.Grant.AppID) + ":" + itoa(c.Grant.UserID)
	case *AdminCaller:
		return "partner-admin:" + itoa(c.App.ID)
	}
	return ""
}

// RequireScopes is the huma middleware that enforces the scope an
// operation declares in its metadata.
func (h *Handler) RequireScopes(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		scope, _ := ctx.Operation().Metadata["scope"].(string)
		if scope == "" || !h.EnforceScopes {
			next(ctx)
			return
		}
		c, ok := userCaller(ctx.Context())
		if ok && !c.Grant.HasScope(scope) {
			e := rest.NewError(ctx.Context(), rest.SurfacePartner, http.StatusForbidden, "insufficient_scope",
				"this endpoint requires the "+scope+" scope", map[string]any{"required_scope": scope})
			ctx.SetHeader("Content-Type", "application/json")
			ctx.SetStatus(e.Status)
			_ = api.Marshal(ctx.BodyWriter(), "application/json", e.Body)
			return
		}
		next(ctx)
	}
}
