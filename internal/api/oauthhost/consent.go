package oauthhost

import (
	"context"
	"strings"
)

type checkConsentBody struct {
	ClientID string   `json:"client_id,omitempty"`
	Email    string   `json:"email"`
	Scope    string   `json:"scope,omitempty"`
	Scopes   []string `json:"scopes,omitempty"`
}

type consentOutput struct {
	Body struct {
		HasConsent      bool   `json:"has_consent"`
		RequiresConsent bool   `json:"requires_consent"`
		SessionValid    bool   `json:"session_valid"`
		RedirectURL     string `json:"redirect_url,omitempty"`
		HasConsent2     bool   `json:"hasConsent"`
		RequiresConsen2 bool   `json:"requiresConsent"`
		RedirectURL2    string `json:"redirectUrl,omitempty"`
	}
}

// checkConsent serves POST /oauth2/check-consent.
func (h *Handler) checkConsent(ctx context.Context, in *jsonAuthInput[checkConsentBody]) (*consentOutput, error) {
	app, err := h.client(ctx, in.Authorization, nil)
	if err != nil {
		return nil, err
	}
	scope := in.Body.Scope
	if scope == "" {
		scope = strings.Join(in.Body.Scopes, " ")
	}
	c, err := h.OAuth.CheckConsent(ctx, app, in.Body.Email, scope)
	if err != nil {
		return nil, err
	}
	out := &consentOutput{}
	out.Body.HasConsent, out.Body.HasConsent2 = c.HasConsent, c.HasConsent
	out.Body.RequiresConsent, out.Body.RequiresConsen2 = c.RequiresConsent, c.RequiresConsent
	return out, nil
}
