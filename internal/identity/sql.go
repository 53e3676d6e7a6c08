package identity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/quorumhq/quorum/internal/fault"
	"github.com/quorumhq/quorum/internal/store"
)

// sqlStore is the SQL persistence of identities. Every query the service
// runs is here.
type sqlStore struct {
	db *store.DB
}

func (s sqlStore) insertOrg(ctx context.Context, tx *sql.Tx, o *Org) error {
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO organizations (uuid, name, created_at) VALUES (?, ?, ?) RETURNING id`,
		o.UUID, o.Name, o.CreatedAt).Scan(&o.ID)
	if err != nil {
		return fmt.Errorf("insert organization: %w", err)
	}
	return nil
}

// org loads an organization by id.
func (s sqlStore) orgByID(ctx context.Context, id int64) (Org, error) {
	return s.org(ctx, "id = ?", id)
}

// orgByUUID loads an organization by its public uuid.
func (s sqlStore) orgByUUID(ctx context.Context, id string) (Org, error) {
	return s.org(ctx, "uuid = ?", id)
}

func (s sqlStore) org(ctx context.Context, where string, arg any) (Org, error) {
	var o Org
	err := s.db.QueryRow(ctx, `SELECT id, uuid, name, created_at FROM organizations WHERE `+where, arg).
		Scan(&o.ID, &o.UUID, &o.Name, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Org{}, fault.NotFound("organization")
	}
	if err != nil {
		return Org{}, fmt.Errorf("load organization %v: %w", arg, err)
	}
	return o, nil
}

const userColumns = `id, uuid, email, name, password_hash, given_name, family_name, picture, locale, phone_number, email_verified, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (User, string, error) {
	var u User
	var hash sql.NullString
	err := row.Scan(&u.ID, &u.UUID, &u.Email, &u.Name, &hash, &u.GivenName, &u.FamilyName, &u.Picture,
		&u.Locale, &u.PhoneNumber, &u.EmailVerified, &u.CreatedAt, &u.UpdatedAt)
	u.HasPassword = hash.Valid && hash.String != ""
	return u, hash.String, err
}

func (s sqlStore) insertUser(ctx context.Context, tx *sql.Tx, u *User, passwordHash string) error {
	var hash any
	if passwordHash != "" {
		hash = passwordHash
	}
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO users (uuid, email, name, password_hash, given_name, family_name, email_verified, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.UUID, u.Email, u.Name, hash, u.GivenName, u.FamilyName, u.EmailVerified, u.CreatedAt, u.UpdatedAt).Scan(&u.ID)
	if store.IsUniqueViolation(err) {
		return fault.Conflict("resource_already_exists", "a user with email %s already exists", u.Email)
	}
	if err != nil {
		return fmt.Errorf("insert user %s: %w", u.Email, err)
	}
	return nil
}

func (s sqlStore) insertMembership(ctx context.Context, tx *sql.Tx, orgID, userID int64, role Role, now time.Time) error {
	_, err := s.db.TxExec(ctx, tx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`,
		orgID, userID, string(role), now)
	if err != nil {
		return fmt.Errorf("insert membership of user %d in org %d: %w", userID, orgID, err)
	}
	return nil
}

// user loads a user by id.
func (s sqlStore) user(ctx context.Context, id int64) (User, error) {
	u, _, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fault.NotFound("user")
	}
	if err != nil {
		return User{}, fmt.Errorf("load user %d: %w", id, err)
	}
	return u, nil
}

// userByEmail loads a user and its password hash by normalized email.
func (s sqlStore) userByEmail(ctx context.Context, email string) (User, string, error) {
	u, hash, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", fault.NotFound("user")
	}
	if err != nil {
		return User{}, "", fmt.Errorf("load user by email: %w", err)
	}
	return u, hash, nil
}

// memberships lists a user's organizations, oldest first.
func (s sqlStore) memberships(ctx context.Context, userID int64) ([]Membership, error) {
	rows, err := s.db.Query(ctx, `SELECT o.id, o.uuid, o.name, o.created_at, m.role
		FROM memberships m JOIN organizations o ON o.id = m.org_id
		WHERE m.user_id = ? ORDER BY m.created_at, o.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list memberships of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		var role string
		if err := rows.Scan(&m.Org.ID, &m.Org.UUID, &m.Org.Name, &m.Org.CreatedAt, &role); err != nil {
			return nil, fmt.Errorf("scan membership: %w", err)
		}
		m.Role = Role(role)
		out = append(out, m)
	}
	return out, rows.Err()
}

const appColumns = `id, uuid, client_id, name, description, company_name, primary_contact_email, slug, status,
	webhook_url, webhook_enabled, webhook_filter, default_toolkit_id, redirect_uris, scopes, provision_users, created_at, updated_at`

// scanApp reads appColumns, then any extra columns into extra.
func scanApp(row interface{ Scan(...any) error }, extra ...any) (App, error) {
	var a App
	var slug, webhookURL, filter, toolkit sql.NullString
	var status, redirects, scopes string
	err := row.Scan(append([]any{&a.ID, &a.UUID, &a.ClientID, &a.Name, &a.Description, &a.CompanyName, &a.PrimaryContactEmail,
		&slug, &status, &webhookURL, &a.WebhookEnabled, &filter, &toolkit, &redirects, &scopes, &a.ProvisionUsers, &a.CreatedAt, &a.UpdatedAt},
		extra...)...)
	if err != nil {
		return App{}, err
	}
	a.Slug, a.WebhookURL, a.DefaultToolkitID, a.Status = slug.String, webhookURL.String, toolkit.String, AppStatus(status)
	if filter.Valid && filter.String != "" {
		a.WebhookFilter = &WebhookFilter{}
		if err := json.Unmarshal([]byte(filter.String), a.WebhookFilter); err != nil {
			return App{}, fmt.Errorf("decode webhook filter of app %d: %w", a.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(redirects), &a.RedirectURIs); err != nil {
		return App{}, fmt.Errorf("decode redirect uris of app %d: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(scopes), &a.Scopes); err != nil {
		return App{}, fmt.Errorf("decode scopes of app %d: %w", a.ID, err)
	}
	return a, nil
}

func (s sqlStore) insertApp(ctx context.Context, tx *sql.Tx, a *App) error {
	redirects, _ := json.Marshal(a.RedirectURIs)
	scopes, _ := json.Marshal(a.Scopes)
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO apps (uuid, client_id, name, company_name, primary_contact_email, status,
		webhook_enabled, redirect_uris, scopes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.UUID, a.ClientID, a.Name, a.CompanyName, a.PrimaryContactEmail, string(a.Status), a.WebhookEnabled,
		string(redirects), string(scopes), a.CreatedAt, a.UpdatedAt).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("insert app %s: %w", a.Name, err)
	}
	for _, orgID := range a.OrgIDs {
		if _, err := s.db.TxExec(ctx, tx, `INSERT INTO app_orgs (app_id, org_id) VALUES (?, ?)`, a.ID, orgID); err != nil {
			return fmt.Errorf("link app %d to org %d: %w", a.ID, orgID, err)
		}
	}
	return nil
}

func (s sqlStore) insertCredential(ctx context.Context, tx *sql.Tx, appID int64, kind CredentialKind, hash, hint string, now time.Time) error {
	_, err := s.db.TxExec(ctx, tx, `INSERT INTO app_credentials (app_id, kind, secret_hash, hint, created_at) VALUES (?, ?, ?, ?, ?)`,
		appID, string(kind), hash, hint, now)
	if err != nil {
		return fmt.Errorf("insert %s of app %d: %w", kind, appID, err)
	}
	return nil
}

// app loads an app with its organizations in one query: a row per linked
// organization (one with a NULL org for an app linked to none).
func (s sqlStore) app(ctx context.Context, where string, arg any) (App, error) {
	rows, err := s.db.Query(ctx, `SELECT `+appColumns+`, app_orgs.org_id FROM apps LEFT JOIN app_orgs ON app_orgs.app_id = apps.id
		WHERE `+where+` ORDER BY app_orgs.org_id`, arg)
	if err != nil {
		return App{}, fmt.Errorf("load app: %w", err)
	}
	defer rows.Close()
	var a App
	found := false
	for rows.Next() {
		var org sql.NullInt64
		row, err := scanApp(rows, &org)
		if err != nil {
			return App{}, fmt.Errorf("scan app: %w", err)
		}
		if !found {
			a, found = row, true
		}
		if org.Valid {
			a.OrgIDs = append(a.OrgIDs, org.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return App{}, fmt.Errorf("load app: %w", err)
	}
	if !found {
		return App{}, fault.NotFound("app")
	}
	return a, nil
}

// appByID loads an app by its internal id.
func (s sqlStore) appByID(ctx context.Context, id int64) (App, error) {
	return s.app(ctx, "apps.id = ?", id)
}

// appByClientID loads an app by its OAuth client id.
func (s sqlStore) appByClientID(ctx context.Context, clientID string) (App, error) {
	return s.app(ctx, "apps.client_id = ?", clientID)
}

// credentialOwner finds the app owning a live credential with this hash,
// with the app's status.
func (s sqlStore) credentialOwner(ctx context.Context, kind CredentialKind, hash string, now time.Time) (int64, string, AppStatus, error) {
	var appID int64
	var stored, status string
	err := s.db.QueryRow(ctx, `SELECT c.app_id, c.secret_hash, a.status FROM app_credentials c JOIN apps a ON a.id = c.app_id
		WHERE c.kind = ? AND c.secret_hash = ? AND (c.expires_at IS NULL OR c.expires_at > ?)`, string(kind), hash, now).
		Scan(&appID, &stored, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", "", fault.NotFound("credential")
	}
	if err != nil {
		return 0, "", "", fmt.Errorf("look up %s: %w", kind, err)
	}
	return appID, stored, AppStatus(status), nil
}

// credentialHashes returns the live hashes of one kind of an app's
// credentials.
func (s sqlStore) credentialHashes(ctx context.Context, appID int64, kind CredentialKind, now time.Time) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT secret_hash FROM app_credentials
		WHERE app_id = ? AND kind = ? AND (expires_at IS NULL OR expires_at > ?)`, appID, string(kind), now)
	if err != nil {
		return nil, fmt.Errorf("load %s of app %d: %w", kind, appID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, fmt.Errorf("scan %s: %w", kind, err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// updateApp writes the mutable settings of an app.
func (s sqlStore) updateApp(ctx context.Context, a *App) error {
	var filter, slug, webhookURL, toolkit any
	if a.WebhookFilter != nil {
		b, _ := json.Marshal(a.WebhookFilter)
		filter = string(b)
	}
	if a.Slug != "" {
		slug = a.Slug
	}
	if a.WebhookURL != "" {
		webhookURL = a.WebhookURL
	}
	if a.DefaultToolkitID != "" {
		toolkit = a.DefaultToolkitID
	}
	_, err := s.db.Exec(ctx, `UPDATE apps SET name = ?, description = ?, slug = ?, status = ?, webhook_url = ?,
		webhook_enabled = ?, webhook_filter = ?, default_toolkit_id = ?, provision_users = ?, updated_at = ? WHERE id = ?`,
		a.Name, a.Description, slug, string(a.Status), webhookURL, a.WebhookEnabled, filter, toolkit, a.ProvisionUsers, a.UpdatedAt, a.ID)
	if store.IsUniqueViolation(err) {
		return fault.Conflict("resource_already_exists", "slug %q is taken", a.Slug)
	}
	if err != nil {
		return fmt.Errorf("update app %d: %w", a.ID, err)
	}
	return nil
}

// linkApp links an app to an organization; linking twice is a no-op.
func (s sqlStore) linkApp(ctx context.Context, appID, orgID int64) error {
	_, err := s.db.Exec(ctx, `INSERT INTO app_orgs (app_id, org_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, appID, orgID)
	if err != nil {
		return fmt.Errorf("link app %d to org %d: %w", appID, orgID, err)
	}
	return nil
}

// profile loads a user with its membership in one organization in one
// query; a user outside the organization is not found.
func (s sqlStore) profile(ctx context.Context, userID, orgID int64) (User, Membership, error) {
	var u User
	var m Membership
	var hash sql.NullString
	var role string
	err := s.db.QueryRow(ctx, `SELECT u.id, u.uuid, u.email, u.name, u.password_hash, u.given_name, u.family_name, u.picture,
		u.locale, u.phone_number, u.email_verified, u.created_at, u.updated_at, o.id, o.uuid, o.name, o.created_at, m.role
		FROM users u JOIN memberships m ON m.user_id = u.id JOIN organizations o ON o.id = m.org_id
		WHERE u.id = ? AND m.org_id = ?`, userID, orgID).
		Scan(&u.ID, &u.UUID, &u.Email, &u.Name, &hash, &u.GivenName, &u.FamilyName, &u.Picture, &u.Locale, &u.PhoneNumber,
			&u.EmailVerified, &u.CreatedAt, &u.UpdatedAt, &m.Org.ID, &m.Org.UUID, &m.Org.Name, &m.Org.CreatedAt, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, Membership{}, fault.NotFound("user")
	}
	if err != nil {
		return User{}, Membership{}, fmt.Errorf("load profile of user %d in org %d: %w", userID, orgID, err)
	}
	u.HasPassword = hash.Valid && hash.String != ""
	m.Role = Role(role)
	return u, m, nil
}

// appLinkedToOrg reports whether an app is linked to the organization with
// this public uuid.
func (s sqlStore) appLinkedToOrg(ctx context.Context, appID int64, orgUUID string) (bool, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM app_orgs ao JOIN organizations o ON o.id = ao.org_id
		WHERE ao.app_id = ? AND o.uuid = ?`, appID, orgUUID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check workspace of app %d: %w", appID, err)
	}
	return n > 0, nil
}
