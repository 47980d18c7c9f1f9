package i18n

import "testing"

func TestSprintfPlural(t *testing.T) {
	tests := []struct {
		format string
		args   []any
		want   string
	}{
		{"%d {Aktion|Aktionen} · %d {Konflikt|Konflikte} · %d abgelehnt", []any{1, 1, 0}, "1 Aktion · 1 Konflikt · 0 abgelehnt"},
		{"%d {Aktion|Aktionen} · %d {Konflikt|Konflikte} · %d abgelehnt", []any{2, 0, 1}, "2 Aktionen · 0 Konflikte · 1 abgelehnt"},
		{"%d {attempt|attempts}, next at %s", []any{1, "10:00"}, "1 attempt, next at 10:00"},
		{"%d {attempt|attempts}, next at %s", []any{3, "10:00"}, "3 attempts, next at 10:00"},
		{"100%% von %d {Fall|Fällen}", []any{1}, "100% von 1 Fall"},
		{"{kein|Verb} %s", []any{"x"}, "Verb x"},
		{"plain {braces} %d", []any{1}, "plain {braces} 1"},
		{"vor %d {Tag|Tagen}", []any{int64(1)}, "vor 1 Tag"},
	}
	for _, tt := range tests {
		if got := Sprintf(tt.format, tt.args...); got != tt.want {
			t.Errorf("Sprintf(%q, %v) = %q, want %q", tt.format, tt.args, got, tt.want)
		}
	}
}

// The counts the clerk saw as "1 Aktionen · 1 Konflikte" read in the singular.
func TestCatalogueSingulars(t *testing.T) {
	defer SetLang(Current())
	tests := []struct {
		lang Lang
		key  string
		args []any
		want string
	}{
		{DE, "pend.count", []any{1, 1, 0}, "1 Aktion · 1 Konflikt · 0 abgelehnt"},
		{DE, "pend.count", []any{2, 0, 1}, "2 Aktionen · 0 Konflikte · 1 abgelehnt"},
		{EN, "pend.count", []any{1, 2, 0}, "1 action · 2 conflicts · 0 rejected"},
		{DE, "status.conflicts", []any{1}, "1 Konflikt"},
		{EN, "a11y.pend.tries", []any{1}, "1 attempt"},
		{DE, "a11y.pend.tries", []any{1}, "1 Versuch"},
		{DE, "inbox.countOf", []any{1, 1}, "1 von 1 Vorgang"},
		{DE, "preview.pending", []any{1}, "1 Aktion wartet auf Übertragung"},
		{DE, "preview.pending", []any{3}, "3 Aktionen warten auf Übertragung"},
		{DE, "rel.days", []any{1}, "vor 1 Tag"},
	}
	for _, tt := range tests {
		SetLang(tt.lang)
		if got := Tf(tt.key, tt.args...); got != tt.want {
			t.Errorf("%v %s %v = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}
