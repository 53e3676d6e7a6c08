// Package api assembles Quorum's HTTP server: the shared middleware, the
// Partner, OAuth and Cloud surfaces, health checks and the API documents.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/quorumhq/quorum/internal/actionitem"
	"github.com/quorumhq/quorum/internal/agenda"
	"github.com/quorumhq/quorum/internal/agent"
	"github.com/quorumhq/quorum/internal/api/cloud"
	"github.com/quorumhq/quorum/internal/api/meetings"
	"github.com/quorumhq/quorum/internal/api/oauthhost"
	"github.com/quorumhq/quorum/internal/api/partneradmin"
	"github.com/quorumhq/quorum/internal/api/partneruser"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/apitoken"
	"github.com/quorumhq/quorum/internal/automation"
	"github.com/quorumhq/quorum/internal/bot"
	"github.com/quorumhq/quorum/internal/calendar"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/chat"
	"github.com/quorumhq/quorum/internal/cloudtoken"
	"github.com/quorumhq/quorum/internal/connection"
	"github.com/quorumhq/quorum/internal/contextdoc"
	"github.com/quorumhq/quorum/internal/credential"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/insight"
	"github.com/quorumhq/quorum/internal/media"
	"github.com/quorumhq/quorum/internal/meeting"
	"github.com/quorumhq/quorum/internal/nextstep"
	"github.com/quorumhq/quorum/internal/oauth"
	"github.com/quorumhq/quorum/internal/participant"
	"github.com/quorumhq/quorum/internal/realtime"
	"github.com/quorumhq/quorum/internal/sso"
	"github.com/quorumhq/quorum/internal/store"
	"github.com/quorumhq/quorum/internal/template"
	"github.com/quorumhq/quorum/internal/toolkit"
	"github.com/quorumhq/quorum/internal/usage"
	"github.com/quorumhq/quorum/internal/webhook"
	"github.com/quorumhq/quorum/internal/workflow"
)

// Deps are the services the HTTP layer translates to.
type Deps struct {
	DB            *store.DB
	Logger        *slog.Logger
	Version       string
	PublicURL     string
	EnforceScopes bool
	MaxBodyBytes  int64
	// CSRFKey signs the login form's CSRF tokens.
	CSRFKey []byte
	// TrustedProxies may name the client in X-Forwarded-For.
	TrustedProxies []netip.Prefix
	Identities     *identity.Service
	OAuth          *oauth.Service
	CloudTokens    *cloudtoken.Service
	Meetings       *meeting.Service
	Insight        *insight.Service
	Agent          *agent.Service
	Actions        *actionitem.Service
	Documents      *contextdoc.Service
	Chat           *chat.Service
	NextSteps      *nextstep.Service
	Templates      *template.Service
	Toolkits       *toolkit.Service
	Workflows      *workflow.Service
	Participants   *participant.Service
	Agenda         *agenda.Service
	Calendar       *calendar.Service
	Webhooks       *webhook.Service
	Realtime       *realtime.Service
	// Media serves stored recordings; Bots receives the bot provider's
	// webhooks. Either may be nil.
	Media *media.Service
	Bots  *bot.Service
	// SSO holds apps' identity providers and signs users in through them.
	SSO         *sso.Service
	Automations *automation.Service
	Connections *connection.Service
	Credentials *credential.Service
	// Tokens are the Meetings API's credentials; Usage its metering.
	Tokens *apitoken.Service
	Usage  *usage.Service
	// MeetingMedia and MeetingBots run file imports and meeting bots for
	// the Meetings API; either may be nil until wired.
	MeetingMedia     meetings.Importer
	MeetingBots      meetings.BotScheduler
	AllowPrivateURLs bool
	// Ready reports whether the server can take traffic (database reachable,
	// migrations applied).
	Ready func(ctx context.Context) error
}

// Server is the assembled HTTP API.
type Server struct {
	handler http.Handler
	api     huma.API
}

// New builds the server.
func New(d Deps) *Server {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("Quorum", d.Version)
	cfg.Info.Description = "Self-hosted meeting intelligence: the Partner API (with its OAuth host) and the Cloud API (/cloud/v1)."
	cfg.Servers = []*huma.Server{{URL: d.PublicURL}}
	cfg.OpenAPIPath = "/openapi"
	cfg.DocsPath = ""
	// The default hooks add a $schema field and Link header to every body,
	// which the published clients do not expect.
	cfg.CreateHooks = nil
	cfg.Transformers = append(cfg.Transformers, rest.FiniteNumbers)
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"oauth2": {Type: "oauth2", Flows: &huma.OAuthFlows{AuthorizationCode: &huma.OAuthFlow{
			AuthorizationURL: d.PublicURL + "/oauth2/authorize", TokenURL: d.PublicURL + "/oauth2/token",
			Scopes: scopeDescriptions(),
		}}},
		"apiKey":        {Type: "apiKey", In: "header", Name: "X-API-Key"},
		"cloudToken":    {Type: "http", Scheme: "bearer", Description: "a ct_ cloud token from POST /cloud/v1/cloud-token"},
		"cloudApiKey":   {Type: "http", Scheme: "bearer", Description: "the app's cloud API key"},
		"meetingsToken": {Type: "http", Scheme: "bearer", Description: "a Meetings API token from POST /api/auth/token/"},
	}
	// Published clients send fields Quorum does not model; they are
	// ignored, while the fields it does model keep their validation.
	cfg.AllowAdditionalPropertiesByDefault = true
	installHumaErrors()
	api := humago.New(mux, cfg)

	t := newSurfaces(d)
	oauthHandler := oauthhost.NewHandler(t.oauth, t.partnerInfo, d.Identities, d.OAuth, d.CSRFKey, d.PublicURL)
	oauthHandler.SSO = d.SSO
	oauthHandler.Register(api)
	(&partneruser.Handler{Surface: t.partnerUser, Identities: d.Identities, Meetings: d.Meetings, Participants: d.Participants,
		Agenda: d.Agenda, ActionItems: d.Actions, Calendar: d.Calendar, Documents: d.Documents, Chat: d.Chat, NextSteps: d.NextSteps,
		Templates: d.Templates, Toolkits: d.Toolkits, Workflows: d.Workflows}).Register(api)
	(&partneradmin.Handler{Surface: t.partnerAdmin, Identities: d.Identities, Webhooks: d.Webhooks, Templates: d.Templates,
		Toolkits: d.Toolkits, Workflows: d.Workflows, SSO: d.SSO, Automations: d.Automations, Connections: d.Connections,
		Credentials: d.Credentials}).Register(api)
	(&cloud.Handler{Surface: t.cloud, Tokens: d.CloudTokens, Meetings: d.Meetings, Insight: d.Insight, Agent: d.Agent,
		Actions: d.Actions, Realtime: d.Realtime}).Register(api)
	(&meetings.Handler{Surface: t.meetings, PublicURL: d.PublicURL, Identities: d.Identities, Tokens: d.Tokens,
		Meetings: d.Meetings, Insight: d.Insight, Usage: d.Usage, Webhooks: d.Webhooks, Media: d.MeetingMedia,
		Bots: d.MeetingBots, AllowPrivateURLs: d.AllowPrivateURLs}).Register(api)

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if err := d.Ready(ctx); err != nil {
			d.Logger.WarnContext(ctx, "not ready", "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"unavailable"}`))
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /docs", docsHandler(api))
	if d.Media != nil {
		h := meetings.Recording(d.Meetings, d.Media)
		mux.Handle("GET "+meetings.RecordingPath, h)
		mux.Handle("GET "+meetings.RecordingPath+"/{$}", h)
	}
	if d.Bots != nil {
		mux.Handle("POST "+bot.WebhookPath, d.Bots.WebhookHandler())
		mux.Handle("POST "+bot.WebhookPath+"/{$}", d.Bots.WebhookHandler())
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// This catch-all also receives paths that exist for other methods;
		// those get a 405 naming the allowed ones.
		if allowed := allowedMethods(mux, r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			rest.NewError(r.Context(), http.StatusMethodNotAllowed, "method_not_allowed", r.Method+" is not supported here", nil).Write(w)
			return
		}
		rest.NewError(r.Context(), http.StatusNotFound, "not_found", "no such endpoint", nil).Write(w)
	})

	idem := rest.NewIdempotency(d.DB, d.Logger, d.MaxBodyBytes, func(r *http.Request) string {
		if c, ok := caller.From(r.Context()); ok {
			return c.Key()
		}
		return ""
	})
	h := rest.Chain(mux,
		rest.RequestIDs,
		// Only the proxies QUORUM_TRUSTED_PROXIES lists may name the client.
		rest.ClientAddrs(d.TrustedProxies),
		rest.NoSniff,
		rest.CleanPath,
		t.table.Resolve,
		rest.AccessLog(d.Logger),
		rest.ValidEncoding,
		rest.EmptyJSONBody,
		rest.Timezone,
		t.table.Authenticate,
		idem.Middleware,
	)
	return &Server{handler: h, api: api}
}

// Handler returns the root http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// OpenAPI returns the document of every operation served.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.api.OpenAPI() }

var humaErrorsOnce sync.Once

// installHumaErrors makes huma's own errors (validation, malformed JSON,
// oversized bodies) take the error body of the surface serving the request.
// huma reads the constructor from a package variable, so it is set once.
func installHumaErrors() {
	humaErrorsOnce.Do(func() { huma.NewErrorWithContext = rest.HumaError })
}

// allowedMethods lists the methods the mux serves at r's path.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			out = append(out, m)
		}
	}
	return out
}

func scopeDescriptions() map[string]string {
	out := make(map[string]string, len(identity.Scopes))
	for _, s := range identity.Scopes {
		out[s] = s
	}
	return out
}
