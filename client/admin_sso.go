package client

import (
	"context"
	"net/http"
	"net/url"
)

// IdPConfig is an app's OpenID Connect identity provider (admin API). The
// client secret is never returned.
type IdPConfig struct {
	ID                     string            `json:"id"`
	PartnerAppID           string            `json:"partner_app_id"`
	Name                   string            `json:"name"`
	Type                   string            `json:"type"`
	DiscoveryURL           string            `json:"discovery_url"`
	IdPClientID            string            `json:"idp_client_id"`
	Scopes                 []string          `json:"scopes"`
	ClaimMappings          map[string]string `json:"claim_mappings"`
	Mode                   string            `json:"mode"`
	AllowedEmailDomains    []string          `json:"allowed_email_domains"`
	IsActive               bool              `json:"is_active"`
	Issuer                 *string           `json:"issuer"`
	AuthorizationEndpoint  *string           `json:"authorization_endpoint"`
	TokenEndpoint          *string           `json:"token_endpoint"`
	UserinfoEndpoint       *string           `json:"userinfo_endpoint"`
	JWKSURI                *string           `json:"jwks_uri"`
	DiscoveryLastFetchedAt *string           `json:"discovery_last_fetched_at"`
	CreatedAt              string            `json:"created_at"`
	UpdatedAt              string            `json:"updated_at"`
}

// NewIdPConfig configures an app's identity provider. Mode is "strict"
// (AllowedEmailDomains required, each verified first) or "partner_managed".
type NewIdPConfig struct {
	Name                string            `json:"name"`
	DiscoveryURL        string            `json:"discovery_url"`
	IdPClientID         string            `json:"idp_client_id"`
	IdPClientSecret     string            `json:"idp_client_secret"`
	Mode                string            `json:"mode"`
	Scopes              []string          `json:"scopes,omitempty"`
	ClaimMappings       map[string]string `json:"claim_mappings,omitempty"`
	AllowedEmailDomains []string          `json:"allowed_email_domains,omitempty"`
}

// IdPConfigUpdate changes the fields it sets.
type IdPConfigUpdate struct {
	Name                *string           `json:"name,omitempty"`
	DiscoveryURL        *string           `json:"discovery_url,omitempty"`
	IdPClientID         *string           `json:"idp_client_id,omitempty"`
	IdPClientSecret     *string           `json:"idp_client_secret,omitempty"`
	Mode                *string           `json:"mode,omitempty"`
	Scopes              []string          `json:"scopes,omitempty"`
	ClaimMappings       map[string]string `json:"claim_mappings,omitempty"`
	AllowedEmailDomains *[]string         `json:"allowed_email_domains,omitempty"`
	IsActive            *bool             `json:"is_active,omitempty"`
}

// IdPDomainVerification is a domain's DNS TXT ownership challenge.
type IdPDomainVerification struct {
	Domain         string  `json:"domain"`
	DNSRecordName  string  `json:"dns_record_name"`
	DNSRecordValue string  `json:"dns_record_value"`
	Status         string  `json:"status"`
	ExpiresAt      *string `json:"expires_at"`
	VerifiedAt     *string `json:"verified_at"`
}

const idpPath = "/v1/partner/admin/idp"

func (c *Client) idp(ctx context.Context, method string, body any) (*IdPConfig, error) {
	var out IdPConfig
	if err := c.do(ctx, request{method: method, path: idpPath, json: body}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateIdPConfig configures the app's identity provider (A24).
func (c *Client) CreateIdPConfig(ctx context.Context, n NewIdPConfig) (*IdPConfig, error) {
	return c.idp(ctx, http.MethodPost, n)
}

// IdPConfig returns the app's identity provider configuration (A25).
func (c *Client) IdPConfig(ctx context.Context) (*IdPConfig, error) {
	return c.idp(ctx, http.MethodGet, nil)
}

// UpdateIdPConfig changes the configuration's fields u sets (A26).
func (c *Client) UpdateIdPConfig(ctx context.Context, u IdPConfigUpdate) (*IdPConfig, error) {
	return c.idp(ctx, http.MethodPut, u)
}

// DeleteIdPConfig removes the configuration and revokes the app's verified
// domains (A27).
func (c *Client) DeleteIdPConfig(ctx context.Context) error {
	return c.do(ctx, request{method: http.MethodDelete, path: idpPath}, nil)
}

func (c *Client) domain(ctx context.Context, method, domain, action string) (*IdPDomainVerification, error) {
	var out IdPDomainVerification
	if err := c.do(ctx, request{method: method, path: idpPath + "/domains/" + url.PathEscape(domain) + action}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// IdPDomainVerification returns a domain's verification, with no DNS
// lookup (A28).
func (c *Client) IdPDomainVerification(ctx context.Context, domain string) (*IdPDomainVerification, error) {
	return c.domain(ctx, http.MethodGet, domain, "")
}

// StartIdPDomainVerification issues (or rotates) a domain's TXT challenge
// (A29).
func (c *Client) StartIdPDomainVerification(ctx context.Context, domain string) (*IdPDomainVerification, error) {
	return c.domain(ctx, http.MethodPost, domain, "/verify")
}

// CheckIdPDomainVerification looks up the domain's TXT record and verifies
// the domain when it matches (A30).
func (c *Client) CheckIdPDomainVerification(ctx context.Context, domain string) (*IdPDomainVerification, error) {
	return c.domain(ctx, http.MethodPost, domain, "/check")
}
