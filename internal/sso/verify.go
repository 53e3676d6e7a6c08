package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/event"
	"github.com/quorumhq/quorum/internal/jobs"
)

// lookupTimeout bounds the DNS lookup of one check.
const lookupTimeout = 5 * time.Second

// Reasons a check fails, as partner.idp.domain_verification_failed names them.
const (
	ReasonNotFound = "record_not_found"
	ReasonMismatch = "record_mismatch"
	ReasonLookup   = "dns_lookup_failed"
	ReasonExpired  = "challenge_expired"
)

// Verification returns the state of a domain's challenge, expiring it
// first if its time has passed. It does no DNS lookup.
func (s *Service) Verification(ctx context.Context, c caller.Caller, domain string) (Verification, error) {
	if err := appCaller(c); err != nil {
		return Verification{}, err
	}
	d, err := NormalizeDomain(domain)
	if err != nil {
		return Verification{}, err
	}
	if err := s.store.expire(ctx, c.OrgID, c.AppID, d, s.now()); err != nil {
		return Verification{}, err
	}
	return s.store.verification(ctx, c.OrgID, c.AppID, d)
}

// StartVerification issues a challenge for a domain, or rotates the token
// of a pending or expired one. A verified domain is returned unchanged. An
// app may have MaxPending live challenges at once.
func (s *Service) StartVerification(ctx context.Context, c caller.Caller, domain string) (Verification, error) {
	if err := appCaller(c); err != nil {
		return Verification{}, err
	}
	d, err := NormalizeDomain(domain)
	if err != nil {
		return Verification{}, err
	}
	now := s.now()
	var v Verification
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		n, err := s.store.livePending(ctx, tx.Tx, c.OrgID, c.AppID, d, now)
		if err != nil {
			return err
		}
		if n >= MaxPending {
			return tooManyPending()
		}
		var issued bool
		v, issued, err = s.store.challenge(ctx, tx.Tx, c.OrgID, c.AppID, d, newToken(), now, now.Add(ChallengeTTL))
		if err != nil || issued {
			return err
		}
		return nil
	})
	if err != nil {
		return Verification{}, err
	}
	if v.Domain == "" {
		return s.store.verification(ctx, c.OrgID, c.AppID, d)
	}
	return v, nil
}

// newToken is a challenge token: 160 random bits in lowercase hex, which
// every DNS console accepts in a TXT value.
func newToken() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// CheckVerification looks up the domain's TXT record and, when it holds the
// challenge's value, marks the domain verified and emits
// partner.idp.domain_verified; otherwise it emits
// partner.idp.domain_verification_failed with the reason. A verified domain
// is returned unchanged, with no lookup and no event.
func (s *Service) CheckVerification(ctx context.Context, c caller.Caller, domain string) (Verification, error) {
	v, err := s.Verification(ctx, c, domain)
	if err != nil {
		return Verification{}, err
	}
	switch v.Status {
	case Verified:
		return v, nil
	case Expired:
		return v, s.failed(ctx, c, v, ReasonExpired)
	}
	if reason := s.lookup(ctx, v); reason != "" {
		return v, s.failed(ctx, c, v, reason)
	}
	now := s.now()
	var out Verification
	err = s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		var ok bool
		var err error
		// The challenge may have been rotated or expired during the lookup;
		// then the record proved nothing about the current one.
		if out, ok, err = s.store.markVerified(ctx, tx.Tx, c.OrgID, c.AppID, v.Domain, v.Token, now); err != nil || !ok {
			return err
		}
		return event.Emit(ctx, s.events, tx, s.appEvent(c, event.IdPDomainVerified,
			&event.IdPDomain{Domain: out.Domain, Status: string(Verified), VerifiedAt: now}, now))
	})
	if err != nil {
		return Verification{}, err
	}
	if out.Domain == "" {
		return s.Verification(ctx, c, v.Domain)
	}
	s.logger.InfoContext(ctx, "idp domain verified", "app_id", c.AppID, "domain", out.Domain)
	return out, nil
}

// lookup checks the challenge's TXT record and returns why it does not
// prove ownership, or "" when it does.
func (s *Service) lookup(ctx context.Context, v Verification) string {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	// The trailing dot makes the name absolute: no search domain is tried.
	records, err := s.resolver.LookupTXT(ctx, v.RecordName()+".")
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return ReasonNotFound
	}
	if err != nil {
		s.logger.WarnContext(ctx, "idp domain lookup failed", "domain", v.Domain, "error", err)
		return ReasonLookup
	}
	if len(records) == 0 {
		return ReasonNotFound
	}
	want := []byte(v.RecordValue())
	for _, r := range records {
		if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(r)), want) == 1 {
			return ""
		}
	}
	return ReasonMismatch
}

// failed records a failed check and emits its event in one transaction.
func (s *Service) failed(ctx context.Context, c caller.Caller, v Verification, reason string) error {
	now := s.now()
	return s.queue.Tx(ctx, func(tx *jobs.Tx) error {
		if err := s.store.markChecked(ctx, tx.Tx, c.OrgID, c.AppID, v.Domain, reason, now); err != nil {
			return err
		}
		return event.Emit(ctx, s.events, tx, s.appEvent(c, event.IdPDomainVerificationFailed,
			&event.IdPDomainFailure{Domain: v.Domain, FailedAt: now, Reason: reason, Status: string(v.Status)}, now))
	})
}
