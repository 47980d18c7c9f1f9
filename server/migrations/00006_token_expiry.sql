-- Static tokens expire (issue #16 item 10): NULL for tokens issued before expiry existed, which
-- never expire (amt-server token list shows them; rotate them).

-- +goose Up
ALTER TABLE tokens ADD COLUMN expires timestamptz;

-- +goose Down
ALTER TABLE tokens DROP COLUMN expires;
