-- +goose Up
CREATE TABLE organizations (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    email          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT,
    given_name     TEXT NOT NULL DEFAULT '',
    family_name    TEXT NOT NULL DEFAULT '',
    picture        TEXT NOT NULL DEFAULT '',
    locale         TEXT NOT NULL DEFAULT '',
    phone_number   TEXT NOT NULL DEFAULT '',
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    org_id     BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE apps (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                  TEXT NOT NULL UNIQUE,
    client_id             TEXT NOT NULL UNIQUE,
    name                  TEXT NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    company_name          TEXT NOT NULL DEFAULT '',
    primary_contact_email TEXT NOT NULL DEFAULT '',
    slug                  TEXT UNIQUE,
    status                TEXT NOT NULL DEFAULT 'active',
    webhook_url           TEXT,
    webhook_enabled       BOOLEAN NOT NULL DEFAULT TRUE,
    webhook_filter        TEXT,
    default_toolkit_id    TEXT,
    redirect_uris         TEXT NOT NULL DEFAULT '[]',
    scopes                TEXT NOT NULL DEFAULT '[]',
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);

CREATE TABLE app_orgs (
    app_id BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    PRIMARY KEY (app_id, org_id)
);

CREATE TABLE app_credentials (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id       BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);
CREATE INDEX app_credentials_app_idx ON app_credentials (app_id, kind);

CREATE TABLE oauth_codes (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code_hash             TEXT NOT NULL UNIQUE,
    family_id             TEXT NOT NULL,
    app_id                BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id               BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id                BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    redirect_uri          TEXT NOT NULL,
    scope                 TEXT NOT NULL,
    code_challenge        TEXT NOT NULL DEFAULT '',
    code_challenge_method TEXT NOT NULL DEFAULT '',
    expires_at            TIMESTAMPTZ NOT NULL,
    used_at               TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL
);

CREATE TABLE oauth_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    family_id  TEXT NOT NULL,
    app_id     BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id    BIGINT REFERENCES users (id) ON DELETE CASCADE,
    org_id     BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    rotated_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX oauth_tokens_family_idx ON oauth_tokens (family_id);
CREATE INDEX oauth_tokens_user_idx ON oauth_tokens (app_id, user_id);

CREATE TABLE consents (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    app_id     BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (app_id, user_id)
);

CREATE TABLE auth_challenges (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session    TEXT NOT NULL UNIQUE,
    app_id     BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE idempotency_keys (
    scope           TEXT NOT NULL,
    idem_key        TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    status          INTEGER NOT NULL DEFAULT 0,
    content_type    TEXT NOT NULL DEFAULT '',
    body            BYTEA,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE auth_challenges;
DROP TABLE consents;
DROP TABLE oauth_tokens;
DROP TABLE oauth_codes;
DROP TABLE app_credentials;
DROP TABLE app_orgs;
DROP TABLE apps;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE organizations;
