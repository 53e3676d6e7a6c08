// Package netguard keeps user-supplied URLs (webhook endpoints, files to
// import) from pointing Quorum at its own host or private networks, unless
// the operator allows it (QUORUM_ALLOW_PRIVATE_URLS).
package netguard

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// ErrPrivate is returned for URLs that reach loopback, private, link-local
// or otherwise non-public addresses.
var ErrPrivate = errors.New("the address is not public")

// CheckURL validates an http(s) URL a user gave. Host names are checked
// literally here ("localhost", IP literals, *.localhost, *.internal); the
// addresses a name resolves to must be checked again when connecting, since
// DNS can change between now and then.
func CheckURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("want an absolute http(s) URL")
	}
	if u.User != nil {
		return fmt.Errorf("credentials in the URL are not allowed")
	}
	if allowPrivate {
		return nil
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".internal") || strings.HasSuffix(host, ".local") {
		return fmt.Errorf("%s: %w", host, ErrPrivate)
	}
	if addr, err := netip.ParseAddr(host); err == nil && !Public(addr) {
		return fmt.Errorf("%s: %w", host, ErrPrivate)
	}
	return nil
}

// Public reports whether addr is a globally routable unicast address.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsUnspecified() || addr.IsLinkLocalUnicast() ||
		addr.IsLinkLocalMulticast() || addr.IsInterfaceLocalMulticast() || addr.IsMulticast() {
		return false
	}
	// Carrier-grade NAT (100.64.0.0/10) and the benchmarking range are not
	// covered by IsPrivate.
	for _, p := range []netip.Prefix{netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("0.0.0.0/8")} {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}
