-- +goose Up
CREATE TABLE cloud_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    app_id     BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    org_id     BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_ref   TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE meetings (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    org_id             BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title              TEXT NOT NULL,
    language           TEXT NOT NULL DEFAULT '',
    room_name          TEXT NOT NULL DEFAULT '',
    start_time         TIMESTAMPTZ,
    created_by         TEXT NOT NULL DEFAULT '',
    transcript_version INTEGER NOT NULL DEFAULT 0,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX meetings_org_idx ON meetings (org_id, created_at);

CREATE TABLE transcript_segments (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    speaker    TEXT NOT NULL,
    text       TEXT NOT NULL,
    start_sec  DOUBLE PRECISION NOT NULL DEFAULT 0,
    end_sec    DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (meeting_id, position)
);

CREATE TABLE documents (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    org_id     BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id BIGINT REFERENCES meetings (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    content    TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX documents_org_idx ON documents (org_id);

CREATE TABLE meeting_summaries (
    meeting_id         BIGINT PRIMARY KEY REFERENCES meetings (id) ON DELETE CASCADE,
    transcript_version INTEGER NOT NULL,
    body               TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL
);

-- Search chunks are derived from transcripts and documents by the indexing
-- job; search_versions tells every replica which sources changed.
CREATE TABLE search_chunks (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    source_id     BIGINT NOT NULL,
    ordinal       INTEGER NOT NULL,
    segment_start INTEGER NOT NULL DEFAULT 0,
    segment_end   INTEGER NOT NULL DEFAULT 0,
    speaker       TEXT NOT NULL DEFAULT '',
    speakers      TEXT NOT NULL DEFAULT '',
    start_sec     DOUBLE PRECISION NOT NULL DEFAULT 0,
    end_sec       DOUBLE PRECISION NOT NULL DEFAULT 0,
    text          TEXT NOT NULL,
    vector        BYTEA NOT NULL
);
CREATE INDEX search_chunks_source_idx ON search_chunks (source, source_id);
CREATE INDEX search_chunks_org_idx ON search_chunks (org_id);

CREATE TABLE search_versions (
    org_id    BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source    TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    version   BIGINT NOT NULL,
    PRIMARY KEY (source, source_id)
);
CREATE INDEX search_versions_version_idx ON search_versions (version);

CREATE TABLE response_contexts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    response_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, response_id)
);

CREATE TABLE mood_samples (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    context_id     BIGINT NOT NULL REFERENCES response_contexts (id) ON DELETE CASCADE,
    participant_id TEXT NOT NULL,
    mood           TEXT NOT NULL,
    sentiment      DOUBLE PRECISION NOT NULL,
    confidence     DOUBLE PRECISION NOT NULL DEFAULT 1,
    sampled_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX mood_samples_context_idx ON mood_samples (context_id, sampled_at);

-- +goose Down
DROP TABLE mood_samples;
DROP TABLE response_contexts;
DROP TABLE search_versions;
DROP TABLE search_chunks;
DROP TABLE meeting_summaries;
DROP TABLE documents;
DROP TABLE transcript_segments;
DROP TABLE meetings;
DROP TABLE cloud_tokens;
