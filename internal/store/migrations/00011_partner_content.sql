-- +goose Up
-- Context documents are files a partner app attaches to a meeting. The bytes
-- live in the blob store under blob_key; the text extracted from them lives
-- in a documents row (document_id, same uuid) so that search and the agent
-- read it like any other document. Each app sees only its own uploads.
CREATE TABLE context_documents (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    org_id             BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id         BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    app_id             BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    created_by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    title              TEXT NOT NULL,
    context_type       TEXT NOT NULL DEFAULT '',
    source_format      TEXT NOT NULL,
    filename           TEXT NOT NULL,
    content_type       TEXT NOT NULL,
    size_bytes         BIGINT NOT NULL,
    sha256             TEXT NOT NULL,
    blob_key           TEXT NOT NULL,
    file_status        TEXT NOT NULL,
    document_id        BIGINT REFERENCES documents (id) ON DELETE SET NULL,
    report             TEXT NOT NULL DEFAULT '',
    processed_at       TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    deleted_at         TIMESTAMPTZ
);
CREATE INDEX context_documents_meeting_idx ON context_documents (org_id, meeting_id, app_id, created_at);

-- A chat session belongs to one user of one app, optionally about one
-- meeting. Turns queue per session and are answered one at a time.
CREATE TABLE chat_sessions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    org_id           BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    app_id           BIGINT NOT NULL,
    user_id          BIGINT NOT NULL,
    user_ref         TEXT NOT NULL DEFAULT '',
    meeting_id       BIGINT REFERENCES meetings (id) ON DELETE CASCADE,
    status           TEXT NOT NULL,
    title            TEXT,
    metadata         TEXT NOT NULL DEFAULT '{}',
    document_ids     TEXT NOT NULL DEFAULT '[]',
    turn_count       INTEGER NOT NULL DEFAULT 0,
    last_activity_at TIMESTAMPTZ NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX chat_sessions_owner_idx ON chat_sessions (org_id, app_id, user_id, created_at);
CREATE INDEX chat_sessions_activity_idx ON chat_sessions (status, last_activity_at);

-- User turns have odd sequence numbers; the agent's answer to user turn n
-- is turn n+1.
CREATE TABLE chat_turns (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    session_id      BIGINT NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
    sequence_number INTEGER NOT NULL,
    role            TEXT NOT NULL,
    content         TEXT NOT NULL,
    status          TEXT NOT NULL,
    error_code      TEXT NOT NULL DEFAULT '',
    error_message   TEXT NOT NULL DEFAULT '',
    agent_metadata  TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    completed_at    TIMESTAMPTZ,
    UNIQUE (session_id, sequence_number)
);

-- Which finished turns a caller has already been shown (include=undelivered).
CREATE TABLE chat_turn_deliveries (
    turn_id      BIGINT NOT NULL REFERENCES chat_turns (id) ON DELETE CASCADE,
    caller_key   TEXT NOT NULL,
    delivered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (turn_id, caller_key)
);

-- +goose Down
DROP TABLE chat_turn_deliveries;
DROP TABLE chat_turns;
DROP TABLE chat_sessions;
DROP TABLE context_documents;
