package oauth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/secret"
)

// Password logins are throttled per account and per client address: a
// few free failures per window, then each further attempt locks the
// counter for twice as long as the one before, up to a cap. The counters
// live in the database, so every replica enforces the same limits.
const (
	loginWindow  = 15 * time.Minute
	loginFree    = 5
	loginMaxLock = 15 * time.Minute
)

// limitKey names an attempt counter; only its hash is stored.
func limitKey(parts ...string) string { return secret.Hash(strings.Join(parts, "\x00")) }

// addressKey is the throttling key of a client address. An IPv6 client
// commonly holds a whole /64, so the /64 counts as one address.
func addressKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() || a.Is4In6() {
		return addr
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// loginBackoff is the lock after the n-th attempt of a window.
func loginBackoff(n int) time.Duration {
	over := n - loginFree
	if over >= 20 {
		return loginMaxLock
	}
	return min(time.Duration(1<<over)*time.Second, loginMaxLock)
}

// errLocked rolls back a login attempt refused by a locked counter.
var errLocked = errors.New("login attempt counter locked")

// Login checks an email and password for the login page of app, under the
// account's and the client address's attempt limits. A locked limit is
// answered with a rate_limited fault carrying RetryAfter; a success clears
// the account's counter.
func (s *Service) Login(ctx context.Context, app identity.App, email, password, clientAddr string) (identity.User, error) {
	keys := []string{limitKey("login-account", strings.ToLower(strings.TrimSpace(email)))}
	if clientAddr != "" {
		keys = append(keys, limitKey("login-address", addressKey(clientAddr)))
	}
	if err := s.countLogin(ctx, app, keys); err != nil {
		return identity.User{}, err
	}
	u, err := s.identities.Authenticate(ctx, email, password)
	if err != nil {
		return identity.User{}, err
	}
	// The attempt was counted before the password was checked, so that
	// parallel guesses cannot outrun the lock. A success takes it back: the
	// account starts afresh, the address gets its attempt back.
	if err := s.store.clearLimit(ctx, keys[0]); err != nil {
		return identity.User{}, err
	}
	if len(keys) > 1 {
		if err := s.store.refundLimit(ctx, keys[1]); err != nil {
			return identity.User{}, err
		}
	}
	return u, nil
}

// countLogin counts one attempt against every key, or none when one of
// them is locked. Counting and locking happen in one transaction, so a
// parallel attempt waits for the lock this one sets.
func (s *Service) countLogin(ctx context.Context, app identity.App, keys []string) error {
	now := s.now()
	var until time.Time
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			n, ok, err := s.store.hit(ctx, tx, k, now, now.Add(-loginWindow))
			if err != nil {
				return err
			}
			if !ok {
				if until, err = s.store.lockedUntil(ctx, tx, k); err != nil {
					return err
				}
				return errLocked
			}
			if n > loginFree {
				if err := s.store.lock(ctx, tx, k, now.Add(loginBackoff(n))); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if !errors.Is(err, errLocked) {
		return err
	}
	wait := max(until.Sub(now), time.Second)
	s.logger.WarnContext(ctx, "password login throttled", "client_id", app.ClientID, "retry_after", wait)
	secs := int((wait + time.Second - 1) / time.Second)
	return &fault.Error{Kind: fault.KindRateLimited, Code: "rate_limited", RetryAfter: wait,
		Message: fmt.Sprintf("too many failed sign-in attempts; try again in %d seconds", secs)}
}

// PurgeRateLimits deletes attempt counters that have run their course; a
// periodic job calls it.
func (s *Service) PurgeRateLimits(ctx context.Context) (int64, error) {
	return s.store.purgeLimits(ctx, s.now().Add(-max(loginWindow, OTPTTL)))
}
