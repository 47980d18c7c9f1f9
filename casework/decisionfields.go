package casework

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amt-mv/amt/api"
)

// Decision field kinds (api.DecisionField.Kind; the catalogue defines them per service).
const (
	FieldFee            = "fee"              // the decision's FeeCents
	FieldAmountPerMonth = "amount_per_month" // Values: whole cents
	FieldAmountPerYear  = "amount_per_year"  // Values: whole cents
	FieldPeriod         = "period"           // Values: "YYYY-MM-DD/YYYY-MM-DD"
	FieldValidity       = "validity"         // the decision's ValidUntil
	FieldDate           = "date"             // Values: YYYY-MM-DD
	FieldText           = "text"             // Values: text
)

// InValues reports whether a field of kind k is carried in Decision.Values (fee and validity
// have their own fields).
func InValues(k string) bool { return k != FieldFee && k != FieldValidity }

// Approving reports whether an outcome grants something: only then do required decision fields
// (an amount, a period) have to be set, and only then may values be given.
func Approving(o api.Outcome) bool {
	return o == api.OutcomeApproved || o == api.OutcomePartiallyApproved
}

// CheckDecisionFields checks a decision against the decision fields of its service (the
// catalogue's, api.Service.Decision): every value names a field of the service and has its kind's
// canonical form, values come only with an approving outcome, and an approving outcome sets every
// required field. The error is an *InvalidError naming the field, never its value.
func CheckDecisionFields(fields []api.DecisionField, q api.DecisionRequest) error {
	byName := map[string]api.DecisionField{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	for name, v := range q.Values {
		f, ok := byName[name]
		if !ok || !InValues(f.Kind) {
			return invalid("values.%s is not a decision field of this service", fieldName(name))
		}
		if !Approving(q.Outcome) {
			return invalid("values are only given with an approving outcome")
		}
		if err := checkValue(f.Kind, v); err != nil {
			return invalid("values.%s %s", name, err.Error())
		}
	}
	if !Approving(q.Outcome) {
		return nil
	}
	for _, f := range fields {
		if !f.Required {
			continue
		}
		set := false
		switch f.Kind {
		case FieldFee:
			set = q.FeeCents != nil
		case FieldValidity:
			set = q.ValidUntil != ""
		default:
			set = q.Values[f.Name] != ""
		}
		if !set {
			return invalid("%s is required for this service's decision", fieldName(f.Name))
		}
	}
	return nil
}

// fieldName keeps a client's field name printable in a message (it is not a value of the case).
func fieldName(s string) string {
	if len(s) > 64 || !ValidID(s) {
		return "(invalid name)"
	}
	return s
}

func checkValue(kind, v string) error {
	switch kind {
	case FieldAmountPerMonth, FieldAmountPerYear:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !digits(v) || n > MaxFeeCents {
			return errors.New("must be whole cents from 0 to 10000000000")
		}
	case FieldPeriod:
		from, to, ok := strings.Cut(v, "/")
		if !ok || !IsISODate(from) || !IsISODate(to) {
			return errors.New("must be a period YYYY-MM-DD/YYYY-MM-DD")
		}
		if to < from {
			return errors.New("ends before it begins")
		}
	case FieldDate:
		if !IsISODate(v) {
			return errors.New("must be a date YYYY-MM-DD")
		}
	case FieldText:
		if strings.TrimSpace(v) == "" || utf8.RuneCountInString(v) > MaxReasonRunes || strings.IndexByte(v, 0) >= 0 {
			return errors.New("must have 1 to 2000 characters")
		}
	default:
		return errors.New("has an unknown kind")
	}
	return nil
}

// Errors of ParseDecisionValue (catalogue keys of the TUI, like the date and fee errors).
var (
	ErrPeriodFormat = errors.New("act.err.period_format")
	ErrPeriodOrder  = errors.New("act.err.period_order")
	ErrTextEmpty    = errors.New("act.err.value_empty")
)

// ParseDecisionValue reads what a clerk typed for a decision field of kind (amounts as in
// ParseFee, dates as in ParseDate, a period as two dates joined by "-", "–", "bis" or "/") and
// returns its canonical form for Decision.Values; "" for empty input.
func ParseDecisionValue(kind, s string, now time.Time) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	switch kind {
	case FieldAmountPerMonth, FieldAmountPerYear:
		c, err := ParseFee(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "/Monat"), "/Jahr"))
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(*c, 10), nil
	case FieldPeriod:
		var a, b string
		for _, sep := range []string{" bis ", "–", "/", " - "} {
			if x, y, ok := strings.Cut(s, sep); ok {
				a, b = x, y
				break
			}
		}
		if a == "" && strings.Count(s, "-") == 1 { // "01.12.2026-30.11.2027"
			a, b, _ = strings.Cut(s, "-")
		}
		if a == "" || b == "" {
			return "", ErrPeriodFormat
		}
		from, err := ParseDate(a, now)
		if err != nil {
			return "", ErrPeriodFormat
		}
		to, err := ParseDate(b, now)
		if err != nil {
			return "", ErrPeriodFormat
		}
		if to < from {
			return "", ErrPeriodOrder
		}
		return from + "/" + to, nil
	case FieldDate, FieldValidity:
		return ParseDate(s, now)
	}
	return s, nil
}

// FormatDecisionValue writes a canonical value for people: "312,50 € monatlich", "01.12.2026 bis
// 30.11.2027" (German) or their English forms.
func FormatDecisionValue(kind, v string, lang Lang) string {
	switch kind {
	case FieldAmountPerMonth, FieldAmountPerYear:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return v
		}
		per := map[bool]string{true: " monatlich", false: " jährlich"}[kind == FieldAmountPerMonth]
		if lang == English {
			per = map[bool]string{true: " per month", false: " per year"}[kind == FieldAmountPerMonth]
		}
		return FormatFee(n) + per
	case FieldPeriod:
		from, to, ok := strings.Cut(v, "/")
		if !ok {
			return v
		}
		sep := " bis "
		if lang == English {
			sep = " to "
		}
		return FormatDate(from, lang) + sep + FormatDate(to, lang)
	case FieldDate, FieldValidity:
		return FormatDate(v, lang)
	}
	return v
}
