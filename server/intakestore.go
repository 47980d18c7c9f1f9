package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/amt-mv/amt/api"
)

// bIntake holds what FIT-Connect intake needs to store each submission exactly once:
//
//	"sub" 0x00 submission id          → intakeRec (JSON)
//	"fcc" 0x00 destination 0x00 case  → case id (the FIT-Connect case's amt case)
//	"ref" 0x00 amt 0x00 prefix 0x00 year → u64be(last Aktenzeichen number)
var bIntake = []byte("intake")

// IntakeCase is a case built from a FIT-Connect submission, ready to be stored by
// Store.IntakeSubmission. Case.ID and Case.Reference are left empty: the store derives the id
// from the submission and allocates the Aktenzeichen in the same transaction.
type IntakeCase struct {
	SubmissionID  string
	DestinationID string
	FCCaseID      string // the FIT-Connect case id
	Prefix        string // Aktenzeichen prefix of the service
	Year          int    // Aktenzeichen year (of the receipt, in the server's time zone)
	Case          api.Case
	Files         map[string][]byte // attachment bytes by SHA-256 (hex)
}

// IntakeResult says what IntakeSubmission did.
type IntakeResult struct {
	CaseID    string
	Reference string
	// Outcome is "created" (a new case), "attached" (a follow-up added to the case of the same
	// FIT-Connect case) or "duplicate" (the submission was stored before; nothing written).
	Outcome string
}

// Intake outcomes.
const (
	IntakeCreated   = "created"
	IntakeAttached  = "attached"
	IntakeDuplicate = "duplicate"
)

type intakeRec struct {
	CaseID    string    `json:"caseId"`
	Reference string    `json:"reference"`
	Outcome   string    `json:"outcome"`
	StoredAt  time.Time `json:"storedAt"`
}

// IntakeCaseID is the amt case id of the case built from a FIT-Connect submission.
func IntakeCaseID(submissionID string) string { return "fc-" + strings.ToLower(submissionID) }

func intakeKey(parts ...string) []byte { return []byte(strings.Join(parts, "\x00")) }

func (b *boltStore) IntakeSubmission(_ context.Context, in IntakeCase, now time.Time) (IntakeResult, error) {
	if in.SubmissionID == "" || in.DestinationID == "" || in.FCCaseID == "" || in.Case.Amt == "" || in.Prefix == "" {
		return IntakeResult{}, errors.New("server: intake needs submission, destination, case, Amt and prefix")
	}
	var res IntakeResult
	err := b.db.Update(func(tx *bolt.Tx) error {
		ib, err := tx.CreateBucketIfNotExists(bIntake)
		if err != nil {
			return err
		}
		subKey := intakeKey("sub", in.SubmissionID)
		var prev intakeRec
		if ok, err := getJSON(ib, subKey, &prev); err != nil {
			return err
		} else if ok {
			res = IntakeResult{CaseID: prev.CaseID, Reference: prev.Reference, Outcome: IntakeDuplicate}
			return nil
		}
		if tx.Bucket(bAmts).Get([]byte(in.Case.Amt)) == nil {
			return fmt.Errorf("server: intake for unknown amt %q", in.Case.Amt)
		}
		files := tx.Bucket(bFiles)
		for key, data := range in.Files {
			if files.Get([]byte(key)) == nil {
				if err := files.Put([]byte(key), data); err != nil {
					return err
				}
			}
		}
		fccKey := intakeKey("fcc", in.DestinationID, in.FCCaseID)
		if existing := ib.Get(fccKey); existing != nil {
			res, err = attachFollowUp(tx, in, string(existing), now)
		} else {
			res, err = createIntakeCase(tx, ib, in, now)
			if err == nil {
				err = ib.Put(fccKey, []byte(res.CaseID))
			}
		}
		if err != nil {
			return err
		}
		return putJSON(ib, subKey, intakeRec{CaseID: res.CaseID, Reference: res.Reference, Outcome: res.Outcome, StoredAt: now})
	})
	return res, err
}

func createIntakeCase(tx *bolt.Tx, ib *bolt.Bucket, in IntakeCase, now time.Time) (IntakeResult, error) {
	id := IntakeCaseID(in.SubmissionID)
	if tx.Bucket(bCases).Get([]byte(id)) != nil {
		return IntakeResult{}, fmt.Errorf("server: case %s exists", id)
	}
	ref, err := allocateReference(tx, ib, in.Case.Amt, in.Prefix, in.Year)
	if err != nil {
		return IntakeResult{}, err
	}
	c, evs := newIntakeCase(in, ref, now)
	if err := writeCase(tx, nil, &c, evs, now); err != nil {
		return IntakeResult{}, err
	}
	return IntakeResult{CaseID: c.ID, Reference: ref, Outcome: IntakeCreated}, nil
}

// newIntakeCase is the new case of a submission with its Aktenzeichen, and its first event.
func newIntakeCase(in IntakeCase, ref string, now time.Time) (api.Case, []api.Event) {
	c := in.Case
	c.ID = IntakeCaseID(in.SubmissionID)
	c.Reference = ref
	c.Version = 1
	c.UpdatedAt = now
	evs := []api.Event{{Kind: api.EventReceived, Actor: "applicant", At: c.SubmittedAt, Summary: "Antrag über FIT-Connect eingegangen"}}
	return c, evs
}

// attachFollowUp adds a follow-up submission (e.g. documents sent after a Nachforderung) to the
// case of its FIT-Connect case: its attachments and form sections are added, a
// documents_received event tells the clerk, and a case waiting for documents goes back to review.
func attachFollowUp(tx *bolt.Tx, in IntakeCase, caseID string, now time.Time) (IntakeResult, error) {
	before, ok, err := caseInAmt(tx, in.Case.Amt, caseID)
	if err != nil {
		return IntakeResult{}, err
	}
	if !ok {
		return IntakeResult{}, fmt.Errorf("server: the case %s of FIT-Connect case %s is gone", caseID, in.FCCaseID)
	}
	c, evs := followUpCase(before, in, now)
	if err := writeCase(tx, &before, &c, evs, now); err != nil {
		return IntakeResult{}, err
	}
	return IntakeResult{CaseID: c.ID, Reference: c.Reference, Outcome: IntakeAttached}, nil
}

// followUpCase is the case of a FIT-Connect case after a follow-up submission, and its event.
func followUpCase(before api.Case, in IntakeCase, now time.Time) (api.Case, []api.Event) {
	c := before
	c.Attachments = append(append([]api.Attachment{}, before.Attachments...), in.Case.Attachments...)
	for _, s := range in.Case.Sections {
		s.Title = "Nachgereicht: " + s.Title
		c.Sections = append(c.Sections, s)
	}
	if c.FitConnect != nil {
		fc := *c.FitConnect
		fc.SubmissionIDs = append(append([]string{}, fc.SubmissionIDs...), in.SubmissionID)
		c.FitConnect = &fc
	}
	summary := "Unterlagen eingegangen"
	if n := len(in.Case.Attachments); n > 0 {
		summary += " (" + strconv.Itoa(n) + " Anlage"
		if n > 1 {
			summary += "n"
		}
		summary += ")"
	}
	evs := []api.Event{{Kind: api.EventDocumentsReceived, Actor: "applicant", At: in.Case.SubmittedAt, Summary: summary}}
	if c.Status == api.StatusAwaitingDocuments {
		c.Status = api.StatusInReview
	}
	c.Version++
	c.UpdatedAt = now
	return c, evs
}

// allocateReference returns the next Aktenzeichen PREFIX-YEAR-NNNNNN of an Amt. The first
// allocation of a prefix and year starts after the highest number among the Amt's cases (seeded
// or imported cases keep theirs).
func allocateReference(tx *bolt.Tx, ib *bolt.Bucket, amt, prefix string, year int) (string, error) {
	key := intakeKey("ref", amt, prefix, strconv.Itoa(year))
	var n uint64
	if v := ib.Get(key); len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	} else {
		head := prefix + "-" + strconv.Itoa(year) + "-"
		needle := []byte(`"reference":"` + head)
		amtField := []byte(`"amt":` + strconv.Quote(amt))
		err := tx.Bucket(bCases).ForEach(func(_, v []byte) error {
			i := bytes.Index(v, needle)
			if i < 0 || !bytes.Contains(v, amtField) {
				return nil
			}
			var c struct {
				Amt, Reference string
			}
			if err := json.Unmarshal(v, &c); err != nil || c.Amt != amt {
				return nil
			}
			if num, err := strconv.ParseUint(strings.TrimPrefix(c.Reference, head), 10, 64); err == nil && num > n {
				n = num
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	n++
	if err := ib.Put(key, u64(n)); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%d-%06d", prefix, year, n), nil
}

// IntakeRecord reports whether a submission was stored, and as which case.
func (b *boltStore) IntakeRecord(_ context.Context, submissionID string) (IntakeResult, bool, error) {
	var rec intakeRec
	var ok bool
	err := b.db.View(func(tx *bolt.Tx) error {
		ib := tx.Bucket(bIntake)
		if ib == nil {
			return nil
		}
		var err error
		ok, err = getJSON(ib, intakeKey("sub", submissionID), &rec)
		return err
	})
	return IntakeResult{CaseID: rec.CaseID, Reference: rec.Reference, Outcome: rec.Outcome}, ok, err
}
