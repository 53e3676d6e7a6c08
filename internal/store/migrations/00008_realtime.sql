-- +goose Up
-- Chat rooms exist per organization and name from their first message.
-- last_seq numbers a room's messages densely (1, 2, 3, ...): the stream's
-- event ids, so a client's Last-Event-ID names exactly what it has seen.
CREATE TABLE chat_rooms (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    last_seq        BIGINT NOT NULL DEFAULT 0,
    last_message_at TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE chat_messages (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    room_id     BIGINT NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    seq         BIGINT NOT NULL,
    sender_id   TEXT NOT NULL,
    sender_name TEXT NOT NULL DEFAULT '',
    text        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (room_id, seq)
);

-- The users who have sent messages to a room: their conversations.
CREATE TABLE chat_room_members (
    room_id      BIGINT NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
    org_id       BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_ref     TEXT NOT NULL,
    last_sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (room_id, user_ref)
);
CREATE INDEX chat_room_members_user_idx ON chat_room_members (org_id, user_ref);

-- Single-use tickets that let an SSE client open one stream without
-- putting its cloud token in a URL.
CREATE TABLE stream_tickets (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_hash TEXT NOT NULL UNIQUE,
    org_id      BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    app_id      BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_ref    TEXT NOT NULL,
    scope       TEXT NOT NULL,
    target      TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX stream_tickets_expires_idx ON stream_tickets (expires_at);

-- Rooms advertised for discovery by the users they target.
CREATE TABLE active_rooms (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id             BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name               TEXT NOT NULL,
    owner_id           TEXT NOT NULL,
    owner_display_name TEXT NOT NULL DEFAULT '',
    metadata           TEXT NOT NULL DEFAULT '{}',
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE active_room_targets (
    room_id  BIGINT NOT NULL REFERENCES active_rooms (id) ON DELETE CASCADE,
    org_id   BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_ref TEXT NOT NULL,
    PRIMARY KEY (room_id, user_ref)
);
CREATE INDEX active_room_targets_user_idx ON active_room_targets (org_id, user_ref);

-- Profiles carry the metadata that presence relationships compare.
CREATE TABLE cloud_profiles (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    profile_id TEXT NOT NULL,
    user_ref   TEXT NOT NULL,
    metadata   TEXT NOT NULL DEFAULT '{}',
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, profile_id)
);
CREATE INDEX cloud_profiles_user_idx ON cloud_profiles (org_id, user_ref);

-- +goose Down
DROP TABLE cloud_profiles;
DROP TABLE active_room_targets;
DROP TABLE active_rooms;
DROP TABLE stream_tickets;
DROP TABLE chat_room_members;
DROP TABLE chat_messages;
DROP TABLE chat_rooms;
