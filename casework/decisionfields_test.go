package casework

import (
	"errors"
	"testing"
	"time"

	"github.com/amt-mv/amt/api"
)

func TestCheckDecisionFields(t *testing.T) {
	wohngeld := []api.DecisionField{
		{Name: "monthlyAmount", Label: "Wohngeld monatlich", Kind: FieldAmountPerMonth, Required: true},
		{Name: "grantPeriod", Label: "Bewilligungszeitraum", Kind: FieldPeriod, Required: true},
	}
	sne := []api.DecisionField{{Name: "fee", Kind: FieldFee, Required: true}, {Name: "usePeriod", Kind: FieldPeriod},
		{Name: "until", Kind: FieldValidity, Required: true}, {Name: "auflage", Kind: FieldText}, {Name: "from", Kind: FieldDate}}
	fee := int64(5000)
	ok := map[string]string{"monthlyAmount": "31250", "grantPeriod": "2026-12-01/2027-11-30"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range ok {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		fields []api.DecisionField
		q      api.DecisionRequest
		bad    bool
	}{
		{"wohngeld approved", wohngeld, api.DecisionRequest{Outcome: api.OutcomeApproved, Values: ok}, false},
		{"partially approved", wohngeld, api.DecisionRequest{Outcome: api.OutcomePartiallyApproved, Values: ok}, false},
		{"amount missing", wohngeld, api.DecisionRequest{Outcome: api.OutcomeApproved, Values: with("monthlyAmount", "")}, true},
		{"period missing", wohngeld, api.DecisionRequest{Outcome: api.OutcomeApproved, Values: with("grantPeriod", "")}, true},
		{"nothing for a grant", wohngeld, api.DecisionRequest{Outcome: api.OutcomeApproved}, true},
		{"rejected needs none", wohngeld, api.DecisionRequest{Outcome: api.OutcomeRejected}, false},
		{"rejected with values", wohngeld, api.DecisionRequest{Outcome: api.OutcomeRejected, Values: ok}, true},
		{"amount with comma", wohngeld, api.DecisionRequest{Outcome: api.OutcomeApproved, Values: with("monthlyAmount", "312,50")}, true},
		{"negative amount", wohngeld, api.DecisionRequest{Outcome: api.OutcomeApproved, Values: with("monthlyAmount", "-5")}, true},
		{"period reversed", wohngeld, api.DecisionRequest{Outcome: api.OutcomeApproved, Values: with("grantPeriod", "2027-11-30/2026-12-01")}, true},
		{"period one date", wohngeld, api.DecisionRequest{Outcome: api.OutcomeApproved, Values: with("grantPeriod", "2026-12-01")}, true},
		{"unknown field", wohngeld, api.DecisionRequest{Outcome: api.OutcomeApproved, Values: with("bonus", "1")}, true},
		{"fee via values", sne, api.DecisionRequest{Outcome: api.OutcomeApproved, FeeCents: &fee, ValidUntil: "2027-01-01",
			Values: map[string]string{"fee": "5000"}}, true},
		{"sne complete", sne, api.DecisionRequest{Outcome: api.OutcomeApproved, FeeCents: &fee, ValidUntil: "2027-01-01",
			Values: map[string]string{"usePeriod": "2026-12-01/2026-12-31", "auflage": "Gehweg freihalten", "from": "2026-12-01"}}, false},
		{"sne fee missing", sne, api.DecisionRequest{Outcome: api.OutcomeApproved, ValidUntil: "2027-01-01"}, true},
		{"sne validity missing", sne, api.DecisionRequest{Outcome: api.OutcomeApproved, FeeCents: &fee}, true},
		{"empty text", sne, api.DecisionRequest{Outcome: api.OutcomeApproved, FeeCents: &fee, ValidUntil: "2027-01-01",
			Values: map[string]string{"auflage": "  "}}, true},
		{"bad date", sne, api.DecisionRequest{Outcome: api.OutcomeApproved, FeeCents: &fee, ValidUntil: "2027-01-01",
			Values: map[string]string{"from": "01.12.2026"}}, true},
		{"service without fields", nil, api.DecisionRequest{Outcome: api.OutcomeApproved}, false},
	}
	for _, tc := range tests {
		err := CheckDecisionFields(tc.fields, tc.q)
		var ie *InvalidError
		if tc.bad != (err != nil) || (err != nil && !errors.As(err, &ie)) {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
}

func TestParseAndFormatDecisionValue(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		kind, in, want string
		err            error
		shown          string
	}{
		{FieldAmountPerMonth, "312,50", "31250", nil, "312,50 € monatlich"},
		{FieldAmountPerMonth, "1.234 €", "123400", nil, "1.234,00 € monatlich"},
		{FieldAmountPerYear, "120", "12000", nil, "120,00 € jährlich"},
		{FieldAmountPerMonth, "zwölf", "", ErrFeeFormat, ""},
		{FieldPeriod, "01.12.2026 - 30.11.2027", "2026-12-01/2027-11-30", nil, "01.12.2026 bis 30.11.2027"},
		{FieldPeriod, "1.12.26–30.11.27", "2026-12-01/2027-11-30", nil, "01.12.2026 bis 30.11.2027"},
		{FieldPeriod, "01.12.2026 bis +1j", "2026-12-01/2027-11-24", nil, "01.12.2026 bis 24.11.2027"},
		{FieldPeriod, "01.12.2026-30.11.2027", "2026-12-01/2027-11-30", nil, "01.12.2026 bis 30.11.2027"},
		{FieldPeriod, "2026-12-01/2027-11-30", "2026-12-01/2027-11-30", nil, "01.12.2026 bis 30.11.2027"},
		{FieldPeriod, "30.11.2027 - 01.12.2026", "", ErrPeriodOrder, ""},
		{FieldPeriod, "ab Dezember", "", ErrPeriodFormat, ""},
		{FieldDate, "15.12.2026", "2026-12-15", nil, "15.12.2026"},
		{FieldText, " Gehweg freihalten ", "Gehweg freihalten", nil, "Gehweg freihalten"},
		{FieldPeriod, "", "", nil, ""},
	}
	for _, tc := range tests {
		got, err := ParseDecisionValue(tc.kind, tc.in, now)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%s %q: %q %v, want %q %v", tc.kind, tc.in, got, err, tc.want, tc.err)
			continue
		}
		if err == nil && got != "" {
			if s := FormatDecisionValue(tc.kind, got, German); s != tc.shown {
				t.Errorf("%s %q shown %q, want %q", tc.kind, got, s, tc.shown)
			}
		}
	}
}
