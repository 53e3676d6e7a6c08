// Package netguard keeps user-supplied URLs (webhook endpoints, files to
// import) from pointing Quorum at its own host, private networks or cloud
// metadata services, unless the operator allows it
// (QUORUM_ALLOW_PRIVATE_URLS).
//
// It guards twice. CheckURL, when a URL is saved, reads every spelling of an
// address that some resolver or client accepts (127.1, 0x7f000001,
// [::ffff:127.0.0.1], [64:ff9b::7f00:1], full-width digits...) and resolves
// host names, so that a bad URL is refused with a clear error. The HTTP
// client of Guard.Client checks the address it actually connects to, which
// is the real guard: DNS may answer differently by then.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/idna"
)

// ErrPrivate is returned for URLs and addresses that reach loopback,
// private, link-local, metadata or otherwise non-public addresses.
var ErrPrivate = errors.New("the address is not public")

// Resolver looks up the addresses of a host name. *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard decides which addresses outbound requests to user-supplied URLs may
// reach. The zero value refuses non-public addresses and resolves names
// with net.DefaultResolver.
type Guard struct {
	// AllowPrivate lets URLs reach any address, for local development and
	// tests (QUORUM_ALLOW_PRIVATE_URLS).
	AllowPrivate bool
	// Resolver looks up host names (net.DefaultResolver when nil).
	Resolver Resolver
}

// lookupTimeout bounds the resolution of a name at validation time.
const lookupTimeout = 5 * time.Second

// CheckURL validates an http(s) URL a user gave, with the system resolver.
// See Guard.CheckURL.
func CheckURL(ctx context.Context, raw string, allowPrivate bool) error {
	return Guard{AllowPrivate: allowPrivate}.CheckURL(ctx, raw)
}

// CheckURL validates an http(s) URL a user gave: it must be absolute,
// without credentials, and, unless AllowPrivate, its host must be public:
// an IP address in any spelling is normalized and checked, and a name must
// not be a local one (localhost, *.internal, ...) nor resolve to any
// non-public address. A name that does not resolve now is accepted, since
// it reaches nothing now, and the client checks again when it connects.
// Errors for non-public hosts wrap ErrPrivate.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return errors.New("want an absolute http(s) URL")
	}
	if u.User != nil {
		return errors.New("credentials in the URL are not allowed")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("invalid port %q", port)
		}
	}
	host, addr, isIP, err := parseHost(u.Hostname())
	if err != nil {
		return err
	}
	if g.AllowPrivate {
		return nil
	}
	if isIP {
		return g.CheckAddr(addr)
	}
	if localName(host) {
		return fmt.Errorf("%s: %w", host, ErrPrivate)
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := g.resolver().LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if err := g.CheckAddr(a); err != nil {
			return fmt.Errorf("%s resolves to %w", host, err)
		}
	}
	return nil
}

// CheckAddr reports whether an outbound connection may reach addr: nil
// when it is public or AllowPrivate is set, an error wrapping ErrPrivate
// otherwise.
func (g Guard) CheckAddr(addr netip.Addr) error {
	if g.AllowPrivate || Public(addr) {
		return nil
	}
	return fmt.Errorf("%s: %w", addr.WithZone(""), ErrPrivate)
}

func (g Guard) resolver() Resolver {
	if g.Resolver == nil {
		return net.DefaultResolver
	}
	return g.Resolver
}

// parseHost normalizes a URL's host as Go's HTTP client and common
// resolvers read it: IDNA mapping (so full-width digits become ASCII),
// lower case, no trailing dot. isIP reports whether it is an IP address in
// any spelling, then given in addr; a host whose last label is numeric must
// be one, as the WHATWG URL standard has it, or it is invalid.
func parseHost(raw string) (host string, addr netip.Addr, isIP bool, err error) {
	if strings.Contains(raw, ":") { // only IPv6 literals have colons
		a, err := netip.ParseAddr(raw)
		if err != nil {
			return "", netip.Addr{}, false, fmt.Errorf("invalid IPv6 address %q", raw)
		}
		return raw, a, true, nil
	}
	host = raw
	if !isASCII(host) { // as net/http maps a host before dialing it
		if host, err = idna.Lookup.ToASCII(host); err != nil {
			return "", netip.Addr{}, false, fmt.Errorf("invalid host name %q", raw)
		}
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return "", netip.Addr{}, false, errors.New("want an absolute http(s) URL")
	}
	labels := strings.Split(host, ".")
	if !numericLabel(labels[len(labels)-1]) {
		return host, netip.Addr{}, false, nil
	}
	a, ok := parseIPv4(labels)
	if !ok {
		return "", netip.Addr{}, false, fmt.Errorf("invalid IPv4 address %q", raw)
	}
	return host, a, true, nil
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// numericLabel reports whether a label is a number as inet_aton reads one:
// decimal, octal with a leading 0, or hexadecimal after 0x.
func numericLabel(s string) bool {
	if s == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(s, "0x"); ok {
		return strings.Trim(rest, "0123456789abcdef") == ""
	}
	return strings.Trim(s, "0123456789") == ""
}

// parseIPv4 reads an IPv4 address the way inet_aton does: one to four
// parts, each decimal, octal or hexadecimal, the last filling the bytes
// left (127.1 is 127.0.0.1, 2130706433 and 0x7f000001 are too).
func parseIPv4(parts []string) (netip.Addr, bool) {
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		if !numericLabel(p) {
			return netip.Addr{}, false
		}
		n, err := parseLegacyNumber(p)
		if err != nil {
			return netip.Addr{}, false
		}
		if i < len(parts)-1 {
			if n > 0xff {
				return netip.Addr{}, false
			}
			v |= n << (8 * (3 - i))
			continue
		}
		room := uint(8 * (4 - i)) // bits the last part may fill
		if n >= 1<<room {
			return netip.Addr{}, false
		}
		v |= n
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

func parseLegacyNumber(p string) (uint64, error) {
	switch {
	case strings.HasPrefix(p, "0x"):
		if p == "0x" {
			return 0, nil // glibc reads a bare 0x as zero
		}
		return strconv.ParseUint(p[2:], 16, 32)
	case len(p) > 1 && p[0] == '0':
		return strconv.ParseUint(p[1:], 8, 32)
	default:
		return strconv.ParseUint(p, 10, 32)
	}
}

// localName reports names that only mean something on the local host or
// network, whatever the resolver answers today; a single label is resolved
// through the host's search domains, so it names a local host too.
func localName(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".internal") ||
		strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".home.arpa") || !strings.Contains(host, ".")
}

var (
	// nonPublic4 are the IPv4 ranges that are not globally reachable
	// unicast (IANA special-purpose registry), and cloud metadata hosts
	// outside them.
	nonPublic4 = prefixes(
		"0.0.0.0/8",        // "this network"
		"10.0.0.0/8",       // private
		"100.64.0.0/10",    // carrier-grade NAT (Alibaba Cloud metadata: 100.100.100.200)
		"127.0.0.0/8",      // loopback
		"169.254.0.0/16",   // link-local (AWS, GCP, Azure metadata: 169.254.169.254)
		"172.16.0.0/12",    // private
		"192.0.0.0/24",     // IETF protocol assignments (Oracle Cloud metadata: 192.0.0.192)
		"192.0.2.0/24",     // documentation
		"192.31.196.0/24",  // AS112
		"192.52.193.0/24",  // AMT
		"192.88.99.0/24",   // deprecated 6to4 relays
		"192.168.0.0/16",   // private
		"192.175.48.0/24",  // AS112 direct delegation
		"198.18.0.0/15",    // benchmarking
		"198.51.100.0/24",  // documentation
		"203.0.113.0/24",   // documentation
		"224.0.0.0/4",      // multicast
		"240.0.0.0/4",      // reserved, and the broadcast address
		"168.63.129.16/32", // Azure WireServer, a host service on a public address
	)
	// nonPublic6 are the IPv6 ranges inside global unicast (2000::/3) that
	// are not globally reachable, besides those that embed IPv4 addresses.
	nonPublic6 = prefixes(
		"2001::/23",         // IETF protocol assignments, Teredo 2001::/32 among them
		"2001:db8::/32",     // documentation
		"3fff::/20",         // documentation
		"2620:4f:8000::/48", // AS112
	)
	global6    = netip.MustParsePrefix("2000::/3")
	sixToFour  = netip.MustParsePrefix("2002::/16")
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	compatible = netip.MustParsePrefix("::/96")
)

func prefixes(s ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(s))
	for i, p := range s {
		out[i] = netip.MustParsePrefix(p)
	}
	return out
}

// Public reports whether addr is a globally reachable unicast address that
// is no cloud metadata service. An IPv6 address that carries an IPv4 one is
// judged by the IPv4 address it leads to (IPv4-mapped, NAT64 64:ff9b::/96,
// 6to4), or refused outright (IPv4-compatible ::/96, local-use NAT64
// 64:ff9b:1::/48, Teredo).
func Public(addr netip.Addr) bool {
	addr = addr.WithZone("")
	if !addr.IsValid() {
		return false
	}
	if addr.Is4In6() {
		addr = addr.Unmap()
	}
	if addr.Is4() {
		for _, p := range nonPublic4 {
			if p.Contains(addr) {
				return false
			}
		}
		return true
	}
	b := addr.As16()
	switch {
	case compatible.Contains(addr):
		// ::a.b.c.d is deprecated and never routed; :: and ::1 are in it.
		return false
	case nat64.Contains(addr):
		return Public(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(addr):
		return Public(netip.AddrFrom4([4]byte(b[2:6])))
	case !global6.Contains(addr):
		// Everything outside 2000::/3 is loopback, link-local, unique
		// local (AWS metadata fd00:ec2::254), multicast, local-use NAT64
		// 64:ff9b:1::/48, discard-only or unassigned.
		return false
	}
	for _, p := range nonPublic6 {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}
