package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeResolver answers from a map and knows no other name; tests never
// touch the network's DNS.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ips, ok := f[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	out := make([]netip.Addr, len(ips))
	for i, ip := range ips {
		out[i] = netip.MustParseAddr(ip)
	}
	return out, nil
}

var testResolver = fakeResolver{
	"hooks.example.com":    {"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"},
	"loopback.example.com": {"127.0.0.1"},
	"mixed.example.com":    {"93.184.216.34", "10.0.0.7"},
	"metadata.example.com": {"169.254.169.254"},
	"v6local.example.com":  {"fd00:ec2::254"},
}

func TestCheckURL(t *testing.T) {
	g := Guard{Resolver: testResolver}
	tests := []struct {
		url     string
		private bool // refused as non-public
		invalid bool // refused as malformed
	}{
		// Public addresses and names.
		{url: "https://hooks.example.com/quorum"},
		{url: "https://HOOKS.example.com./quorum"},
		{url: "http://93.184.216.34:8080/x"},
		{url: "http://[2606:2800:220:1:248:1893:25c8:1946]/x"},
		{url: "http://[::ffff:93.184.216.34]/x"},
		{url: "http://[64:ff9b::93.184.216.34]/x"},
		{url: "http://[2002:5db8:d822::1]/x"}, // 6to4 of 93.184.216.34
		{url: "http://1572395042/x"},          // 93.184.216.34 as one number
		{url: "https://unresolvable.example.net/x"},

		// Loopback in every spelling.
		{url: "http://localhost:8080/x", private: true},
		{url: "http://app.localhost/x", private: true},
		{url: "http://127.0.0.1/x", private: true},
		{url: "http://127.0.0.1./x", private: true},
		{url: "http://127.1/x", private: true},
		{url: "http://127.0.1/x", private: true},
		{url: "http://0x7f000001/x", private: true},
		{url: "http://0X7F000001/x", private: true},
		{url: "http://2130706433/x", private: true},
		{url: "http://0177.0.0.1/x", private: true},
		{url: "http://0x7f.0.0.1/x", private: true},
		{url: "http://0x7f.1/x", private: true},
		{url: "http://017700000001/x", private: true},
		{url: "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/x", private: true}, // full-width digits
		{url: "http://[::1]/x", private: true},
		{url: "http://[::127.0.0.1]/x", private: true},
		{url: "http://[::ffff:127.0.0.1]/x", private: true},
		{url: "http://[::ffff:7f00:1]/x", private: true},
		{url: "http://[64:ff9b::127.0.0.1]/x", private: true},
		{url: "http://[64:ff9b::7f00:1]/x", private: true},
		{url: "http://[64:ff9b:1::7f00:1]/x", private: true},
		{url: "http://[2002:7f00:1::1]/x", private: true},                       // 6to4 of 127.0.0.1
		{url: "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/x", private: true}, // Teredo

		// Metadata services.
		{url: "http://169.254.169.254/latest/meta-data", private: true},
		{url: "http://0xa9fea9fe/latest", private: true},
		{url: "http://2852039166/latest", private: true},
		{url: "http://0251.0376.0251.0376/latest", private: true},
		{url: "http://[::ffff:169.254.169.254]/latest", private: true},
		{url: "http://[fd00:ec2::254]/latest", private: true},
		{url: "http://100.100.100.200/latest", private: true},
		{url: "http://168.63.129.16/machine", private: true},
		{url: "http://192.0.0.192/opc", private: true},
		{url: "http://metadata.google.internal/", private: true},

		// Private, reserved and special ranges.
		{url: "http://0.0.0.0/x", private: true},
		{url: "http://0/x", private: true},
		{url: "http://[::]/x", private: true},
		{url: "http://10.1.2.3/x", private: true},
		{url: "http://10.1/x", private: true},
		{url: "http://172.16.0.1/x", private: true},
		{url: "http://192.168.0.10/x", private: true},
		{url: "http://100.64.0.1/x", private: true},
		{url: "http://198.18.0.1/x", private: true},
		{url: "http://192.0.2.1/x", private: true},
		{url: "http://198.51.100.7/x", private: true},
		{url: "http://203.0.113.9:8080/x", private: true},
		{url: "http://224.0.0.1/x", private: true},
		{url: "http://240.0.0.1/x", private: true},
		{url: "http://255.255.255.255/x", private: true},
		{url: "http://[fe80::1%25eth0]/x", private: true},
		{url: "http://[fc00::1]/x", private: true},
		{url: "http://[ff02::1]/x", private: true},
		{url: "http://[2001:db8::1]/x", private: true},
		{url: "http://[3fff::1]/x", private: true},
		{url: "http://[100::1]/x", private: true},
		{url: "http://printer.local/x", private: true},
		{url: "http://router.home.arpa/x", private: true},
		{url: "http://intranet/x", private: true},

		// Names that resolve to non-public addresses.
		{url: "http://loopback.example.com/x", private: true},
		{url: "http://mixed.example.com/x", private: true},
		{url: "http://metadata.example.com/x", private: true},
		{url: "http://v6local.example.com/x", private: true},

		// Malformed.
		{url: "ftp://example.com/x", invalid: true},
		{url: "https://user:pw@example.com/x", invalid: true},
		{url: "/relative", invalid: true},
		{url: "http:opaque", invalid: true},
		{url: "http://256.0.0.1/x", invalid: true},
		{url: "http://1.2.3.4.5/x", invalid: true},
		{url: "http://08.0.0.1/x", invalid: true},
		{url: "http://0x100000000/x", invalid: true},
		{url: "http://1.2.65536/x", invalid: true},
		{url: "http://example.123/x", invalid: true},
		{url: "http://127..1/x", invalid: true},
		{url: "http://%31%32%37.0.0.1/x", invalid: true}, // net/url refuses escapes in a host
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := g.CheckURL(t.Context(), tt.url)
			switch {
			case tt.private:
				require.ErrorIs(t, err, ErrPrivate)
			case tt.invalid:
				require.Error(t, err)
				require.NotErrorIs(t, err, ErrPrivate)
			default:
				require.NoError(t, err)
			}
			// The operator's switch lets every well-formed URL through.
			err = Guard{Resolver: testResolver, AllowPrivate: true}.CheckURL(t.Context(), tt.url)
			if tt.invalid {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

// TestCheckURLSystemResolver uses the package-level CheckURL with the
// system resolver on names every host file has, without the network.
func TestCheckURLSystemResolver(t *testing.T) {
	require.ErrorIs(t, CheckURL(t.Context(), "http://localhost./x", false), ErrPrivate)
	require.NoError(t, CheckURL(t.Context(), "http://localhost/x", true))
}

func TestParseIPv4(t *testing.T) {
	for host, want := range map[string]string{
		"127.1": "127.0.0.1", "127.0.1": "127.0.0.1", "2130706433": "127.0.0.1", "0x7f000001": "127.0.0.1",
		"0177.0.0.1": "127.0.0.1", "0x7f.1": "127.0.0.1", "0xa9fea9fe": "169.254.169.254", "0": "0.0.0.0",
		"10.0x10.010.1": "10.16.8.1", "0x": "0.0.0.0", "255.255.255.255": "255.255.255.255",
	} {
		_, got, isIP, err := parseHost(host)
		require.NoError(t, err, host)
		require.True(t, isIP, host)
		require.Equal(t, want, got.String(), host)
	}
}

// receiver is a test HTTP server on 127.0.0.1 that counts its requests.
func receiver(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	hits := new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://127.0.0.1:"+r.URL.Query().Get("port")+"/target", http.StatusFound)
			return
		}
		fmt.Fprint(w, "hello from the receiver, with a body longer than the limit")
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

func TestClientRefusesPrivateAtConnect(t *testing.T) {
	srv, hits := receiver(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	resolver := fakeResolver{"hooks.example.com": {"127.0.0.1"}, "twice.example.com": {"::1", "127.0.0.1"}}
	client := Guard{Resolver: resolver}.Client(2 * time.Second)

	// A name from /etc/hosts, through the system resolver.
	resp, err := Guard{}.Client(2 * time.Second).Get(fmt.Sprintf("http://localhost:%d/", port))
	if resp != nil {
		resp.Body.Close()
	}
	require.ErrorIs(t, err, ErrPrivate)

	for _, target := range []string{
		srv.URL, // 127.0.0.1
		fmt.Sprintf("http://hooks.example.com:%d/", port),
		fmt.Sprintf("http://twice.example.com:%d/", port),
		fmt.Sprintf("http://0x7f000001:%d/", port),
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", port),
		fmt.Sprintf("http://[::1]:%d/", port),
		fmt.Sprintf("http://169.254.169.254:%d/", port),
	} {
		t.Run(target, func(t *testing.T) {
			resp, err := client.Get(target)
			if resp != nil {
				resp.Body.Close()
			}
			require.ErrorIs(t, err, ErrPrivate)
		})
	}
	require.Zero(t, hits.Load(), "no request may reach the receiver")
}

func TestClientReachesPrivateWhenAllowed(t *testing.T) {
	srv, hits := receiver(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	client := Guard{AllowPrivate: true, Resolver: fakeResolver{"hooks.example.com": {"127.0.0.1"}}}.Client(2 * time.Second)
	for _, target := range []string{srv.URL, fmt.Sprintf("http://hooks.example.com:%d/", port)} {
		resp, err := client.Get(target)
		require.NoError(t, err)
		body, truncated, err := ReadBody(resp, 10)
		require.NoError(t, err)
		require.Equal(t, "hello from", string(body))
		require.True(t, truncated)
	}
	require.EqualValues(t, 2, hits.Load())
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	srv, hits := receiver(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	client := Guard{AllowPrivate: true}.Client(2 * time.Second)
	resp, err := client.Get(srv.URL + "/redirect?port=" + fmt.Sprint(port))
	require.NoError(t, err)
	_, _, err = ReadBody(resp, 1<<10)
	require.NoError(t, err)
	require.Equal(t, http.StatusFound, resp.StatusCode, "the 3xx is the answer")
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "/target", loc.Path)
	require.EqualValues(t, 1, hits.Load(), "the redirect must not be followed")

	_, err = Guard{}.Client(0).Get(srv.URL + "/redirect")
	require.True(t, errors.Is(err, ErrPrivate), "a guarded client never reaches the first hop either: %v", err)
}
