// Package partneradmin serves the Partner admin API (/v1/partner/admin):
// an app manages itself with its admin API key (X-API-Key, optionally
// checked against X-Client-ID), with the exact wire behaviour of the
// published @contio/partner-sdk 1.9.0.
package partneradmin

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/automation"
	"github.com/quorumhq/quorum/internal/connection"
	"github.com/quorumhq/quorum/internal/credential"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/sso"
	"github.com/quorumhq/quorum/internal/template"
	"github.com/quorumhq/quorum/internal/toolkit"
	"github.com/quorumhq/quorum/internal/webhook"
	"github.com/quorumhq/quorum/internal/workflow"
)

// Handler serves the Partner admin surface.
type Handler struct {
	Surface    *rest.Surface
	Identities *identity.Service
	Templates  *template.Service
	Toolkits   *toolkit.Service
	Workflows  *workflow.Service
	Webhooks   *webhook.Service
	SSO        *sso.Service
	// Automations, Connections and Credentials serve A7-A11 and A15-A23.
	Automations *automation.Service
	Connections *connection.Service
	Credentials *credential.Service
}

// Register adds every Partner admin operation to api.
func (h *Handler) Register(api huma.API) {
	h.registerApp(api)
	toolkitsHandler{h}.register(api, h.Surface)
	h.registerDeliveries(api)
	(&idpHandler{sso: h.SSO}).register(api, h.Surface)
	h.registerAutomations(api)
	h.registerConnections(api)
	h.registerCredentials(api)
}
