-- +goose Up
-- Whether an app may create users for unknown emails that sign in by email
-- code; off unless an operator turns it on.
ALTER TABLE apps ADD COLUMN provision_users BOOLEAN NOT NULL DEFAULT FALSE;

-- Attempt counters shared by every replica: failed password logins per
-- account and per client address, sign-in codes per app and address.
-- key_hash is a SHA-256 of the counter's key, so no address is stored.
CREATE TABLE rate_limits (
    key_hash     TEXT NOT NULL PRIMARY KEY,
    hits         BIGINT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ
);
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);

-- +goose Down
DROP TABLE rate_limits;
ALTER TABLE apps DROP COLUMN provision_users;
