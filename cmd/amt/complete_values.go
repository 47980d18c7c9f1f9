package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/tui/i18n"
)

// The shell completions ask `amt __complete cases|clerks|outcomes` for the values of the moment:
// the case ids and Aktenzeichen in the local cache, the Amt's clerk ids, and the outcomes in
// English and German. It runs beside the terminal app like list (relay.go).

// caseArgCommands take a case (id or Aktenzeichen) as their first argument.
var caseArgCommands = []string{"show", "comment", "assign", "decide", "approve", "resubmit", "request-docs", "status", "check-evidence"}

// valueFlagNames are the flags that take a value (the completions skip the value when counting
// positional arguments).
var valueFlagNames = []string{"--to", "--reason", "--fee-cents", "--valid-until", "--comment", "--doc", "--deadline",
	"--message", "--status", "--service", "--query", "--older-than", "--from", "--timeout", "--token",
	"--data", "--server", "--config", "--lang"}

func cmdCompleteValues(a *app, args []string) int {
	if len(args) != 1 {
		return exitUsage
	}
	var vals []string
	switch args[0] {
	case "outcomes":
		vals = outcomeWords()
	case "cases", "clerks":
		st, ok := a.openStore()
		if !ok {
			return a.fail()
		}
		defer a.closeStore(st)
		if args[0] == "cases" {
			rows, err := st.AllSummaries()
			if err != nil {
				return a.storeErr(err)
			}
			for _, r := range rows {
				vals = append(vals, r.ID)
				if r.Reference != "" {
					vals = append(vals, r.Reference)
				}
			}
		} else {
			for _, k := range storedClerks(st) {
				vals = append(vals, k.ID)
			}
		}
	default:
		return exitUsage
	}
	sort.Strings(vals)
	for _, v := range vals {
		if v = sanitize.Line(v); v != "" && !strings.ContainsAny(v, " \t") {
			a.printf("%s\n", v)
		}
	}
	return exitOK
}

// outcomeWord is an outcome's German label as one word: "teilweise_bewilligt".
func outcomeWord(o api.Outcome) string {
	de, _, _ := i18n.Entry("act.outcome." + string(o))
	de, _, _ = strings.Cut(de, " (") // "Weitergeleitet (nicht zuständig)"
	return normOutcome(de)
}

func normOutcome(s string) string {
	return strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
}

// outcomeWords are the outcomes amt decide accepts: the API's words and the German ones.
func outcomeWords() []string {
	var w []string
	for _, o := range api.Outcomes {
		w = append(w, string(o), outcomeWord(o))
	}
	return w
}

// parseOutcome reads an outcome in English (approved, partially-approved) or German (bewilligt,
// teilweise_bewilligt, abgelehnt, …).
func parseOutcome(s string) (api.Outcome, bool) {
	n := normOutcome(s)
	for _, o := range api.Outcomes {
		if n == string(o) || n == outcomeWord(o) {
			return o, true
		}
	}
	return "", false
}

// storedClerks are the Amt's clerks as the last sync stored them (none before the first).
func storedClerks(st interface{ Meta(string) ([]byte, error) }) []api.Clerk {
	var clerks []api.Clerk
	if b, err := st.Meta(metaClerks); err == nil {
		_ = json.Unmarshal(b, &clerks)
	}
	return clerks
}

// resolveClerk finds the clerk meant by s: the id, else the one clerk whose name contains s
// (case-insensitive: --to Krüger). Otherwise the error lists the valid ids with their names.
func (a *app) resolveClerk(clerks []api.Clerk, s string) (string, error) {
	var byName []api.Clerk
	for _, k := range clerks {
		if k.ID == s {
			return k.ID, nil
		}
		if strings.Contains(strings.ToLower(k.Name), strings.ToLower(s)) {
			byName = append(byName, k)
		}
	}
	if len(byName) == 1 {
		return byName[0].ID, nil
	}
	list := byName
	if len(list) == 0 {
		list = clerks
	}
	var lines []string
	for _, k := range list {
		lines = append(lines, fmt.Sprintf("  %s  %s", sanitize.Line(k.ID), sanitize.Line(k.Name)))
	}
	key := "err.clerk_none"
	if len(byName) > 1 {
		key = "err.clerk_many"
	}
	return "", fmt.Errorf("%s\n%s", a.T(key, sanitize.Line(s)), strings.Join(lines, "\n"))
}
