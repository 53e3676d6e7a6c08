package rest

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type clientAddrKey struct{}

// ClientAddr returns the network address of the client that sent the
// request (no port), or "" when it is unknown. Login throttling keys on it.
func ClientAddr(ctx context.Context) string {
	a, _ := ctx.Value(clientAddrKey{}).(string)
	return a
}

// ClientAddrs puts the client's address into the context for ClientAddr.
// It is the peer of the connection unless that peer is one of the trusted
// proxies: then it is the nearest address in X-Forwarded-For that is not a
// trusted proxy, since everything left of that could be forged.
func ClientAddrs(trusted []netip.Prefix) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			addr := peerAddr(r.RemoteAddr)
			if isTrusted(addr, trusted) {
				hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
				for i := len(hops) - 1; i >= 0; i-- {
					hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
					if err != nil {
						break
					}
					addr = hop.Unmap()
					if !isTrusted(addr, trusted) {
						break
					}
				}
			}
			if addr.IsValid() {
				r = r.WithContext(context.WithValue(r.Context(), clientAddrKey{}, addr.String()))
			}
			next.ServeHTTP(w, r)
		})
	}
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if a.IsValid() && p.Contains(a) {
			return true
		}
	}
	return false
}
