package tui

import (
	"github.com/amt-mv/amt/api"
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions"
	"github.com/amt-mv/amt/tui/components/caseview"
	"github.com/amt-mv/amt/tui/components/inbox"
	"github.com/amt-mv/amt/tui/components/palette"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/theme"
)

// commands lists every palette command: views, saved views, sorts, sync, demo switches, theme,
// language, help and quit. Key hints come from the live keymap.
func (m Model) commands() []palette.Command {
	k := m.ctx.Keys
	hint := func(b key.Binding) string {
		if !b.Enabled() {
			return ""
		}
		return b.Help().Key
	}
	var out []palette.Command
	add := func(id, title, keys string, msg any) {
		out = append(out, palette.Command{ID: id, Title: title, Keys: keys, Msg: msg})
	}
	if m.ctx.Demo {
		add("offline", i18n.T("cmd.offline"), "", demoMsg{offline: true})
		add("online", i18n.T("cmd.online"), "", demoMsg{offline: false})
	}
	for _, a := range m.caseActions() {
		id := "case " + strings.ReplaceAll(string(a.Dialog), "_", " ")
		add(id, i18n.Tf("cmd.caseAction", i18n.T("act.title."+string(a.Dialog))), hint(a.Key),
			common.OpenDialogMsg{Kind: a.Dialog, CaseIDs: []string{a.caseID}})
	}
	// Each status change of the open case by its name ("schlie" finds "Vorgang: Abschließen").
	if c, ok := m.shownCase(); ok {
		for _, to := range actions.StatusChoices(m.ctx, c) {
			add("case status "+string(to), i18n.Tf("cmd.caseAction", actions.StatusChoiceLabel(c, to)), "",
				common.OpenDialogMsg{Kind: common.DialogStatus, CaseIDs: []string{c.ID}, Choice: string(to)})
		}
	}
	add("sync", i18n.T("cmd.sync"), hint(k.Global.Sync), syncNowMsg{})
	add("inbox", i18n.T("cmd.inbox"), hint(k.Global.Inbox), common.SwitchViewMsg{View: common.ViewInbox})
	add("pending", i18n.T("cmd.pending"), hint(k.Global.Pending), common.SwitchViewMsg{View: common.ViewPending})
	add("dashboard", i18n.T("cmd.dashboard"), hint(k.Global.Dashboard), common.SwitchViewMsg{View: common.ViewDashboard})
	add("printqueue", i18n.T("cmd.printQueue"), hint(k.Global.PrintQueue), common.SwitchViewMsg{View: common.ViewPrintQueue})
	for i, v := range m.inbox.SavedViews() {
		h := ""
		if i < len(k.List.Views) {
			h = hint(k.List.Views[i])
		}
		id := "view " + strings.ToLower(v.Title())
		if v.NameKey != "" {
			id = "view " + strings.TrimPrefix(v.NameKey, "tab.")
		}
		add(id, i18n.Tf("cmd.view", v.Title()), h, inbox.SelectViewMsg{Index: i})
	}
	for _, s := range inbox.SortKeys {
		add("sort "+s.Name(), i18n.Tf("cmd.sort", i18n.T(s.LabelKey())), "", inbox.SortMsg{Key: s})
	}
	add("filter", i18n.T("cmd.filter"), hint(k.List.Filter), inbox.FocusFilterMsg{})
	add("clear filter", i18n.T("cmd.clearFilter"), "", inbox.ClearFilterMsg{})
	add("sort reverse", i18n.T("cmd.reverse"), hint(k.List.Reverse), inbox.ReverseSortMsg{})
	add("save view", i18n.T("cmd.saveView"), "", inbox.SaveViewMsg{})
	add("select all", i18n.T("cmd.selectAll"), hint(k.List.SelectAll), inbox.SelectAllMsg{})
	add("assign", i18n.T("cmd.assign"), hint(k.List.Assign), inbox.AssignMsg{})
	add("clear selection", i18n.T("cmd.clearSelection"), "", inbox.ClearSelectionMsg{})
	add("theme default", i18n.T("cmd.themeDefault"), "", setThemeMsg{name: theme.Default})
	add("theme high-contrast", i18n.T("cmd.themeContrast"), "", setThemeMsg{name: theme.HighContrast})
	add("theme red-green", i18n.T("cmd.themeRedGreen"), "", setThemeMsg{name: theme.RedGreen})
	add("theme blue-yellow", i18n.T("cmd.themeBlueYellow"), "", setThemeMsg{name: theme.BlueYellow})
	add("lang de", i18n.T("cmd.langDE"), "", setLangMsg{lang: i18n.DE})
	add("lang en", i18n.T("cmd.langEN"), "", setLangMsg{lang: i18n.EN})
	add("help", i18n.T("cmd.help"), hint(k.Global.Help), showHelpMsg{})
	add("quit", i18n.T("cmd.quit"), hint(k.Global.Quit), quitMsg{})
	return out
}

type caseAction struct {
	caseview.OfferedAction
	caseID string
}

// caseActions are the action dialogs the palette offers: in the case view those its footer
// offers (casework's preconditions decided), in the inbox those of the case under the cursor (the
// dialog itself says when the case does not allow one).
func (m Model) caseActions() []caseAction {
	var out []caseAction
	if m.state == common.ViewCase {
		if c, ok := m.caseView.(*caseChild); ok {
			for _, a := range c.m.OfferedActions() {
				out = append(out, caseAction{a, c.m.ID()})
			}
		}
		return out
	}
	id := m.inbox.CurrentID()
	if m.state != common.ViewInbox || id == "" {
		return nil
	}
	k := m.ctx.Keys.Case
	for _, a := range []caseview.OfferedAction{{Dialog: common.DialogApproval, Key: k.FourEyes},
		{Dialog: common.DialogComment, Key: k.Comment}, {Dialog: common.DialogResubmission, Key: k.Resubmission},
		{Dialog: common.DialogDocumentRequest, Key: k.DocRequest}, {Dialog: common.DialogDecide, Key: k.Decide},
		{Dialog: common.DialogStatus, Key: k.Status}} {
		if a.Dialog == common.DialogApproval {
			// Only a case awaiting approval has something to approve.
			if s, ok := m.inbox.Current(); !ok || s.Status != api.StatusDecisionProposed {
				continue
			}
		}
		if a.Key.Enabled() {
			a.Key = key.NewBinding(key.WithDisabled()) // the keys work in the case view only
			out = append(out, caseAction{a, id})
		}
	}
	return out
}

// shownCase is the case the case view shows, once loaded.
func (m Model) shownCase() (api.Case, bool) {
	if m.state != common.ViewCase {
		return api.Case{}, false
	}
	if c, ok := m.caseView.(*caseChild); ok {
		return c.m.Case()
	}
	return api.Case{}, false
}
