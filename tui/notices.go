package tui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// noticeState is what the notice scan knows between runs: per case the version and update time
// it last saw, and the newest history entry read. The first scan only primes it (what was there
// at start is no news, nor is a case seen for the first time); later scans read the cases whose
// version grew and ask casework.Notices what the clerk should be told. It is replaced, never mutated, and only in Update.
type noticeState struct {
	primed   bool
	versions map[string]int64
	updated  map[string]time.Time
	seq      map[string]int64
}

// noticeBox is the root's notice scanning: the state of the last scan and whether one runs.
type noticeBox struct {
	state           noticeState
	scanning, again bool
}

// noticesMsg carries a scan's result.
type noticesMsg struct {
	state noticeState
	found []caseNotices
	err   error
}

type caseNotices struct {
	id, ref string
	list    []casework.Notice
}

// maxNoticeToasts: more news at once (after a long offline phase) is one summary toast; the
// marks in the list show each case.
const maxNoticeToasts = 3

// scanNotices looks for news in the store off the Update goroutine, at start and after a sync
// step that changed the store (not on the clerk's own local changes); one scan at a time, a
// change during a scan asks for another.
func (m *Model) scanNotices() tea.Cmd {
	if m.ctx.Store == nil || m.notes == nil {
		return nil
	}
	if m.notes.scanning {
		m.notes.again = true
		return nil
	}
	m.notes.scanning = true
	st, me, prev := m.ctx.Store, m.ctx.Me.Clerk, m.notes.state
	return func() tea.Msg {
		sums, err := st.AllSummaries()
		if err != nil {
			return noticesMsg{state: prev, err: err}
		}
		next := noticeState{primed: true, versions: make(map[string]int64, len(sums)),
			updated: make(map[string]time.Time, len(sums)), seq: map[string]int64{}}
		var found []caseNotices
		for _, s := range sums {
			next.versions[s.ID], next.updated[s.ID] = s.Version, s.UpdatedAt
			// A case not seen before (the first sync after sign-in brings them all) is no news:
			// only its later changes are.
			if v, ok := prev.versions[s.ID]; !prev.primed || !ok || v >= s.Version {
				if q, ok := prev.seq[s.ID]; ok {
					next.seq[s.ID] = q
				}
				continue
			}
			c, err := st.ServerCase(s.ID)
			if err != nil {
				continue
			}
			since, ok := prev.seq[s.ID]
			if !ok {
				// Not read before: the entries up to the version seen last are old.
				since = seqUntil(c, prev.updated[s.ID])
			}
			next.seq[s.ID] = casework.LastSeq(c)
			if l := casework.Notices(c, me, since); len(l) > 0 {
				found = append(found, caseNotices{id: c.ID, ref: common.Line(c.Reference), list: l})
			}
		}
		return noticesMsg{state: next, found: found}
	}
}

// seqUntil is the newest history entry stamped at or before t (zero t: none, so every entry of
// a case that arrived after the start is news).
func seqUntil(c api.Case, t time.Time) int64 {
	var n int64
	for _, e := range c.History {
		if !t.IsZero() && !e.At.After(t) {
			n = max(n, e.Seq)
		}
	}
	return n
}

// onNotices records a scan: the marks in the list and a toast per case with news.
func (m *Model) onNotices(msg noticesMsg) tea.Cmd {
	m.notes.scanning = false
	m.notes.state = msg.state
	var cmds []tea.Cmd
	if m.notes.again {
		m.notes.again = false
		cmds = append(cmds, m.scanNotices())
	}
	if len(msg.found) == 0 {
		return tea.Batch(cmds...)
	}
	if m.ctx.Notices == nil {
		m.ctx.Notices = map[string][]casework.Notice{}
	}
	for _, f := range msg.found {
		m.ctx.Notices[f.id] = f.list
	}
	if len(msg.found) > maxNoticeToasts {
		cmds = append(cmds, common.Toast(common.ToastInfo, i18n.Tf("notice.many", len(msg.found), common.MarkNotice)))
	} else {
		for _, f := range msg.found {
			n := f.list[0]
			kind := common.ToastInfo
			if n.Kind == casework.NoticeApproved {
				kind = common.ToastSuccess
			}
			cmds = append(cmds, common.Toast(kind, i18n.Tf("notice."+string(n.Kind), f.ref, m.ctx.ClerkName(n.Actor))))
		}
	}
	return tea.Batch(append(cmds, m.inbox.Reload())...)
}
