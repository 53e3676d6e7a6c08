package oauth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/caller"
	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/identity"
	"github.com/quorumhq/quorum/internal/mail"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/store"
)

// Service issues and checks OAuth credentials.
type Service struct {
	db         *store.DB
	store      sqlStore
	identities *identity.Service
	mailer     mail.Sender
	logger     *slog.Logger
	now        func() time.Time
}

// NewService returns a Service.
func NewService(db *store.DB, identities *identity.Service, mailer mail.Sender, logger *slog.Logger) *Service {
	return &Service{db: db, store: sqlStore{db: db}, identities: identities, mailer: mailer, logger: logger,
		now: func() time.Time { return time.Now().UTC() }}
}

func invalidGrant(format string, args ...any) error {
	return &fault.Error{Kind: fault.KindInvalid, Code: "invalid_grant", Message: fmt.Sprintf(format, args...)}
}

func invalidRequest(format string, args ...any) error {
	return &fault.Error{Kind: fault.KindInvalid, Code: "invalid_request", Message: fmt.Sprintf(format, args...)}
}

// AuthorizeRequest holds the parameters of /oauth2/authorize.
type AuthorizeRequest struct {
	ClientID            string
	RedirectURI         string
	ResponseType        string
	Scope               string
	State               string
	CodeChallenge       string
	CodeChallengeMethod string
}

// ErrUnsafeRedirect marks authorize errors that must be shown to the user
// rather than sent to the redirect URI, because the client or the URI
// cannot be trusted.
var ErrUnsafeRedirect = errors.New("this sign-in link is invalid")

// CheckAuthorize validates an authorization request and returns the app and
// the granted scopes. Errors wrapping ErrUnsafeRedirect must not redirect.
func (s *Service) CheckAuthorize(ctx context.Context, r AuthorizeRequest) (identity.App, []string, error) {
	app, err := s.identities.AppByClientID(ctx, r.ClientID)
	if err != nil || app.Status != identity.AppActive {
		return identity.App{}, nil, fmt.Errorf("%w: unknown client_id", ErrUnsafeRedirect)
	}
	if !app.AllowsRedirect(r.RedirectURI) {
		return identity.App{}, nil, fmt.Errorf("%w: redirect_uri is not registered for this client", ErrUnsafeRedirect)
	}
	if r.ResponseType != "code" {
		return app, nil, &fault.Error{Kind: fault.KindInvalid, Code: "unsupported_response_type", Message: "response_type must be code"}
	}
	scopes, err := s.grantable(app, r.Scope)
	if err != nil {
		return app, nil, err
	}
	switch r.CodeChallengeMethod {
	case "":
		if r.CodeChallenge != "" {
			return app, nil, invalidRequest("code_challenge_method is required with code_challenge (S256)")
		}
	case "S256":
		if len(r.CodeChallenge) < 43 || len(r.CodeChallenge) > 128 {
			return app, nil, invalidRequest("code_challenge must be 43 to 128 characters")
		}
	default:
		return app, nil, invalidRequest("only the S256 code_challenge_method is supported")
	}
	return app, scopes, nil
}

// grantable checks a requested scope string against the app's allowed
// scopes; an empty request means the SDK default.
func (s *Service) grantable(app identity.App, scope string) ([]string, error) {
	scopes := ParseScope(scope)
	if len(scopes) == 0 {
		scopes = ParseScope(DefaultScope)
	}
	for _, sc := range scopes {
		if !app.AllowsScope(sc) {
			return nil, &fault.Error{Kind: fault.KindInvalid, Code: "invalid_scope", Message: fmt.Sprintf("scope %q is not allowed for this client", sc)}
		}
	}
	return scopes, nil
}

// Approve records the user's consent and issues a single-use authorization
// code for the request.
func (s *Service) Approve(ctx context.Context, app identity.App, user identity.User, r AuthorizeRequest, scopes []string) (string, error) {
	m, err := s.identities.MembershipForApp(ctx, user.ID, app)
	if err != nil {
		return "", err
	}
	now := s.now()
	code := secret.New(codePrefix)
	scope := strings.Join(scopes, " ")
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.upsertConsent(ctx, tx, uuid.NewString(), app.ID, user.ID, scope, now); err != nil {
			return err
		}
		return s.store.insertCode(ctx, tx, secret.Hash(code), codeRow{
			FamilyID: uuid.NewString(), AppID: app.ID, UserID: user.ID, OrgID: m.Org.ID, RedirectURI: r.RedirectURI,
			Scope: scope, CodeChallenge: r.CodeChallenge, CodeChallengeMethod: r.CodeChallengeMethod, ExpiresAt: now.Add(CodeTTL),
		}, now)
	})
	if err != nil {
		return "", err
	}
	return code, nil
}

// ExchangeCode redeems an authorization code. A code presented twice
// revokes every token issued from it, as RFC 6749 §4.1.2 recommends.
func (s *Service) ExchangeCode(ctx context.Context, app identity.App, code, redirectURI, verifier string) (TokenSet, error) {
	if code == "" {
		return TokenSet{}, invalidRequest("code is required")
	}
	now := s.now()
	hash := secret.Hash(code)
	var out TokenSet
	spent := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		// Marking the code used is the write that decides which of several
		// concurrent exchanges wins; a failed check below rolls it back and
		// leaves the code usable.
		c, ok, err := s.store.consumeCode(ctx, tx, hash, app.ID, now)
		if err != nil {
			return err
		}
		if !ok {
			spent = true
			return nil
		}
		if c.RedirectURI != redirectURI {
			return invalidGrant("redirect_uri does not match the authorization request")
		}
		if c.CodeChallenge != "" && !pkceMatches(c.CodeChallenge, verifier) {
			return invalidGrant("code_verifier does not match the code challenge")
		}
		out, err = s.issue(ctx, tx, c.FamilyID, app.ID, sql.NullInt64{Int64: c.UserID, Valid: true}, c.OrgID, c.Scope, true)
		return err
	})
	if err != nil {
		return TokenSet{}, err
	}
	if spent {
		return TokenSet{}, s.codeRefused(ctx, app, hash, now)
	}
	return out, nil
}

// codeRefused explains why a code could not be consumed, revoking what it
// issued when it was used before.
func (s *Service) codeRefused(ctx context.Context, app identity.App, hash string, now time.Time) error {
	c, err := s.store.code(ctx, hash, app.ID)
	if errors.Is(err, fault.ErrNotFound) {
		return invalidGrant("authorization code is invalid")
	}
	if err != nil {
		return err
	}
	if !c.UsedAt.Valid {
		return invalidGrant("authorization code has expired")
	}
	if err := s.store.revokeFamily(ctx, c.FamilyID, now); err != nil {
		return err
	}
	s.logger.WarnContext(ctx, "authorization code reused; token family revoked", "client_id", app.ClientID)
	return invalidGrant("authorization code has already been used")
}

func pkceMatches(challenge, verifier string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return secret.Equal(base64.RawURLEncoding.EncodeToString(sum[:]), challenge)
}

// issue creates an access token, and a refresh token when withRefresh.
func (s *Service) issue(ctx context.Context, tx *sql.Tx, family string, appID int64, userID sql.NullInt64, orgID int64, scope string, withRefresh bool) (TokenSet, error) {
	now := s.now()
	out := TokenSet{AccessToken: secret.New(AccessPrefix), ExpiresIn: int(AccessTTL / time.Second), Scope: scope}
	row := tokenRow{Kind: "access", FamilyID: family, AppID: appID, UserID: userID, OrgID: orgID, Scope: scope,
		ExpiresAt: now.Add(AccessTTL), CreatedAt: now}
	if err := s.store.insertToken(ctx, tx, secret.Hash(out.AccessToken), row); err != nil {
		return TokenSet{}, err
	}
	if withRefresh {
		out.RefreshToken = secret.New(RefreshPrefix)
		row.Kind, row.ExpiresAt = "refresh", now.Add(RefreshTTL)
		if err := s.store.insertToken(ctx, tx, secret.Hash(out.RefreshToken), row); err != nil {
			return TokenSet{}, err
		}
	}
	return out, nil
}

// Refresh rotates a refresh token. Presenting a refresh token that was
// already rotated means it leaked: the whole family is revoked.
func (s *Service) Refresh(ctx context.Context, app identity.App, refreshToken string) (TokenSet, error) {
	if refreshToken == "" {
		return TokenSet{}, invalidRequest("refresh_token is required")
	}
	now := s.now()
	hash := secret.Hash(refreshToken)
	var out TokenSet
	spent := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		t, ok, err := s.store.rotateRefresh(ctx, tx, hash, app.ID, now)
		if err != nil {
			return err
		}
		if !ok {
			spent = true
			return nil
		}
		out, err = s.issue(ctx, tx, t.FamilyID, app.ID, t.UserID, t.OrgID, t.Scope, true)
		return err
	})
	if err != nil {
		return TokenSet{}, err
	}
	if spent {
		return TokenSet{}, s.refreshRefused(ctx, app, hash, now)
	}
	return out, nil
}

// refreshRefused explains why a refresh token could not be rotated,
// revoking its family when it was rotated before.
func (s *Service) refreshRefused(ctx context.Context, app identity.App, hash string, now time.Time) error {
	t, err := s.store.token(ctx, hash, app.ID)
	if errors.Is(err, fault.ErrNotFound) || err == nil && t.Kind != "refresh" {
		return invalidGrant("refresh token is invalid")
	}
	if err != nil {
		return err
	}
	if !t.RotatedAt.Valid {
		return invalidGrant("refresh token is expired or revoked")
	}
	if err := s.store.revokeFamily(ctx, t.FamilyID, now); err != nil {
		return err
	}
	s.logger.WarnContext(ctx, "refresh token reused; token family revoked", "client_id", app.ClientID)
	return invalidGrant("refresh token has already been used")
}

// ClientCredentials issues an app-only access token acting in the app's
// first organization.
func (s *Service) ClientCredentials(ctx context.Context, app identity.App, scope string) (TokenSet, error) {
	scopes, err := s.grantable(app, scope)
	if err != nil {
		return TokenSet{}, err
	}
	if len(app.OrgIDs) == 0 {
		return TokenSet{}, fault.Forbidden("unauthorized_client", "the app is not linked to any organization")
	}
	var out TokenSet
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		out, err = s.issue(ctx, tx, uuid.NewString(), app.ID, sql.NullInt64{}, app.OrgIDs[0], strings.Join(scopes, " "), false)
		return err
	})
	return out, err
}

// IssueForUser issues tokens as if the user had approved the app; the admin
// CLI uses it for automation.
func (s *Service) IssueForUser(ctx context.Context, app identity.App, user identity.User, scope string) (TokenSet, error) {
	scopes, err := s.grantable(app, scope)
	if err != nil {
		return TokenSet{}, err
	}
	m, err := s.identities.MembershipForApp(ctx, user.ID, app)
	if err != nil {
		return TokenSet{}, err
	}
	joined := strings.Join(scopes, " ")
	var out TokenSet
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.upsertConsent(ctx, tx, uuid.NewString(), app.ID, user.ID, joined, s.now()); err != nil {
			return err
		}
		out, err = s.issue(ctx, tx, uuid.NewString(), app.ID, sql.NullInt64{Int64: user.ID, Valid: true}, m.Org.ID, joined, true)
		return err
	})
	return out, err
}

// Revoke revokes a token of the app; unknown tokens are ignored as RFC 7009
// requires. Revoking a refresh token revokes its whole family.
func (s *Service) Revoke(ctx context.Context, app identity.App, token string) error {
	return s.store.revokeToken(ctx, secret.Hash(token), app.ID, s.now())
}

// errBadToken is the single answer for every kind of unusable bearer token.
var errBadToken = fault.Unauthorized("unauthorized", "invalid or expired access token")

// Authenticate resolves a bearer access token into its caller. Tokens of
// apps that are not active are refused like unknown ones.
func (s *Service) Authenticate(ctx context.Context, token string) (caller.Caller, error) {
	if !strings.HasPrefix(token, AccessPrefix) {
		return caller.Caller{}, errBadToken
	}
	c, err := s.store.authenticate(ctx, secret.Hash(token), s.now())
	if errors.Is(err, fault.ErrNotFound) {
		return caller.Caller{}, errBadToken
	}
	if err != nil {
		return caller.Caller{}, err
	}
	return c, nil
}

// Introspection is an RFC 7662 answer.
type Introspection struct {
	Active    bool
	Scope     string
	ClientID  string
	Username  string
	Subject   string
	TokenType string
	ExpiresAt time.Time
	IssuedAt  time.Time
}

// Introspect describes a token of the calling app; tokens of other apps are
// reported inactive.
func (s *Service) Introspect(ctx context.Context, app identity.App, token string) (Introspection, error) {
	t, err := s.store.token(ctx, secret.Hash(token), app.ID)
	if errors.Is(err, fault.ErrNotFound) {
		return Introspection{}, nil
	}
	if err != nil {
		return Introspection{}, err
	}
	if t.RevokedAt.Valid || t.RotatedAt.Valid || !s.now().Before(t.ExpiresAt) {
		return Introspection{}, nil
	}
	out := Introspection{Active: true, Scope: t.Scope, ClientID: app.ClientID, TokenType: "Bearer",
		ExpiresAt: t.ExpiresAt, IssuedAt: t.CreatedAt, Subject: app.ClientID}
	if t.Kind == "refresh" {
		out.TokenType = "refresh_token"
	}
	if t.UserID.Valid {
		u, err := s.identities.User(ctx, t.UserID.Int64)
		if err != nil {
			return Introspection{}, err
		}
		out.Subject, out.Username = u.UUID, u.Email
	}
	return out, nil
}

// Consent answers /oauth2/check-consent.
type Consent struct {
	HasConsent      bool
	RequiresConsent bool
}

// CheckConsent reports whether the user has already granted every scope.
func (s *Service) CheckConsent(ctx context.Context, app identity.App, email, scope string) (Consent, error) {
	u, err := s.identities.UserByEmail(ctx, email)
	if errors.Is(err, fault.ErrNotFound) {
		return Consent{RequiresConsent: true}, nil
	}
	if err != nil {
		return Consent{}, err
	}
	granted, ok, err := s.store.consentScope(ctx, app.ID, u.ID)
	if err != nil {
		return Consent{}, err
	}
	want := ParseScope(scope)
	if len(want) == 0 {
		want = ParseScope(DefaultScope)
	}
	has := ok
	for _, sc := range want {
		has = has && slices.Contains(ParseScope(granted), sc)
	}
	return Consent{HasConsent: has, RequiresConsent: !has}, nil
}
