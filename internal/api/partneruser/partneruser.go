// Package partneruser serves the Partner user API (/v1/partner/user) with
// the exact wire behaviour of the published @contio/partner-sdk 1.9.0:
// snake_case bodies, UUID ids and {items,total,limit,offset} lists. Callers
// authenticate with a user access token from the OAuth host.
package partneruser

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/chat"
	"github.com/quorumhq/quorum/internal/contextdoc"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/nextstep"
	"github.com/quorumhq/quorum/internal/template"
	"github.com/quorumhq/quorum/internal/toolkit"
	"github.com/quorumhq/quorum/internal/workflow"
)

// Handler serves the Partner user surface.
type Handler struct {
	Surface    *rest.Surface
	Identities *identity.Service
	Documents  *contextdoc.Service
	Chat       *chat.Service
	NextSteps  *nextstep.Service
	Templates  *template.Service
	Toolkits   *toolkit.Service
	Workflows  *workflow.Service
}

// Register adds every Partner user operation to api.
func (h *Handler) Register(api huma.API) {
	rest.Register(api, h.Surface, rest.Op{ID: "getUserProfile", Method: http.MethodGet, Path: "/profile", Tag: "Profile",
		Summary: "The signed-in user's profile", Scope: "profile"}, h.getProfile)
	(&contextHandler{Surface: h.Surface, Documents: h.Documents}).register(api)
	(&chatHandler{Surface: h.Surface, Chat: h.Chat}).register(api)
	toolkitsHandler{h}.register(api, h.Surface)
}
