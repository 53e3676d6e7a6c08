package identity

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/secret"
	"github.com/quorumhq/quorum/internal/store"
)

// Service holds the rules for organizations, users and apps.
type Service struct {
	db    *store.DB
	store sqlStore
	// allowPrivateURLs lets webhook URLs point at private networks.
	allowPrivateURLs bool
	now              func() time.Time
	// webhookSecrets issues the webhook secret of a new app (webhook.go).
	webhookSecrets WebhookSecretIssuer
}

// NewService returns a Service on db. allowPrivateURLs mirrors
// QUORUM_ALLOW_PRIVATE_URLS.
func NewService(db *store.DB, allowPrivateURLs bool) *Service {
	return &Service{db: db, store: sqlStore{db: db}, allowPrivateURLs: allowPrivateURLs, now: func() time.Time { return time.Now().UTC() }}
}

// CreateOrg creates an organization.
func (s *Service) CreateOrg(ctx context.Context, name string) (Org, error) {
	name, err := validName("name", name, 255)
	if err != nil {
		return Org{}, err
	}
	o := Org{UUID: uuid.NewString(), Name: name, CreatedAt: s.now()}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error { return s.store.insertOrg(ctx, tx, &o) })
	return o, err
}

// NewUser is the input for creating a user.
type NewUser struct {
	OrgID    int64
	Email    string
	Name     string
	Password string // may be empty for users who only sign in by email code
	Role     Role
	// GivenName and FamilyName default to the halves of Name.
	GivenName  string
	FamilyName string
	// EmailVerified records that the address was proven (by an identity
	// provider that signed the user in).
	EmailVerified bool
}

// CreateUser creates a user and makes it a member of an organization.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return User{}, err
	}
	name, err := validName("name", in.Name, 255)
	if err != nil {
		return User{}, err
	}
	if in.Role == "" {
		in.Role = RoleMember
	}
	if !in.Role.Valid() {
		return User{}, fault.Invalid("role", "validation_error", "unknown role %q", in.Role)
	}
	if in.Password != "" && (len(in.Password) < 8 || len(in.Password) > 72) {
		return User{}, fault.Invalid("password", "validation_error", "password must be 8 to 72 bytes")
	}
	if _, err := s.store.orgByID(ctx, in.OrgID); err != nil {
		return User{}, err
	}
	var hash string
	if in.Password != "" {
		if hash, err = secret.HashPassword(in.Password); err != nil {
			return User{}, err
		}
	}
	now := s.now()
	given, family, _ := strings.Cut(name, " ")
	if in.GivenName != "" || in.FamilyName != "" {
		given, family = strings.TrimSpace(in.GivenName), strings.TrimSpace(in.FamilyName)
	}
	u := User{UUID: uuid.NewString(), Email: email, Name: name, GivenName: given, FamilyName: family, EmailVerified: in.EmailVerified,
		CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.insertUser(ctx, tx, &u, hash); err != nil {
			return err
		}
		return s.store.insertMembership(ctx, tx, in.OrgID, u.ID, in.Role, now)
	})
	u.HasPassword = hash != ""
	return u, err
}

// UserByEmail finds a user by email address.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return User{}, err
	}
	u, _, err := s.store.userByEmail(ctx, email)
	return u, err
}

// errBadLogin is deliberately the same for an unknown email and a wrong
// password.
var errBadLogin = fault.Unauthorized("invalid_credentials", "invalid email or password")

// Authenticate checks an email and password.
func (s *Service) Authenticate(ctx context.Context, email, password string) (User, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return User{}, errBadLogin
	}
	u, hash, err := s.store.userByEmail(ctx, email)
	if errors.Is(err, fault.ErrNotFound) {
		// Compare against a dummy hash so unknown emails take as long as
		// known ones.
		secret.CheckPassword(dummyHash, password)
		return User{}, errBadLogin
	}
	if err != nil {
		return User{}, err
	}
	if hash == "" || !secret.CheckPassword(hash, password) {
		return User{}, errBadLogin
	}
	return u, nil
}

var dummyHash, _ = secret.HashPassword("quorum-timing-equalizer")

// User loads a user by id.
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	return s.store.user(ctx, id)
}

// Org loads an organization by id.
func (s *Service) Org(ctx context.Context, id int64) (Org, error) {
	return s.store.orgByID(ctx, id)
}

// OrgByUUID loads an organization by its public uuid.
func (s *Service) OrgByUUID(ctx context.Context, uuid string) (Org, error) {
	return s.store.orgByUUID(ctx, uuid)
}

// Memberships lists a user's organizations.
func (s *Service) Memberships(ctx context.Context, userID int64) ([]Membership, error) {
	return s.store.memberships(ctx, userID)
}

// WorkspaceOfApp checks that workspaceUUID names one of the app's
// organizations; an empty uuid names none and passes. Any other
// organization is reported as not found, whether it exists or not.
func (s *Service) WorkspaceOfApp(ctx context.Context, app App, workspaceUUID string) error {
	if workspaceUUID == "" {
		return nil
	}
	if _, err := uuid.Parse(workspaceUUID); err != nil {
		return &fault.Error{Kind: fault.KindInvalid, Code: "invalid_request", Field: "workspace_id", Message: "workspace_id must be a UUID"}
	}
	ok, err := s.store.appLinkedToOrg(ctx, app.ID, workspaceUUID)
	if err != nil {
		return err
	}
	if !ok {
		return &fault.Error{Kind: fault.KindNotFound, Code: "workspace_not_found", Message: "workspace not found for this app"}
	}
	return nil
}

// MembershipForApp returns the organization in which a user acts for an
// app: the user's oldest membership among the app's organizations.
func (s *Service) MembershipForApp(ctx context.Context, userID int64, app App) (Membership, error) {
	ms, err := s.store.memberships(ctx, userID)
	if err != nil {
		return Membership{}, err
	}
	for _, m := range ms {
		if slices.Contains(app.OrgIDs, m.Org.ID) {
			return m, nil
		}
	}
	return Membership{}, fault.Forbidden("workspace_not_authorized", "the user is not a member of any workspace linked to this app")
}

// CreateApp registers an app in an organization and returns its secrets in
// clear text; only their hashes are stored.
func (s *Service) CreateApp(ctx context.Context, in NewApp) (App, Credentials, error) {
	name, err := validName("name", in.Name, 255)
	if err != nil {
		return App{}, Credentials{}, err
	}
	if err := validateRedirectURIs(in.RedirectURIs); err != nil {
		return App{}, Credentials{}, err
	}
	if len(in.Scopes) == 0 {
		in.Scopes = slices.Clone(Scopes)
	}
	if err := validateScopes(in.Scopes); err != nil {
		return App{}, Credentials{}, err
	}
	org, err := s.store.orgByID(ctx, in.OrgID)
	if err != nil {
		return App{}, Credentials{}, err
	}
	now := s.now()
	a := App{
		UUID: uuid.NewString(), ClientID: secret.New(clientIDPrefix)[:len(clientIDPrefix)+24], Name: name,
		CompanyName: org.Name, Status: AppActive, WebhookEnabled: true,
		RedirectURIs: in.RedirectURIs, Scopes: in.Scopes, OrgIDs: []int64{org.ID}, CreatedAt: now, UpdatedAt: now,
	}
	creds := Credentials{
		ClientSecret: secret.New(clientSecretPrefix),
		APIKey:       secret.New(apiKeyPrefix),
		CloudAPIKey:  secret.New(cloudAPIKeyPrefix),
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.insertApp(ctx, tx, &a); err != nil {
			return err
		}
		for kind, value := range map[CredentialKind]string{
			CredClientSecret: creds.ClientSecret, CredAPIKey: creds.APIKey, CredCloudAPIKey: creds.CloudAPIKey,
		} {
			if err := s.store.insertCredential(ctx, tx, a.ID, kind, secret.Hash(value), secret.Hint(value), now); err != nil {
				return err
			}
		}
		creds.WebhookSecret, err = s.issueWebhookSecret(ctx, tx, a.ID)
		return err
	})
	if err != nil {
		return App{}, Credentials{}, err
	}
	return a, creds, nil
}

var errBadClient = fault.Unauthorized("invalid_client", "client authentication failed")

// AuthenticateClient checks an OAuth client id and secret. Every live
// secret is compared in constant time, so a rotated secret keeps working
// during its grace period.
func (s *Service) AuthenticateClient(ctx context.Context, clientID, clientSecret string) (App, error) {
	a, err := s.store.appByClientID(ctx, clientID)
	if errors.Is(err, fault.ErrNotFound) {
		return App{}, errBadClient
	}
	if err != nil {
		return App{}, err
	}
	hashes, err := s.store.credentialHashes(ctx, a.ID, CredClientSecret, s.now())
	if err != nil {
		return App{}, err
	}
	ok := false
	for _, h := range hashes {
		if secret.Matches(clientSecret, h) {
			ok = true
		}
	}
	if !ok || a.Status != AppActive {
		return App{}, errBadClient
	}
	return a, nil
}

// AppByKey finds the app owning an API key of the given kind. Only an
// active app's keys work, except its admin API key: that one keeps working
// while the app is suspended or inactive, so that the app can be
// reactivated through the admin API.
func (s *Service) AppByKey(ctx context.Context, kind CredentialKind, key string) (App, error) {
	bad := fault.Unauthorized("unauthorized", "invalid API key")
	if key == "" {
		return App{}, bad
	}
	h := secret.Hash(key)
	appID, stored, status, err := s.store.credentialOwner(ctx, kind, h, s.now())
	if errors.Is(err, fault.ErrNotFound) {
		return App{}, bad
	}
	if err != nil {
		return App{}, err
	}
	if !secret.Equal(h, stored) || status != AppActive && kind != CredAPIKey {
		return App{}, bad
	}
	return s.store.appByID(ctx, appID)
}

// AppByClientID loads an app by its public client id, whatever its status.
func (s *Service) AppByClientID(ctx context.Context, clientID string) (App, error) {
	return s.store.appByClientID(ctx, clientID)
}

// AppPatch holds the settings of an app a partner may change; nil fields
// are left as they are.
type AppPatch struct {
	Name             *string
	Description      *string
	WebhookURL       *string // "" clears it
	Slug             *string
	DefaultToolkitID *string
	Status           *AppStatus
	WebhookEnabled   *bool
	// ProvisionUsers turns on creating unknown users who sign in by email
	// code, in the app's first organization.
	ProvisionUsers *bool
	// WebhookFilter replaces the filter when SetFilter is true; nil removes it.
	WebhookFilter *WebhookFilter
	SetFilter     bool
}

// UpdateApp applies a patch to an app after validating it.
func (s *Service) UpdateApp(ctx context.Context, appID int64, p AppPatch) (App, error) {
	a, err := s.store.appByID(ctx, appID)
	if err != nil {
		return App{}, err
	}
	if p.Name != nil {
		if a.Name, err = validName("name", *p.Name, 255); err != nil {
			return App{}, err
		}
	}
	if p.Description != nil {
		if len(*p.Description) > 1000 {
			return App{}, fault.Invalid("description", "validation_error", "description is longer than 1000 characters")
		}
		a.Description = *p.Description
	}
	if p.WebhookURL != nil {
		if err := validateWebhookURL(ctx, *p.WebhookURL, s.allowPrivateURLs); err != nil {
			return App{}, err
		}
		a.WebhookURL = *p.WebhookURL
	}
	if p.Slug != nil {
		if err := validateSlug(*p.Slug); err != nil {
			return App{}, err
		}
		a.Slug = *p.Slug
	}
	if p.DefaultToolkitID != nil {
		a.DefaultToolkitID = *p.DefaultToolkitID
	}
	if p.Status != nil {
		switch *p.Status {
		case AppActive, AppSuspended, AppInactive:
			a.Status = *p.Status
		default:
			return App{}, fault.Invalid("status", "invalid_status", "status must be active, suspended or inactive")
		}
	}
	if p.WebhookEnabled != nil {
		a.WebhookEnabled = *p.WebhookEnabled
	}
	if p.ProvisionUsers != nil {
		a.ProvisionUsers = *p.ProvisionUsers
	}
	if p.SetFilter {
		if p.WebhookFilter != nil {
			if err := validateFilter(p.WebhookFilter); err != nil {
				return App{}, err
			}
		}
		a.WebhookFilter = p.WebhookFilter
	}
	a.UpdatedAt = s.now()
	if err := s.store.updateApp(ctx, &a); err != nil {
		return App{}, err
	}
	return a, nil
}

// LinkApp links an app to one more organization, whose members can then
// authorize it.
func (s *Service) LinkApp(ctx context.Context, appID, orgID int64) error {
	if _, err := s.store.orgByID(ctx, orgID); err != nil {
		return err
	}
	if _, err := s.store.appByID(ctx, appID); err != nil {
		return err
	}
	return s.store.linkApp(ctx, appID, orgID)
}
