-- Row-level security: the second wall between Ämter. Every query of the server already names its
-- Amt in its WHERE clause; in addition every transaction says whose rows it may touch, with
--   set_config('amt.amt', <Amt>, true)      one Amt (every request of a clerk), or
--   set_config('amt.scope', 'all', true)    every Amt, only on the named cross-Amt paths (token
--                                           lookup by hash, metrics, seeding, pruning, the
--                                           delivery queue, migrate-store; see pg.go),
-- both local to the transaction. A transaction that says neither sees no row and may write none;
-- one of Amt A neither sees nor writes rows of Amt B. FORCE makes the policies bind the tables'
-- owner too (the role amt-server runs as, which creates the tables); superusers and roles with
-- BYPASSRLS are never bound, so amt-server must not run as one (docs/betrieb.md).
-- Foreign-key and unique checks are not filtered by the policies (PostgreSQL checks them over
-- all rows), so ids stay unique across Ämter as before.
-- A later migration that reads or changes rows (not only the schema) must first run
-- SET LOCAL amt.scope = 'all'; without it, it sees no row and changes nothing.

-- +goose Up
ALTER TABLE amts ENABLE ROW LEVEL SECURITY;
ALTER TABLE amts FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON amts USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE clerks ENABLE ROW LEVEL SECURITY;
ALTER TABLE clerks FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON clerks USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON tokens USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON cases USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON events USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE files ENABLE ROW LEVEL SECURITY;
ALTER TABLE files FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON files USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE feeds ENABLE ROW LEVEL SECURITY;
ALTER TABLE feeds FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON feeds USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE changes FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON changes USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE idem ENABLE ROW LEVEL SECURITY;
ALTER TABLE idem FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON idem USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE idem_fp ENABLE ROW LEVEL SECURITY;
ALTER TABLE idem_fp FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON idem_fp USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE shapes ENABLE ROW LEVEL SECURITY;
ALTER TABLE shapes FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON shapes USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE intake_submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_submissions FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON intake_submissions USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE intake_fc_cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_fc_cases FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON intake_fc_cases USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE intake_refs ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_refs FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON intake_refs USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

ALTER TABLE deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY amt_wall ON deliveries USING (amt = current_setting('amt.amt', true) OR current_setting('amt.scope', true) = 'all');

-- +goose Down
DROP POLICY amt_wall ON deliveries;
ALTER TABLE deliveries NO FORCE ROW LEVEL SECURITY;
ALTER TABLE deliveries DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON intake_refs;
ALTER TABLE intake_refs NO FORCE ROW LEVEL SECURITY;
ALTER TABLE intake_refs DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON intake_fc_cases;
ALTER TABLE intake_fc_cases NO FORCE ROW LEVEL SECURITY;
ALTER TABLE intake_fc_cases DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON intake_submissions;
ALTER TABLE intake_submissions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE intake_submissions DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON shapes;
ALTER TABLE shapes NO FORCE ROW LEVEL SECURITY;
ALTER TABLE shapes DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON idem_fp;
ALTER TABLE idem_fp NO FORCE ROW LEVEL SECURITY;
ALTER TABLE idem_fp DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON idem;
ALTER TABLE idem NO FORCE ROW LEVEL SECURITY;
ALTER TABLE idem DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON changes;
ALTER TABLE changes NO FORCE ROW LEVEL SECURITY;
ALTER TABLE changes DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON feeds;
ALTER TABLE feeds NO FORCE ROW LEVEL SECURITY;
ALTER TABLE feeds DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON files;
ALTER TABLE files NO FORCE ROW LEVEL SECURITY;
ALTER TABLE files DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON events;
ALTER TABLE events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE events DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON cases;
ALTER TABLE cases NO FORCE ROW LEVEL SECURITY;
ALTER TABLE cases DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON tokens;
ALTER TABLE tokens NO FORCE ROW LEVEL SECURITY;
ALTER TABLE tokens DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON clerks;
ALTER TABLE clerks NO FORCE ROW LEVEL SECURITY;
ALTER TABLE clerks DISABLE ROW LEVEL SECURITY;

DROP POLICY amt_wall ON amts;
ALTER TABLE amts NO FORCE ROW LEVEL SECURITY;
ALTER TABLE amts DISABLE ROW LEVEL SECURITY;
