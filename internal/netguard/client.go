package netguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// DefaultTimeout bounds a whole request of Guard.Client (connection,
// request, response and body) when the caller gives none.
const DefaultTimeout = 10 * time.Second

// dialTimeout bounds one connection attempt, so that a silent address
// leaves time to try the next one a name resolves to.
const dialTimeout = 5 * time.Second

// Client returns an HTTP client for requests to user-supplied URLs. It
// refuses to connect to a non-public address (unless AllowPrivate): the
// check runs on the very address dialed, after resolution, so neither a
// name resolving to 127.0.0.1 nor one that changes its answer after
// CheckURL gets through. It uses no proxy, since the proxy would make the
// connection that matters. It never follows a redirect: a 3xx comes back
// as the response, which callers treat as the failure it is for a webhook.
// timeout bounds a whole request, body included (DefaultTimeout when
// zero).
func (g Guard) Client(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	d := &dialer{guard: g, net: net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second, Control: g.control}}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            d.dial,
			ForceAttemptHTTP2:      true,
			TLSHandshakeTimeout:    dialTimeout,
			ResponseHeaderTimeout:  timeout,
			MaxIdleConnsPerHost:    4,
			IdleConnTimeout:        90 * time.Second,
			MaxResponseHeaderBytes: 64 << 10,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// control runs after a socket is created and before it connects, with the
// numeric address about to be dialed.
func (g Guard) control(network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("netguard: refusing %s connection", network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("netguard: unexpected dial address %q: %w", address, err)
	}
	return g.CheckAddr(ap.Addr())
}

// dialer connects to a host through the Guard's resolver, so that a test
// resolver applies to connections as it does to CheckURL; the Control
// function of net then checks each address dialed.
type dialer struct {
	guard Guard
	net   net.Dialer
}

func (d *dialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("netguard: invalid port in %q", address)
	}
	_, addr, isIP, err := parseHost(host)
	if err != nil {
		return nil, err
	}
	addrs := []netip.Addr{addr}
	if !isIP {
		if addrs, err = d.guard.resolver().LookupNetIP(ctx, "ip", host); err != nil {
			return nil, err
		}
	}
	var errs []error
	for _, a := range addrs {
		conn, err := d.net.DialContext(ctx, network, netip.AddrPortFrom(a.Unmap(), uint16(p)).String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("netguard: %s has no address", host)
	}
	return nil, errors.Join(errs...)
}

// ReadBody reads at most limit bytes of a response body, closes it, and
// reports whether more was left unread: enough for a delivery log without
// letting a receiver make Quorum read without end.
func ReadBody(resp *http.Response, limit int64) (body []byte, truncated bool, err error) {
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if int64(len(body)) > limit {
		return body[:limit], true, err
	}
	return body, false, err
}
