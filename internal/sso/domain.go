package sso

import (
	"slices"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/quorumhq/quorum/internal/fault"
)

// reservedSuffixes are names that can never be a company's email domain:
// the special-use names of RFC 2606, 6761 and 6762, and the documentation
// domains. A domain equal to one of them or under one is reserved.
var reservedSuffixes = []string{
	"test", "example", "invalid", "localhost", "local", "internal", "onion", "arpa", "home.arpa", "alt",
	"lan", "corp", "home", "localdomain",
	"example.com", "example.net", "example.org", "example.edu",
}

// genericDomains are public mail providers: anyone may have an address
// there, so no app can claim them.
var genericDomains = []string{
	"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "msn.com",
	"yahoo.com", "yahoo.co.uk", "yahoo.fr", "ymail.com", "rocketmail.com", "aol.com", "icloud.com", "me.com",
	"mac.com", "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com",
	"yandex.com", "yandex.ru", "mail.ru", "zoho.com", "qq.com", "163.com", "126.com", "hey.com",
	"fastmail.com", "tutanota.com", "tuta.io", "hushmail.com", "inbox.com", "rediffmail.com",
}

func under(domain string, list []string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return domain == s || strings.HasSuffix(domain, "."+s) })
}

// NormalizeDomain returns the canonical form of a domain (lowercase,
// punycode, no trailing dot) after checking that an app may verify it:
// a syntactically valid name below a public suffix (invalid_domain),
// neither special-use (domain_reserved) nor a public mail provider
// (domain_is_generic).
func NormalizeDomain(raw string) (string, error) {
	d := strings.TrimSuffix(strings.TrimSpace(raw), ".")
	if d == "" || len(d) > 253 {
		return "", invalidDomain(raw)
	}
	ascii, err := idna.Lookup.ToASCII(d)
	if err != nil || ascii == "" || len(ascii) > 253 {
		return "", invalidDomain(raw)
	}
	ascii = strings.ToLower(ascii)
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", invalidDomain(raw)
	}
	for _, l := range labels {
		if !validLabel(l) {
			return "", invalidDomain(raw)
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		// An all-numeric last label is an IP address, not a name.
		return "", invalidDomain(raw)
	}
	if under(ascii, reservedSuffixes) {
		return "", fault.Invalid("domain", "domain_reserved", "%s is a reserved domain and cannot be verified", ascii)
	}
	if under(ascii, genericDomains) {
		return "", fault.Invalid("domain", "domain_is_generic", "%s is a public email provider and cannot be claimed", ascii)
	}
	if _, err := publicsuffix.EffectiveTLDPlusOne(ascii); err != nil {
		// The name is itself a public suffix (co.uk, github.io): nobody
		// owns all of it.
		return "", fault.Invalid("domain", "domain_reserved", "%s is a public suffix and cannot be verified", ascii)
	}
	return ascii, nil
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func invalidDomain(raw string) error {
	if len(raw) > 100 {
		raw = strings.ToValidUTF8(raw[:100], "") + "..."
	}
	return fault.Invalid("domain", "invalid_domain", "%q is not a valid domain name", raw)
}

// EmailDomain returns the normalized domain of an email address, or "" if
// it has none that could be verified.
func EmailDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	d, err := NormalizeDomain(email[at+1:])
	if err != nil {
		return ""
	}
	return d
}
