package main

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/internal/sanitize"
)

func cmdDecide(a *app, args []string) int {
	fs := a.newFlags("decide")
	reason := fs.String("reason", "", a.T("flag.reason"))
	fee := fs.Int64("fee-cents", -1, a.T("flag.fee"))
	valid := fs.String("valid-until", "", a.T("flag.valid_until"))
	var values valueFlags
	fs.Var(&values, "value", a.T("flag.value"))
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) != 2 {
		a.errorf("%s", a.T("usage.decide"))
		return exitUsage
	}
	outcome, ok := parseOutcome(pos[1])
	if !ok {
		a.errorf("%s", a.T("err.bad_outcome", sanitize.Line(pos[1]), strings.Join(outcomeWords(), ", ")))
		return exitUsage
	}
	if strings.TrimSpace(*reason) == "" {
		a.errorf("%s", a.T("err.need_reason"))
		return exitUsage
	}
	if a.tooLong(*reason, api.MaxNoteRunes) {
		return exitUsage
	}
	validUntil := ""
	if *valid != "" {
		var ok bool
		if validUntil, ok = a.futureDate(*valid); !ok {
			return exitUsage
		}
	}
	req := api.DecisionRequest{Outcome: outcome, Reasoning: *reason, ValidUntil: validUntil}
	if *fee >= 0 {
		req.FeeCents = fee
	}
	s, c, found := a.openCase(pos[0])
	if !found {
		return a.fail()
	}
	defer s.close()
	if err := casework.CanDecide(c, s.clerk()); err != nil {
		return a.refused(err)
	}
	if !a.decisionValues(c, &req, values) {
		return exitUsage
	}
	if casework.StartsReview(c, outcome) {
		// Like the terminal app: a new case is taken into review first, in the same queue.
		if _, err := a.enqueue(s, c, api.ActionStatus, "", api.StatusRequest{Status: api.StatusInReview}); err != nil {
			return a.storeErr(err)
		}
	}
	if casework.NeedsApproval(c, outcome) {
		var clerks []api.Clerk
		if b, err := s.st.Meta(metaClerks); err == nil && json.Unmarshal(b, &clerks) == nil && len(clerks) > 0 &&
			len(casework.Approvers(clerks, s.me.Clerk)) == 0 {
			a.errorf("%s", a.T("warn.no_approver"))
		}
	}
	return a.queue(s, c, api.ActionDecision, req)
}

// valueFlags collects repeated --value NAME=WERT.
type valueFlags []string

func (v *valueFlags) String() string     { return strings.Join(*v, " ") }
func (v *valueFlags) Set(s string) error { *v = append(*v, s); return nil }

// decisionValues reads --value NAME=WERT for the service's decision fields (the catalogue's, as
// the case carries them) into req.Values and checks that a grant names every required one, as
// the server will (casework.CheckDecisionFields); it says what is wrong in the clerk's language.
func (a *app) decisionValues(c api.Case, req *api.DecisionRequest, values valueFlags) bool {
	specs := map[string]api.DecisionField{}
	var names []string
	fields := catalogue.DecisionFieldsOf(c.Service)
	for _, f := range fields {
		if casework.InValues(f.Kind) {
			specs[f.Name] = f
			names = append(names, f.Name)
		}
	}
	list := strings.Join(names, ", ")
	if list == "" {
		list = "–"
	}
	for _, nv := range values {
		name, raw, ok := strings.Cut(nv, "=")
		spec, known := specs[strings.TrimSpace(name)]
		if !ok || !known {
			a.errorf("%s", a.T("err.value_unknown", sanitize.Line(name), list))
			return false
		}
		v, err := casework.ParseDecisionValue(spec.Kind, raw, time.Now())
		if err != nil || v == "" {
			a.errorf("%s", a.T("err.value_bad", spec.Name, sanitize.Line(raw), a.T("value.example."+spec.Kind)))
			return false
		}
		if !casework.Approving(req.Outcome) {
			a.errorf("%s", a.T("err.value_not_grant", spec.Name))
			return false
		}
		if req.Values == nil {
			req.Values = map[string]string{}
		}
		req.Values[spec.Name] = v
	}
	if casework.Approving(req.Outcome) {
		for _, f := range fields {
			if f.Required && casework.InValues(f.Kind) && req.Values[f.Name] == "" {
				a.errorf("%s", a.T("err.value_required", sanitize.Line(f.Label), f.Name, a.T("value.example."+f.Kind)))
				return false
			}
		}
	}
	return true
}
