package partneradmin

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/quorumhq/quorum/internal/api/partneruser"
	"github.com/quorumhq/quorum/internal/api/rest"
	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/sso"
)

// IdPConfig is the app's OpenID Connect identity provider; its client
// secret is never returned.
type IdPConfig struct {
	ID                     string            `json:"id"`
	PartnerAppID           string            `json:"partner_app_id"`
	Name                   string            `json:"name"`
	Type                   string            `json:"type" enum:"oidc"`
	DiscoveryURL           string            `json:"discovery_url"`
	IdPClientID            string            `json:"idp_client_id"`
	Scopes                 []string          `json:"scopes"`
	ClaimMappings          map[string]string `json:"claim_mappings"`
	Mode                   string            `json:"mode" enum:"strict,partner_managed"`
	AllowedEmailDomains    []string          `json:"allowed_email_domains" nullable:"true"`
	IsActive               bool              `json:"is_active"`
	Issuer                 *string           `json:"issuer" nullable:"true"`
	AuthorizationEndpoint  *string           `json:"authorization_endpoint" nullable:"true"`
	TokenEndpoint          *string           `json:"token_endpoint" nullable:"true"`
	UserinfoEndpoint       *string           `json:"userinfo_endpoint" nullable:"true"`
	JWKSURI                *string           `json:"jwks_uri" nullable:"true"`
	DiscoveryLastFetchedAt *string           `json:"discovery_last_fetched_at" nullable:"true"`
	CreatedAt              string            `json:"created_at"`
	UpdatedAt              string            `json:"updated_at"`
}

func toIdPConfig(ctx context.Context, c sso.Config) IdPConfig {
	return IdPConfig{ID: c.UUID, PartnerAppID: c.AppUUID, Name: c.Name, Type: "oidc", DiscoveryURL: c.DiscoveryURL, IdPClientID: c.ClientID,
		Scopes: c.Scopes, ClaimMappings: c.ClaimMappings, Mode: string(c.Mode), AllowedEmailDomains: c.AllowedEmailDomains,
		IsActive: c.IsActive, Issuer: partneruser.Optional(c.Issuer), AuthorizationEndpoint: partneruser.Optional(c.AuthorizationEndpoint),
		TokenEndpoint: partneruser.Optional(c.TokenEndpoint), UserinfoEndpoint: partneruser.Optional(c.UserinfoEndpoint), JWKSURI: partneruser.Optional(c.JWKSURI),
		DiscoveryLastFetchedAt: rest.TimePtr(ctx, c.DiscoveryLastFetchedAt), CreatedAt: rest.Time(ctx, c.CreatedAt),
		UpdatedAt: rest.Time(ctx, c.UpdatedAt)}
}

// IdPDomainVerification is a domain's ownership challenge.
type IdPDomainVerification struct {
	Domain         string  `json:"domain" doc:"normalized: lowercase, punycode"`
	DNSRecordName  string  `json:"dns_record_name,omitempty" doc:"the TXT record to publish: _contio-challenge.<domain>"`
	DNSRecordValue string  `json:"dns_record_value,omitempty" doc:"its value: contio-domain-verify=<token>"`
	Status         string  `json:"status" enum:"pending,verified,expired"`
	ExpiresAt      *string `json:"expires_at,omitempty" doc:"when a pending challenge expires; absent once verified"`
	VerifiedAt     *string `json:"verified_at,omitempty" doc:"present only when verified"`
}

func toVerification(ctx context.Context, v sso.Verification) IdPDomainVerification {
	out := IdPDomainVerification{Domain: v.Domain, Status: string(v.Status), ExpiresAt: rest.TimePtr(ctx, v.ExpiresAt),
		VerifiedAt: rest.TimePtr(ctx, v.VerifiedAt)}
	if v.Status != sso.Verified {
		out.DNSRecordName, out.DNSRecordValue = v.RecordName(), v.RecordValue()
	}
	return out
}

type idpOutput struct{ Body IdPConfig }

type verificationOutput struct{ Body IdPDomainVerification }

type idpBody struct {
	Name                string            `json:"name,omitempty" doc:"display name, 1 to 255 characters (required to create)"`
	DiscoveryURL        string            `json:"discovery_url,omitempty" doc:"the provider's discovery document, ending in /.well-known/openid-configuration (required to create)"`
	IdPClientID         string            `json:"idp_client_id,omitempty" doc:"Quorum's client id at the provider (required to create)"`
	IdPClientSecret     string            `json:"idp_client_secret,omitempty" doc:"Quorum's client secret at the provider; stored encrypted, never returned (required to create)"`
	Mode                string            `json:"mode,omitempty" doc:"strict or partner_managed (required to create)"`
	Scopes              []string          `json:"scopes,omitempty" doc:"default openid, email, profile"`
	ClaimMappings       map[string]string `json:"claim_mappings,omitempty" doc:"user field (email, name, given_name, family_name) to claim name; default email and name"`
	AllowedEmailDomains []string          `json:"allowed_email_domains,omitempty" doc:"verified domains the provider signs in; required in strict mode"`
}

type createIdPInput struct {
	Body idpBody
}

type updateIdPInput struct {
	Body struct {
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
}

type domainInput struct {
	Domain string `path:"domain" doc:"the exact domain, e.g. acme.com; subdomains are verified separately"`
}

// idpHandler serves the IdP configuration and domain verification
// operations (A24-A30).
type idpHandler struct {
	sso *sso.Service
}

func (h *idpHandler) register(api huma.API, s *rest.Surface) {
	const tag = "Admin: IdP"
	rest.Register(api, s, rest.Op{ID: "createIdpConfig", Method: http.MethodPost, Path: "/idp", Status: http.StatusCreated,
		Summary: "Configure the app's OpenID Connect identity provider", Tag: tag}, h.create)
	rest.Register(api, s, rest.Op{ID: "getIdpConfig", Method: http.MethodGet, Path: "/idp",
		Summary: "The app's identity provider configuration", Tag: tag}, h.get)
	rest.Register(api, s, rest.Op{ID: "replaceIdpConfig", Method: http.MethodPut, Path: "/idp",
		Summary: "Change the fields given of the identity provider configuration", Tag: tag}, h.update)
	rest.Register(api, s, rest.Op{ID: "deleteIdpConfig", Method: http.MethodDelete, Path: "/idp", Status: http.StatusNoContent,
		Summary: "Remove the identity provider and revoke the app's verified domains", Tag: tag}, h.delete)
	rest.Register(api, s, rest.Op{ID: "getIdpDomainVerification", Method: http.MethodGet, Path: "/idp/domains/{domain}",
		Summary: "A domain's ownership verification (no DNS lookup)", Tag: tag}, h.verification)
	rest.Register(api, s, rest.Op{ID: "initiateIdpDomainVerification", Method: http.MethodPost, Path: "/idp/domains/{domain}/verify",
		Status: http.StatusCreated, Summary: "Issue (or rotate) a domain's DNS TXT challenge", Tag: tag}, h.initiate)
	rest.Register(api, s, rest.Op{ID: "checkIdpDomainVerification", Method: http.MethodPost, Path: "/idp/domains/{domain}/check",
		Summary: "Look up a domain's TXT record and verify it when it matches", Tag: tag}, h.check)
}

// create serves POST /v1/partner/admin/idp.
func (h *idpHandler) create(ctx context.Context, c caller.Caller, in *createIdPInput) (*idpOutput, error) {
	b := in.Body
	cfg, err := h.sso.Create(ctx, c, sso.NewConfig{Name: b.Name, DiscoveryURL: b.DiscoveryURL, ClientID: b.IdPClientID,
		ClientSecret: b.IdPClientSecret, Mode: sso.Mode(b.Mode), Scopes: b.Scopes, ClaimMappings: b.ClaimMappings,
		AllowedEmailDomains: b.AllowedEmailDomains})
	if err != nil {
		return nil, err
	}
	return &idpOutput{Body: toIdPConfig(ctx, cfg)}, nil
}

// get serves GET /v1/partner/admin/idp.
func (h *idpHandler) get(ctx context.Context, c caller.Caller, _ *struct{}) (*idpOutput, error) {
	cfg, err := h.sso.Get(ctx, c)
	if err != nil {
		return nil, err
	}
	return &idpOutput{Body: toIdPConfig(ctx, cfg)}, nil
}

// update serves PUT /v1/partner/admin/idp.
func (h *idpHandler) update(ctx context.Context, c caller.Caller, in *updateIdPInput) (*idpOutput, error) {
	b := in.Body
	p := sso.Patch{Name: b.Name, DiscoveryURL: b.DiscoveryURL, ClientID: b.IdPClientID, ClientSecret: b.IdPClientSecret,
		Scopes: b.Scopes, ClaimMappings: b.ClaimMappings, AllowedEmailDomains: b.AllowedEmailDomains, IsActive: b.IsActive}
	if b.Mode != nil {
		m := sso.Mode(*b.Mode)
		p.Mode = &m
	}
	cfg, err := h.sso.Update(ctx, c, p)
	if err != nil {
		return nil, err
	}
	return &idpOutput{Body: toIdPConfig(ctx, cfg)}, nil
}

// delete serves DELETE /v1/partner/admin/idp.
func (h *idpHandler) delete(ctx context.Context, c caller.Caller, _ *struct{}) (*struct{}, error) {
	return &struct{}{}, h.sso.Delete(ctx, c)
}

// verification serves GET /v1/partner/admin/idp/domains/{domain}.
func (h *idpHandler) verification(ctx context.Context, c caller.Caller, in *domainInput) (*verificationOutput, error) {
	v, err := h.sso.Verification(ctx, c, in.Domain)
	if err != nil {
		return nil, err
	}
	return &verificationOutput{Body: toVerification(ctx, v)}, nil
}

// initiate serves POST /v1/partner/admin/idp/domains/{domain}/verify.
func (h *idpHandler) initiate(ctx context.Context, c caller.Caller, in *domainInput) (*verificationOutput, error) {
	v, err := h.sso.StartVerification(ctx, c, in.Domain)
	if err != nil {
		return nil, err
	}
	return &verificationOutput{Body: toVerification(ctx, v)}, nil
}

// check serves POST /v1/partner/admin/idp/domains/{domain}/check.
func (h *idpHandler) check(ctx context.Context, c caller.Caller, in *domainInput) (*verificationOutput, error) {
	v, err := h.sso.CheckVerification(ctx, c, in.Domain)
	if err != nil {
		return nil, err
	}
	return &verificationOutput{Body: toVerification(ctx, v)}, nil
}
