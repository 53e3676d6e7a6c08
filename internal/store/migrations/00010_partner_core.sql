-- +goose Up
-- Meetings as the Partner API plans them. A meeting imported through the
-- Cloud API is the same row; its transcript makes it completed.
ALTER TABLE meetings ADD COLUMN end_time TIMESTAMPTZ;
ALTER TABLE meetings ADD COLUMN status TEXT NOT NULL DEFAULT 'draft';
ALTER TABLE meetings ADD COLUMN detail_level TEXT NOT NULL DEFAULT 'STANDARD';
ALTER TABLE meetings ADD COLUMN is_instant BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE meetings ADD COLUMN template_id TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN created_by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE meetings ADD COLUMN completed_at TIMESTAMPTZ;
-- A merged meeting stays as a pointer to the meeting it was merged into; a
-- copy remembers the public id of its original, so that a GET of the
-- original's id from the copy's workspace can answer with a redirect.
ALTER TABLE meetings ADD COLUMN merged_into_id BIGINT REFERENCES meetings (id) ON DELETE SET NULL;
ALTER TABLE meetings ADD COLUMN copied_from TEXT NOT NULL DEFAULT '';
UPDATE meetings SET status = 'completed', completed_at = updated_at WHERE segment_count > 0;
CREATE INDEX meetings_org_copied_idx ON meetings (org_id, copied_from);

CREATE TABLE meeting_participants (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    org_id      BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id  BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    email       TEXT NOT NULL,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    is_attended BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (meeting_id, email),
    UNIQUE (meeting_id, user_id)
);

CREATE TABLE agenda_items (
    id                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                    TEXT NOT NULL UNIQUE,
    org_id                  BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    meeting_id              BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    sequence                INTEGER NOT NULL,
    item_type               TEXT NOT NULL,
    title                   TEXT NOT NULL,
    description             TEXT NOT NULL DEFAULT '',
    status                  TEXT NOT NULL DEFAULT 'pending',
    time_allocation_minutes DOUBLE PRECISION NOT NULL DEFAULT 0,
    presenters              TEXT NOT NULL DEFAULT '[]',
    restricted_to_leads     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX agenda_items_meeting_idx ON agenda_items (meeting_id, sequence);

-- Talking points are private: one text per item and author.
CREATE TABLE agenda_talking_points (
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items (id) ON DELETE CASCADE,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text           TEXT NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (agenda_item_id, user_id)
);

ALTER TABLE action_items ADD COLUMN created_by_user_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX action_items_org_idx ON action_items (org_id, created_at);

-- A partner app's own context on an action item; other apps never see it.
CREATE TABLE action_item_contexts (
    action_item_id BIGINT NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    app_id         BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    context        TEXT NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (action_item_id, app_id)
);
CREATE INDEX action_item_contexts_app_idx ON action_item_contexts (app_id, action_item_id);

-- A user's calendars: an ICS feed URL, or an uploaded ICS file (url empty).
CREATE TABLE calendar_feeds (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    org_id         BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           TEXT NOT NULL DEFAULT '',
    url            TEXT NOT NULL DEFAULT '',
    last_synced_at TIMESTAMPTZ,
    last_error     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX calendar_feeds_user_idx ON calendar_feeds (org_id, user_id);

-- One row per occurrence: a recurring event is expanded, and instance_key
-- (UID and occurrence start) keeps an occurrence's id across refreshes.
CREATE TABLE calendar_events (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid              TEXT NOT NULL UNIQUE,
    org_id            BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id           BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    feed_id           BIGINT NOT NULL REFERENCES calendar_feeds (id) ON DELETE CASCADE,
    instance_key      TEXT NOT NULL,
    content_hash      TEXT NOT NULL,
    title             TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    location          TEXT NOT NULL DEFAULT '',
    start_time        TIMESTAMPTZ NOT NULL,
    end_time          TIMESTAMPTZ NOT NULL,
    is_all_day        BOOLEAN NOT NULL DEFAULT FALSE,
    organizer         TEXT NOT NULL DEFAULT '{}',
    attendees         TEXT NOT NULL DEFAULT '[]',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (feed_id, instance_key)
);
CREATE INDEX calendar_events_user_idx ON calendar_events (org_id, user_id, start_time);

-- A calendar event is linked to at most one meeting (created from it or
-- linked to it), which makes creating a meeting from an event idempotent.
ALTER TABLE meetings ADD COLUMN calendar_event_id BIGINT REFERENCES calendar_events (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX meetings_calendar_event_idx ON meetings (calendar_event_id);

-- +goose Down
DROP INDEX meetings_calendar_event_idx;
ALTER TABLE meetings DROP COLUMN calendar_event_id;
DROP TABLE calendar_events;
DROP TABLE calendar_feeds;
DROP TABLE action_item_contexts;
DROP INDEX action_items_org_idx;
ALTER TABLE action_items DROP COLUMN created_by_user_id;
DROP TABLE agenda_talking_points;
DROP TABLE agenda_items;
DROP TABLE meeting_participants;
DROP INDEX meetings_org_copied_idx;
ALTER TABLE meetings DROP COLUMN copied_from;
ALTER TABLE meetings DROP COLUMN merged_into_id;
ALTER TABLE meetings DROP COLUMN completed_at;
ALTER TABLE meetings DROP COLUMN created_by_user_id;
ALTER TABLE meetings DROP COLUMN template_id;
ALTER TABLE meetings DROP COLUMN is_instant;
ALTER TABLE meetings DROP COLUMN detail_level;
ALTER TABLE meetings DROP COLUMN status;
ALTER TABLE meetings DROP COLUMN end_time;
