-- The schema of amt-server on PostgreSQL. Every table carries the Amt (tenant) it belongs to, and
-- every query of the server names it in its WHERE clause; row-level security is the second wall
-- (see 00005). Case, event and idempotency bodies are the server's JSON, stored byte for byte.

-- +goose Up
CREATE TABLE amts (
    amt  text PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE clerks (
    amt  text NOT NULL REFERENCES amts (amt),
    id   text NOT NULL UNIQUE, -- clerk ids are unique across Ämter (as on bbolt)
    name text NOT NULL,
    role text NOT NULL, -- api.Role; the server checks it
    PRIMARY KEY (amt, id)
);

-- Tokens are looked up by their hash before the Amt is known (it is the token's).
CREATE TABLE tokens (
    hash      bytea PRIMARY KEY,
    amt       text NOT NULL,
    clerk     text NOT NULL,
    role      text NOT NULL,
    created   timestamptz NOT NULL,
    last_used text NOT NULL DEFAULT '',
    FOREIGN KEY (amt, clerk) REFERENCES clerks (amt, id)
);

CREATE TABLE cases (
    amt    text NOT NULL REFERENCES amts (amt),
    id     text NOT NULL UNIQUE, -- case ids are unique across Ämter (as on bbolt)
    status text NOT NULL,
    body   bytea NOT NULL, -- api.Case JSON with its History
    PRIMARY KEY (amt, id)
);

CREATE TABLE events (
    amt     text NOT NULL,
    case_id text NOT NULL,
    seq     bigint NOT NULL,
    body    bytea NOT NULL, -- api.Event JSON
    PRIMARY KEY (amt, case_id, seq),
    FOREIGN KEY (amt, case_id) REFERENCES cases (amt, id)
);

-- Attachment bytes by SHA-256, per Amt (two Ämter never share a row).
CREATE TABLE files (
    amt  text NOT NULL REFERENCES amts (amt),
    sha  text NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (amt, sha)
);

-- One row per Amt: the last cursor handed out and the horizon below which cursors are gone. The
-- row is locked by every change of the Amt until its transaction ends, so cursors are handed out
-- in commit order.
CREATE TABLE feeds (
    amt     text PRIMARY KEY REFERENCES amts (amt),
    last    bigint NOT NULL DEFAULT 0,
    horizon bigint NOT NULL DEFAULT 0
);

-- The change feed: at most one entry per case, the latest.
CREATE TABLE changes (
    amt     text NOT NULL,
    seq     bigint NOT NULL,
    case_id text NOT NULL,
    kind    text NOT NULL CHECK (kind IN ('upsert', 'delete')),
    at      timestamptz NOT NULL,
    PRIMARY KEY (amt, seq),
    UNIQUE (amt, case_id)
);
CREATE INDEX changes_tombstones ON changes (at) WHERE kind = 'delete';

-- Idempotency records: the request hash and the original answer of every applied action.
CREATE TABLE idem (
    amt       text NOT NULL,
    case_id   text NOT NULL,
    kind      text NOT NULL,
    action_id text NOT NULL,
    hash      bytea NOT NULL,
    status    integer NOT NULL,
    version   bigint NOT NULL DEFAULT 0, -- the case version the action produced
    body      bytea,                     -- the original answer, if kept
    written   timestamptz NOT NULL,
    PRIMARY KEY (amt, case_id, kind, action_id)
);
CREATE INDEX idem_written ON idem (written);

-- Fingerprints of records past their retention (the request hash only).
CREATE TABLE idem_fp (
    amt       text NOT NULL,
    case_id   text NOT NULL,
    kind      text NOT NULL,
    action_id text NOT NULL,
    hash      bytea NOT NULL,
    PRIMARY KEY (amt, case_id, kind, action_id)
);

-- +goose Down
DROP TABLE idem_fp;
DROP TABLE idem;
DROP TABLE changes;
DROP TABLE feeds;
DROP TABLE files;
DROP TABLE events;
DROP TABLE cases;
DROP TABLE tokens;
DROP TABLE clerks;
DROP TABLE amts;
