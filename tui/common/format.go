package common

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/syncer"
	"github.com/amt-mv/amt/tui/i18n"
)

// Line sanitises untrusted text for one line (sanitize.Line). Every applicant or server string
// passes here or through Text before it is rendered.
func Line(s string) string { return sanitize.Line(s) }

// Text sanitises untrusted multi-line text (sanitize.Text).
func Text(s string) string { return sanitize.Text(s) }

// Width is the display width of s in terminal cells (ANSI-aware, umlauts count one).
func Width(s string) int { return ansi.StringWidth(s) }

// Truncate cuts s to at most w cells, ending with "…" when cut. ANSI-safe.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Fit truncates s to w cells and pads it with spaces to exactly w cells.
func Fit(s string, w int) string {
	s = Truncate(s, w)
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// FitRight is Fit aligned right.
func FitRight(s string, w int) string {
	s = Truncate(s, w)
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s = strings.Repeat(" ", pad) + s
	}
	return s
}

// StatusLabel is the clerk-facing label of a case status.
func StatusLabel(s api.Status) string {
	k := "status." + string(s)
	if s.Valid() && i18n.Has(k) {
		return i18n.T(k)
	}
	return sanitize.Line(string(s))
}

// StatusLabelFit is StatusLabel for a column of w cells: the full label when it fits, else the
// short one ("Freigabe" for "Zur Freigabe"), so states stay distinguishable in narrow lists
// ("Awaiting d…" and "Awaiting a…" would not be).
func StatusLabelFit(s api.Status, w int) string {
	full := StatusLabel(s)
	if Width(full) <= w || !s.Valid() {
		return full
	}
	if k := "status.short." + string(s); i18n.Has(k) {
		return i18n.T(k)
	}
	return full
}

// FormatDate renders a "YYYY-MM-DD" date as "24.11.2026" (German) or "2026-11-24" (English);
// anything unparsable is shown sanitised as it is.
func FormatDate(ymd string) string {
	return sanitize.Line(casework.FormatDate(ymd, DateLang()))
}

// DateLang is the language casework writes dates in for the TUI's current language.
func DateLang() casework.Lang {
	if i18n.Current() == i18n.EN {
		return casework.English
	}
	return casework.German
}

// FormatDay renders a time as a date in the local zone.
func FormatDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return FormatDate(t.Local().Format("2006-01-02"))
}

// FormatTime renders a time as date and minutes in the local zone.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return FormatDay(t) + " " + t.Local().Format("15:04")
}

// Relative renders t relative to now ("vor 5 Min."); the zero time is "noch nie".
func Relative(t, now time.Time) string {
	if t.IsZero() {
		return i18n.T("status.never")
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return i18n.T("rel.now")
	case d < time.Hour:
		return i18n.Tf("rel.minutes", int(d/time.Minute))
	case d < 24*time.Hour:
		return i18n.Tf("rel.hours", int(d/time.Hour))
	case d < 48*time.Hour:
		return i18n.T("rel.day")
	}
	return i18n.Tf("rel.days", int(d/(24*time.Hour)))
}

// Today returns now's date as "YYYY-MM-DD" in the local zone, for comparing with due dates.
func Today(now time.Time) string { return now.Local().Format("2006-01-02") }

// AddDays returns the "YYYY-MM-DD" date days after now's date.
func AddDays(now time.Time, days int) string {
	return now.Local().AddDate(0, 0, days).Format("2006-01-02")
}

// Due classifies a deadline.
type Due int

// Deadline classes.
const (
	DueNone    Due = iota // no deadline
	DueOK                 // later than the due-soon window
	DueSoon               // today or within the due-soon window
	DueOverdue            // before today
)

// DueState classifies a "YYYY-MM-DD" deadline against today and soonLimit (both "YYYY-MM-DD";
// see Today and AddDays). String comparison is enough for ISO dates, so this costs no parsing.
func DueState(due, today, soonLimit string) Due {
	switch {
	case due == "":
		return DueNone
	case due < today:
		return DueOverdue
	case due <= soonLimit:
		return DueSoon
	}
	return DueOK
}

// Symbol marks a deadline class without relying on colour: "!" overdue, "*" due soon.
func (d Due) Symbol() string {
	switch d {
	case DueOverdue:
		return "!"
	case DueSoon:
		return "*"
	}
	return " "
}

// Label is the spoken form of a deadline class ("überfällig").
func (d Due) Label() string {
	switch d {
	case DueOverdue:
		return i18n.T("due.overdue")
	case DueSoon:
		return i18n.T("due.soon")
	case DueNone:
		return i18n.T("due.none")
	}
	return ""
}

// Sync marks for a case's outbox state.
const (
	MarkPending  = "⟳"
	MarkConflict = "⚠"
	MarkRejected = "✗"
)

// MarkDeliveryFailed marks a case one of whose outgoing documents did not reach the applicant.
const MarkDeliveryFailed = "✉"

// MarkNotice marks a case with news for the clerk (Ctx.Notices) until they open it.
const MarkNotice = "●"

// Hint is a footer hint for a binding: its keys and what it does ("c Notiz").
func Hint(b key.Binding) string {
	h := b.Help()
	if h.Key == "" {
		return h.Desc
	}
	return h.Key + " " + h.Desc
}

// FitHints joins as many whole hints as fit in w cells, most important first.
func FitHints(hints []string, w int) string {
	out := ""
	for _, h := range hints {
		next := h
		if out != "" {
			next = out + " · " + h
		}
		if Width(next) > w {
			break
		}
		out = next
	}
	return out
}

// RejectText is the reason of a rejected action as the clerk reads it: the kind of the server's
// problem in the clerk's language when the catalogue has it, else the server's text (sanitised).
func RejectText(lastError string) string {
	kind, text := syncer.SplitRejected(lastError)
	if s, ok := i18n.Problem(kind); ok {
		return s
	}
	return Line(text)
}
