-- Change-feed deltas (shapes.go): the fingerprint (api.CaseShape) of an earlier version of a
-- case, under the feed seq that version was published at; at most a few per case.

-- +goose Up
CREATE TABLE shapes (
    amt     text NOT NULL,
    case_id text NOT NULL,
    seq     bigint NOT NULL,
    shape   bytea NOT NULL,
    PRIMARY KEY (amt, case_id, seq)
);

-- +goose Down
DROP TABLE shapes;
