package identity

import (
	"net/url"
	"slices"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
)

// App is a partner app registration.
type App struct {
	ID                  int64
	UUID                string
	ClientID            string
	Name                string
	Description         string
	CompanyName         string
	PrimaryContactEmail string
	Slug                string
	Status              AppStatus
	WebhookURL          string
	WebhookEnabled      bool
	WebhookFilter       *WebhookFilter
	DefaultToolkitID    string
	RedirectURIs        []string
	Scopes              []string
	OrgIDs              []int64
	// ProvisionUsers lets the app create a user, in its first organization,
	// for an unknown email that signs in by email code. Off by default: an
	// app must not claim addresses for its organization.
	ProvisionUsers bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// AppStatus is an app's lifecycle state; only active apps may authenticate.
type AppStatus string

// The app statuses.
const (
	AppActive    AppStatus = "active"
	AppSuspended AppStatus = "suspended"
	AppInactive  AppStatus = "inactive"
)

// WebhookFilter limits which event types are delivered to an app.
type WebhookFilter struct {
	Type   string   `json:"type"` // include or exclude
	Events []string `json:"events"`
}

// CredentialKind names one of an app's credentials.
type CredentialKind string

// The credential kinds an app holds.
const (
	CredClientSecret CredentialKind = "client_secret"
	CredAPIKey       CredentialKind = "api_key"
	CredCloudAPIKey  CredentialKind = "cloud_api_key"
)

// Credential prefixes make leaked secrets easy to recognise and scan for.
const (
	clientIDPrefix     = "qc_"
	clientSecretPrefix = "qcs_"
	apiKeyPrefix       = "qak_"
	cloudAPIKeyPrefix  = "sk_live_"
)

// NewApp is the input for registering an app.
type NewApp struct {
	OrgID        int64
	Name         string
	RedirectURIs []string
	Scopes       []string // empty means every known scope
}

// Credentials are an app's secrets in clear text, shown once at creation.
type Credentials struct {
	ClientSecret string
	APIKey       string
	CloudAPIKey  string
	// WebhookSecret signs the app's webhook deliveries; empty when the
	// service was built without webhooks.
	WebhookSecret string
}

// Scopes lists every OAuth scope Quorum knows, in display order.
var Scopes = []string{
	"openid", "profile", "email",
	"meetings:read", "meetings:write",
	"action-items:read", "action-items:write",
	"calendar:read", "calendar:write",
	"context:read", "context:write",
	"chat:read", "chat:write",
	"toolkits:read", "toolkits:write",
	"workflows:read", "workflows:write",
}

// KnownScope reports whether s is one of Scopes.
func KnownScope(s string) bool { return slices.Contains(Scopes, s) }

// AllowsRedirect reports whether uri is registered for the app; the match is
// exact, as OAuth 2.1 requires.
func (a *App) AllowsRedirect(uri string) bool {
	return slices.Contains(a.RedirectURIs, uri)
}

// AllowsScope reports whether the app may request scope s.
func (a *App) AllowsScope(s string) bool {
	return slices.Contains(a.Scopes, s)
}

func validateRedirectURIs(uris []string) error {
	if len(uris) == 0 {
		return fault.Invalid("redirect_uri", "validation_error", "at least one redirect URI is required")
	}
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme == "" || u.Host == "" && u.Scheme != "urn" || u.Fragment != "" {
			return fault.Invalid("redirect_uri", "validation_error", "redirect URI %q must be absolute and have no fragment", raw)
		}
	}
	return nil
}

func validateScopes(scopes []string) error {
	for _, s := range scopes {
		if !KnownScope(s) {
			return fault.Invalid("scope", "invalid_scope", "unknown scope %q", s)
		}
	}
	return nil
}

// WebhookEventTypes lists every event type an app can receive.
var WebhookEventTypes = []string{
	"action_button.triggered", "action_item.completed", "action_item.created", "action_item.updated",
	"agenda_item.created", "agenda_item.deleted", "agenda_item.updated", "automation.assignment.created",
	"calendar_event.created", "calendar_event.deleted", "calendar_event.updated", "canvas_template.applied",
	"meeting.completed", "meeting.context.created", "meeting.context.deleted", "meeting.context.processed",
	"meeting.created", "meeting.updated", "meeting_template.applied", "next_step.completed",
	"participant.added", "participant.removed", "partner.idp.domain_revoked",
	"partner.idp.domain_verification_failed", "partner.idp.domain_verified", "session.expired",
	"session.turn.completed", "session.turn.failed", "user.connection.revoked", "workflow.run.completed",
	"workflow.run.failed", "workflow.run.started", "workflow.step.completed", "workflow.task.created",
	"workflow.task.resolved",
}
