package pending

import (
	"strings"

	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions"
	"github.com/amt-mv/amt/tui/i18n"
)

// rowSentence reads one outbox action as one sentence: state, kind, case, attempts, next attempt,
// and on the selected row its place ("1 von 4").
func (m Model) rowSentence(i int) string {
	r := &m.rows[i]
	st := strings.TrimSpace(strings.TrimLeft(stateLabel(r.a.State), common.MarkPending+common.MarkConflict+common.MarkRejected))
	ref := r.reference
	if r.service != "" {
		ref += " " + r.service
	}
	parts := []string{st, actions.KindLabel(r.a.Kind), ref, i18n.Tf("a11y.pend.tries", r.a.Attempts)}
	if r.a.State == store.StatePending && r.a.NextAttempt.After(m.ctx.Now()) {
		parts = append(parts, i18n.Tf("a11y.pend.next", common.FormatTime(r.a.NextAttempt)))
	}
	if i == m.cursor {
		parts = append(parts, i18n.Tf("a11y.of", i+1, len(m.rows)))
	}
	return access.Sentence(parts...)
}

// AccessibleView renders the outbox as linear text: the counts, one sentence per action, then the
// selected action's details as "Label: value" lines (what the clerk intended and, for a conflict,
// what the server holds now), and the question or keys. The cursor stands on the selected action,
// or in the answer while a resolution asks for confirmation.
func (m Model) AccessibleView() access.Screen {
	var sc access.Screen
	if m.w <= 0 {
		return sc
	}
	w := m.w
	var conflicts, rejected int
	for _, r := range m.rows {
		switch r.a.State {
		case store.StateConflict:
			conflicts++
		case store.StateRejected:
			rejected++
		}
	}
	title := i18n.T("view.pending")
	if m.loaded {
		title = access.Sentence(title, i18n.Tf("pend.count", len(m.rows), conflicts, rejected))
	}
	sc.Focus(sc.AddWrapped(strings.ReplaceAll(title, " · ", ", "), w), 0)
	switch {
	case !m.loaded:
		sc.Add(i18n.T("pend.loading"))
	case m.err != nil:
		sc.AddWrapped(i18n.T("pend.err.load"), w)
	case len(m.rows) == 0:
		sc.AddWrapped(i18n.T("pend.empty"), w)
	default:
		for i := m.offset; i < min(m.offset+m.listRows(), len(m.rows)); i++ {
			at := sc.AddWrapped(m.rowSentence(i), w)
			if i == m.cursor {
				sc.Focus(at, 0)
			}
		}
		if a, ok := m.Selected(); ok {
			sc.Add(i18n.T("a11y.pend.detail"))
			m.accessibleDetail(&sc, a, w)
		}
	}
	if m.confirming != 0 {
		q := i18n.T("pend.confirm.discard")
		if m.confirming == opReapply {
			q = i18n.T("pend.confirm.reapply")
		}
		sc.AddWrapped(q, w)
		in := sc.Add("> " + common.Line(m.confirm.Value()))
		sc.Focus(in, min(2+m.confirm.Position(), w-1))
		if m.notice != "" && m.noticeE {
			sc.AddWrapped(m.notice, w)
		}
		return sc
	}
	if m.notice != "" {
		sc.AddWrapped(m.notice, w)
	}
	sc.AddWrapped(common.SpokenHints(m.hints()...), w)
	return sc
}

// accessibleDetail adds the selected action's details as "Label: value" lines.
func (m Model) accessibleDetail(sc *access.Screen, a store.Action, w int) {
	switch a.State {
	case store.StateConflict:
		v := int64(0)
		if a.ServerCase != nil {
			v = a.ServerCase.Version
		}
		sc.AddWrapped(i18n.Tf("pend.conflict.head", a.BaseVersion, v), w)
	case store.StateRejected:
		reason := common.RejectText(a.LastError)
		if reason == "" {
			reason = i18n.T("pend.rejected.noReason")
		}
		sc.AddWrapped(i18n.T("pend.rejected.head")+" "+i18n.T("pend.rejected.reason")+" "+reason, w)
	default:
		sc.AddWrapped(i18n.Tf("pend.waiting.head", common.FormatTime(a.CreatedAt)), w)
		if a.LastError != "" {
			sc.AddWrapped(i18n.T("pend.waiting.lastError")+" "+lastErrorText(a.LastError), w)
		}
	}
	block := func(title string, lines []kvLine) {
		sc.Add(title)
		for _, l := range lines {
			if l.label == "" {
				sc.AddWrapped(l.value, w)
				continue
			}
			sc.AddWrapped(access.Field(l.label, l.value), w)
		}
	}
	block(i18n.T("pend.mine"), m.intentLines(a))
	if a.State == store.StateConflict && a.ServerCase != nil {
		block(i18n.T("pend.theirs"), m.serverLines(*a.ServerCase))
	}
}
