package oauthhost

import (
	"context"
	"errors"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
)

type partnerInfoInput struct {
	ClientID string `path:"clientId"`
}

type partnerInfoOutput struct {
	Body struct {
		ClientID    string `json:"client_id"`
		Name        string `json:"name"`
		CompanyName string `json:"company_name"`
		CoBrandName string `json:"co_brand_name"`
		Description string `json:"description"`
		LogoURL     string `json:"logoUrl"`
		WebsiteURL  string `json:"websiteUrl"`
	}
}

// partnerInfo serves GET /v1/partner/info/{clientId}/public; it needs no
// credentials and reveals only what a consent screen shows.
func (h *Handler) partnerInfo(ctx context.Context, in *partnerInfoInput) (*partnerInfoOutput, error) {
	app, err := h.Identities.AppByClientID(ctx, in.ClientID)
	if errors.Is(err, fault.ErrNotFound) || err == nil && app.Status != identity.AppActive {
		return nil, fault.NotFound("partner app")
	}
	if err != nil {
		return nil, err
	}
	out := &partnerInfoOutput{}
	out.Body.ClientID, out.Body.Name, out.Body.CompanyName = app.ClientID, app.Name, app.CompanyName
	out.Body.CoBrandName, out.Body.Description = app.Name, app.Description
	return out, nil
}
