package syncer

import (
	"fmt"
	"strings"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/sanitize"
)

// A rejected action's LastError starts with the kind of the server's problem in brackets,
// "[invalid-transition] Action not allowed in this state: …": the terminal app and the command
// line say the kind in the clerk's language (SplitRejected), the rest is the server's own text.

// problemBase is the prefix of the API's problem types.
const problemBase = "https://amt.example/problems/"

// rejectedReason is the LastError stored for an action the server rejected with p.
func rejectedReason(p api.Problem, status int) string {
	reason := p.Title
	if p.Detail != "" {
		reason += ": " + p.Detail
	}
	// Server text: one safe line (it is shown in lists and printed by the CLI), bounded.
	reason = sanitize.Line(reason)
	if r := []rune(reason); len(r) > maxReasonRunes {
		reason = string(r[:maxReasonRunes-1]) + "…"
	}
	if reason == "" {
		reason = fmt.Sprintf("HTTP %d", status)
	}
	if kind, ok := strings.CutPrefix(p.Type, problemBase); ok && validKind(kind) {
		reason = "[" + kind + "] " + reason
	}
	return reason
}

// SplitRejected splits a rejected action's LastError into the problem kind ("invalid-transition",
// "" when the server named none) and the server's text.
func SplitRejected(lastError string) (kind, text string) {
	if rest, ok := strings.CutPrefix(lastError, "["); ok {
		if k, t, ok := strings.Cut(rest, "] "); ok && validKind(k) {
			return k, t
		}
	}
	return "", lastError
}

func validKind(k string) bool {
	if k == "" || len(k) > 40 {
		return false
	}
	for _, r := range k {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}
