-- +goose Up
-- An app's automations: when an event of one of the app's workspaces
-- matches trigger_type, its actions (a JSON array of {type, config}) run as
-- a durable job. status is active or inactive.
CREATE TABLE automations (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    app_id       BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    trigger_type TEXT NOT NULL,
    actions      TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX automations_app_idx ON automations (app_id, created_at);
CREATE INDEX automations_trigger_idx ON automations (trigger_type, status);

-- One run per automation and outbox event, whichever job gets there
-- first: the unique pair is what makes an event trigger an automation once.
-- step counts the actions done; each is recorded by a conditional write on
-- it, so a re-run job resumes after the last action it finished. status is
-- pending, succeeded, skipped (a phrase filter did not match) or failed.
CREATE TABLE automation_runs (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    automation_id BIGINT NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    event_id      BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    org_id        BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    status        TEXT NOT NULL,
    step          BIGINT NOT NULL DEFAULT 0,
    matches       TEXT NOT NULL DEFAULT '[]',
    error_message TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    UNIQUE (automation_id, event_id)
);
CREATE INDEX automation_runs_org_idx ON automation_runs (org_id, created_at);

-- An action item assigned to an automation by one of its runs' actions.
-- The row is claimed before the item is created, and the item carries the
-- assignment's uuid in its source, so a re-run finds what it made.
CREATE TABLE automation_assignments (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    automation_id    BIGINT NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    run_id           BIGINT NOT NULL REFERENCES automation_runs (id) ON DELETE CASCADE,
    step             BIGINT NOT NULL,
    org_id           BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    action_item_uuid TEXT NOT NULL DEFAULT '',
    meeting_uuid     TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (run_id, step)
);

-- A rotated credential's way back: the hash of a single-use token that
-- restores old_credential_id and retires new_credential_id until
-- expires_at. used_at is set by the one conditional write that spends it.
CREATE TABLE credential_rollbacks (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash        TEXT NOT NULL UNIQUE,
    app_id            BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL,
    old_credential_id BIGINT NOT NULL REFERENCES app_credentials (id) ON DELETE CASCADE,
    new_credential_id BIGINT NOT NULL REFERENCES app_credentials (id) ON DELETE CASCADE,
    expires_at        TIMESTAMPTZ NOT NULL,
    used_at           TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX credential_rollbacks_app_idx ON credential_rollbacks (app_id, kind);

-- The audit history of an app's credentials (rotations, rollbacks). It
-- also counts rotations for the rate limit.
CREATE TABLE credential_events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    app_id       BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    action       TEXT NOT NULL,
    initiated_by TEXT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip_address   TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    metadata     TEXT NOT NULL DEFAULT '{}',
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX credential_events_app_idx ON credential_events (app_id, created_at);
CREATE INDEX credential_events_kind_idx ON credential_events (app_id, kind, action, created_at);

-- +goose Down
DROP TABLE credential_events;
DROP TABLE credential_rollbacks;
DROP TABLE automation_assignments;
DROP TABLE automation_runs;
DROP TABLE automations;
