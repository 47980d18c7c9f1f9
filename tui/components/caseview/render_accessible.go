package caseview

import (
	"strings"

	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// addAccessible writes a labelled value as "Label: value" lines (no label column to line up).
func (f fieldWriter) addAccessible(label, value string) {
	for _, l := range access.Wrap(access.Field(label, value), f.m.w-len(f.indent)) {
		f.b.WriteString(f.indent + l + "\n")
	}
}

// accessibleAttachment reads attachment i as one sentence on one line: name, type, size, checksum,
// whether it is on this computer.
func (m *Model) accessibleAttachment(i int, hash, status string) string {
	a := m.c.Attachments[i]
	return common.Truncate(access.Sentence(common.Line(a.Name), common.Line(a.ContentType), FormatSize(a.Size),
		"SHA-256 "+hash, strings.TrimLeft(status, "✓↓ ")), m.w)
}

// accessibleHeader reads the case's head as short lines: reference and service, status and
// deadline with its state in words, assignee and dates, applicant, and the sync state.
func (m Model) accessibleHeader(w int) []string {
	if m.c == nil {
		switch {
		case m.gone:
			return access.Wrap(i18n.T("case.gone"), w)
		case m.err != nil:
			return access.Wrap(i18n.T("case.loadFailed"), w)
		}
		return []string{i18n.T("case.loading")}
	}
	c := m.c
	now := m.ctx.Now()
	title := []string{i18n.Tf("a11y.case.title", common.Line(c.Reference)), common.Line(c.Service.Name)}
	if c.Service.FourEyes {
		title = append(title, i18n.T("case.fourEyes"))
	}
	if m.hasSum {
		if m.sum.Conflict {
			title = append(title, i18n.T("sync.conflict"))
		}
		if m.sum.Rejected {
			title = append(title, i18n.T("sync.rejected"))
		}
		if m.sum.Pending > 0 {
			title = append(title, i18n.Tf("case.pending", m.sum.Pending))
		}
	}
	due := common.FormatDate(c.DueDate)
	if c.DueDate == "" {
		due = i18n.T("due.none")
	} else if c.Status.Open() {
		if d := common.DueState(c.DueDate, common.Today(now), common.AddDays(now, m.ctx.DueSoonDays())); d == common.DueOverdue || d == common.DueSoon {
			due += " " + d.Label()
		}
	}
	assignee := m.ctx.ClerkName(c.Assignee)
	if c.Assignee == "" {
		assignee = i18n.T("nobody")
	}
	meta := []string{access.Field(i18n.T("case.status"), common.StatusLabel(c.Status)), access.Field(i18n.T("case.due"), due),
		access.Field(i18n.T("case.assignee"), assignee)}
	if c.Resubmission != nil && c.Resubmission.Date != "" {
		meta = append(meta, access.Field(i18n.T("case.resub"), common.FormatDate(c.Resubmission.Date)))
	}
	meta = append(meta, access.Field(i18n.T("case.submitted"), common.FormatDay(c.SubmittedAt)))
	app := common.Line(c.Applicant.Name)
	if c.Applicant.Address != "" {
		app += ", " + common.Line(c.Applicant.Address)
	}
	var out []string
	out = append(out, access.Wrap(access.Sentence(title...), w)...)
	out = append(out, access.Wrap(access.Sentence(meta...), w)...)
	return append(out, access.Wrap(access.Field(i18n.T("case.applicant"), app), w)...)
}

// AccessibleView renders the case as linear text: the head, the open tab and the others, the
// tab's lines as "Label: value" (the viewport scrolls them as in the visual view), and the keys or
// the last attachment result in words. The cursor stands on the first line shown of the tab, or
// on the selected attachment.
func (m Model) AccessibleView() access.Screen {
	var sc access.Screen
	if m.w <= 0 {
		return sc
	}
	w := m.w
	sc.Add(m.accessibleHeader(w)...)
	var others []string
	for t := Tab(0); t < numTabs; t++ {
		if t != m.tab {
			others = append(others, m.tabLabel(t))
		}
	}
	sc.AddWrapped(i18n.Tf("a11y.case.tab", int(m.tab)+1, int(numTabs), m.tabLabel(m.tab), strings.Join(others, ", ")), w)
	lines := strings.Split(m.bodies[m.tab], "\n")
	top := min(m.vp.YOffset, max(len(lines)-1, 0))
	footer := access.Wrap(m.accessibleFooter(), w)
	room := max(m.h-len(sc.Lines)-len(footer)-1, 1)
	start := len(sc.Lines)
	sc.Focus(start, 0)
	for i := top; i < len(lines) && i < top+room; i++ {
		at := sc.Add(strings.TrimRight(lines[i], " "))
		if m.tab == TabAttachments && m.c != nil && len(m.c.Attachments) > 0 && i == m.attCursor+1 {
			sc.Focus(at, 0)
		}
	}
	if top+room >= len(lines) && m.c != nil && len(sc.Lines)-start < room {
		sc.Add(i18n.T("a11y.case.end"))
	}
	sc.Add(footer...)
	return sc
}

// accessibleFooter is the prompt, download progress, last result or the keys, in words.
func (m Model) accessibleFooter() string {
	switch {
	case m.saving:
		return i18n.T("case.save.prompt") + " " + m.folder.Value()
	case m.dl != nil:
		return m.accessibleProgress()
	case m.notice != "":
		return m.notice
	}
	return common.SpokenHints(append(m.hints(), common.Hint(m.ctx.Keys.Case.NextTab))...)
}

// accessibleProgress says a download's progress in words and in steps of ten per cent, so a
// screen reader is not flooded with every chunk: "Lädt rechnung.pdf: 40 %, …".
func (m Model) accessibleProgress() string {
	d := m.dl
	d.mu.Lock()
	done, total := d.done, d.total
	d.mu.Unlock()
	pct := int64(0)
	if total > 0 {
		pct = min(done*10/total, 10) * 10
	}
	return i18n.Tf("a11y.case.download", common.Line(d.att.Name), pct) + ", " +
		i18n.Tf("case.att.cancelHint", keyName(m.ctx.Keys.Dialog.Cancel))
}
