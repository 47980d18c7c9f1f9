package actions

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// TestCatalogue checks that every catalogue key the view packages use exists in German and
// English, including the keys they build from kinds, outcomes and events.
func TestCatalogue(t *testing.T) {
	re := regexp.MustCompile(`"((?:act|case|pend|dash)\.[A-Za-z0-9_.]+)"`)
	keys := map[string]bool{}
	for _, dir := range []string{".", "../caseview", "../pending", "../dashboard"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				if !strings.HasSuffix(m[1], ".") {
					keys[m[1]] = true
				}
			}
		}
	}
	kinds := []common.DialogKind{common.DialogComment, common.DialogAssign, common.DialogResubmission,
		common.DialogDocumentRequest, common.DialogDecide, common.DialogApproval, common.DialogStatus}
	for _, k := range kinds {
		keys["act.title."+string(k)] = true
		keys["act.hint.submit."+string(k)] = true
	}
	for _, k := range []string{"comment", "document_request", "decide", "approval"} {
		keys["act.field.text."+k] = true
	}
	for _, k := range []string{"resubmission", "document_request"} {
		keys["act.field.date."+k] = true
	}
	for _, k := range []string{"assign", "decide", "approval", "status"} {
		keys["act.field.choice."+k] = true
	}
	keys["act.confirm.intro.decide"], keys["act.confirm.intro.approval"] = true, true
	for _, o := range api.Outcomes {
		keys["act.outcome."+string(o)] = true
	}
	for _, k := range api.ActionKinds {
		keys["act.kind."+string(k)] = true
	}
	for _, e := range []api.EventKind{api.EventReceived, api.EventStatusChanged, api.EventAssigned, api.EventNote,
		api.EventResubmission, api.EventDocumentRequest, api.EventDecisionProposed, api.EventDecisionApproved,
		api.EventDecisionReturned, api.EventDecisionWithdrawn, api.EventDecided, api.EventDocumentsReceived} {
		keys["case.event."+string(e)] = true
	}
	for _, s := range []string{api.DecisionProposed, api.DecisionFinal, api.DecisionReturned} {
		keys["case.decision."+s] = true
	}
	for _, s := range []string{"paid", "pending", "waived"} {
		keys["case.pay."+s] = true
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys; is the scan broken?", len(keys))
	}
	for k := range keys {
		de, en, ok := i18n.Entry(k)
		switch {
		case !ok:
			t.Errorf("missing catalogue key %q", k)
		case de == "" || en == "":
			t.Errorf("key %q lacks a translation (de %q, en %q)", k, de, en)
		case strings.Count(de, "%") != strings.Count(en, "%"):
			t.Errorf("key %q: German and English take different arguments", k)
		}
	}
}
