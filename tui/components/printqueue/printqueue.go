// Package printqueue owns the Postausgang view: the Amt's letters waiting for print (documents
// whose delivery channel is the letter and that no clerk has marked printed), opened with the
// system viewer and marked printed from the list.
package printqueue

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/casework"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/caseview"
	"github.com/amt-mv/amt/tui/i18n"
)

type loadedMsg struct {
	view  int64
	items []store.PrintItem
	err   error
}

// openedMsg reports the result of opening a letter with the viewer.
type openedMsg struct {
	view int64
	name string
	err  error
}

var viewSeq atomic.Int64

// downloadTimeout bounds fetching one letter (a PDF of a few kilobytes) before it opens.
const downloadTimeout = 2 * time.Minute

// errOffline: the letter is not downloaded and there is no connection to fetch it.
var errOffline = errors.New("printqueue: not downloaded and no download available")

// Model is the Postausgang view.
type Model struct {
	ctx *common.Ctx
	vid int64

	items   []store.PrintItem
	loaded  bool
	err     error
	cursor  int
	offset  int
	w, h    int
	busy    bool // a letter is being fetched or opened
	notice  string
	noticeE bool
}

// New returns the view; Init loads the queue from the store.
func New(ctx *common.Ctx) Model {
	m := Model{ctx: ctx, vid: viewSeq.Add(1)}
	m.SetSize(ctx.Width, ctx.Height)
	return m
}

// Init loads the print queue.
func (m Model) Init() tea.Cmd { return m.load() }

func (m Model) load() tea.Cmd {
	st, vid := m.store(), m.vid
	return func() tea.Msg {
		items, err := st.PrintQueue()
		return loadedMsg{view: vid, items: items, err: err}
	}
}

// SetSize sets the view's area.
func (m *Model) SetSize(w, h int) {
	if w <= 0 || h <= 0 {
		return
	}
	m.w, m.h = w, h
	m.clamp()
}

// Items returns the listed letters.
func (m Model) Items() []store.PrintItem { return m.items }

// Selected returns the letter under the cursor.
func (m Model) Selected() (store.PrintItem, bool) {
	if m.cursor < 0 || m.cursor >= len(m.items) {
		return store.PrintItem{}, false
	}
	return m.items[m.cursor], true
}

func (m Model) listRows() int { return max(m.h-4, 1) } // title, header, footer, one spare

func (m *Model) clamp() {
	m.cursor = min(max(m.cursor, 0), max(len(m.items)-1, 0))
	rows := m.listRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = max(0, min(m.offset, max(len(m.items)-rows, 0)))
}

// Update handles messages.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.view != m.vid {
			return m, nil
		}
		m.loaded, m.err = true, msg.err
		if msg.err == nil {
			sel, had := m.Selected()
			m.items = msg.items
			if had {
				for i, it := range m.items {
					if it.CaseID == sel.CaseID && it.Doc.ID == sel.Doc.ID {
						m.cursor = i
					}
				}
			}
		}
		m.clamp()
		return m, nil
	case common.StoreChangedMsg:
		return m, m.load()
	case openedMsg:
		if msg.view != m.vid {
			return m, nil
		}
		m.busy = false
		switch {
		case errors.Is(msg.err, errOffline):
			m.notice, m.noticeE = i18n.T("pq.err.offline"), true
		case msg.err != nil:
			m.notice, m.noticeE = i18n.T("pq.err.open"), true
		default:
			m.notice, m.noticeE = i18n.Tf("pq.opened", msg.name), false
		}
		return m, nil
	case tea.KeyMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.ctx.Keys
	l := &k.List
	m.notice = ""
	switch {
	case key.Matches(msg, l.Up):
		m.cursor--
	case key.Matches(msg, l.Down):
		m.cursor++
	case key.Matches(msg, l.PageUp):
		m.cursor -= m.listRows()
	case key.Matches(msg, l.PageDown):
		m.cursor += m.listRows()
	case key.Matches(msg, l.Home):
		m.cursor = 0
	case key.Matches(msg, l.End):
		m.cursor = len(m.items) - 1
	case key.Matches(msg, l.Open):
		if it, ok := m.Selected(); ok {
			id := it.CaseID
			return m, func() tea.Msg { return common.OpenCaseMsg{ID: id} }
		}
	case key.Matches(msg, k.PrintQueue.Print):
		if it, ok := m.Selected(); ok && !m.busy {
			m.busy = true
			m.notice, m.noticeE = i18n.T("pq.opening"), false
			return m, m.openCmd(it)
		}
	case key.Matches(msg, k.PrintQueue.Printed):
		if it, ok := m.Selected(); ok {
			return m, m.markPrinted(it)
		}
	}
	m.clamp()
	return m, nil
}

// openCmd fetches the letter into the sealed cache when it is not there yet, then opens a plain
// copy with the system viewer (as o does in the case view).
func (m Model) openCmd(it store.PrintItem) tea.Cmd {
	st, dl, open, vid := m.store(), m.ctx.Download, m.ctx.Open, m.vid
	if open == nil {
		open = caseview.SystemOpen
	}
	att := it.Doc.AsAttachment()
	name := common.Line(it.Doc.Name)
	return func() tea.Msg {
		if !st.AttachmentComplete(it.CaseID, att) {
			if dl == nil {
				return openedMsg{view: vid, name: name, err: errOffline}
			}
			w, err := st.OpenAttachmentWriter(it.CaseID, att)
			if err != nil {
				return openedMsg{view: vid, name: name, err: err}
			}
			dctx, cancel := context.WithTimeout(context.Background(), downloadTimeout)
			err = dl(dctx, it.CaseID, att, w, nil)
			cancel()
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return openedMsg{view: vid, name: name, err: errOffline}
			}
		}
		ext := caseview.ViewerExt(att.ContentType)
		if ext == "" {
			ext = ".pdf"
		}
		p, err := st.ViewAttachment(it.CaseID, att, ext)
		if err == nil {
			err = open(p)
		}
		return openedMsg{view: vid, name: name, err: err}
	}
}

// markPrinted queues the printed mark for the letter (casework decides whether it still waits).
func (m Model) markPrinted(it store.PrintItem) tea.Cmd {
	c, err := m.store().Case(it.CaseID)
	if err == nil {
		err = casework.PrintAllowed(c, it.Doc.ID)
	}
	if err != nil {
		return common.Toast(common.ToastWarn, i18n.T("pq.err.notWaiting"))
	}
	base := c.Version
	if sc, err := m.store().ServerCase(c.ID); err == nil {
		base = sc.Version
	}
	a, err := common.NewAction(api.ActionPrinted, c.ID, base, it.Doc.ID, api.PrintedRequest{})
	if err != nil {
		return common.Toast(common.ToastError, err.Error())
	}
	a.Actor = m.ctx.Me.Clerk
	return common.Enqueue(m.ctx, a)
}

// View renders the list.
func (m Model) View() string {
	if m.w <= 0 {
		return ""
	}
	th := m.ctx.Theme
	var b strings.Builder
	lines := 0
	emit := func(s string) {
		if lines > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s)
		lines++
	}
	t := th.Title.Render(i18n.T("view.printQueue"))
	if m.loaded && m.err == nil {
		t += th.Muted.Render(" · " + i18n.Tf("pq.count", len(m.items)))
	}
	emit(common.Truncate(t, m.w))
	switch {
	case !m.loaded:
		emit(th.Muted.Render(i18n.T("pq.loading")))
	case m.err != nil:
		emit(th.Error.Render(common.Truncate(i18n.T("pq.err.load"), m.w)))
	case len(m.items) == 0:
		emit("")
		for _, l := range strings.Split(ansi.Wrap(i18n.T("pq.empty"), max(m.w-2, 10), ""), "\n") {
			emit("  " + th.Muted.Render(l))
		}
	default:
		emit(th.Header.Render(common.Fit("  "+m.rowText(nil), m.w)))
		for i := m.offset; i < min(m.offset+m.listRows(), len(m.items)); i++ {
			text := m.rowText(&m.items[i])
			if i == m.cursor {
				emit(th.RowCursor.Render(common.Fit("› "+text, m.w)))
			} else {
				emit(th.Row.Render(common.Fit("  "+text, m.w)))
			}
		}
	}
	for lines < m.h-1 {
		emit("")
	}
	emit(m.footer())
	return b.String()
}

// cols: reference, letter kind, created; the applicant takes the rest.
func (m Model) cols() (ref, kind, created, applicant int) {
	ref, kind, created = 18, 14, 10
	applicant = max(m.w-2-ref-kind-created-3, 8)
	return
}

func (m Model) rowText(it *store.PrintItem) string {
	cr, ck, cc, ca := m.cols()
	if it == nil {
		return common.Fit(i18n.T("pq.col.reference"), cr) + " " + common.Fit(i18n.T("pq.col.kind"), ck) + " " +
			common.Fit(i18n.T("pq.col.created"), cc) + " " + common.Fit(i18n.T("pq.col.applicant"), ca)
	}
	return common.Fit(common.Line(it.Reference), cr) + " " + common.Fit(i18n.T("pq.kind."+string(it.Doc.Kind)), ck) + " " +
		common.Fit(common.FormatDay(it.Doc.CreatedAt), cc) + " " + common.Fit(common.Line(it.ApplicantName), ca)
}

func (m Model) footer() string {
	th := m.ctx.Theme
	if m.notice != "" {
		st := th.OK
		if m.noticeE {
			st = th.Error
		}
		return st.Render(common.Truncate(m.notice, m.w))
	}
	return th.Muted.Render(common.FitHints(m.hints(), m.w))
}

// hints are the footer's key hints, most important first.
func (m Model) hints() []string {
	k := m.ctx.Keys
	var hints []string
	if len(m.items) > 0 {
		hints = append(hints, common.Hint(k.PrintQueue.Print), common.Hint(k.PrintQueue.Printed), common.Hint(k.List.Open))
	}
	return append(hints, common.Hint(k.Global.Back))
}
