package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/quorumhq/quorum/internal/netguard"
)

// Doer sends one HTTP request; *http.Client satisfies it. Deliveries go
// through a Doer so that the outbound client is chosen in one place.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// lookupFunc resolves a host name; tests replace net.DefaultResolver.
type lookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

func defaultLookup(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// guardedClient is the delivery client: it resolves the host itself,
// refuses the connection when any resolved address is not public (unless
// allowPrivate), dials the checked address (so no second lookup can answer
// differently), checks the socket's address again in the dialer's control
// function, ignores proxy settings, and never follows a redirect.
//
// It stands in for the guarded client of internal/netguard until that
// lands; Config.Client replaces it.
func guardedClient(allowPrivate bool, lookup lookupFunc) *http.Client {
	if lookup == nil {
		lookup = defaultLookup
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("connect to %s: %w", address, err)
			}
			if !netguard.Public(ap.Addr()) {
				return fmt.Errorf("connect to %s: %w", ap.Addr(), netguard.ErrPrivate)
			}
			return nil
		}
	}
	dial := func(ctx context.Context, network, address string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		var addrs []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			addrs = []netip.Addr{ip}
		} else if addrs, err = lookup(ctx, host); err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolve %s: no addresses", host)
		}
		if !allowPrivate {
			// One private answer refuses the name: a receiver has no reason
			// to mix them, and trying the public ones first would let a
			// rebinding answer through on a retry.
			for _, a := range addrs {
				if !netguard.Public(a) {
					return nil, fmt.Errorf("%s resolves to %s: %w", host, a.Unmap(), netguard.ErrPrivate)
				}
			}
		}
		var errs []error
		for _, a := range addrs {
			conn, err := dialer.DialContext(ctx, network, net.JoinHostPort(a.Unmap().String(), port))
			if err == nil {
				return conn, nil
			}
			errs = append(errs, err)
		}
		return nil, errors.Join(errs...)
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dial,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          256,
			MaxIdleConnsPerHost:   32,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: 5 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
