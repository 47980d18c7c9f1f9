-- Outgoing documents (delivery.go): the queue of Bescheide and Nachforderungen waiting to be sent
-- by e-mail or FIT-Connect. The generated PDFs themselves are rows of files (amt, sha).

-- +goose Up
CREATE TABLE deliveries (
    amt        text NOT NULL,
    case_id    text NOT NULL,
    doc_id     text NOT NULL,
    attempts   integer NOT NULL DEFAULT 0,
    next_at    timestamptz NOT NULL,
    since      timestamptz NOT NULL,
    last_error text NOT NULL DEFAULT '',
    PRIMARY KEY (amt, case_id, doc_id)
);

-- DueDeliveries: the earliest due deliveries of all Ämter.
CREATE INDEX deliveries_next_at ON deliveries (next_at);

-- +goose Down
DROP TABLE deliveries;
