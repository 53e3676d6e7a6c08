package client

import (
	"context"
	"net/http"
)

// UserProfile is the Partner API profile.
type UserProfile struct {
	ID            string `json:"id"`
	DisplayName   string `json:"display_name"`
	Email         string `json:"email"`
	CreatedAt     string `json:"created_at"`
	WorkspaceID   string `json:"workspace_id"`
	WorkspaceName string `json:"workspace_name"`
	WorkspaceRole string `json:"workspace_role"`
}

// Profile returns the signed-in user's profile (Partner user API).
func (c *Client) Profile(ctx context.Context) (*UserProfile, error) {
	var out UserProfile
	err := c.do(ctx, request{method: http.MethodGet, path: "/v1/partner/user/profile"}, &out)
	return &out, err
}

// WebhookFilter limits the event types delivered to an app.
type WebhookFilter struct {
	Type   string   `json:"type"`
	Events []string `json:"events"`
}

// PartnerApp is the admin API's view of the calling app.
type PartnerApp struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	Description    string         `json:"description"`
	ClientID       string         `json:"client_id"`
	WebhookURL     *string        `json:"webhook_url"`
	WebhookEnabled bool           `json:"webhook_enabled"`
	WebhookFilter  *WebhookFilter `json:"webhook_filter"`
	Status         string         `json:"status"`
	Slug           *string        `json:"slug"`
	CreatedAt      string         `json:"created_at"`
	UpdatedAt      string         `json:"updated_at"`
}

// AppUpdate holds the app fields to change; nil fields are left alone.
type AppUpdate struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
	WebhookURL  *string `json:"webhook_url,omitempty"`
	Slug        *string `json:"slug,omitempty"`
}

// App returns the calling app (admin API).
func (c *Client) App(ctx context.Context) (*PartnerApp, error) {
	return c.app(ctx, http.MethodGet, "/v1/partner/admin/app", nil)
}

// UpdateApp changes the app's settings.
func (c *Client) UpdateApp(ctx context.Context, u AppUpdate) (*PartnerApp, error) {
	return c.app(ctx, http.MethodPut, "/v1/partner/admin/app", u)
}

// UpdateAppStatus sets active, suspended or inactive.
func (c *Client) UpdateAppStatus(ctx context.Context, status string) (*PartnerApp, error) {
	return c.app(ctx, http.MethodPut, "/v1/partner/admin/app/status", map[string]string{"status": status})
}

// UpdateWebhookStatus pauses or resumes webhook delivery.
func (c *Client) UpdateWebhookStatus(ctx context.Context, enabled bool) (*PartnerApp, error) {
	return c.app(ctx, http.MethodPut, "/v1/partner/admin/app/webhook-status", map[string]bool{"enabled": enabled})
}

// ResumeWebhooks turns webhook delivery back on and decides the fate of
// the events held while it was off: pendingDisposition is "deliver" or
// "abandon".
func (c *Client) ResumeWebhooks(ctx context.Context, pendingDisposition string) (*PartnerApp, error) {
	return c.app(ctx, http.MethodPut, "/v1/partner/admin/app/webhook-status",
		map[string]any{"enabled": true, "pending_disposition": pendingDisposition})
}

// SetWebhookFilter chooses which events are delivered.
func (c *Client) SetWebhookFilter(ctx context.Context, f WebhookFilter) (*PartnerApp, error) {
	return c.app(ctx, http.MethodPut, "/v1/partner/admin/app/webhook-filter", f)
}

// RemoveWebhookFilter delivers every event again.
func (c *Client) RemoveWebhookFilter(ctx context.Context) (*PartnerApp, error) {
	return c.app(ctx, http.MethodDelete, "/v1/partner/admin/app/webhook-filter", nil)
}

func (c *Client) app(ctx context.Context, method, path string, body any) (*PartnerApp, error) {
	var out PartnerApp
	if err := c.do(ctx, request{method: method, path: path, json: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
