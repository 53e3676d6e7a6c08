-- +goose Up
-- The search index moves from each replica's memory into the database (see
-- internal/index): a group is one indexed source, a meeting's transcript or
-- a document, encoded as search.Group; postings list, per organization,
-- source and term, the groups holding the term by impact, so a search reads
-- the best groups of each query term without touching the rest; terms and
-- stats are the per-organization BM25 statistics. This is the SQLite
-- version of 00017_search_index.sql: postings and terms live in their
-- primary key's b-tree (WITHOUT ROWID), which halves their size.
DROP TABLE search_versions;
DROP TABLE search_chunks;

CREATE TABLE search_groups (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    source_id  INTEGER NOT NULL,
    meeting_id INTEGER,
    chunks     INTEGER NOT NULL,
    terms      INTEGER NOT NULL,
    body       BLOB NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX search_groups_meeting_idx ON search_groups (org_id, meeting_id);

CREATE TABLE search_postings (
    org_id   INTEGER NOT NULL,
    source   TEXT NOT NULL,
    term     TEXT NOT NULL,
    impact   INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    PRIMARY KEY (org_id, source, term, impact, group_id)
) WITHOUT ROWID;

CREATE TABLE search_terms (
    org_id   INTEGER NOT NULL,
    term     TEXT NOT NULL,
    n_groups INTEGER NOT NULL,
    n_chunks INTEGER NOT NULL,
    PRIMARY KEY (org_id, term)
) WITHOUT ROWID;

CREATE TABLE search_stats (
    org_id   INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    n_groups INTEGER NOT NULL,
    n_chunks INTEGER NOT NULL,
    n_terms  INTEGER NOT NULL,
    version  INTEGER NOT NULL
);

-- Sources indexed before this migration are queued here, and a background
-- job hands them to the indexing job (start-up never waits for it).
CREATE TABLE search_pending (
    org_id    INTEGER NOT NULL,
    source    TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    PRIMARY KEY (source, source_id)
);
INSERT INTO search_pending (org_id, source, source_id)
    SELECT org_id, 'transcript', id FROM meetings WHERE segment_count > 0;
INSERT INTO search_pending (org_id, source, source_id)
    SELECT org_id, 'document', id FROM documents;

-- +goose Down
DROP TABLE search_pending;
DROP TABLE search_stats;
DROP TABLE search_terms;
DROP TABLE search_postings;
DROP TABLE search_groups;

CREATE TABLE search_chunks (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    source_id     INTEGER NOT NULL,
    ordinal       INTEGER NOT NULL,
    segment_start INTEGER NOT NULL DEFAULT 0,
    segment_end   INTEGER NOT NULL DEFAULT 0,
    speaker       TEXT NOT NULL DEFAULT '',
    speakers      TEXT NOT NULL DEFAULT '',
    start_sec     REAL NOT NULL DEFAULT 0,
    end_sec       REAL NOT NULL DEFAULT 0,
    text          TEXT NOT NULL,
    vector        BLOB NOT NULL
);
CREATE INDEX search_chunks_source_idx ON search_chunks (source, source_id);
CREATE INDEX search_chunks_org_idx ON search_chunks (org_id);

CREATE TABLE search_versions (
    org_id    INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    source    TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    version   INTEGER NOT NULL,
    PRIMARY KEY (source, source_id)
);
CREATE INDEX search_versions_version_idx ON search_versions (version);
