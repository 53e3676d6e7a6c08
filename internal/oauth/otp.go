package oauth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// InitiateOTP emails a six-digit sign-in code. A first-time email gets a
// new user in the app's first organization, as partner sign-up expects.
func (s *Service) InitiateOTP(ctx context.Context, app identity.App, email, name string) (Challenge, error) {
	email, err := identity.NormalizeEmail(email)
	if err != nil {
		return Challenge{}, err
	}
	provisioned := false
	u, err := s.identities.UserByEmail(ctx, email)
	if errors.Is(err, fault.ErrNotFound) {
		if len(app.OrgIDs) == 0 {
			return Challenge{}, fault.Forbidden("workspace_not_authorized", "the app is not linked to any workspace")
		}
		if strings.TrimSpace(name) == "" {
			name, _, _ = strings.Cut(email, "@")
		}
		u, err = s.identities.CreateUser(ctx, identity.NewUser{OrgID: app.OrgIDs[0], Email: email, Name: name})
		provisioned = true
	}
	if err != nil {
		return Challenge{}, err
	}
	if _, err := s.identities.MembershipForApp(ctx, u.ID, app); err != nil {
		return Challenge{}, err
	}
	// Each code allows a few guesses; capping how many codes one address
	// can request keeps the total number of guesses small too, and stops
	// the endpoint from being used to flood an inbox.
	recent, err := s.store.recentChallenges(ctx, app.ID, u.ID, s.now().Add(-OTPTTL))
	if err != nil {
		return Challenge{}, err
	}
	if recent >= otpMaxCodes {
		return Challenge{}, &fault.Error{Kind: fault.KindRateLimited, Code: "rate_limited", RetryAfter: OTPTTL,
			Message: fmt.Sprintf("too many sign-in codes requested; try again in %d minutes", int(OTPTTL.Minutes()))}
	}
	code := secret.Digits(6)
	session := uuid.NewString()
	now := s.now()
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

// VerifyOTP checks a sign-in code and, on success, issues tokens with the
// default scopes. A session allows a few attempts and one success.
func (s *Service) VerifyOTP(ctx context.Context, app identity.App, email, code, session string) (TokenSet, error) {
	email, err := identity.NormalizeEmail(email)
	if err != nil {
		return TokenSet{}, err
	}
	bad := fault.Unauthorized("invalid_code", "the code is invalid or has expired")
	var userID int64
	wrong := false
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.store.challenge(ctx, tx, session)
		if errors.Is(err, fault.ErrNotFound) {
			return bad
		}
		if err != nil {
			return err
		}
		u, err := s.identities.Store().User(ctx, c.UserID)
		if err != nil {
			return err
		}
		if c.AppID != app.ID || u.Email != email || c.UsedAt.Valid || c.Attempts >= otpMaxTries || !s.now().Before(c.ExpiresAt) {
			return bad
		}
		if !secret.Matches(session+":"+code, c.CodeHash) {
			// Returning nil commits the attempt count; the caller still fails.
			wrong = true
			_, err := tx.ExecContext(ctx, s.store.q(`UPDATE auth_challenges SET attempts = attempts + 1 WHERE id = ?`), c.ID)
			return err
		}
		userID = c.UserID
		_, err = tx.ExecContext(ctx, s.store.q(`UPDATE auth_challenges SET used_at = ? WHERE id = ?`), s.now(), c.ID)
		return err
	})
	if err != nil {
		return TokenSet{}, err
	}
	if wrong {
		return TokenSet{}, bad
	}
	u, err := s.identities.Store().User(ctx, userID)
	if err != nil {
		return TokenSet{}, err
	}
	return s.IssueForUser(ctx, app, u, DefaultScope)
}
