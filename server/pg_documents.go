package server

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// The PostgreSQL side of outgoing documents (the counterpart of bolt_documents.go): generated
// files are rows of files like attachments; queued deliveries are rows of deliveries
// (migration 00004), keyed by Amt, case and document.

func (t *pgTx) PutFile(sha string, data []byte) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO files (amt, sha, data) VALUES ($1, $2, $3) ON CONFLICT (amt, sha) DO NOTHING`,
		t.amt, sha, data)
	return err
}

// Delivery reads a queued delivery and locks its row until the transaction ends, so that two
// instances cannot both claim the same attempt.
func (t *pgTx) Delivery(caseID, docID string) (deliveryRec, bool, error) {
	rec := deliveryRec{Amt: t.amt, CaseID: caseID, DocID: docID}
	err := t.tx.QueryRow(t.ctx, `SELECT attempts, next_at, since, last_error FROM deliveries
		WHERE amt = $1 AND case_id = $2 AND doc_id = $3 FOR UPDATE`, t.amt, caseID, docID).
		Scan(&rec.Attempts, &rec.NextAt, &rec.Since, &rec.LastError)
	if errors.Is(err, pgx.ErrNoRows) {
		return deliveryRec{}, false, nil
	}
	if err != nil {
		return deliveryRec{}, false, err
	}
	rec.NextAt, rec.Since = rec.NextAt.UTC(), rec.Since.UTC()
	return rec, true, nil
}

func (t *pgTx) PutDelivery(rec deliveryRec) error {
	_, err := t.tx.Exec(t.ctx, `INSERT INTO deliveries (amt, case_id, doc_id, attempts, next_at, since, last_error)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (amt, case_id, doc_id) DO UPDATE SET attempts = excluded.attempts, next_at = excluded.next_at,
			since = excluded.since, last_error = excluded.last_error`,
		t.amt, rec.CaseID, rec.DocID, rec.Attempts, rec.NextAt.UTC(), rec.Since.UTC(), rec.LastError)
	return err
}

func (t *pgTx) DeleteDelivery(caseID, docID string) error {
	_, err := t.tx.Exec(t.ctx, `DELETE FROM deliveries WHERE amt = $1 AND case_id = $2 AND doc_id = $3`, t.amt, caseID, docID)
	return err
}

// DueDeliveries lists the earliest due deliveries of every Amt (the delivery loop serves all
// Ämter; each claim then runs in a transaction of the delivery's own Amt).
func (p *pgStore) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]deliveryRec, error) {
	var out []deliveryRec
	err := p.query(ctx, pgAllAmts, func(rows pgx.Rows) error {
		for rows.Next() {
			var rec deliveryRec
			if err := rows.Scan(&rec.Amt, &rec.CaseID, &rec.DocID, &rec.Attempts, &rec.NextAt, &rec.Since, &rec.LastError); err != nil {
				return err
			}
			rec.NextAt, rec.Since = rec.NextAt.UTC(), rec.Since.UTC()
			out = append(out, rec)
		}
		return rows.Err()
	}, `SELECT amt, case_id, doc_id, attempts, next_at, since, last_error FROM deliveries
		WHERE next_at <= $1 ORDER BY next_at, amt, case_id, doc_id LIMIT $2`, now.UTC(), limit)
	if err != nil {
		return nil, err
	}
	return out, nil
}
