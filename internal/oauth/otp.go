package oauth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/mail"
	"github.com/quorumhq/quorum/internal/secret"
)

// Challenge is the answer to /auth/initiate.
type Challenge struct {
	Session         string
	UserProvisioned bool
}

// InitiateOTP emails a six-digit sign-in code to a member of one of the
// app's organizations. An unknown email becomes a new user in the app's
// first organization only when the app provisions users. Every other
// email gets the same answer as a member, a session id, but no mail and a
// session that no code can verify: the answer never tells an app whether
// an address exists elsewhere.
func (s *Service) InitiateOTP(ctx context.Context, app identity.App, email, name string) (Challenge, error) {
	email, err := identity.NormalizeEmail(email)
	if err != nil {
		return Challenge{}, err
	}
	// Each code allows a few guesses; capping how many codes one address
	// can request keeps the total number of guesses small too, and stops
	// the endpoint from being used to flood an inbox. The cap counts every
	// address alike, known or not, so that it reveals nothing either.
	now := s.now()
	n, _, err := s.store.hit(ctx, s.db.W, limitKey("otp", strconv.FormatInt(app.ID, 10), email), now, now.Add(-OTPTTL))
	if err != nil {
		return Challenge{}, err
	}
	if n > otpMaxCodes {
		return Challenge{}, &fault.Error{Kind: fault.KindRateLimited, Code: "rate_limited", RetryAfter: OTPTTL,
			Message: fmt.Sprintf("too many sign-in codes requested; try again in %d minutes", int(OTPTTL.Minutes()))}
	}
	u, provisioned, ok, err := s.otpUser(ctx, app, email, name)
	if err != nil {
		return Challenge{}, err
	}
	if !ok {
		return Challenge{Session: uuid.NewString()}, nil
	}
	code := secret.Digits(6)
	session := uuid.NewString()
	if err := s.store.insertChallenge(ctx, session, challengeRow{AppID: app.ID, UserID: u.ID, CodeHash: secret.Hash(session + ":" + code),
		ExpiresAt: now.Add(OTPTTL)}, now); err != nil {
		return Challenge{}, err
	}
	msg := mail.Message{To: email, Subject: "Your " + app.Name + " sign-in code",
		Body: fmt.Sprintf("Your sign-in code for %s is %s. It expires in %d minutes.", app.Name, code, int(OTPTTL.Minutes()))}
	if err := s.mailer.Send(ctx, msg); err != nil {
		return Challenge{}, fmt.Errorf("send sign-in code: %w", err)
	}
	return Challenge{Session: session, UserProvisioned: provisioned}, nil
}

// otpUser finds the user an email code signs in to the app, provisioning
// one when the app's policy allows; ok is false when the email may not
// sign in to this app.
func (s *Service) otpUser(ctx context.Context, app identity.App, email, name string) (u identity.User, provisioned, ok bool, err error) {
	u, err = s.identities.UserByEmail(ctx, email)
	if errors.Is(err, fault.ErrNotFound) {
		if !app.ProvisionUsers || len(app.OrgIDs) == 0 {
			return identity.User{}, false, false, nil
		}
		if strings.TrimSpace(name) == "" {
			name, _, _ = strings.Cut(email, "@")
		}
		u, err = s.identities.CreateUser(ctx, identity.NewUser{OrgID: app.OrgIDs[0], Email: email, Name: name})
		if err == nil {
			return u, true, true, nil
		}
		if errors.Is(err, fault.ErrConflict) {
			// A concurrent request created it first.
			u, err = s.identities.UserByEmail(ctx, email)
		}
	}
	if err != nil {
		return identity.User{}, false, false, err
	}
	_, err = s.identities.MembershipForApp(ctx, u.ID, app)
	if errors.Is(err, fault.ErrForbidden) {
		return identity.User{}, false, false, nil
	}
	if err != nil {
		return identity.User{}, false, false, err
	}
	return u, false, true, nil
}

// VerifyOTP checks a sign-in code and, on success, issues tokens with the
// default scopes. A session allows a few attempts and one success.
func (s *Service) VerifyOTP(ctx context.Context, app identity.App, email, code, session string) (TokenSet, error) {
	email, err := identity.NormalizeEmail(email)
	if err != nil {
		return TokenSet{}, err
	}
	bad := fault.Unauthorized("invalid_code", "the code is invalid or has expired")
	now := s.now()
	// Every verification spends an attempt before the code is compared,
	// in one conditional write, so parallel guesses cannot pass the cap.
	c, ok, err := s.store.attemptChallenge(ctx, session, app.ID, email, otpMaxTries, now)
	if err != nil {
		return TokenSet{}, err
	}
	if !ok || !secret.Matches(session+":"+code, c.CodeHash) {
		return TokenSet{}, bad
	}
	// Of several verifications of the right code, one marks it used.
	won, err := s.store.useChallenge(ctx, c.ID, now)
	if err != nil {
		return TokenSet{}, err
	}
	if !won {
		return TokenSet{}, bad
	}
	u, err := s.identities.User(ctx, c.UserID)
	if err != nil {
		return TokenSet{}, err
	}
	return s.IssueForUser(ctx, app, u, DefaultScope)
}
