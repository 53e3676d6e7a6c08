package media

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/quorumhq/quorum/internal/netguard"
)

type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

// TestDownloadRefusesPrivateHops: with private URLs off, a name resolving
// to loopback is refused, and so is every redirect to a private address
// from a public host (the test's "public" host is served locally by a
// transport that ignores the address, standing in for the internet).
func TestDownloadRefusesPrivateHops(t *testing.T) {
	secret := 0
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { secret++ }))
	defer target.Close()
	_, port, _ := net.SplitHostPort(target.Listener.Addr().String())
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	}))
	defer redirect.Close()
	guard := netguard.Guard{Resolver: fakeResolver{
		"files.example":   {netip.MustParseAddr("93.184.216.34")},
		"rebound.example": {netip.MustParseAddr("127.0.0.1")},
	}}
	// The "internet": every connection goes to the redirecting server.
	internet := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, redirect.Listener.Addr().String())
	}}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	s := &Service{cfg: Config{Guard: guard, MaxBytes: 1 << 20}, http: internet}

	for _, to := range []string{
		"http://127.0.0.1:" + port + "/secret",
		"http://10.0.0.7/secret",
		"http://169.254.169.254/latest/meta-data/",
		"http://rebound.example:" + port + "/secret",
		"http://[::1]:" + port + "/secret",
	} {
		_, _, err := s.download(context.Background(), Import{SourceURL: "http://files.example/r?to=" + to})
		if !errors.Is(err, netguard.ErrPrivate) || !isPermanent(err) {
			t.Errorf("redirect to %s: %v, want a permanent refusal", to, err)
		}
	}
	// Straight to a name resolving to loopback, with the guarded client.
	s.http = guard.Client(0)
	if _, _, err := s.download(context.Background(), Import{SourceURL: "http://rebound.example:" + port + "/secret"}); !errors.Is(err, netguard.ErrPrivate) {
		t.Errorf("name resolving to loopback: %v", err)
	}
	if secret != 0 {
		t.Fatalf("the private target was reached %d times", secret)
	}
}

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		ct   string
		data string
		want Kind
	}{
		{"text/vtt", "WEBVTT\n", KindTranscript},
		{"", "1\n00:00:01,000 --> 00:00:02,000\nhi\n", KindTranscript},
		{"audio/mpeg", "ID3", KindMedia},
		{"application/octet-stream", "RIFF\x24\x00\x00\x00WAVEfmt ", KindMedia},
		{"", "\xff\xfb\x90\x64\x00", KindMedia},
	} {
		if got := kindOf(tc.ct, []byte(tc.data)); got != tc.want {
			t.Errorf("kindOf(%q, %q) = %s, want %s", tc.ct, tc.data, got, tc.want)
		}
	}
}

func TestParsePocketsphinx(t *testing.T) {
	out := "we are here\n<s> 0.000 0.220 0.99\nwe 0.230 0.350 0.2\n<sil> 0.360 0.510 0.8\nthe(2) 0.520 0.900 0.5\n</s> 0.910 1.400 0.9\n" +
		"<s> 2.000 2.100 1\n[NOISE] 2.1 2.2 1\n</s> 2.2 2.3 1\n<s> 3.000 3.100 1\nok 3.1 3.5 1\n</s> 3.5 3.9 1\n"
	segs := parsePocketsphinx([]byte(out), "")
	if len(segs) != 2 || segs[0].Text != "we the" || segs[0].Start != 0 || segs[0].End != 1.4 || segs[1].Text != "ok" || segs[1].Speaker != "Speaker 1" {
		t.Fatalf("segments %+v", segs)
	}
}
