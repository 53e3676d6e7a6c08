-- +goose Up
-- An app's OpenID Connect identity provider: at most one per app. The
-- client secret is sealed with the server key (QUORUM_SECRET_KEY); the
-- discovered endpoints are kept so a sign-in does not fetch discovery.
CREATE TABLE idp_configs (
    id                        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                      TEXT NOT NULL UNIQUE,
    app_id                    BIGINT NOT NULL UNIQUE REFERENCES apps (id) ON DELETE CASCADE,
    org_id                    BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                      TEXT NOT NULL,
    discovery_url             TEXT NOT NULL,
    client_id                 TEXT NOT NULL,
    client_secret_sealed      BYTEA NOT NULL,
    scopes                    TEXT NOT NULL,
    claim_mappings            TEXT NOT NULL,
    mode                      TEXT NOT NULL,
    allowed_email_domains     TEXT,
    is_active                 BOOLEAN NOT NULL DEFAULT TRUE,
    issuer                    TEXT,
    authorization_endpoint    TEXT,
    token_endpoint            TEXT,
    userinfo_endpoint         TEXT,
    jwks_uri                  TEXT,
    signing_algs              TEXT NOT NULL DEFAULT '[]',
    discovery_last_fetched_at TIMESTAMPTZ,
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL
);
CREATE INDEX idp_configs_org_idx ON idp_configs (org_id);

-- A domain is claimed by at most one configuration, whichever app's.
CREATE TABLE idp_domain_claims (
    domain    TEXT NOT NULL PRIMARY KEY,
    config_id BIGINT NOT NULL REFERENCES idp_configs (id) ON DELETE CASCADE
);
CREATE INDEX idp_domain_claims_config_idx ON idp_domain_claims (config_id);

-- DNS TXT ownership challenges, one per app and domain.
CREATE TABLE idp_domain_verifications (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id         BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    org_id         BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain         TEXT NOT NULL,
    token          TEXT NOT NULL,
    status         TEXT NOT NULL,
    expires_at     TIMESTAMPTZ,
    verified_at    TIMESTAMPTZ,
    checked_at     TIMESTAMPTZ,
    failure_reason TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (app_id, domain)
);
CREATE INDEX idp_domain_verifications_org_idx ON idp_domain_verifications (org_id);

-- A sign-in through an identity provider in flight, from the authorize page
-- to the provider's callback: consumed once, bound to the browser that began it.
CREATE TABLE sso_logins (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state_hash   TEXT NOT NULL UNIQUE,
    browser_hash TEXT NOT NULL,
    config_id    BIGINT NOT NULL REFERENCES idp_configs (id) ON DELETE CASCADE,
    app_id       BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    nonce        TEXT NOT NULL,
    email        TEXT NOT NULL,
    request      TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ
);
CREATE INDEX sso_logins_expires_idx ON sso_logins (expires_at);

-- +goose Down
DROP TABLE sso_logins;
DROP TABLE idp_domain_verifications;
DROP TABLE idp_domain_claims;
DROP TABLE idp_configs;
