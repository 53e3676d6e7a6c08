// Package sso holds a partner app's OpenID Connect identity provider and the
// domains it may sign users in for: the configuration (discovery validated
// through the outbound guard, client secret sealed at rest), DNS TXT proofs
// of domain ownership, and the relying-party side of a sign-in from Quorum's
// authorize page (authorization code with PKCE, state and nonce bound to the
// browser, users provisioned with the configuration's claim mappings).
package sso

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
)

// Mode decides who may sign in through the provider, and how.
type Mode string

// The modes.
const (
	// Strict: the configuration lists its email domains, users of those
	// domains must sign in through the provider (password sign-in is
	// refused), and only existing users may.
	Strict Mode = "strict"
	// PartnerManaged trusts the provider's user base: users of the app's
	// domains may sign in through it or with a password, and a first
	// sign-in creates the user in the app's organization.
	PartnerManaged Mode = "partner_managed"
)

// Config is an app's identity provider configuration. The client secret
// never leaves the package in clear except to the token endpoint.
type Config struct {
	ID                     int64
	UUID                   string
	AppID                  int64
	AppUUID                string
	OrgID                  int64
	Name                   string
	DiscoveryURL           string
	ClientID               string
	Scopes                 []string
	ClaimMappings          map[string]string
	Mode                   Mode
	AllowedEmailDomains    []string // nil when none are listed
	IsActive               bool
	Issuer                 string
	AuthorizationEndpoint  string
	TokenEndpoint          string
	UserinfoEndpoint       string
	JWKSURI                string
	DiscoveryLastFetchedAt time.Time
	CreatedAt              time.Time
	UpdatedAt              time.Time

	signingAlgs  []string
	sealedSecret []byte
}

// NewConfig is the input of Create.
type NewConfig struct {
	Name                string
	DiscoveryURL        string
	ClientID            string
	ClientSecret        string
	Mode                Mode
	Scopes              []string          // nil: DefaultScopes
	ClaimMappings       map[string]string // nil: DefaultClaimMappings
	AllowedEmailDomains []string
}

// Patch is the input of Update; nil fields are left as they are.
type Patch struct {
	Name                *string
	DiscoveryURL        *string
	ClientID            *string
	ClientSecret        *string
	Mode                *Mode
	Scopes              []string
	ClaimMappings       map[string]string
	AllowedEmailDomains *[]string
	IsActive            *bool
}

// DefaultScopes are requested when a configuration names none.
var DefaultScopes = []string{"openid", "email", "profile"}

// DefaultClaimMappings map Quorum's user fields to standard claims.
func DefaultClaimMappings() map[string]string {
	return map[string]string{"email": "email", "name": "name"}
}

// mappableFields are the user fields a claim mapping may fill.
var mappableFields = []string{"email", "name", "given_name", "family_name"}

// Limits of a configuration.
const (
	maxNameLen     = 255
	maxCredLen     = 1024
	maxScopes      = 20
	maxDomains     = 50
	wellKnownPath  = "/.well-known/openid-configuration"
	maxDiscoveryLn = 2048
)

func bodyError(field, format string, args ...any) error {
	return fault.Invalid(field, "invalid_request_body", format, args...)
}

// normalize checks every field of a configuration about to be stored but
// its secret, normalizing its domains, and returns the first problem.
func (c *Config) normalize() error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" || len(c.Name) > maxNameLen {
		return bodyError("name", "name is required, 1 to %d characters", maxNameLen)
	}
	if c.DiscoveryURL == "" || len(c.DiscoveryURL) > maxDiscoveryLn || !strings.HasSuffix(c.DiscoveryURL, wellKnownPath) ||
		!(strings.HasPrefix(c.DiscoveryURL, "https://") || strings.HasPrefix(c.DiscoveryURL, "http://")) {
		return bodyError("discovery_url", "discovery_url must be an http(s) URL ending in %s", wellKnownPath)
	}
	if strings.TrimSpace(c.ClientID) == "" || len(c.ClientID) > maxCredLen {
		return fault.Invalid("idp_client_id", "invalid_idp_credentials", "idp_client_id is required (the client id of Quorum at your identity provider)")
	}
	if c.Mode != Strict && c.Mode != PartnerManaged {
		return bodyError("mode", "mode must be strict or partner_managed")
	}
	if err := checkScopes(c.Scopes); err != nil {
		return err
	}
	if err := checkClaimMappings(c.ClaimMappings); err != nil {
		return err
	}
	if c.AllowedEmailDomains != nil {
		if len(c.AllowedEmailDomains) > maxDomains {
			return bodyError("allowed_email_domains", "at most %d domains", maxDomains)
		}
		out := make([]string, 0, len(c.AllowedEmailDomains))
		for _, d := range c.AllowedEmailDomains {
			n, err := NormalizeDomain(d)
			if err != nil {
				return err
			}
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		c.AllowedEmailDomains = out
	}
	if c.Mode == Strict && len(c.AllowedEmailDomains) == 0 {
		return fault.Invalid("allowed_email_domains", "strict_mode_requires_domains", "strict mode requires allowed_email_domains")
	}
	return nil
}

func checkScopes(scopes []string) error {
	if len(scopes) == 0 || len(scopes) > maxScopes {
		return bodyError("scopes", "scopes must list 1 to %d scopes", maxScopes)
	}
	for _, s := range scopes {
		if s == "" || len(s) > 128 || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == '"' || r == '\\' || r > '~' }) {
			return bodyError("scopes", "scope %q is not a valid OAuth scope", s)
		}
	}
	if !slices.Contains(scopes, "openid") {
		return bodyError("scopes", "scopes must include openid")
	}
	return nil
}

func checkClaimMappings(m map[string]string) error {
	for field, claim := range m {
		if !slices.Contains(mappableFields, field) {
			return bodyError("claim_mappings", "claim_mappings key %q is not a user field; use %s", field, strings.Join(mappableFields, ", "))
		}
		if claim == "" || len(claim) > 128 {
			return bodyError("claim_mappings", "claim_mappings[%s] must name a claim", field)
		}
	}
	if m["email"] == "" {
		return bodyError("claim_mappings", "claim_mappings must map email")
	}
	return nil
}

// VerificationStatus is the state of a domain ownership challenge.
type VerificationStatus string

// The verification states.
const (
	Pending  VerificationStatus = "pending"
	Verified VerificationStatus = "verified"
	Expired  VerificationStatus = "expired"
)

// Verification is a DNS TXT proof that an app controls a domain.
type Verification struct {
	Domain     string
	Token      string
	Status     VerificationStatus
	ExpiresAt  time.Time // zero once verified
	VerifiedAt time.Time // zero until verified
}

// ChallengePrefix names the TXT record a challenge is published under.
const ChallengePrefix = "_contio-challenge."

// valuePrefix starts the TXT record's value.
const valuePrefix = "contio-domain-verify="

// RecordName is the DNS name of the TXT record to publish.
func (v Verification) RecordName() string { return ChallengePrefix + v.Domain }

// RecordValue is the TXT record's expected value.
func (v Verification) RecordValue() string { return valuePrefix + v.Token }

// Lifetimes and limits of verifications.
const (
	// ChallengeTTL is how long a pending challenge may be checked.
	ChallengeTTL = 7 * 24 * time.Hour
	// MaxPending caps an app's live pending challenges.
	MaxPending = 10
)

func tooManyPending() error {
	return &fault.Error{Kind: fault.KindRateLimited, Code: "too_many_pending_verifications", RetryAfter: time.Hour,
		Message: fmt.Sprintf("at most %d domain verifications may be pending at once; check or let some expire first", MaxPending)}
}
