// Package oauth is Quorum's OAuth 2.0 authorization server: authorization
// codes (with optional PKCE), rotating refresh tokens with reuse detection,
// client credentials, revocation, introspection, consent and email one-time
// codes, as the Partner SDK expects them.
package oauth

import (
	"slices"
	"strings"
	"time"
)

// Token prefixes, as the Partner API documents them.
const (
	AccessPrefix  = "cto_at_v1_"
	RefreshPrefix = "cto_rt_v1_"
	codePrefix    = "cto_ac_v1_"
)

// Lifetimes of the credentials this package issues.
const (
	AccessTTL   = 24 * time.Hour
	RefreshTTL  = 30 * 24 * time.Hour
	CodeTTL     = 5 * time.Minute
	OTPTTL      = 10 * time.Minute
	otpMaxTries = 5
	otpMaxCodes = 5 // per user, app and OTPTTL window
)

// DefaultScope is what the Partner SDK requests when it is given none.
const DefaultScope = "openid profile meetings:read meetings:write"

// TokenSet is a successful token response.
type TokenSet struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int
	Scope        string
}

// ParseScope splits a space-delimited scope string, dropping duplicates.
func ParseScope(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
