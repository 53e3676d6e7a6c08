-- +goose Up
CREATE TABLE action_items (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    org_id       BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id   BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    owner        TEXT NOT NULL DEFAULT '',
    due_date     TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'pending',
    source       TEXT NOT NULL DEFAULT 'user',
    completed_at TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX action_items_meeting_idx ON action_items (meeting_id, created_at);

CREATE TABLE agent_runs (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    org_id     BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    message    TEXT NOT NULL,
    reply      TEXT NOT NULL,
    model      TEXT NOT NULL,
    steps      INTEGER NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX agent_runs_meeting_idx ON agent_runs (meeting_id, created_at);

CREATE TABLE agent_tool_calls (
    run_id      BIGINT NOT NULL REFERENCES agent_runs (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    name        TEXT NOT NULL,
    arguments   TEXT NOT NULL,
    result      TEXT NOT NULL,
    status      TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- +goose Down
DROP TABLE agent_tool_calls;
DROP TABLE agent_runs;
DROP TABLE action_items;
