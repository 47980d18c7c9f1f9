package main

import (
	"fmt"
	"sort"
	"strings"
)

// commandFlags lists each subcommand's flags for shell completion (a test keeps it in step with
// the commands table).
var commandFlags = map[string][]string{
	"login":          {"--token"},
	"sync":           {"--timeout"},
	"list":           {"--status", "--mine", "--overdue", "--service", "--query", "--json"},
	"show":           {"--json"},
	"comment":        {},
	"assign":         {"--to", "--me", "--none"},
	"decide":         {"--reason", "--fee-cents", "--valid-until"},
	"outbox":         {"--json"},
	"print-queue":    {"list", "print", "printed", "--json"},
	"approve":        {"--return", "--comment"},
	"resubmit":       {"--reason"},
	"request-docs":   {"--doc", "--deadline", "--message"},
	"status":         {"in_review", "closed"},
	"check-evidence": {},
	"conflicts":      {"list", "resolve", "--reapply", "--as-note", "--discard", "--json"},
	"purge":          {"--older-than", "--compact"},
	"cache":          {"path", "rescue", "--force", "--no-sync", "--from", "--timeout"},
	"config":         {"path", "init", "--force"},
	"doctor":         {"--timeout"},
	"completion":     {"bash", "zsh", "fish", "powershell"},
	"version":        {},
}

var globalFlagNames = []string{"--data", "--server", "--config", "--lang", "--demo", "--version", "--help"}

func commandNames() []string {
	var n []string
	for _, c := range commands {
		n = append(n, c.name)
	}
	sort.Strings(n)
	return n
}

func cmdCompletion(a *app, args []string) int {
	if len(args) != 1 {
		a.errorf("%s", a.T("usage.completion"))
		return exitUsage
	}
	names := commandNames()
	var b strings.Builder
	switch args[0] {
	case "bash":
		b.WriteString("# bash completion for amt; load with: source <(amt completion bash)\n_amt() {\n")
		b.WriteString("  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=\"\" w n=0 skip=\"\"\n")
		b.WriteString("  for w in \"${COMP_WORDS[@]:1:COMP_CWORD-1}\"; do\n")
		b.WriteString("    if [ -n \"$skip\" ]; then skip=\"\"; continue; fi\n")
		b.WriteString("    case \" " + strings.Join(valueFlagNames, " ") + " \" in *\" $w \"*) skip=1; continue;; esac\n")
		b.WriteString("    case $w in -*) ;; *) if [ -z \"$cmd\" ]; then cmd=$w; else n=$((n+1)); fi;; esac\n  done\n")
		b.WriteString("  local vals=\"\"\n  if [ \"$prev\" = --to ]; then vals=clerks\n")
		b.WriteString("  else case \"$cmd:$n\" in " + strings.Join(caseArgCommands, ":0|") + ":0) vals=cases;; decide:1) vals=outcomes;; esac; fi\n")
		b.WriteString("  if [ -n \"$vals\" ]; then COMPREPLY=($(compgen -W \"$(amt __complete $vals 2>/dev/null)\" -- \"$cur\")); return; fi\n")
		b.WriteString("  local opts=\"" + strings.Join(globalFlagNames, " ") + "\"\n  case $cmd in\n")
		for _, n := range names {
			fmt.Fprintf(&b, "    %s) opts=\"$opts %s\";;\n", n, strings.Join(commandFlags[n], " "))
		}
		b.WriteString("    \"\") opts=\"$opts " + strings.Join(names, " ") + "\";;\n  esac\n")
		b.WriteString("  COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n}\ncomplete -o default -F _amt amt\n")
	case "zsh":
		b.WriteString("#compdef amt\n# zsh completion for amt; load with: source <(amt completion zsh)\n_amt() {\n")
		b.WriteString("  local -a opts vflags\n  local cmd=\"\" w n=0 skip=\"\" i vals=\"\"\n  vflags=(" + strings.Join(valueFlagNames, " ") + ")\n")
		b.WriteString("  for ((i=2; i<CURRENT; i++)); do w=${words[i]}\n")
		b.WriteString("    if [[ -n $skip ]]; then skip=\"\"; continue; fi\n")
		b.WriteString("    if (( ${vflags[(Ie)$w]} )); then skip=1; continue; fi\n")
		b.WriteString("    if [[ $w != -* ]]; then if [[ -z $cmd ]]; then cmd=$w; else n=$((n+1)); fi; fi\n  done\n")
		b.WriteString("  if [[ ${words[CURRENT-1]} == --to ]]; then vals=clerks\n")
		b.WriteString("  else case \"$cmd:$n\" in (" + strings.Join(caseArgCommands, ":0|") + ":0) vals=cases;; (decide:1) vals=outcomes;; esac; fi\n")
		b.WriteString("  if [[ -n $vals ]]; then compadd -- ${(f)\"$(amt __complete $vals 2>/dev/null)\"}; return; fi\n")
		b.WriteString("  opts=(" + strings.Join(globalFlagNames, " ") + ")\n  case $cmd in\n")
		for _, n := range names {
			fmt.Fprintf(&b, "    %s) opts+=(%s);;\n", n, strings.Join(commandFlags[n], " "))
		}
		b.WriteString("    *) opts+=(" + strings.Join(names, " ") + ");;\n  esac\n  compadd -- $opts\n}\n")
		b.WriteString("if (( $+functions[compdef] )); then compdef _amt amt; fi\n")
	case "fish":
		b.WriteString("# fish completion for amt; load with: amt completion fish | source\n")
		fmt.Fprintf(&b, "complete -c amt -f -n '__fish_seen_subcommand_from %s' -a '(amt __complete cases 2>/dev/null)'\n", strings.Join(caseArgCommands, " "))
		b.WriteString("complete -c amt -f -n '__fish_seen_subcommand_from decide' -a '(amt __complete outcomes 2>/dev/null)'\n")
		b.WriteString("complete -c amt -n '__fish_seen_subcommand_from assign' -l to -x -a '(amt __complete clerks 2>/dev/null)'\n")
		for _, g := range globalFlagNames {
			fmt.Fprintf(&b, "complete -c amt -l %s\n", strings.TrimPrefix(g, "--"))
		}
		for _, n := range names {
			for _, c := range commands {
				if c.name == n {
					fmt.Fprintf(&b, "complete -c amt -f -n __fish_use_subcommand -a %s -d %q\n", n, tr("de", c.helpKey))
				}
			}
			for _, f := range commandFlags[n] {
				if strings.HasPrefix(f, "--") {
					fmt.Fprintf(&b, "complete -c amt -n '__fish_seen_subcommand_from %s' -l %s\n", n, strings.TrimPrefix(f, "--"))
				} else {
					fmt.Fprintf(&b, "complete -c amt -f -n '__fish_seen_subcommand_from %s' -a %s\n", n, f)
				}
			}
		}
	case "powershell":
		b.WriteString("# PowerShell completion for amt; load with: amt completion powershell | Out-String | Invoke-Expression\n")
		b.WriteString("Register-ArgumentCompleter -Native -CommandName amt -ScriptBlock {\n  param($wordToComplete, $commandAst, $cursorPosition)\n")
		b.WriteString("  $flags = @{\n")
		for _, n := range names {
			q := make([]string, 0, len(commandFlags[n]))
			for _, f := range commandFlags[n] {
				q = append(q, "'"+f+"'")
			}
			fmt.Fprintf(&b, "    '%s' = @(%s)\n", n, strings.Join(q, ", "))
		}
		b.WriteString("  }\n  $words = $commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() } | Where-Object { $_ -notlike '-*' }\n")
		b.WriteString("  $cands = @('" + strings.Join(globalFlagNames, "', '") + "')\n")
		b.WriteString("  $all = @($commandAst.CommandElements | ForEach-Object { $_.ToString() })\n")
		b.WriteString("  if ($wordToComplete) { $prev = $all[-2] } else { $prev = $all[-1] }\n")
		b.WriteString("  if ($prev -eq '--to') { $cands = @(amt __complete clerks 2>$null) }\n")
		b.WriteString("  elseif ($words.Count -gt 0 -and @('" + strings.Join(caseArgCommands, "', '") + "') -contains $words[0] -and ($words.Count -eq 1 -or ($words.Count -eq 2 -and $wordToComplete))) { $cands = @(amt __complete cases 2>$null) }\n")
		b.WriteString("  elseif ($words.Count -gt 0 -and $words[0] -eq 'decide' -and ($words.Count -eq 2 -or ($words.Count -eq 3 -and $wordToComplete))) { $cands = @(amt __complete outcomes 2>$null) }\n")
		b.WriteString("  elseif ($words.Count -gt 0 -and $flags.ContainsKey($words[0])) { $cands += $flags[$words[0]] } else { $cands += @('" + strings.Join(names, "', '") + "') }\n")
		b.WriteString("  $cands | Where-Object { $_ -like \"$wordToComplete*\" } | ForEach-Object {\n")
		b.WriteString("    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)\n  }\n}\n")
	default:
		a.errorf("%s", a.T("usage.completion"))
		return exitUsage
	}
	a.printf("%s", b.String())
	return exitOK
}
