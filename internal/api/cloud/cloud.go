// Package cloud serves the Cloud API under /cloud/v1: cloud tokens,
// meeting import, and the intelligence endpoints (summaries, search, ask,
// analysis, live response contexts).
package cloud

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/agent"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/cloudtoken"
	"github.com/quorumhq/quorum/internal/insight"
	"github.com/quorumhq/quorum/internal/meeting"
)

// Prefix is where the Cloud API is mounted.
const Prefix = "/cloud/v1"

// MaxTranscriptBytes caps an uploaded transcript body.
const MaxTranscriptBytes = 16 << 20

// Handler serves the Cloud surface.
type Handler struct {
	Tokens       *cloudtoken.Service
	Meetings     *meeting.Service
	Insight      *insight.Service
	Agent        *agent.Service
	Actions      *actionitem.Service
	MaxBodyBytes int64
}

// Register adds every Cloud operation to api.
func (h *Handler) Register(api huma.API) {
	h.registerTokens(api)
	h.registerMeetings(api)
	h.registerAI(api)
	h.registerSearch(api)
	h.registerResponses(api)
	h.registerAgent(api)
}

func (h *Handler) op(id, method, path, summary, tag string, status int) huma.Operation {
	return huma.Operation{
		OperationID:   id,
		Method:        method,
		Path:          Prefix + path,
		Summary:       summary,
		Tags:          []string{"Cloud: " + tag},
		MaxBodyBytes:  h.MaxBodyBytes,
		DefaultStatus: status,
		Security:      []map[string][]string{{"cloudToken": {}}},
	}
}

// Authenticate is the net/http middleware that resolves cloud tokens for
// every Cloud path except the token exchange itself.
func (h *Handler) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, Prefix+"/") || r.URL.Path == Prefix+"/cloud-token" {
			next.ServeHTTP(w, r)
			return
		}
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		c, err := h.Tokens.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			rest.FromDomain(r.Context(), rest.SurfaceCloud, err).Write(w)
			return
		}
		next.ServeHTTP(w, r.WithContext(rest.WithPrincipal(r.Context(), &c)))
	})
}

// IdempotencyScope scopes Idempotency-Key per app and end user.
func IdempotencyScope(r *http.Request) string {
	c, ok := rest.Principal(r.Context()).(*cloudtoken.Caller)
	if !ok {
		return ""
	}
	return "cloud:" + strconv.FormatInt(c.AppID, 10) + ":" + c.UserRef
}

func caller(ctx context.Context) (*cloudtoken.Caller, error) {
	c, ok := rest.Principal(ctx).(*cloudtoken.Caller)
	if !ok {
		return nil, rest.NewError(ctx, rest.SurfaceCloud, http.StatusUnauthorized, "unauthorized", "a cloud token is required", nil)
	}
	return c, nil
}

func fail(ctx context.Context, err error) error {
	return rest.FromDomain(ctx, rest.SurfaceCloud, err)
}
