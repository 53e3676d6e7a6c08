package sso

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

type sqlStore struct{ db *store.DB }

const configColumns = `c.id, c.uuid, c.app_id, a.uuid, c.org_id, c.name, c.discovery_url, c.client_id, c.client_secret_sealed,
	c.scopes, c.claim_mappings, c.mode, c.allowed_email_domains, c.is_active, c.issuer, c.authorization_endpoint,
	c.token_endpoint, c.userinfo_endpoint, c.jwks_uri, c.signing_algs, c.discovery_last_fetched_at, c.created_at, c.updated_at`

func scanConfig(row interface{ Scan(...any) error }) (Config, error) {
	var c Config
	var scopes, mappings, algs string
	var domains, issuer, authz, token, userinfo, jwks sql.NullString
	var fetched sql.NullTime
	err := row.Scan(&c.ID, &c.UUID, &c.AppID, &c.AppUUID, &c.OrgID, &c.Name, &c.DiscoveryURL, &c.ClientID, &c.sealedSecret,
		&scopes, &mappings, &c.Mode, &domains, &c.IsActive, &issuer, &authz, &token, &userinfo, &jwks, &algs, &fetched,
		&c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return Config{}, err
	}
	if err := json.Unmarshal([]byte(scopes), &c.Scopes); err != nil {
		return Config{}, fmt.Errorf("decode scopes of idp config %d: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(mappings), &c.ClaimMappings); err != nil {
		return Config{}, fmt.Errorf("decode claim mappings of idp config %d: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(algs), &c.signingAlgs); err != nil {
		return Config{}, fmt.Errorf("decode signing algorithms of idp config %d: %w", c.ID, err)
	}
	if domains.Valid {
		if err := json.Unmarshal([]byte(domains.String), &c.AllowedEmailDomains); err != nil {
			return Config{}, fmt.Errorf("decode domains of idp config %d: %w", c.ID, err)
		}
	}
	c.Issuer, c.AuthorizationEndpoint, c.TokenEndpoint = issuer.String, authz.String, token.String
	c.UserinfoEndpoint, c.JWKSURI, c.DiscoveryLastFetchedAt = userinfo.String, jwks.String, fetched.Time
	return c, nil
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sso: encode %T: %v", v, err))
	}
	return string(b)
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func domainsText(d []string) any {
	if d == nil {
		return nil
	}
	return jsonText(d)
}

func (s sqlStore) insertConfig(ctx context.Context, tx *sql.Tx, c *Config) error {
	algs := c.signingAlgs
	if algs == nil {
		algs = []string{}
	}
	err := s.db.TxQueryRow(ctx, tx, `INSERT INTO idp_configs (uuid, app_id, org_id, name, discovery_url, client_id, client_secret_sealed,
		scopes, claim_mappings, mode, allowed_email_domains, is_active, issuer, authorization_endpoint, token_endpoint,
		userinfo_endpoint, jwks_uri, signing_algs, discovery_last_fetched_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.UUID, c.AppID, c.OrgID, c.Name, c.DiscoveryURL, c.ClientID, c.sealedSecret, jsonText(c.Scopes), jsonText(c.ClaimMappings),
		string(c.Mode), domainsText(c.AllowedEmailDomains), c.IsActive, nullText(c.Issuer), nullText(c.AuthorizationEndpoint),
		nullText(c.TokenEndpoint), nullText(c.UserinfoEndpoint), nullText(c.JWKSURI), jsonText(algs),
		nullTime(c.DiscoveryLastFetchedAt), c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
	if store.IsUniqueViolation(err) {
		return fault.Conflict("idp_config_exists", "this app already has an IdP configuration; update or delete it")
	}
	if err != nil {
		return fmt.Errorf("insert idp config of app %d: %w", c.AppID, err)
	}
	return nil
}

// updateConfig writes every field of c; it is the first statement of an
// update's transaction, so concurrent updates of one app serialize on it.
func (s sqlStore) updateConfig(ctx context.Context, tx *sql.Tx, c *Config) error {
	algs := c.signingAlgs
	if algs == nil {
		algs = []string{}
	}
	res, err := s.db.TxExec(ctx, tx, `UPDATE idp_configs SET name = ?, discovery_url = ?, client_id = ?, client_secret_sealed = ?,
		scopes = ?, claim_mappings = ?, mode = ?, allowed_email_domains = ?, is_active = ?, issuer = ?, authorization_endpoint = ?,
		token_endpoint = ?, userinfo_endpoint = ?, jwks_uri = ?, signing_algs = ?, discovery_last_fetched_at = ?, updated_at = ?
		WHERE id = ? AND org_id = ? AND app_id = ?`,
		c.Name, c.DiscoveryURL, c.ClientID, c.sealedSecret, jsonText(c.Scopes), jsonText(c.ClaimMappings), string(c.Mode),
		domainsText(c.AllowedEmailDomains), c.IsActive, nullText(c.Issuer), nullText(c.AuthorizationEndpoint),
		nullText(c.TokenEndpoint), nullText(c.UserinfoEndpoint), nullText(c.JWKSURI), jsonText(algs),
		nullTime(c.DiscoveryLastFetchedAt), c.UpdatedAt, c.ID, c.OrgID, c.AppID)
	if err != nil {
		return fmt.Errorf("update idp config %d: %w", c.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFound("IdP configuration")
	}
	return nil
}

func (s sqlStore) config(ctx context.Context, where string, args ...any) (Config, error) {
	c, err := scanConfig(s.db.QueryRow(ctx, `SELECT `+configColumns+` FROM idp_configs c JOIN apps a ON a.id = c.app_id WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Config{}, fault.NotFound("IdP configuration")
	}
	if err != nil {
		return Config{}, fmt.Errorf("load idp config: %w", err)
	}
	return c, nil
}

// configOfApp loads the configuration of an app in its organization.
func (s sqlStore) configOfApp(ctx context.Context, orgID, appID int64) (Config, error) {
	return s.config(ctx, `c.org_id = ? AND c.app_id = ?`, orgID, appID)
}

// configForSignIn loads an app's configuration for its sign-in page,
// where the app (not a tenant's caller) is all that is known.
func (s sqlStore) configForSignIn(ctx context.Context, appID int64) (Config, error) {
	return s.config(ctx, `c.app_id = ?`, appID)
}

func (s sqlStore) deleteConfig(ctx context.Context, tx *sql.Tx, orgID, appID int64) error {
	res, err := s.db.TxExec(ctx, tx, `DELETE FROM idp_configs WHERE org_id = ? AND app_id = ?`, orgID, appID)
	if err != nil {
		return fmt.Errorf("delete idp config of app %d: %w", appID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fault.NotFound("IdP configuration")
	}
	return nil
}

// replaceClaims makes domains the configuration's claims; a domain another
// configuration holds fails with claimed(domain).
func (s sqlStore) replaceClaims(ctx context.Context, tx *sql.Tx, configID int64, domains []string, claimed func(string) error) error {
	if _, err := s.db.TxExec(ctx, tx, `DELETE FROM idp_domain_claims WHERE config_id = ?`, configID); err != nil {
		return fmt.Errorf("clear domain claims of idp config %d: %w", configID, err)
	}
	for _, d := range domains {
		_, err := s.db.TxExec(ctx, tx, `INSERT INTO idp_domain_claims (domain, config_id) VALUES (?, ?)`, d, configID)
		if store.IsUniqueViolation(err) {
			return claimed(d)
		}
		if err != nil {
			return fmt.Errorf("claim domain %s: %w", d, err)
		}
	}
	return nil
}

const verificationColumns = `domain, token, status, expires_at, verified_at`

func scanVerification(row interface{ Scan(...any) error }) (Verification, error) {
	var v Verification
	var expires, verified sql.NullTime
	if err := row.Scan(&v.Domain, &v.Token, &v.Status, &expires, &verified); err != nil {
		return Verification{}, err
	}
	v.ExpiresAt, v.VerifiedAt = expires.Time, verified.Time
	return v, nil
}

func notVerifying(domain string) error {
	return &fault.Error{Kind: fault.KindNotFound, Code: "not_found", Message: "no verification exists for " + domain}
}

// expire marks a pending challenge past its time as expired: the lazy
// expiry every read of a verification applies first.
func (s sqlStore) expire(ctx context.Context, orgID, appID int64, domain string, now time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE idp_domain_verifications SET status = 'expired', updated_at = ?
		WHERE org_id = ? AND app_id = ? AND domain = ? AND status = 'pending' AND expires_at <= ?`, now, orgID, appID, domain, now)
	if err != nil {
		return fmt.Errorf("expire verification of %s: %w", domain, err)
	}
	return nil
}

func (s sqlStore) verification(ctx context.Context, orgID, appID int64, domain string) (Verification, error) {
	v, err := scanVerification(s.db.QueryRow(ctx, `SELECT `+verificationColumns+` FROM idp_domain_verifications
		WHERE org_id = ? AND app_id = ? AND domain = ?`, orgID, appID, domain))
	if errors.Is(err, sql.ErrNoRows) {
		return Verification{}, notVerifying(domain)
	}
	if err != nil {
		return Verification{}, fmt.Errorf("load verification of %s: %w", domain, err)
	}
	return v, nil
}

// livePending counts an app's pending challenges that have not expired,
// other than domain's.
func (s sqlStore) livePending(ctx context.Context, tx *sql.Tx, orgID, appID int64, domain string, now time.Time) (int, error) {
	var n int
	err := s.db.TxQueryRow(ctx, tx, `SELECT COUNT(*) FROM idp_domain_verifications
		WHERE org_id = ? AND app_id = ? AND domain <> ? AND status = 'pending' AND expires_at > ?`, orgID, appID, domain, now).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pending verifications of app %d: %w", appID, err)
	}
	return n, nil
}

// challenge issues a new pending challenge for a domain, or rotates the
// one it has; a verified domain is left alone (ok false).
func (s sqlStore) challenge(ctx context.Context, tx *sql.Tx, orgID, appID int64, domain, token string, now, expires time.Time) (Verification, bool, error) {
	v, err := scanVerification(s.db.TxQueryRow(ctx, tx, `INSERT INTO idp_domain_verifications
		(app_id, org_id, domain, token, status, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)
		ON CONFLICT (app_id, domain) DO UPDATE SET token = excluded.token, status = 'pending', expires_at = excluded.expires_at,
			verified_at = NULL, checked_at = NULL, failure_reason = '', updated_at = excluded.updated_at
		WHERE idp_domain_verifications.status <> 'verified' AND idp_domain_verifications.org_id = excluded.org_id
		RETURNING `+verificationColumns, appID, orgID, domain, token, expires, now, now))
	if errors.Is(err, sql.ErrNoRows) {
		return Verification{}, false, nil
	}
	if err != nil {
		return Verification{}, false, fmt.Errorf("issue verification of %s: %w", domain, err)
	}
	return v, true, nil
}

// markVerified turns a live pending challenge with this token into a
// verified domain; ok is false when it is no longer that challenge.
func (s sqlStore) markVerified(ctx context.Context, tx *sql.Tx, orgID, appID int64, domain, token string, now time.Time) (Verification, bool, error) {
	v, err := scanVerification(s.db.TxQueryRow(ctx, tx, `UPDATE idp_domain_verifications
		SET status = 'verified', verified_at = ?, expires_at = NULL, checked_at = ?, failure_reason = '', updated_at = ?
		WHERE org_id = ? AND app_id = ? AND domain = ? AND token = ? AND status = 'pending' AND expires_at > ?
		RETURNING `+verificationColumns, now, now, now, orgID, appID, domain, token, now))
	if errors.Is(err, sql.ErrNoRows) {
		return Verification{}, false, nil
	}
	if err != nil {
		return Verification{}, false, fmt.Errorf("mark %s verified: %w", domain, err)
	}
	return v, true, nil
}

// markChecked records a failed check of a challenge.
func (s sqlStore) markChecked(ctx context.Context, tx *sql.Tx, orgID, appID int64, domain, reason string, now time.Time) error {
	_, err := s.db.TxExec(ctx, tx, `UPDATE idp_domain_verifications SET checked_at = ?, failure_reason = ?, updated_at = ?
		WHERE org_id = ? AND app_id = ? AND domain = ? AND status <> 'verified'`, now, reason, now, orgID, appID, domain)
	if err != nil {
		return fmt.Errorf("record check of %s: %w", domain, err)
	}
	return nil
}

// verifiedDomains lists the domains an app has verified, in tx when one
// is given.
func (s sqlStore) verifiedDomains(ctx context.Context, tx *sql.Tx, orgID, appID int64) ([]string, error) {
	const q = `SELECT domain FROM idp_domain_verifications WHERE org_id = ? AND app_id = ? AND status = 'verified' ORDER BY domain`
	var rows *sql.Rows
	var err error
	if tx != nil {
		rows, err = s.db.TxQuery(ctx, tx, q, orgID, appID)
	} else {
		rows, err = s.db.Query(ctx, q, orgID, appID)
	}
	if err != nil {
		return nil, fmt.Errorf("list verified domains of app %d: %w", appID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// revokeAll deletes every verification of an app and returns the domains
// that were verified.
func (s sqlStore) revokeAll(ctx context.Context, tx *sql.Tx, orgID, appID int64) ([]string, error) {
	rows, err := s.db.TxQuery(ctx, tx, `DELETE FROM idp_domain_verifications WHERE org_id = ? AND app_id = ? RETURNING domain, status`, orgID, appID)
	if err != nil {
		return nil, fmt.Errorf("revoke verifications of app %d: %w", appID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		var st VerificationStatus
		if err := rows.Scan(&d, &st); err != nil {
			return nil, err
		}
		if st == Verified {
			out = append(out, d)
		}
	}
	return out, rows.Err()
}

// loginRow is a sign-in in flight.
type loginRow struct {
	ConfigID int64
	AppID    int64
	Nonce    string
	Email    string
	Request  string
}

func (s sqlStore) insertLogin(ctx context.Context, stateHash, browserHash string, r loginRow, now, expires time.Time) error {
	_, err := s.db.Exec(ctx, `INSERT INTO sso_logins (state_hash, browser_hash, config_id, app_id, nonce, email, request, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, stateHash, browserHash, r.ConfigID, r.AppID, r.Nonce, r.Email, r.Request, now, expires)
	if err != nil {
		return fmt.Errorf("record sso sign-in: %w", err)
	}
	return nil
}

// consumeLogin takes a sign-in in flight once, and only from the browser
// that began it.
func (s sqlStore) consumeLogin(ctx context.Context, stateHash, browserHash string, now time.Time) (loginRow, bool, error) {
	var r loginRow
	err := s.db.ExecRow(ctx, `UPDATE sso_logins SET used_at = ?
		WHERE state_hash = ? AND browser_hash = ? AND used_at IS NULL AND expires_at > ?
		RETURNING config_id, app_id, nonce, email, request`, now, stateHash, browserHash, now).
		Scan(&r.ConfigID, &r.AppID, &r.Nonce, &r.Email, &r.Request)
	if errors.Is(err, sql.ErrNoRows) {
		return loginRow{}, false, nil
	}
	if err != nil {
		return loginRow{}, false, fmt.Errorf("consume sso sign-in: %w", err)
	}
	return r, true, nil
}

func (s sqlStore) configByID(ctx context.Context, id, appID int64) (Config, error) {
	return s.config(ctx, `c.id = ? AND c.app_id = ?`, id, appID)
}

func (s sqlStore) purgeLogins(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.Exec(ctx, `DELETE FROM sso_logins WHERE expires_at < ?`, before)
	if err != nil {
		return 0, fmt.Errorf("purge sso sign-ins: %w", err)
	}
	return res.RowsAffected()
}
