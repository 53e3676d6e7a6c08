-- +goose Up
-- media_imports is the media pipeline's state of a meeting: the file it
-- imports (or imported), where it is stored, what it is, and how far the
-- import got. One row per meeting: a new import replaces the last.
CREATE TABLE media_imports (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id   BIGINT NOT NULL UNIQUE REFERENCES meetings (id) ON DELETE CASCADE,
    app_id       BIGINT NOT NULL DEFAULT 0,
    source_url   TEXT NOT NULL,
    blob_key     TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    size_bytes   BIGINT NOT NULL DEFAULT 0,
    kind         TEXT NOT NULL DEFAULT '',
    format       TEXT NOT NULL DEFAULT '',
    duration_sec DOUBLE PRECISION NOT NULL DEFAULT 0,
    status       TEXT NOT NULL,
    error        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX media_imports_org_idx ON media_imports (org_id, meeting_id);

-- meeting_bots are the bots scheduled to join meetings: dispatched_at is
-- set by the one replica that claims the bot, provider_bot_id once the
-- provider created it.
CREATE TABLE meeting_bots (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id      BIGINT NOT NULL UNIQUE REFERENCES meetings (id) ON DELETE CASCADE,
    app_id          BIGINT NOT NULL DEFAULT 0,
    meeting_url     TEXT NOT NULL,
    join_at         TIMESTAMPTZ NOT NULL,
    dispatched_at   TIMESTAMPTZ,
    provider_bot_id TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'scheduled',
    error           TEXT NOT NULL DEFAULT '',
    done_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX meeting_bots_due_idx ON meeting_bots (dispatched_at, join_at);
CREATE INDEX meeting_bots_provider_idx ON meeting_bots (provider_bot_id);

-- bot_webhook_deliveries remembers the provider's idempotency keys, so a
-- redelivered webhook is applied once.
CREATE TABLE bot_webhook_deliveries (
    idempotency_key TEXT NOT NULL PRIMARY KEY,
    received_at     TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE bot_webhook_deliveries;
DROP TABLE meeting_bots;
DROP TABLE media_imports;
