package main

import (
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/internal/sanitize"
)

func init() {
	for k, v := range checkEvidenceMessages {
		messages[k] = v
	}
}

var checkEvidenceMessages = map[string][2]string{
	"help.check_evidence": {"Nachweis als geprüft markieren (wie „p“ im Reiter Nachweise)",
		"mark a Nachweis (evidence) as checked (as \"p\" in the evidence tab)"},
	"usage.check_evidence": {"Aufruf: amt check-evidence ID [NACHWEIS] (Kennung oder Teil des Titels; ohne, wenn nur einer ungeprüft ist)",
		"usage: amt check-evidence ID [EVIDENCE] (its id or part of its title; none if only one is unchecked)"},
	"err.which_evidence":       {"Welcher Nachweis? Ungeprüft sind:", "Which evidence? Unchecked are:"},
	"err.no_such_evidence":     {"Kein ungeprüfter Nachweis passt zu „%s“. Ungeprüft sind:", "no unchecked evidence matches %q. Unchecked are:"},
	"err.evidence_all_checked": {"Alle Nachweise dieses Vorgangs sind bereits geprüft.", "every evidence of this case is checked already."},
}

// cmdCheckEvidence marks one Nachweis of a case as checked, as `p` in the case's Nachweise tab
// does. The Nachweis is named by its id or a part of its title; a case with one unchecked
// Nachweis needs no name. A name that fits none or several lists the unchecked ones.
func cmdCheckEvidence(a *app, args []string) int {
	fs := a.newFlags("check-evidence")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) < 1 || len(pos) > 2 {
		a.errorf("%s", a.T("usage.check_evidence"))
		return exitUsage
	}
	s, c, ok := a.openCase(pos[0])
	if !ok {
		return a.fail()
	}
	defer s.close()
	if err := casework.CanCheckEvidence(c, s.clerk()); err != nil {
		return a.refused(err)
	}
	var unchecked []api.Evidence
	for _, e := range c.Evidence {
		if !e.Verified {
			unchecked = append(unchecked, e)
		}
	}
	pick := unchecked
	if len(pos) == 2 {
		pick = matchEvidence(unchecked, pos[1])
	}
	if len(pick) != 1 {
		if len(pos) == 2 && len(pick) == 0 {
			a.errorf("%s", a.T("err.no_such_evidence", sanitize.Line(pos[1])))
		} else {
			a.errorf("%s", a.T("err.which_evidence"))
		}
		for _, e := range unchecked {
			a.errorf("  %s  %s (%s)", sanitize.Line(e.ID), sanitize.Line(e.Title), sanitize.Line(e.Register))
		}
		return exitUsage
	}
	if err := casework.EvidenceCheckAllowed(c, pick[0].ID); err != nil {
		return a.refused(err)
	}
	return a.queueSub(s, c, api.ActionEvidenceChecked, pick[0].ID, api.EvidenceCheckRequest{})
}

// matchEvidence finds the Nachweise named by name: the one with that id, else those whose title
// contains it (folded, so case, umlaut forms and invisible characters do not matter).
func matchEvidence(list []api.Evidence, name string) []api.Evidence {
	for _, e := range list {
		if e.ID == name {
			return []api.Evidence{e}
		}
	}
	want := sanitize.Fold(strings.TrimSpace(name))
	if want == "" {
		return nil
	}
	var out []api.Evidence
	for _, e := range list {
		if strings.Contains(sanitize.Fold(e.Title), want) {
			out = append(out, e)
		}
	}
	return out
}
