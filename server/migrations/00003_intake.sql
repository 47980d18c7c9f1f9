-- FIT-Connect intake (intakestore.go): each submission stored exactly once, the amt case of each
-- FIT-Connect case, and the last Aktenzeichen number per Amt, prefix and year.

-- +goose Up
CREATE TABLE intake_submissions (
    submission_id text PRIMARY KEY,
    amt           text NOT NULL,
    case_id       text NOT NULL,
    reference     text NOT NULL,
    outcome       text NOT NULL,
    stored_at     timestamptz NOT NULL
);

CREATE TABLE intake_fc_cases (
    destination_id text NOT NULL,
    fc_case_id     text NOT NULL,
    amt            text NOT NULL,
    case_id        text NOT NULL,
    PRIMARY KEY (destination_id, fc_case_id)
);

CREATE TABLE intake_refs (
    amt    text NOT NULL,
    prefix text NOT NULL,
    year   integer NOT NULL,
    last   bigint NOT NULL,
    PRIMARY KEY (amt, prefix, year)
);

-- +goose Down
DROP TABLE intake_refs;
DROP TABLE intake_fc_cases;
DROP TABLE intake_submissions;
