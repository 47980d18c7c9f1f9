package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"

	"github.com/amt-mv/amt/internal/sanitize"
)

// Summary is one row of the inbox list, kept in index order (due date ascending, then case id) so
// the list opens without decoding whole cases. It reflects the optimistic overlay.
type Summary struct {
	ID, Reference, ServiceName, ServiceKey, ApplicantName string
	SubmittedAt                                           time.Time
	DueDate                                               string
	Status                                                api.Status
	Assignee                                              string
	ResubmissionDate                                      string // the earliest Wiedervorlage date of all clerks, or ""
	Resubmissions                                         string // each clerk's own Wiedervorlage as "clerk	date" lines (ResubmissionOf); a string keeps Summary comparable
	Search                                                string // lower-cased filter text: reference, service, applicant name and e-mail, form values
	Version                                               int64
	Pending                                               int  // queued (not yet delivered) actions for this case
	Conflict                                              bool // an action of this case met a newer server version
	Rejected                                              bool // an action of this case was refused by the server
	UpdatedAt                                             time.Time
	FourEyes                                              bool // the service needs a lead's approval
	DeliveryFailed                                        bool // an outgoing document did not reach the applicant
	PrintWaiting                                          bool // an outgoing document waits in the print queue (Postausgang)
}

// ResubmissionOf returns the date of clerk's own Wiedervorlage on the case, or "". The inbox's
// Wiedervorlage tab and the filter's resub: terms ask it: a colleague's Wiedervorlage is theirs.
func (s *Summary) ResubmissionOf(clerk string) string {
	for line := range strings.SplitSeq(s.Resubmissions, "\n") {
		if c, d, ok := strings.Cut(line, "\t"); ok && c == clerk && clerk != "" {
			return d
		}
	}
	return ""
}

// MaxSearchFieldBytes caps each field's share of Summary.Search, so that one long field (a
// 100,000-character service name) cannot push the applicant out of search; MaxSearchBytes caps
// the whole (form values past it are not searched).
const (
	MaxSearchFieldBytes = 256
	MaxSearchBytes      = 4096
)

// summaryOf builds the summary of an (overlaid) case.
func summaryOf(c *api.Case) Summary {
	s := Summary{
		ID:            c.ID,
		Reference:     c.Reference,
		ServiceName:   c.Service.Name,
		ServiceKey:    c.Service.Key,
		ApplicantName: c.Applicant.Name,
		SubmittedAt:   c.SubmittedAt,
		DueDate:       c.DueDate,
		Status:        c.Status,
		Assignee:      c.Assignee,
		Version:       c.Version,
		UpdatedAt:     c.UpdatedAt,
		FourEyes:      c.Service.FourEyes,
	}
	if c.Resubmission != nil {
		s.ResubmissionDate = c.Resubmission.Date
	}
	var rs []string
	for _, r := range casework.Resubmissions(*c) {
		if r.Actor != "" && !strings.ContainsAny(r.Actor+r.Date, "\t\n") {
			rs = append(rs, r.Actor+"\t"+r.Date)
		}
	}
	s.Resubmissions = strings.Join(rs, "\n")
	s.Search = searchText(c)
	for _, d := range c.Documents {
		switch {
		case d.Delivery.State == api.DeliveryFailed:
			s.DeliveryFailed = true
		case d.Delivery.Channel == api.ChannelLetter && d.Delivery.State == api.DeliveryPending:
			s.PrintWaiting = true
		}
	}
	return s
}

func searchText(c *api.Case) string {
	var b strings.Builder
	add := func(v string) bool {
		if v == "" {
			return true
		}
		v = truncateUTF8(sanitize.Fold(v), MaxSearchFieldBytes)
		if b.Len()+1+len(v) > MaxSearchBytes {
			return false
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(v)
		return true
	}
	if add(c.Reference) && add(c.Service.Name) && add(c.Applicant.Name) && add(c.Applicant.Email) {
	outer:
		for _, sec := range c.Sections {
			for _, f := range sec.Fields {
				if !add(f.Value) {
					break outer
				}
			}
		}
	}
	return truncateUTF8(b.String(), MaxSearchBytes)
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// summaryFormat 2 appends the clerks' Wiedervorlagen; format 1 (schema 3 and before) is still
// read, without them, until migrateV3toV4 rewrites it.
const summaryFormat = 2

// encodeSummary writes a compact binary form: a format byte, then length-prefixed strings and
// varints in a fixed order. Decoding 100,000 of these takes a fraction of a second.
func encodeSummary(s *Summary) []byte {
	b := make([]byte, 0, 64+len(s.ID)+len(s.Reference)+len(s.ServiceName)+len(s.ServiceKey)+
		len(s.ApplicantName)+len(s.Search)+len(s.Assignee))
	b = append(b, summaryFormat)
	for _, v := range []string{s.ID, s.Reference, s.ServiceName, s.ServiceKey, s.ApplicantName,
		s.DueDate, string(s.Status), s.Assignee, s.ResubmissionDate, s.Search} {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	b = appendTime(b, s.SubmittedAt)
	b = appendTime(b, s.UpdatedAt)
	b = binary.AppendVarint(b, s.Version)
	b = binary.AppendUvarint(b, uint64(s.Pending))
	var flags byte
	if s.Conflict {
		flags |= 1
	}
	if s.Rejected {
		flags |= 2
	}
	if s.FourEyes {
		flags |= 4
	}
	if s.DeliveryFailed {
		flags |= 8
	}
	if s.PrintWaiting {
		flags |= 16
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(len(s.Resubmissions)))
	return append(b, s.Resubmissions...)
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, 0)
	}
	b = append(b, 1)
	return binary.AppendVarint(b, t.UnixNano())
}

var errShort = errors.New("truncated")

// reader decodes from one string, so every decoded field shares a single allocation.
type reader struct {
	b   string
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	for i := 0; i < len(r.b) && i < binary.MaxVarintLen64; i++ {
		c := r.b[i]
		if i == binary.MaxVarintLen64-1 && c > 1 {
			break // overflow
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.b = r.b[i+1:]
			return v
		}
	}
	r.err = errShort
	return 0
}

func (r *reader) varint() int64 {
	u := r.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.err = errShort
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.err = errShort
		return ""
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) time() time.Time {
	switch r.byte() {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(0, r.varint()).UTC()
	default:
		if r.err == nil {
			r.err = errors.New("bad time tag")
		}
		return time.Time{}
	}
}

// decodeSummary parses encodeSummary's output; damaged input yields ErrCorrupt, never a panic.
func decodeSummary(b []byte) (Summary, error) {
	var s Summary
	if len(b) == 0 || (b[0] != 1 && b[0] != summaryFormat) {
		return s, fmt.Errorf("%w: bucket index: unknown summary format", ErrCorrupt)
	}
	r := reader{b: string(b[1:])}
	s.ID = r.str()
	s.Reference = r.str()
	s.ServiceName = r.str()
	s.ServiceKey = r.str()
	s.ApplicantName = r.str()
	s.DueDate = r.str()
	s.Status = api.Status(r.str())
	s.Assignee = r.str()
	s.ResubmissionDate = r.str()
	s.Search = r.str()
	s.SubmittedAt = r.time()
	s.UpdatedAt = r.time()
	s.Version = r.varint()
	p := r.uvarint()
	flags := r.byte()
	if b[0] >= 2 {
		s.Resubmissions = r.str()
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err == nil && p > 1<<31 {
		r.err = errors.New("pending count out of range")
	}
	if r.err != nil {
		return Summary{}, fmt.Errorf("%w: bucket index: summary: %v", ErrCorrupt, r.err)
	}
	s.Pending = int(p)
	s.Conflict = flags&1 != 0
	s.Rejected = flags&2 != 0
	s.FourEyes = flags&4 != 0
	s.DeliveryFailed = flags&8 != 0
	s.PrintWaiting = flags&16 != 0
	return s, nil
}
