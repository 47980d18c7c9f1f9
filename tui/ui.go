package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/syncer"
	"github.com/amt-mv/amt/tui/access"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/components/actions"
	"github.com/amt-mv/amt/tui/components/help"
	"github.com/amt-mv/amt/tui/components/inbox"
	"github.com/amt-mv/amt/tui/components/palette"
	"github.com/amt-mv/amt/tui/components/statusbar"
	"github.com/amt-mv/amt/tui/components/toast"
	"github.com/amt-mv/amt/tui/i18n"
	"github.com/amt-mv/amt/tui/keys"
	"github.com/amt-mv/amt/tui/theme"
)

// child is a top-level view other than the inbox (case, pending, dashboard), adapted to one shape
// so the root can route to it.
type child interface {
	common.Component
	Init() tea.Cmd
	Update(tea.Msg) (child, tea.Cmd)
	View() string
	SetSize(w, h int)
}

// Root-internal messages (the palette sends most of them).
type (
	syncNowMsg  struct{}
	demoMsg     struct{ offline bool }
	demoDoneMsg struct{ offline bool }
	setThemeMsg struct{ name string }
	setLangMsg  struct{ lang i18n.Lang }
	showHelpMsg struct{}
	quitMsg     struct{}
	outboxMsg   common.SyncStatus // outbox counts when running without a syncer
	storeListen struct{}          // the store subscription ended
	clockMsg    struct{}          // refresh relative times and deadline marks
)

// clockEvery is how often the root re-renders without other events, so "vor 5 Min." and deadline
// marks stay true.
const clockEvery = 30 * time.Second

// Model is the root model: one shared context, the inbox, the other views, the overlays (dialog,
// palette, help), toasts and the status bar.
type Model struct {
	ctx  *common.Ctx
	deps Deps

	state common.ViewID
	back  common.ViewID // where Esc from the case view returns

	inbox     inbox.Model
	caseView  child
	pending   child
	dashboard child
	printq    child // Postausgang

	dialog  *actions.Model
	signin  *signinDialog // the in-place sign-in (signin.go), nil when closed
	palette *palette.Model
	help    *help.Model

	status statusbar.Model
	toasts toast.Model

	storeCh <-chan struct{}
	unsub   func()
	syncCh  <-chan syncer.Event
	queueCh <-chan syncer.DownloadStatus
	tick    func(time.Duration, func(time.Time) tea.Msg) tea.Cmd // tea.Tick; tests stub it

	notes    *noticeBox // news for the clerk found in synced cases (notices.go)
	startErr string     // keymap/theme config problems, shown once as a toast
	a11y     a11yState
	day      string    // today when the inbox last counted its tabs (see clockMsg)
	undo     undoState // the last queued actions the undo key may take back (undo.go)
}

// New builds the root model from Deps (Run calls it; tests drive it directly or via teatest).
func New(d Deps) Model {
	cfg := d.Config
	lang := cfg.Lang
	if d.Lang != "" {
		lang = d.Lang
	}
	i18n.SetLang(i18n.Parse(lang))
	c := common.NewCtx(nil, d.Me, d.Now)
	if d.Store != nil {
		c.Store = d.Store
	}
	if d.Syncer != nil {
		c.Syncer = d.Syncer
	}
	c.Config = cfg
	if d.Demo != nil && cfg.StartView == "" {
		// The demo clerk (a lead) has hardly a case of their own: show the whole inbox first.
		c.Config.StartView = "all"
	}
	c.Clerks = d.Clerks
	c.Demo = d.Demo != nil
	c.Download, c.Open = d.Download, d.Open
	var errs []string
	th, err := theme.New(cfg.Theme, cfg.NoColor)
	if err != nil {
		errs = append(errs, err.Error())
		th = theme.Must(theme.Default, cfg.NoColor)
	}
	c.Theme = th
	c.Keys = keys.Default()
	if len(cfg.Keys) > 0 {
		if err := c.Keys.Rebind(cfg.Keys); err != nil {
			errs = append(errs, i18n.Tf("toast.keysBad", strings.ReplaceAll(err.Error(), "\n", "; ")))
		}
	}
	c.Keys.Case.FourEyes.SetEnabled(c.IsLead())
	if d.Syncer != nil {
		c.Status = statusOf(d.Syncer.Status())
	} else if d.Store != nil {
		if s, err := d.Store.SyncState(); err == nil {
			c.Status.LastSync = s.LastSync
		}
	}
	m := Model{ctx: c, deps: d, notes: &noticeBox{}, inbox: inbox.New(c), status: statusbar.New(c), toasts: toast.New(c),
		startErr: strings.Join(errs, "; "), tick: tea.Tick, day: common.Today(c.Now()),
		a11y: a11yState{cursor: &access.Cursor{}}}
	if c.Store != nil {
		m.storeCh, m.unsub = c.Store.Subscribe()
	}
	if d.Syncer != nil {
		m.syncCh = d.Syncer.Events()
	}
	if d.Downloads != nil {
		m.ctx.Queue = d.Downloads
		m.ctx.QueueStatus = queueStatusOf(d.Downloads.Status())
		m.queueCh = d.Downloads.Events()
	}
	return m
}

// Close releases the store subscription and cancels what the views still run (downloads).
func (m Model) Close() {
	m.closeViews()
	if m.unsub != nil {
		m.unsub()
	}
}

// closeViews cancels the case view's download, if any.
func (m Model) closeViews() { closeChild(m.caseView) }

// closeChild cancels what a dropped view still runs.
func closeChild(v child) {
	if c, ok := v.(interface{ Close() }); ok {
		c.Close()
	}
}

// caseBusy reports whether the case view runs a download (Esc then cancels it).
func (m Model) caseBusy() bool {
	b, ok := m.caseView.(interface{ Busy() bool })
	return ok && b.Busy()
}

// Ctx exposes the shared context (tests).
func (m Model) Ctx() *common.Ctx { return m.ctx }

// State is the active view.
func (m Model) State() common.ViewID { return m.state }

// Inbox is the inbox model (tests).
func (m Model) Inbox() inbox.Model { return m.inbox }

// Toasts lists the toasts shown (tests).
func (m Model) Toasts() []string { return m.toasts.Texts() }

// Overlay names the open overlay: "dialog", "palette", "help" or "".
func (m Model) Overlay() string {
	switch {
	case m.dialog != nil:
		return "dialog"
	case m.palette != nil:
		return "palette"
	case m.help != nil:
		return "help"
	}
	return ""
}

// Init starts loading, listening to the store and the syncer.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.inbox.Init(), m.listenStore(), m.listenSync(), m.listenQueue(), m.clock(), m.scanNotices()}
	if m.syncCh == nil {
		cmds = append(cmds, m.countOutbox())
	}
	if m.startErr != "" {
		cmds = append(cmds, common.Toast(common.ToastError, m.startErr))
	}
	if exp, soon, _ := client.TokenExpiry(m.ctx.Me, m.ctx.Now()); soon {
		cmds = append(cmds, common.Toast(common.ToastWarn, i18n.Tf("toast.tokenSoon", exp.In(time.Local).Format("02.01.2006"))))
	}
	if st := m.ctx.Status; st.Syncing {
		// A copy: the closure runs on another goroutine while Update writes m.ctx.Status.
		cmds = append(cmds, func() tea.Msg { return common.SyncEventMsg(st) })
	}
	return tea.Batch(cmds...)
}

func (m Model) clock() tea.Cmd {
	return m.tick(clockEvery, func(time.Time) tea.Msg { return clockMsg{} })
}

func (m Model) listenStore() tea.Cmd {
	ch := m.storeCh
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return storeListen{}
		}
		return common.StoreChangedMsg{}
	}
}

func (m Model) listenSync() tea.Cmd {
	ch := m.syncCh
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		e, ok := <-ch
		if !ok {
			return nil
		}
		return common.SyncEventMsg(statusOf(e))
	}
}

// countOutbox fills the status bar's counters when there is no syncer to report them.
func (m Model) countOutbox() tea.Cmd {
	st, base := m.ctx.Store, m.ctx.Status
	if st == nil {
		return nil
	}
	return func() tea.Msg {
		acts, err := st.Outbox()
		if err != nil {
			return nil
		}
		s := base
		s.Pending, s.Conflicts, s.Rejected = 0, 0, 0
		for _, a := range acts {
			switch a.State {
			case "conflict":
				s.Conflicts++
			case "rejected":
				s.Rejected++
			default:
				s.Pending++
			}
		}
		return outboxMsg(s)
	}
}

func (m *Model) resize(w, h int) {
	c := m.ctx
	c.ScreenWidth, c.ScreenHeight = w, h
	c.Width, c.Height = w, max(0, h-1)
	if c.Accessible() {
		c.Height = max(0, h-2) // the notice line and the status line
	}
	m.inbox.SetSize(c.Width, c.Height)
	for _, v := range []child{m.caseView, m.pending, m.dashboard, m.printq} {
		if v != nil {
			v.SetSize(c.Width, c.Height)
		}
	}
	if m.dialog != nil {
		m.dialog.SetSize(w, h)
	}
}

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if !m.ctx.Accessible() {
		return m.update(msg)
	}
	prev := m.ctx.Status
	next, cmd := m.update(msg)
	next.observe(msg, prev)
	return next, cmd
}

// update routes a message.
func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	if mm, cmd, ok := m.signinUpdate(msg); ok {
		return mm, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil

	case common.StoreChangedMsg:
		cmds := []tea.Cmd{m.listenStore()}
		dash, pq := m.dashboard, m.printq
		if m.state != common.ViewDashboard {
			m.dashboard = nil // a hidden dashboard recomputes when shown again, not on every change
		}
		if m.state != common.ViewPrintQueue {
			m.printq = nil // likewise the Postausgang (it reads every summary)
		}
		cmds = append(cmds, m.broadcast(msg)...)
		m.dashboard, m.printq = dash, pq
		if m.syncCh == nil {
			cmds = append(cmds, m.countOutbox())
		}
		return m, tea.Batch(cmds...)
	case storeListen:
		return m, nil
	case clockMsg:
		// The re-render after this message is the point; after midnight the tab counts and the
		// "Fällig"/"Wiedervorlage" tabs depend on the new day, so the inbox re-reads them.
		if day := common.Today(m.ctx.Now()); day != m.day {
			m.day = day
			return m, tea.Batch(m.clock(), m.inbox.Reload())
		}
		return m, m.clock()
	case common.SyncEventMsg:
		prev := m.ctx.Status
		m.ctx.Status = common.SyncStatus(msg)
		cmds := []tea.Cmd{m.listenSync(), m.transitionToasts(prev, m.ctx.Status)}
		if msg.Changed {
			cmds = append(cmds, m.scanNotices()) // a pull may have brought news for the clerk
		}
		m.maybeOfferSignIn(prev, m.ctx.Status)
		var cmd tea.Cmd
		m.status, cmd = m.status.Update(msg)
		cmds = append(cmds, cmd, m.toActive(msg))
		return m, tea.Batch(cmds...)
	case outboxMsg:
		m.ctx.Status = common.SyncStatus(msg)
		return m, nil
	case common.QueueEventMsg:
		cmd := m.queueEvent(msg)
		return m, cmd

	case common.ToastMsg:
		return m.pushToast(msg)
	case toast.ExpireMsg:
		m.toasts, _ = m.toasts.Update(msg)
		return m, nil

	case common.ActionQueuedMsg:
		// Count the new actions at once; the syncer's next event brings the exact numbers.
		m.ctx.Status.Pending += len(msg.Actions)
		var cmd tea.Cmd
		m, cmd = m.pushToast(m.offerUndo(msg))
		cmds := []tea.Cmd{cmd}
		if m.dialog != nil {
			d, c := m.dialog.Update(msg)
			m.dialog = &d
			cmds = append(cmds, c)
		}
		var c tea.Cmd
		m.inbox, c = m.inbox.Update(msg)
		cmds = append(cmds, c)
		if m.state != common.ViewInbox {
			cmds = append(cmds, m.toActive(msg))
		}
		return m, tea.Batch(cmds...)

	case undoneMsg:
		return m.undone(msg)
	case noticesMsg:
		return m, m.onNotices(msg)
	case common.OpenCaseMsg:
		delete(m.ctx.Notices, msg.ID) // seen: the mark in the list goes
		return m, m.openCase(msg.ID)
	case common.BackMsg:
		return m, m.goBack()
	case common.SwitchViewMsg:
		return m, m.switchTo(msg.View)

	case common.OpenDialogMsg:
		return m, m.openDialog(msg)
	case common.ViewSavedMsg:
		return m, m.viewSaved(msg.View)
	case common.CloseDialogMsg, actions.ClosedMsg:
		m.dialog = nil
		return m, nil

	case palette.RunMsg:
		m.palette = nil
		return m.update(msg.Command.Msg)
	case palette.CloseMsg:
		m.palette = nil
		return m, nil
	case help.CloseMsg:
		m.help = nil
		return m, nil
	case showHelpMsg:
		h := help.New(m.ctx, m.activeComponent())
		m.help = &h
		return m, nil
	case quitMsg:
		return m, tea.Quit

	case syncNowMsg:
		if m.ctx.Syncer == nil {
			return m, common.Toast(common.ToastWarn, i18n.T("toast.noSyncer"))
		}
		m.ctx.Kick()
		return m, common.Toast(common.ToastInfo, i18n.T("toast.syncKicked"))
	case demoMsg:
		if m.deps.Demo == nil || m.deps.Demo.SetOffline == nil {
			return m, common.Toast(common.ToastWarn, i18n.T("toast.demoOnly"))
		}
		set, sy, off := m.deps.Demo.SetOffline, m.ctx.Syncer, msg.offline
		return m, func() tea.Msg {
			set(off)
			if sy != nil {
				sy.Kick()
			}
			return demoDoneMsg{offline: off}
		}
	case demoDoneMsg:
		if msg.offline {
			return m, common.Toast(common.ToastWarn, i18n.T("toast.demoOffline"))
		}
		return m, common.Toast(common.ToastSuccess, i18n.T("toast.demoOnline"))
	case setThemeMsg:
		th, err := theme.New(msg.name, m.ctx.Config.NoColor)
		if err != nil {
			return m, common.Toast(common.ToastError, err.Error())
		}
		m.ctx.Theme = th
		m.ctx.Config.Theme = msg.name
		return m, tea.Batch(m.configChanged(), common.Toast(common.ToastInfo, i18n.Tf("toast.theme", i18n.T("theme."+th.Name))))
	case setLangMsg:
		i18n.SetLang(msg.lang)
		m.ctx.Config.Lang = msg.lang.String()
		m.ctx.Keys.Relabel()
		return m, tea.Batch(m.configChanged(), common.Toast(common.ToastInfo, i18n.T("toast.lang")))

	case inbox.SelectViewMsg, inbox.SortMsg, inbox.FocusFilterMsg, inbox.ClearFilterMsg,
		inbox.ClearSelectionMsg, inbox.AssignMsg, inbox.ReverseSortMsg, inbox.SelectAllMsg, inbox.SaveViewMsg:
		m.state = common.ViewInbox
		var cmd tea.Cmd
		m.inbox, cmd = m.inbox.Update(msg)
		return m, cmd

	case tea.KeyMsg:
		return m.key(msg)
	case tea.MouseMsg:
		if m.dialog != nil || m.palette != nil || m.help != nil {
			return m, nil
		}
		return m, m.toActive(msg)
	}

	// Everything else (a child's own async results, spinner ticks, cursor blinks) goes to whoever
	// may own it: the status bar, the dialog, the palette, and the views.
	var cmds []tea.Cmd
	var cmd tea.Cmd
	m.status, cmd = m.status.Update(msg)
	cmds = append(cmds, cmd)
	if m.dialog != nil {
		d, c := m.dialog.Update(msg)
		m.dialog = &d
		cmds = append(cmds, c)
	}
	if m.palette != nil {
		p, c := m.palette.Update(msg)
		m.palette = &p
		cmds = append(cmds, c)
	}
	cmds = append(cmds, m.broadcastViews(msg)...)
	return m, tea.Batch(cmds...)
}

// broadcast sends msg to every view and the open dialog.
func (m *Model) broadcast(msg tea.Msg) []tea.Cmd {
	cmds := m.broadcastViews(msg)
	if m.dialog != nil {
		d, c := m.dialog.Update(msg)
		m.dialog = &d
		cmds = append(cmds, c)
	}
	return cmds
}

// broadcastViews sends msg to the inbox and every live view (async results carry their own ids,
// so a view ignores what is not its own).
func (m *Model) broadcastViews(msg tea.Msg) []tea.Cmd {
	var cmds []tea.Cmd
	var cmd tea.Cmd
	m.inbox, cmd = m.inbox.Update(msg)
	cmds = append(cmds, cmd)
	for _, v := range []*child{&m.caseView, &m.pending, &m.dashboard, &m.printq} {
		if *v != nil {
			*v, cmd = (*v).Update(msg)
			cmds = append(cmds, cmd)
		}
	}
	return cmds
}

// toActive sends msg to the active view only.
func (m *Model) toActive(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch m.state {
	case common.ViewInbox:
		m.inbox, cmd = m.inbox.Update(msg)
	default:
		if v := m.activeChild(); v != nil && *v != nil {
			*v, cmd = (*v).Update(msg)
		}
	}
	return cmd
}

func (m *Model) activeChild() *child {
	switch m.state {
	case common.ViewCase:
		return &m.caseView
	case common.ViewPending:
		return &m.pending
	case common.ViewDashboard:
		return &m.dashboard
	case common.ViewPrintQueue:
		return &m.printq
	}
	return nil
}

func (m *Model) configChanged() tea.Cmd {
	m.inbox.SetSize(m.ctx.Width, m.ctx.Height)
	return tea.Batch(m.broadcast(common.ConfigChangedMsg{})...)
}

func (m *Model) transitionToasts(prev, cur common.SyncStatus) tea.Cmd {
	var cmds []tea.Cmd
	t := func(k common.ToastKind, key string) { cmds = append(cmds, common.Toast(k, i18n.T(key))) }
	if prev.Online && !cur.Online && cur.ErrKind == "offline" {
		t(common.ToastWarn, "toast.wentOffline")
	}
	if cur.ErrKind == "tls" && prev.ErrKind != "tls" {
		t(common.ToastError, "toast.tlsBad")
	}
	if !prev.Online && cur.Online && !prev.LastSync.IsZero() {
		t(common.ToastSuccess, "toast.backOnline")
	}
	if prev.Pending > 0 && cur.Pending == 0 && cur.Conflicts == 0 && cur.Rejected == 0 && cur.Online {
		cmds = append(cmds, common.KeyedToast(common.OutboxToast, common.ToastSuccess, i18n.T("toast.sent")))
	}
	if cur.Conflicts > prev.Conflicts {
		t(common.ToastError, "toast.newConflict")
	}
	if cur.Rejected > prev.Rejected {
		t(common.ToastError, "toast.newRejected")
	}
	return tea.Batch(cmds...)
}

// activeComponent is what has the keyboard: the open dialog, else the active view. Its help is
// what ? shows.
func (m *Model) activeComponent() common.Component {
	if m.dialog != nil {
		return *m.dialog
	}
	if v := m.activeChild(); v != nil && *v != nil {
		return *v
	}
	return m.inbox
}

// capturing reports whether the active view holds a text input.
func (m *Model) capturing() bool {
	if m.state == common.ViewInbox {
		return m.inbox.CapturingInput()
	}
	if v := m.activeChild(); v != nil && *v != nil {
		if c, ok := (*v).(common.InputCapturer); ok {
			return c.CapturingInput()
		}
	}
	return false
}

func (m Model) key(msg tea.KeyMsg) (Model, tea.Cmd) {
	if msg.Type == tea.KeyCtrlC {
		return m, tea.Quit
	}
	m.a11y.notices = nil // said once: the clerk's key ends the notices
	switch {
	case m.signin != nil:
		return m.signinKey(msg)
	case m.dialog != nil:
		d, cmd := m.dialog.Update(msg)
		m.dialog = &d
		return m, cmd
	case m.palette != nil:
		p, cmd := m.palette.Update(msg)
		m.palette = &p
		return m, cmd
	case m.help != nil:
		h, cmd := m.help.Update(msg)
		m.help = &h
		return m, cmd
	case m.capturing():
		return m, m.toActive(msg)
	}
	g := &m.ctx.Keys.Global
	switch {
	case key.Matches(msg, g.Quit) && m.state == common.ViewCase:
		// Inside a case q goes back like Esc (mutt, aerc); it quit the whole app.
		if m.caseBusy() {
			return m, m.toActive(tea.KeyMsg{Type: tea.KeyEsc})
		}
		return m, m.goBack()
	case key.Matches(msg, g.Quit):
		return m, tea.Quit
	case key.Matches(msg, g.Help):
		h := help.New(m.ctx, m.activeComponent())
		m.help = &h
		return m, nil
	case key.Matches(msg, g.Palette):
		p := palette.New(m.ctx, m.commands())
		m.palette = &p
		return m, nil
	case key.Matches(msg, g.Inbox):
		return m, m.switchTo(common.ViewInbox)
	case key.Matches(msg, g.Pending):
		return m, m.switchTo(common.ViewPending)
	case key.Matches(msg, g.Dashboard):
		return m, m.switchTo(common.ViewDashboard)
	case key.Matches(msg, g.PrintQueue):
		return m, m.switchTo(common.ViewPrintQueue)
	case key.Matches(msg, g.Sync):
		return m.update(syncNowMsg{})
	case m.undoKey(msg):
		return m.takeBack()
	case m.state == common.ViewCase && key.Matches(msg, m.ctx.Keys.Case.NextCase):
		return m.stepCase(1)
	case m.state == common.ViewCase && key.Matches(msg, m.ctx.Keys.Case.PrevCase):
		return m.stepCase(-1)
	case key.Matches(msg, g.Back) && m.state == common.ViewCase && m.caseBusy():
		return m, m.toActive(msg) // the first Esc cancels the download, the next one leaves
	case key.Matches(msg, g.Back) && m.state != common.ViewInbox:
		return m, m.goBack()
	}
	return m, m.toActive(msg)
}

func (m *Model) switchTo(v common.ViewID) tea.Cmd {
	switch v {
	case common.ViewInbox:
		m.state = v
		return nil
	case common.ViewCase:
		if m.caseView != nil {
			m.state = v
		}
		return nil
	case common.ViewPending:
		m.state = v
		if m.pending == nil {
			m.pending = newPending(m.ctx)
			m.pending.SetSize(m.ctx.Width, m.ctx.Height)
			return m.pending.Init()
		}
		var cmd tea.Cmd
		m.pending, cmd = m.pending.Update(common.StoreChangedMsg{})
		return cmd
	case common.ViewDashboard:
		m.state = v
		if m.dashboard == nil {
			m.dashboard = newDashboard(m.ctx)
			m.dashboard.SetSize(m.ctx.Width, m.ctx.Height)
			return m.dashboard.Init()
		}
		var cmd tea.Cmd
		m.dashboard, cmd = m.dashboard.Update(common.StoreChangedMsg{})
		return cmd
	case common.ViewPrintQueue:
		m.state = v
		if m.printq == nil {
			m.printq = newPrintQueue(m.ctx)
			m.printq.SetSize(m.ctx.Width, m.ctx.Height)
			return m.printq.Init()
		}
		var cmd tea.Cmd
		m.printq, cmd = m.printq.Update(common.StoreChangedMsg{})
		return cmd
	}
	return nil
}

func (m *Model) openCase(id string) tea.Cmd {
	if id == "" {
		return nil
	}
	if m.state != common.ViewCase {
		m.back = m.state
	}
	closeChild(m.caseView)
	m.caseView = newCaseView(m.ctx, id)
	m.caseView.SetSize(m.ctx.Width, m.ctx.Height)
	m.state = common.ViewCase
	return m.caseView.Init()
}

func (m *Model) goBack() tea.Cmd {
	switch m.state {
	case common.ViewCase:
		m.state = m.back
		if m.state == common.ViewCase {
			m.state = common.ViewInbox
		}
		closeChild(m.caseView)
		m.caseView = nil
	case common.ViewPending, common.ViewDashboard, common.ViewPrintQueue:
		m.state = common.ViewInbox
	}
	return nil
}

// viewSaved keeps a view saved in the inbox: in the session's config and through Deps.SaveView.
func (m *Model) viewSaved(v common.ViewConfig) tea.Cmd {
	m.ctx.Config.Views = append(m.ctx.Config.Views, v)
	name := common.Line(v.Name)
	if m.deps.SaveView == nil {
		return common.Toast(common.ToastInfo, i18n.Tf("view.sessionOnly", name))
	}
	save := m.deps.SaveView
	return func() tea.Msg { // file I/O: off the UI goroutine
		if err := save(v); err != nil {
			return common.ToastMsg{Kind: common.ToastError, Text: i18n.Tf("view.saveFailed", name, common.Line(err.Error()))}
		}
		return common.ToastMsg{Kind: common.ToastSuccess, Text: i18n.Tf("view.saved", name)}
	}
}

func (m *Model) openDialog(msg common.OpenDialogMsg) tea.Cmd {
	if len(msg.CaseIDs) == 0 {
		return common.Toast(common.ToastWarn, i18n.T("assign.none"))
	}
	d := actions.New(m.ctx, msg.Kind, msg.CaseIDs...)
	d.Preselect(msg.Choice)
	d.SetSize(m.ctx.ScreenWidth, m.ctx.ScreenHeight)
	m.dialog = &d
	m.help, m.palette = nil, nil
	return d.Init()
}

// View renders the active view, toasts and overlays above the status bar.
func (m Model) View() string {
	c := m.ctx
	if c.ScreenWidth <= 0 || c.ScreenHeight <= 0 {
		return ""
	}
	if c.Accessible() {
		return m.accessibleView()
	}
	var body string
	switch m.state {
	case common.ViewInbox:
		body = m.inbox.View()
	default:
		if v := m.activeChild(); v != nil && *v != nil {
			body = (*v).View()
		}
	}
	body = fitBlock(body, c.Width, c.Height)
	// Toasts stack upwards from the bottom right, newest lowest, each box laid on its own.
	y := c.Height
	boxes := m.toasts.Boxes(min(72, c.Width)) // room for a queued toast with its undo key at 80 columns
	for i := len(boxes) - 1; i >= 0; i-- {
		tw, th := common.Size(boxes[i])
		if y -= th; y < 0 {
			break
		}
		body = common.Overlay(body, boxes[i], c.Width-tw, y)
	}
	switch {
	case m.signin != nil:
		body = common.OverlayCenter(body, m.signinView(), c.Width, c.Height)
	case m.dialog != nil:
		body = common.OverlayCenter(body, m.dialog.View(), c.Width, c.Height)
	case m.palette != nil:
		p := m.palette.View()
		_, ph := common.Size(p)
		pw, _ := common.Size(p)
		body = common.Overlay(body, p, (c.Width-pw)/2, min(2, max(0, c.Height-ph)))
	case m.help != nil:
		body = common.OverlayCenter(body, m.help.View(), c.Width, c.Height)
	}
	return body + "\n" + m.status.View()
}

// fitBlock pads or cuts s to exactly h lines (each line is left to the view's own width).
func fitBlock(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		if common.Width(l) > w {
			lines[i] = common.Truncate(l, w)
		}
	}
	return strings.Join(lines, "\n")
}
