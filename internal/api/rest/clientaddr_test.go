package rest

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClientAddrs(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, tc := range []struct {
		name, remote, forwarded, want string
	}{
		{"direct client", "203.0.113.7:5555", "", "203.0.113.7"},
		{"forwarded header from an untrusted peer is ignored", "203.0.113.7:5555", "198.51.100.1", "203.0.113.7"},
		{"trusted proxy", "10.1.2.3:80", "198.51.100.1", "198.51.100.1"},
		{"forged hops left of the real client are ignored", "10.1.2.3:80", "192.0.2.66, 198.51.100.1, 10.9.9.9", "198.51.100.1"},
		{"IPv4-mapped IPv6 peer", "[::ffff:203.0.113.7]:5555", "", "203.0.113.7"},
		{"IPv6 peer", "[2001:db8::1]:5555", "", "2001:db8::1"},
		{"unparsable hop stops the walk", "10.1.2.3:80", "garbage", "10.1.2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			h := ClientAddrs(proxies)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientAddr(r.Context()) }))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			if tc.forwarded != "" {
				r.Header.Set("X-Forwarded-For", tc.forwarded)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			require.Equal(t, tc.want, got)
		})
	}
}
