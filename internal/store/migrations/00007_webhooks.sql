-- +goose Up
-- The outbox: one row per domain event, written in the transaction of the
-- change that caused it. A fan-out job turns it into deliveries.
CREATE TABLE events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    org_id        BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- app_id is the app whose credential caused the event; with app_only
    -- the event is delivered to that app alone, otherwise to every app
    -- linked to the organization.
    app_id        BIGINT REFERENCES apps (id) ON DELETE SET NULL,
    app_only      BOOLEAN NOT NULL DEFAULT FALSE,
    type          TEXT NOT NULL,
    actor_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    for_user_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    occurred_at   TIMESTAMPTZ NOT NULL,
    payload       TEXT NOT NULL,
    fanned_out_at TIMESTAMPTZ
);
CREATE INDEX events_org_idx ON events (org_id, occurred_at);
CREATE INDEX events_fanout_idx ON events (fanned_out_at, occurred_at);

-- A subscription receives events over HTTP. org_id NULL is an app's own
-- Partner webhook: its URL, on/off switch and filter are the app's columns
-- (webhook_url, webhook_enabled, webhook_filter) and it covers every
-- organization linked to the app. org_id set is an endpoint of one
-- organization with its own URL, switch and event list.
CREATE TABLE webhook_subscriptions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    app_id           BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    org_id           BIGINT REFERENCES organizations (id) ON DELETE CASCADE,
    scheme           TEXT NOT NULL,
    url              TEXT NOT NULL DEFAULT '',
    events           TEXT NOT NULL DEFAULT '[]',
    description      TEXT NOT NULL DEFAULT '',
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    -- secret is sealed with AES-GCM (QUORUM_SECRET_KEY): it must be usable
    -- to sign, so it cannot be hashed.
    secret           BYTEA NOT NULL,
    secret_hint      TEXT NOT NULL DEFAULT '',
    abandoned_streak BIGINT NOT NULL DEFAULT 0,
    failing_since    TIMESTAMPTZ,
    last_success_at  TIMESTAMPTZ,
    last_failure     TEXT NOT NULL DEFAULT '',
    disabled_reason  TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_subscriptions_app_idx ON webhook_subscriptions (app_id, org_id);
CREATE INDEX webhook_subscriptions_org_idx ON webhook_subscriptions (org_id);

-- One delivery per (subscription, event); its id and the event's id stay
-- the same across every attempt. status is pending (not yet attempted, or
-- held while the subscription is off: then next_attempt_at is NULL),
-- failed (an attempt failed, another is scheduled), delivered or abandoned.
CREATE TABLE webhook_deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id        BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    app_id          BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    org_id          BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    event_type      TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    failures        BIGINT NOT NULL DEFAULT 0,
    -- schedule_pos is the index in the retry schedule of the next attempt.
    schedule_pos    BIGINT NOT NULL DEFAULT 0,
    -- gen starts a new generation when a retry, a resume or the sweep
    -- queues a new job; a job of an older generation stops.
    gen             BIGINT NOT NULL DEFAULT 0,
    http_status     BIGINT,
    error_message   TEXT NOT NULL DEFAULT '',
    next_attempt_at TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_app_idx ON webhook_deliveries (app_id, created_at);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_sub_idx ON webhook_deliveries (subscription_id, status);

-- Every attempt of a delivery, as sent and as answered.
CREATE TABLE webhook_attempts (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id      BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt          BIGINT NOT NULL,
    status           TEXT NOT NULL,
    http_status      BIGINT,
    duration_ms      BIGINT NOT NULL,
    error_message    TEXT NOT NULL DEFAULT '',
    response_snippet TEXT NOT NULL DEFAULT '',
    next_attempt_at  TIMESTAMPTZ,
    started_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (delivery_id, attempt)
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
DROP TABLE events;
