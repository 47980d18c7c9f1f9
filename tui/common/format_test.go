package common

import (
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/i18n"
)

// Narrow status columns keep the states apart: the short labels are distinct and fit 11 cells.
func TestStatusLabelFit(t *testing.T) {
	defer i18n.SetLang(i18n.DE)
	for _, l := range []i18n.Lang{i18n.DE, i18n.EN} {
		i18n.SetLang(l)
		seen := map[string]api.Status{}
		for _, s := range api.Statuses {
			got := StatusLabelFit(s, 11)
			if Width(got) > 11 {
				t.Errorf("%s %s: %q is wider than 11", l, s, got)
			}
			if o, dup := seen[got]; dup {
				t.Errorf("%s: %s and %s both read %q", l, o, s, got)
			}
			seen[got] = s
			if full := StatusLabel(s); Width(full) <= 11 && got != full {
				t.Errorf("%s %s: short %q although %q fits", l, s, got, full)
			}
		}
	}
}
