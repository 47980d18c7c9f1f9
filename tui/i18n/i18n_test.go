package i18n

import (
	"strings"
	"testing"
)

func TestCatalogueComplete(t *testing.T) {
	for _, k := range Keys() {
		de, en, _ := Entry(k)
		if strings.TrimSpace(de) == "" || strings.TrimSpace(en) == "" {
			t.Errorf("%s: de %q en %q", k, de, en)
		}
		if strings.Count(de, "%") != strings.Count(en, "%") {
			t.Errorf("%s: format verbs differ: %q / %q", k, de, en)
		}
	}
}

func TestLookup(t *testing.T) {
	defer SetLang(DE)
	SetLang(Parse("de_DE.UTF-8"))
	if T("view.inbox") != "Posteingang" || Tf("inbox.count", 3) != "3 Vorgänge" {
		t.Fatal("german")
	}
	SetLang(Parse("en-GB"))
	if T("view.inbox") != "Inbox" || Current().String() != "en" {
		t.Fatal("english")
	}
	if T("no.such.key") != "no.such.key" || Has("no.such.key") {
		t.Fatal("unknown key")
	}
}

func TestDuplicateKeyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate key accepted")
		}
	}()
	add(map[string][2]string{"view.inbox": {"x", "y"}})
}
