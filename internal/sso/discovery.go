package sso

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/netguard"
)

// maxDiscoveryBytes bounds a discovery document; real ones are a few KiB.
const maxDiscoveryBytes = 256 << 10

// discovery is the part of an OpenID Provider's metadata Quorum uses.
type discovery struct {
	Issuer                 string   `json:"issuer"`
	AuthorizationEndpoint  string   `json:"authorization_endpoint"`
	TokenEndpoint          string   `json:"token_endpoint"`
	UserinfoEndpoint       string   `json:"userinfo_endpoint"`
	JWKSURI                string   `json:"jwks_uri"`
	ResponseTypesSupported []string `json:"response_types_supported"`
	SigningAlgs            []string `json:"id_token_signing_alg_values_supported"`
	CodeChallengeMethods   []string `json:"code_challenge_methods_supported"`
}

func fetchFailed(format string, args ...any) error {
	return fault.Invalid("discovery_url", "discovery_fetch_failed", format, args...)
}

func invalidIdP(format string, args ...any) error {
	return fault.Invalid("discovery_url", "invalid_idp", format, args...)
}

// discover fetches and checks a provider's discovery document through the
// outbound guard: the URL is checked when given, and the client checks the
// address it actually connects to.
func (s *Service) discover(ctx context.Context, rawURL string) (discovery, error) {
	if err := s.guard.CheckURL(ctx, rawURL); err != nil {
		return discovery{}, fetchFailed("discovery_url cannot be fetched: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return discovery{}, fetchFailed("discovery_url cannot be fetched: %v", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		s.logger.WarnContext(ctx, "idp discovery fetch failed", "error", err)
		return discovery{}, fetchFailed("the discovery document could not be fetched")
	}
	body, truncated, err := netguard.ReadBody(resp, maxDiscoveryBytes)
	if err != nil {
		return discovery{}, fetchFailed("the discovery document could not be read")
	}
	if resp.StatusCode != http.StatusOK {
		return discovery{}, fetchFailed("the discovery URL answered HTTP %d", resp.StatusCode)
	}
	if truncated {
		return discovery{}, invalidIdP("the discovery document is larger than %d bytes", maxDiscoveryBytes)
	}
	var d discovery
	if err := json.Unmarshal(body, &d); err != nil {
		return discovery{}, invalidIdP("the discovery document is not a JSON object")
	}
	if want := strings.TrimSuffix(rawURL, wellKnownPath); d.Issuer != want {
		return discovery{}, invalidIdP("the discovery document's issuer %q does not match the discovery URL (want %q)", d.Issuer, want)
	}
	for name, u := range map[string]string{"authorization_endpoint": d.AuthorizationEndpoint, "token_endpoint": d.TokenEndpoint, "jwks_uri": d.JWKSURI} {
		if u == "" {
			return discovery{}, invalidIdP("the discovery document has no %s", name)
		}
		if err := s.guard.CheckURL(ctx, u); err != nil {
			return discovery{}, invalidIdP("the discovery document's %s is not usable: %v", name, err)
		}
	}
	if d.UserinfoEndpoint != "" {
		if err := s.guard.CheckURL(ctx, d.UserinfoEndpoint); err != nil {
			return discovery{}, invalidIdP("the discovery document's userinfo_endpoint is not usable: %v", err)
		}
	}
	if len(d.ResponseTypesSupported) > 0 && !slices.Contains(d.ResponseTypesSupported, "code") {
		return discovery{}, invalidIdP("the provider does not support the authorization code flow")
	}
	if len(d.CodeChallengeMethods) > 0 && !slices.Contains(d.CodeChallengeMethods, "S256") {
		return discovery{}, invalidIdP("the provider does not support PKCE with S256")
	}
	return d, nil
}

func (c *Config) apply(d discovery) {
	c.Issuer, c.AuthorizationEndpoint, c.TokenEndpoint = d.Issuer, d.AuthorizationEndpoint, d.TokenEndpoint
	c.UserinfoEndpoint, c.JWKSURI, c.signingAlgs = d.UserinfoEndpoint, d.JWKSURI, d.SigningAlgs
}
