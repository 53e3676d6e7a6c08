-- +goose Up
-- Topics choose a meeting's language and context in the Meetings API.
CREATE TABLE meeting_topics (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    alias      TEXT NOT NULL DEFAULT '',
    language   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, name)
);

ALTER TABLE meetings ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN from_calendar BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE meetings ADD COLUMN calendar_snapshot TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN topic_id BIGINT REFERENCES meeting_topics (id) ON DELETE SET NULL;
ALTER TABLE meetings ADD COLUMN speaker_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE meetings ADD COLUMN source_url TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN bot_meeting_url TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN bot_join_at TIMESTAMPTZ;
ALTER TABLE meetings ADD COLUMN recording_format TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN recording_seconds DOUBLE PRECISION;
CREATE INDEX meetings_org_start_idx ON meetings (org_id, start_time);

-- Meetings API credentials: client-credentials access tokens of apps and
-- users' personal tokens, both stored as hashes.
CREATE TABLE api_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    app_id     BIGINT REFERENCES apps (id) ON DELETE CASCADE,
    user_id    BIGINT REFERENCES users (id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

-- Metered work, one row per unit of work as it happens.
CREATE TABLE usage_records (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    capability  TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX usage_records_org_idx ON usage_records (org_id, capability, recorded_at);

CREATE TABLE usage_quotas (
    org_id     BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    capability TEXT NOT NULL,
    quota      BIGINT NOT NULL,
    PRIMARY KEY (org_id, capability)
);

-- +goose Down
DROP TABLE usage_quotas;
DROP TABLE usage_records;
DROP TABLE api_tokens;
DROP INDEX meetings_org_start_idx;
ALTER TABLE meetings DROP COLUMN recording_seconds;
ALTER TABLE meetings DROP COLUMN recording_format;
ALTER TABLE meetings DROP COLUMN bot_join_at;
ALTER TABLE meetings DROP COLUMN bot_meeting_url;
ALTER TABLE meetings DROP COLUMN source_url;
ALTER TABLE meetings DROP COLUMN speaker_count;
ALTER TABLE meetings DROP COLUMN topic_id;
ALTER TABLE meetings DROP COLUMN calendar_snapshot;
ALTER TABLE meetings DROP COLUMN from_calendar;
ALTER TABLE meetings DROP COLUMN location;
DROP TABLE meeting_topics;
