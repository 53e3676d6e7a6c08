// Package partneruser serves the Partner user API (/v1/partner/user) with
// the exact wire behaviour of the published @contio/partner-sdk 1.9.0:
// snake_case bodies, UUID ids and {items,total,limit,offset} lists. Callers
// authenticate with a user access token from the OAuth host.
package partneruser

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/agenda"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/calendar"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/participant"
)

// Handler serves the Partner user surface.
type Handler struct {
	Surface    *rest.Surface
	Identities *identity.Service

	Meetings     *meeting.Service
	Participants *participant.Service
	Agenda       *agenda.Service
	ActionItems  *actionitem.Service
	Calendar     *calendar.Service
}

// Register adds every Partner user operation to api.
func (h *Handler) Register(api huma.API) {
	rest.Register(api, h.Surface, rest.Op{ID: "getUserProfile", Method: http.MethodGet, Path: "/profile", Tag: "Profile",
		Summary: "The signed-in user's profile", Scope: "profile"}, h.getProfile)
	(&coreHandler{meetings: h.Meetings, participants: h.Participants, agenda: h.Agenda, actions: h.ActionItems,
		calendar: h.Calendar}).register(api, h.Surface)
}
