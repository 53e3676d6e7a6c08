package partneradmin

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/partneruser"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/webhook"
)

// PartnerApp is the admin API's view of the calling app.
type PartnerApp struct {
	ID                  string                  `json:"id"`
	Name                string                  `json:"name"`
	Description         string                  `json:"description"`
	CompanyName         string                  `json:"company_name"`
	ClientID            string                  `json:"client_id"`
	PrimaryContactEmail string                  `json:"primary_contact_email"`
	WebhookURL          *string                 `json:"webhook_url"`
	WebhookEnabled      bool                    `json:"webhook_enabled"`
	WebhookFilter       *identity.WebhookFilter `json:"webhook_filter"`
	Status              string                  `json:"status"`
	Slug                *string                 `json:"slug"`
	DefaultToolkitID    *string                 `json:"default_toolkit_id"`
	CreatedAt           string                  `json:"created_at"`
	UpdatedAt           string                  `json:"updated_at"`
}

func toPartnerApp(ctx context.Context, a identity.App) PartnerApp {
	return PartnerApp{
		ID: a.UUID, Name: a.Name, Description: a.Description, CompanyName: a.CompanyName, ClientID: a.ClientID,
		PrimaryContactEmail: a.PrimaryContactEmail, WebhookURL: partneruser.Optional(a.WebhookURL), WebhookEnabled: a.WebhookEnabled,
		WebhookFilter: a.WebhookFilter, Status: string(a.Status), Slug: partneruser.Optional(a.Slug), DefaultToolkitID: partneruser.Optional(a.DefaultToolkitID),
		CreatedAt: rest.Time(ctx, a.CreatedAt), UpdatedAt: rest.Time(ctx, a.UpdatedAt),
	}
}

type appOutput struct{ Body PartnerApp }

// nullableString tells an absent field from an explicit null.
type nullableString struct {
	Set   bool
	Value *string
}

// UnmarshalJSON records that the field was present.
func (n *nullableString) UnmarshalJSON(b []byte) error {
	n.Set = true
	return json.Unmarshal(b, &n.Value)
}

// Schema describes the field as a nullable string in OpenAPI.
func (nullableString) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Nullable: true}
}

type updateAppInput struct {
	Body struct {
		Name             *string        `json:"name,omitempty"`
		Description      *string        `json:"description,omitempty"`
		WebhookURL       nullableString `json:"webhook_url,omitempty"`
		Slug             *string        `json:"slug,omitempty"`
		DefaultToolkitID *string        `json:"default_toolkit_id,omitempty"`
	}
}

type appStatusInput struct {
	Body struct {
		Status string `json:"status" doc:"active, suspended or inactive"`
	}
}

type webhookStatusInput struct {
	Body struct {
		Enabled            bool   `json:"enabled"`
		PendingDisposition string `json:"pending_disposition,omitempty" doc:"abandon or deliver: what happens to events held while delivery was off"`
	}
}

type webhookFilterInput struct {
	Body struct {
		Type   string   `json:"type"`
		Events []string `json:"events"`
	}
}

func (h *Handler) registerApp(api huma.API) {
	const tag = "Admin: app"
	s := h.Surface
	rest.Register(api, s, rest.Op{ID: "getApp", Method: http.MethodGet, Path: "/app", Summary: "The calling app", Tag: tag}, h.getApp)
	rest.Register(api, s, rest.Op{ID: "updateApp", Method: http.MethodPut, Path: "/app", Summary: "Update the calling app", Tag: tag}, h.updateApp)
	rest.Register(api, s, rest.Op{ID: "updateAppStatus", Method: http.MethodPut, Path: "/app/status", Summary: "Change the app's status", Tag: tag}, h.updateAppStatus)
	// The SDK calls the /app/... paths; the OpenAPI document names the
	// shorter aliases. Both are served.
	for _, alias := range []struct{ suffix, prefix string }{{"", "/app"}, {"Alias", ""}} {
		rest.Register(api, s, rest.Op{ID: "updateWebhookStatus" + alias.suffix, Method: http.MethodPut, Path: alias.prefix + "/webhook-status",
			Summary: "Pause or resume webhook delivery", Tag: tag}, h.updateWebhookStatus)
		rest.Register(api, s, rest.Op{ID: "setWebhookFilter" + alias.suffix, Method: http.MethodPut, Path: alias.prefix + "/webhook-filter",
			Summary: "Choose which events are delivered", Tag: tag}, h.setWebhookFilter)
		rest.Register(api, s, rest.Op{ID: "removeWebhookFilter" + alias.suffix, Method: http.MethodDelete, Path: alias.prefix + "/webhook-filter",
			Summary: "Deliver every event", Tag: tag}, h.removeWebhookFilter)
	}
}

func (h *Handler) patchApp(ctx context.Context, c caller.Caller, p identity.AppPatch) (*appOutput, error) {
	a, err := h.Identities.UpdateApp(ctx, c.AppID, p)
	if err != nil {
		return nil, err
	}
	return &appOutput{Body: toPartnerApp(ctx, a)}, nil
}

// getApp serves GET /v1/partner/admin/app.
func (h *Handler) getApp(ctx context.Context, c caller.Caller, _ *struct{}) (*appOutput, error) {
	a, err := h.Identities.App(ctx, c)
	if err != nil {
		return nil, err
	}
	return &appOutput{Body: toPartnerApp(ctx, a)}, nil
}

// updateApp serves PUT /v1/partner/admin/app.
func (h *Handler) updateApp(ctx context.Context, c caller.Caller, in *updateAppInput) (*appOutput, error) {
	p := identity.AppPatch{Name: in.Body.Name, Description: in.Body.Description, Slug: in.Body.Slug, DefaultToolkitID: in.Body.DefaultToolkitID}
	if in.Body.WebhookURL.Set {
		empty := ""
		p.WebhookURL = &empty
		if in.Body.WebhookURL.Value != nil {
			p.WebhookURL = in.Body.WebhookURL.Value
		}
	}
	return h.patchApp(ctx, c, p)
}

// updateAppStatus serves PUT /v1/partner/admin/app/status.
func (h *Handler) updateAppStatus(ctx context.Context, c caller.Caller, in *appStatusInput) (*appOutput, error) {
	st := identity.AppStatus(in.Body.Status)
	return h.patchApp(ctx, c, identity.AppPatch{Status: &st})
}

// updateWebhookStatus serves PUT /v1/partner/admin/app/webhook-status.
// Re-enabling settles the events held while delivery was off: deliver
// (the default when omitted) or abandon.
func (h *Handler) updateWebhookStatus(ctx context.Context, c caller.Caller, in *webhookStatusInput) (*appOutput, error) {
	if err := h.Webhooks.SetAppWebhookEnabled(ctx, c, in.Body.Enabled, webhook.Disposition(in.Body.PendingDisposition)); err != nil {
		return nil, err
	}
	return h.getApp(ctx, c, nil)
}

// setWebhookFilter serves PUT /v1/partner/admin/app/webhook-filter.
func (h *Handler) setWebhookFilter(ctx context.Context, c caller.Caller, in *webhookFilterInput) (*appOutput, error) {
	return h.patchApp(ctx, c, identity.AppPatch{SetFilter: true, WebhookFilter: &identity.WebhookFilter{Type: in.Body.Type, Events: in.Body.Events}})
}

// removeWebhookFilter serves DELETE /v1/partner/admin/app/webhook-filter.
func (h *Handler) removeWebhookFilter(ctx context.Context, c caller.Caller, _ *struct{}) (*appOutput, error) {
	return h.patchApp(ctx, c, identity.AppPatch{SetFilter: true})
}
