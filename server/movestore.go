package server

// Moving a deployment from bbolt to PostgreSQL (amt-server migrate-store). Everything is copied
// as it is stored — case, event and idempotency bodies byte for byte, the change feeds with their
// cursors, horizons and tombstones, tokens by their hashes — so clerks' tokens keep working and
// their caches keep syncing from the cursor they hold, without a full resync. The copy runs in
// one PostgreSQL transaction and is verified inside it before it commits: per table, the number
// of rows and a SHA-256 over every row (bodies by their own SHA-256) must be the same on both
// sides; otherwise nothing is committed. Times are kept to the microsecond (PostgreSQL's
// precision).

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/amt-mv/amt/api"
)

// MovedTable is one table of a store move: rows copied and the checksum both sides agree on.
type MovedTable struct {
	Name     string
	Rows     int
	Checksum string // hex SHA-256 over the sorted rows
}

// MoveReport is the result of MoveBboltToPostgres.
type MoveReport struct {
	Tables  []MovedTable
	Skipped []string // what could not be copied and why (e.g. attachment bytes missing in the source)
}

// moveTable is one table being copied: the rows for COPY, their digests, and the query that
// reads the digests back from PostgreSQL.
type moveTable struct {
	name    string
	columns []string
	rows    [][]any
	digests []string
	readSQL string // SELECT of the digest columns, joined as moveDigest does
}

// moveDigest joins the digest fields of a row.
func moveDigest(fields ...string) string { return strings.Join(fields, "\x1f") }

func bodySum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// pgTime is a time as PostgreSQL keeps it (microseconds, UTC), in the digest's format.
func pgTime(t time.Time) (time.Time, string) {
	t = t.UTC().Truncate(time.Microsecond)
	return t, t.Format("2006-01-02T15:04:05.000000")
}

// pgTimeSQL formats a timestamptz column like pgTime.
func pgTimeSQL(col string) string {
	return `to_char(` + col + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`
}

func checksum(digests []string) string {
	s := slices.Clone(digests)
	slices.Sort(s)
	h := sha256.New()
	for _, d := range s {
		h.Write([]byte(d))
		h.Write([]byte{0x1e})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// MoveBboltToPostgres copies the bbolt database in dataDir (amt-server stopped) into the
// PostgreSQL database at url, which must hold no amt data yet (its schema is migrated first),
// and verifies the copy before it commits.
func MoveBboltToPostgres(ctx context.Context, dataDir, url string) (MoveReport, error) {
	var rep MoveReport
	path := filepath.Join(dataDir, DBFile)
	if _, err := os.Stat(path); err != nil {
		return rep, fmt.Errorf("server: no database in %s: %w", dataDir, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return rep, fmt.Errorf("server: the database in %s is in use (stop amt-server first): %w", dataDir, err)
	}
	if err != nil {
		return rep, fmt.Errorf("server: open database: %w", err)
	}
	defer db.Close()

	var tables []*moveTable
	err = db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bAmts, bClerks, bTokens, bCases, bEvents, bFiles, bIdem, bFeeds} {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("server: %s is not an amt-server database (no %s bucket)", path, b)
			}
		}
		var err error
		tables, rep.Skipped, err = readBoltForMove(tx, time.Now())
		return err
	})
	if err != nil {
		return rep, err
	}

	if _, _, err := MigrateDatabase(ctx, url); err != nil {
		return rep, err
	}
	cfg, err := pgPoolConfig(url)
	if err != nil {
		return rep, err
	}
	cfg.MaxConns = 2
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = "0" // a large copy may take a while
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return rep, fmt.Errorf("server: database: %w", err)
	}
	defer pool.Close()

	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// The move writes every Amt's rows (row-level security, see pg.go).
		if err := pgAllAmts.set(ctx, tx); err != nil {
			return err
		}
		var any bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM amts) OR EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM tokens)`).Scan(&any); err != nil {
			return err
		}
		if any {
			return errors.New("server: the target database already holds amt data; move into an empty database")
		}
		for _, t := range tables {
			// PostgreSQL refuses COPY FROM into a table under row-level security: copy into a
			// temporary table of the same columns, then insert from it (the policies check
			// each row).
			tmp := "move_" + t.name
			if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE `+pgx.Identifier{tmp}.Sanitize()+` (LIKE `+pgx.Identifier{t.name}.Sanitize()+`) ON COMMIT DROP`); err != nil {
				return fmt.Errorf("server: copy %s: %w", t.name, err)
			}
			n, err := tx.CopyFrom(ctx, pgx.Identifier{tmp}, t.columns, pgx.CopyFromRows(t.rows))
			if err != nil {
				return fmt.Errorf("server: copy %s: %w", t.name, err)
			}
			quoted := make([]string, len(t.columns))
			for i, c := range t.columns {
				quoted[i] = pgx.Identifier{c}.Sanitize()
			}
			cols := strings.Join(quoted, ", ")
			tag, err := tx.Exec(ctx, `INSERT INTO `+pgx.Identifier{t.name}.Sanitize()+` (`+cols+`) SELECT `+cols+` FROM `+pgx.Identifier{tmp}.Sanitize())
			if err != nil {
				return fmt.Errorf("server: copy %s: %w", t.name, err)
			}
			if int(n) != len(t.rows) || int(tag.RowsAffected()) != len(t.rows) {
				return fmt.Errorf("server: copy %s: %d of %d rows", t.name, tag.RowsAffected(), len(t.rows))
			}
		}
		// Verify what PostgreSQL now holds against the source, before committing.
		rep.Tables = rep.Tables[:0]
		for _, t := range tables {
			rows, err := tx.Query(ctx, t.readSQL)
			if err != nil {
				return fmt.Errorf("server: verify %s: %w", t.name, err)
			}
			got, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return fmt.Errorf("server: verify %s: %w", t.name, err)
			}
			want := checksum(t.digests)
			if len(got) != len(t.digests) || checksum(got) != want {
				return fmt.Errorf("server: verify %s: the copy differs from the source (%d rows, %d expected); nothing was committed",
					t.name, len(got), len(t.digests))
			}
			rep.Tables = append(rep.Tables, MovedTable{Name: t.name, Rows: len(got), Checksum: want})
		}
		return nil
	})
	if err != nil {
		return MoveReport{Skipped: rep.Skipped}, err
	}
	return rep, nil
}

// readBoltForMove reads every bucket of a bbolt database into the tables to copy.
func readBoltForMove(tx *bolt.Tx, now time.Time) ([]*moveTable, []string, error) {
	var skipped []string
	amts := &moveTable{name: "amts", columns: []string{"amt", "name"},
		readSQL: `SELECT concat_ws(E'\x1f', amt, name) FROM amts`}
	err := tx.Bucket(bAmts).ForEach(func(k, v []byte) error {
		var a amtRec
		if err := json.Unmarshal(v, &a); err != nil {
			return fmt.Errorf("amt %q: %w", k, err)
		}
		amts.rows = append(amts.rows, []any{a.ID, a.Name})
		amts.digests = append(amts.digests, moveDigest(a.ID, a.Name))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}

	clerks := &moveTable{name: "clerks", columns: []string{"amt", "id", "name", "role"},
		readSQL: `SELECT concat_ws(E'\x1f', amt, id, name, role) FROM clerks`}
	err = tx.Bucket(bClerks).ForEach(func(k, v []byte) error {
		var c clerkRec
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("clerk %q: %w", k, err)
		}
		clerks.rows = append(clerks.rows, []any{c.Amt, c.ID, c.Name, string(c.Role)})
		clerks.digests = append(clerks.digests, moveDigest(c.Amt, c.ID, c.Name, string(c.Role)))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}

	tokens := &moveTable{name: "tokens", columns: []string{"hash", "amt", "clerk", "role", "created", "last_used", "expires"},
		readSQL: `SELECT concat_ws(E'\x1f', encode(hash, 'hex'), amt, clerk, role, ` + pgTimeSQL("created") + `, last_used, coalesce(` +
			pgTimeSQL("expires") + `, '')) FROM tokens`}
	err = tx.Bucket(bTokens).ForEach(func(k, v []byte) error {
		var r tokenRec
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("token: %w", err)
		}
		created, cs := pgTime(r.Created)
		var expires any
		es := ""
		if !r.Expires.IsZero() {
			expires, es = pgTime(r.Expires)
		}
		tokens.rows = append(tokens.rows, []any{slices.Clone(k), r.Amt, r.Clerk, string(r.Role), created, r.LastUsed, expires})
		tokens.digests = append(tokens.digests, moveDigest(hex.EncodeToString(k), r.Amt, r.Clerk, string(r.Role), cs, r.LastUsed, es))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}

	caseAmt := map[string]string{}
	type fileKey struct{ amt, sha string }
	files := map[fileKey]bool{}
	cases := &moveTable{name: "cases", columns: []string{"amt", "id", "status", "body"},
		readSQL: `SELECT concat_ws(E'\x1f', amt, id, status, encode(sha256(body), 'hex')) FROM cases`}
	err = tx.Bucket(bCases).ForEach(func(k, v []byte) error {
		var c struct {
			Amt         string     `json:"amt"`
			Status      api.Status `json:"status"`
			Attachments []struct {
				SHA256 string `json:"sha256"`
			} `json:"attachments"`
			Documents []struct {
				SHA256 string `json:"sha256"`
			} `json:"documents"`
		}
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("case %q: %w", k, err)
		}
		id := string(k)
		caseAmt[id] = c.Amt
		for _, a := range c.Attachments {
			if a.SHA256 != "" {
				files[fileKey{c.Amt, a.SHA256}] = true
			}
		}
		for _, d := range c.Documents { // generated Bescheide and Nachforderungen
			if d.SHA256 != "" {
				files[fileKey{c.Amt, d.SHA256}] = true
			}
		}
		cases.rows = append(cases.rows, []any{c.Amt, id, string(c.Status), slices.Clone(v)})
		cases.digests = append(cases.digests, moveDigest(c.Amt, id, string(c.Status), bodySum(v)))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}

	events := &moveTable{name: "events", columns: []string{"amt", "case_id", "seq", "body"},
		readSQL: `SELECT concat_ws(E'\x1f', amt, case_id, seq::text, encode(sha256(body), 'hex')) FROM events`}
	err = tx.Bucket(bEvents).ForEach(func(k, v []byte) error {
		i := len(k) - 9
		if i < 1 || k[i] != 0 {
			skipped = append(skipped, "an event with a malformed key")
			return nil
		}
		caseID, seq := string(k[:i]), int64(binary.BigEndian.Uint64(k[i+1:]))
		amt, ok := caseAmt[caseID]
		if !ok {
			skipped = append(skipped, "an event of unknown case "+caseID)
			return nil
		}
		events.rows = append(events.rows, []any{amt, caseID, seq, slices.Clone(v)})
		events.digests = append(events.digests, moveDigest(amt, caseID, strconv.FormatInt(seq, 10), bodySum(v)))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}

	fileTable := &moveTable{name: "files", columns: []string{"amt", "sha", "data"},
		readSQL: `SELECT concat_ws(E'\x1f', amt, sha, encode(sha256(data), 'hex')) FROM files`}
	keys := make([]fileKey, 0, len(files))
	for fk := range files {
		keys = append(keys, fk)
	}
	slices.SortFunc(keys, func(a, b fileKey) int {
		if c := strings.Compare(a.amt, b.amt); c != 0 {
			return c
		}
		return strings.Compare(a.sha, b.sha)
	})
	fb := tx.Bucket(bFiles)
	for _, fk := range keys {
		data := fb.Get([]byte(fk.sha))
		if data == nil {
			skipped = append(skipped, "attachment bytes "+fk.sha+" (missing in the source too)")
			continue
		}
		fileTable.rows = append(fileTable.rows, []any{fk.amt, fk.sha, slices.Clone(data)})
		fileTable.digests = append(fileTable.digests, moveDigest(fk.amt, fk.sha, bodySum(data)))
	}

	feeds := &moveTable{name: "feeds", columns: []string{"amt", "last", "horizon"},
		readSQL: `SELECT concat_ws(E'\x1f', amt, last::text, horizon::text) FROM feeds`}
	changes := &moveTable{name: "changes", columns: []string{"amt", "seq", "case_id", "kind", "at"},
		readSQL: `SELECT concat_ws(E'\x1f', amt, seq::text, case_id, kind, ` + pgTimeSQL("at") + `) FROM changes`}
	err = tx.Bucket(bFeeds).ForEachBucket(func(amtKey []byte) error {
		amt := string(amtKey)
		b := tx.Bucket(bFeeds).Bucket(amtKey)
		var horizon uint64
		if v := b.Get(kHorizon); len(v) == 8 {
			horizon = binary.BigEndian.Uint64(v)
		}
		last := b.Sequence()
		feeds.rows = append(feeds.rows, []any{amt, int64(last), int64(horizon)})
		feeds.digests = append(feeds.digests, moveDigest(amt, strconv.FormatUint(last, 10), strconv.FormatUint(horizon, 10)))
		log := b.Bucket(bLog)
		if log == nil {
			return nil
		}
		return log.ForEach(func(k, v []byte) error {
			var rec changeRec
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("feed of %s: %w", amt, err)
			}
			seq := int64(binary.BigEndian.Uint64(k))
			at, as := pgTime(rec.At)
			changes.rows = append(changes.rows, []any{amt, seq, rec.CaseID, string(rec.Kind), at})
			changes.digests = append(changes.digests, moveDigest(amt, strconv.FormatInt(seq, 10), rec.CaseID, string(rec.Kind), as))
			return nil
		})
	})
	if err != nil {
		return nil, nil, err
	}

	written := map[string]time.Time{}
	if age := tx.Bucket(bIdemAge); age != nil {
		if err := age.ForEach(func(k, _ []byte) error {
			if len(k) > 8 {
				t := time.Unix(0, int64(binary.BigEndian.Uint64(k[:8])))
				if t.After(written[string(k[8:])]) {
					written[string(k[8:])] = t
				}
			}
			return nil
		}); err != nil {
			return nil, nil, err
		}
	}
	idem := &moveTable{name: "idem", columns: []string{"amt", "case_id", "kind", "action_id", "hash", "status", "version", "body", "written"},
		readSQL: `SELECT concat_ws(E'\x1f', amt, case_id, kind, action_id, encode(hash, 'hex'), status::text, version::text, encode(sha256(coalesce(body, '')), 'hex'), ` +
			pgTimeSQL("written") + `) FROM idem`}
	err = tx.Bucket(bIdem).ForEach(func(k, v []byte) error {
		caseID, kind, actionID, ok := splitIdemKey(k)
		amt, known := caseAmt[caseID]
		if !ok || !known {
			skipped = append(skipped, "an idempotency record of an unknown case")
			return nil
		}
		var r idemRec
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("idempotency record: %w", err)
		}
		w, ok := written[string(k)]
		if !ok {
			w = now
		}
		wt, ws := pgTime(w)
		idem.rows = append(idem.rows, []any{amt, caseID, string(kind), actionID, r.Hash, r.Status, r.Version, r.Body, wt})
		idem.digests = append(idem.digests, moveDigest(amt, caseID, string(kind), actionID, hex.EncodeToString(r.Hash),
			strconv.Itoa(r.Status), strconv.FormatInt(r.Version, 10), bodySum(r.Body), ws))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}

	fps := &moveTable{name: "idem_fp", columns: []string{"amt", "case_id", "kind", "action_id", "hash"},
		readSQL: `SELECT concat_ws(E'\x1f', amt, case_id, kind, action_id, encode(hash, 'hex')) FROM idem_fp`}
	if b := tx.Bucket(bIdemFP); b != nil {
		err = b.ForEach(func(k, v []byte) error {
			caseID, kind, actionID, ok := splitIdemKey(k)
			amt, known := caseAmt[caseID]
			if !ok || !known {
				skipped = append(skipped, "a fingerprint of an unknown case")
				return nil
			}
			fps.rows = append(fps.rows, []any{amt, caseID, string(kind), actionID, slices.Clone(v)})
			fps.digests = append(fps.digests, moveDigest(amt, caseID, string(kind), actionID, hex.EncodeToString(v)))
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	deliveries := &moveTable{name: "deliveries", columns: []string{"amt", "case_id", "doc_id", "attempts", "next_at", "since", "last_error"},
		readSQL: `SELECT concat_ws(E'\x1f', amt, case_id, doc_id, attempts::text, ` + pgTimeSQL("next_at") + `, ` + pgTimeSQL("since") + `, last_error) FROM deliveries`}
	if db := tx.Bucket(bDeliveries); db != nil { // older databases have no queue yet
		err = db.ForEach(func(k, v []byte) error {
			var rec deliveryRec
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("delivery %q: %w", k, err)
			}
			if caseAmt[rec.CaseID] != rec.Amt {
				skipped = append(skipped, "a delivery of unknown case "+rec.CaseID)
				return nil
			}
			next, ns := pgTime(rec.NextAt)
			since, ss := pgTime(rec.Since)
			deliveries.rows = append(deliveries.rows, []any{rec.Amt, rec.CaseID, rec.DocID, int32(rec.Attempts), next, since, rec.LastError})
			deliveries.digests = append(deliveries.digests, moveDigest(rec.Amt, rec.CaseID, rec.DocID, strconv.Itoa(rec.Attempts), ns, ss, rec.LastError))
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return []*moveTable{amts, clerks, tokens, cases, events, fileTable, feeds, changes, idem, fps, deliveries}, skipped, nil
}
