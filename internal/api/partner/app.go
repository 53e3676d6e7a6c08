package partner

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/identity"
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
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	return PartnerApp{
		ID: a.UUID, Name: a.Name, Description: a.Description, CompanyName: a.CompanyName, ClientID: a.ClientID,
		PrimaryContactEmail: a.PrimaryContactEmail, WebhookURL: opt(a.WebhookURL), WebhookEnabled: a.WebhookEnabled,
		WebhookFilter: a.WebhookFilter, Status: string(a.Status), Slug: opt(a.Slug), DefaultToolkitID: opt(a.DefaultToolkitID),
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
		Name             *string        `json:"name,omitempty" minLength:"1" maxLength:"255"`
		Description      *string        `json:"description,omitempty" maxLength:"1000"`
		WebhookURL       nullableString `json:"webhook_url,omitempty"`
		Slug             *string        `json:"slug,omitempty" minLength:"3" maxLength:"63"`
		DefaultToolkitID *string        `json:"default_toolkit_id,omitempty"`
	}
}

type appStatusInput struct {
	Body struct {
		Status string `json:"status" enum:"active,suspended,inactive"`
	}
}

type webhookStatusInput struct {
	Body struct {
		Enabled            bool   `json:"enabled"`
		PendingDisposition string `json:"pending_disposition,omitempty" enum:"abandon,deliver"`
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
	huma.Register(api, h.op("getApp", http.MethodGet, "/v1/partner/admin/app", "The calling app", tag, ""), h.getApp)
	huma.Register(api, h.op("updateApp", http.MethodPut, "/v1/partner/admin/app", "Update the calling app", tag, ""), h.updateApp)
	huma.Register(api, h.op("updateAppStatus", http.MethodPut, "/v1/partner/admin/app/status", "Change the app's status", tag, ""), h.updateAppStatus)
	// The SDK calls the /app/... paths; the OpenAPI document names the
	// shorter aliases. Both are served.
	for _, alias := range []string{"", "Alias"} {
		prefix := "/v1/partner/admin/app"
		if alias != "" {
			prefix = "/v1/partner/admin"
		}
		huma.Register(api, h.op("updateWebhookStatus"+alias, http.MethodPut, prefix+"/webhook-status", "Pause or resume webhook delivery", tag, ""), h.updateWebhookStatus)
		huma.Register(api, h.op("setWebhookFilter"+alias, http.MethodPut, prefix+"/webhook-filter", "Choose which events are delivered", tag, ""), h.setWebhookFilter)
		huma.Register(api, h.op("removeWebhookFilter"+alias, http.MethodDelete, prefix+"/webhook-filter", "Deliver every event", tag, ""), h.removeWebhookFilter)
	}
}

func (h *Handler) patchApp(ctx context.Context, p identity.AppPatch) (*appOutput, error) {
	c, ok := adminCaller(ctx)
	if !ok {
		return nil, unauthorized(ctx)
	}
	a, err := h.Identities.UpdateApp(ctx, c.App.ID, p)
	if err != nil {
		return nil, fail(ctx, err)
	}
	return &appOutput{Body: toPartnerApp(ctx, a)}, nil
}

// getApp serves GET /v1/partner/admin/app.
func (h *Handler) getApp(ctx context.Context, _ *struct{}) (*appOutput, error) {
	c, ok := adminCaller(ctx)
	if !ok {
		return nil, unauthorized(ctx)
	}
	return &appOutput{Body: toPartnerApp(ctx, c.App)}, nil
}

// updateApp serves PUT /v1/partner/admin/app.
func (h *Handler) updateApp(ctx context.Context, in *updateAppInput) (*appOutput, error) {
	p := identity.AppPatch{Name: in.Body.Name, Description: in.Body.Description, Slug: in.Body.Slug, DefaultToolkitID: in.Body.DefaultToolkitID}
	if in.Body.WebhookURL.Set {
		empty := ""
		p.WebhookURL = &empty
		if in.Body.WebhookURL.Value != nil {
			p.WebhookURL = in.Body.WebhookURL.Value
		}
	}
	return h.patchApp(ctx, p)
}

// updateAppStatus serves PUT /v1/partner/admin/app/status.
func (h *Handler) updateAppStatus(ctx context.Context, in *appStatusInput) (*appOutput, error) {
	st := identity.AppStatus(in.Body.Status)
	return h.patchApp(ctx, identity.AppPatch{Status: &st})
}

// updateWebhookStatus serves PUT /v1/partner/admin/app/webhook-status.
func (h *Handler) updateWebhookStatus(ctx context.Context, in *webhookStatusInput) (*appOutput, error) {
	return h.patchApp(ctx, identity.AppPatch{WebhookEnabled: &in.Body.Enabled})
}

// setWebhookFilter serves PUT /v1/partner/admin/app/webhook-filter.
func (h *Handler) setWebhookFilter(ctx context.Context, in *webhookFilterInput) (*appOutput, error) {
	return h.patchApp(ctx, identity.AppPatch{SetFilter: true, WebhookFilter: &identity.WebhookFilter{Type: in.Body.Type, Events: in.Body.Events}})
}

// removeWebhookFilter serves DELETE /v1/partner/admin/app/webhook-filter.
func (h *Handler) removeWebhookFilter(ctx context.Context, _ *struct{}) (*appOutput, error) {
	return h.patchApp(ctx, identity.AppPatch{SetFilter: true})
}
