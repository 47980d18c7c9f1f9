package caseview

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// after is what happens once a download completes.
type after int

const (
	afterNothing after = iota
	afterOpen
	afterSave
)

// download is one running attachment download. The model holds it by pointer; the download
// goroutine reports through tick (latest progress wins) and fin.
type download struct {
	view   int64
	att    api.Attachment
	then   after
	dir    string // for afterSave
	again  bool   // fetched again because the sealed file was found damaged
	cancel context.CancelFunc

	mu          sync.Mutex
	done, total int64
	tick        chan struct{} // cap 1: "progress changed"
	fin         chan error    // cap 1
}

type dlProgressMsg struct {
	dl          *download
	done, total int64
}

type dlDoneMsg struct {
	dl  *download
	err error
}

// fileDoneMsg reports an open or save started after (or without) a download.
type fileDoneMsg struct {
	view  int64
	att   api.Attachment
	saved string // target path for a save
	dir   string // the folder of a save
	again bool   // the attachment was fetched again before (see download.again)
	err   error
}

// attachmentKey handles the Anlagen tab's keys: cursor, download, open, save.
func (m Model) attachmentKey(msg tea.KeyMsg) (Model, tea.Cmd, bool) {
	k := m.ctx.Keys
	atts := caseFiles(m.c)
	switch {
	case key.Matches(msg, k.List.Up):
		if m.attCursor > 0 {
			m.attCursor--
			m.refreshAttachments()
		}
		return m, nil, true
	case key.Matches(msg, k.List.Down):
		if m.attCursor < len(atts)-1 {
			m.attCursor++
			m.refreshAttachments()
		}
		return m, nil, true
	case key.Matches(msg, k.List.Home):
		m.attCursor = 0
		m.refreshAttachments()
		return m, nil, true
	case key.Matches(msg, k.List.End):
		m.attCursor = max(len(atts)-1, 0)
		m.refreshAttachments()
		return m, nil, true
	}
	if len(atts) == 0 || m.dl != nil {
		return m, nil, false
	}
	att := atts[m.attCursor]
	switch {
	case key.Matches(msg, k.Case.Download):
		if m.ctx.Queue != nil {
			// In the background: the clerk may leave the case and go on working.
			if m.ctx.Queue.Add(m.id, att) {
				m.notice, m.noticeOK = i18n.Tf("case.att.queued", common.Line(att.Name)), true
			} else {
				m.notice, m.noticeOK = i18n.Tf("case.att.queuedAgain", common.Line(att.Name)), true
			}
			return m, nil, true
		}
		mm, cmd := m.startDownload(att, afterNothing, "")
		return mm, cmd, true
	case key.Matches(msg, k.Case.OpenFile), key.Matches(msg, k.List.Open):
		if m.files[att.ID] {
			return m, m.openCmd(att, false), true
		}
		mm, cmd := m.startDownload(att, afterOpen, "")
		return mm, cmd, true
	case key.Matches(msg, k.Case.SaveTo):
		m.saving = true
		m.saveAtt = m.attCursor
		m.folder.SetValue(defaultFolder())
		m.folder.CursorEnd()
		m.notice = ""
		return m, m.folder.Focus(), true
	}
	return m, nil, false
}

func (m *Model) refreshAttachments() {
	m.bodies[TabAttachments] = m.renderAttachments()
	if m.tab == TabAttachments {
		m.vp.SetContent(m.bodies[TabAttachments])
		m.scrollToCursor()
	}
}

// defaultFolder is ~/Downloads (or the home directory when that does not exist).
func defaultFolder() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	d := filepath.Join(home, "Downloads")
	if fi, err := os.Stat(d); err == nil && fi.IsDir() {
		return d
	}
	return home
}

func (m Model) saveKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.ctx.Keys
	switch {
	case key.Matches(msg, k.Dialog.Cancel), key.Matches(msg, k.Global.Back):
		m.saving = false
		m.folder.Blur()
		return m, nil
	case key.Matches(msg, k.Dialog.Confirm):
		dir := expandHome(strings.TrimSpace(m.folder.Value()))
		m.saving = false
		m.folder.Blur()
		if dir == "" || m.c == nil || m.saveAtt >= len(m.c.Attachments) {
			return m, nil
		}
		att := caseFiles(m.c)[m.saveAtt]
		if m.files[att.ID] {
			return m, m.saveCmd(att, dir, false)
		}
		if m.dl != nil {
			return m, nil
		}
		return m.startDownload(att, afterSave, dir)
	}
	var cmd tea.Cmd
	m.folder, cmd = m.folder.Update(msg)
	return m, cmd
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}

func (m Model) startDownload(att api.Attachment, then after, dir string) (Model, tea.Cmd) {
	if m.ctx.Download == nil {
		m.notice, m.noticeOK = i18n.T("case.att.noDownload"), false
		return m, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &download{view: m.vid, att: att, then: then, dir: dir, cancel: cancel, total: att.Size,
		tick: make(chan struct{}, 1), fin: make(chan error, 1)}
	m.dl = d
	m.notice = ""
	m.refreshAttachments()
	st, fn, caseID := m.store(), m.ctx.Download, m.id
	run := func() tea.Msg {
		// The store's writer seals what arrives (and resumes a cut download): open it here, off
		// Update, as it reads the part file back.
		w, err := st.OpenAttachmentWriter(caseID, att)
		if err == nil {
			err = fn(ctx, caseID, att, w, func(done, total int64) {
				d.mu.Lock()
				d.done, d.total = done, total
				d.mu.Unlock()
				select {
				case d.tick <- struct{}{}:
				default:
				}
			})
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		d.fin <- err
		return nil
	}
	return m, tea.Batch(run, d.wait())
}

// wait returns the next progress or the end of the download.
func (d *download) wait() tea.Cmd {
	return func() tea.Msg {
		select {
		case err := <-d.fin:
			return dlDoneMsg{dl: d, err: err}
		case <-d.tick:
			d.mu.Lock()
			done, total := d.done, d.total
			d.mu.Unlock()
			return dlProgressMsg{dl: d, done: done, total: total}
		}
	}
}

func (m Model) updateFiles(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case dlProgressMsg:
		if m.dl == nil || msg.dl != m.dl {
			return m, nil
		}
		return m, m.dl.wait()
	case dlDoneMsg:
		if m.dl == nil || msg.dl != m.dl {
			return m, nil
		}
		d := m.dl
		m.dl = nil
		d.cancel()
		switch {
		case errors.Is(msg.err, context.Canceled):
			m.notice, m.noticeOK = i18n.T("case.att.cancelled"), false
		case msg.err != nil:
			m.notice, m.noticeOK = i18n.T("case.att.failed"), false
		default:
			if m.files == nil {
				m.files = map[string]bool{}
			}
			m.files[d.att.ID] = true
			m.notice, m.noticeOK = i18n.Tf("case.att.done", common.Line(d.att.Name)), true
		}
		m.refreshAttachments()
		if msg.err != nil {
			return m, nil
		}
		switch d.then {
		case afterOpen:
			return m, m.openCmd(d.att, d.again)
		case afterSave:
			return m, m.saveCmd(d.att, d.dir, d.again)
		}
		return m, nil
	case fileDoneMsg:
		if msg.view != m.vid {
			return m, nil
		}
		if errors.Is(msg.err, store.ErrAttachmentDamaged) || errors.Is(msg.err, store.ErrNotFound) {
			// The sealed file was damaged (the store removed it) or is gone: fetch it again, once.
			delete(m.files, msg.att.ID)
			if !msg.again && m.dl == nil && m.ctx.Download != nil {
				then := afterOpen
				if msg.saved != "" {
					then = afterSave
				}
				mm, cmd := m.startDownload(msg.att, then, msg.dir)
				mm.dl.again = true
				return mm, cmd
			}
			m.refreshAttachments()
		}
		switch {
		case errors.Is(msg.err, store.ErrAttachmentDamaged) || errors.Is(msg.err, store.ErrNotFound):
			// Damaged again right after a fresh download: not the viewer's or the folder's fault.
			m.notice, m.noticeOK = i18n.T("case.att.damaged"), false
		case msg.err != nil && msg.saved != "":
			m.notice, m.noticeOK = i18n.T("case.save.failed"), false
		case errors.Is(msg.err, store.ErrViewFolder):
			m.notice, m.noticeOK = i18n.T("case.open.folder"), false
		case errors.Is(msg.err, errNoViewer):
			m.notice, m.noticeOK = i18n.T("case.open.type"), false
		case msg.err != nil:
			m.notice, m.noticeOK = i18n.T("case.open.failed"), false
		case msg.saved != "":
			m.notice, m.noticeOK = i18n.Tf("case.save.done", common.Line(msg.saved)), true
			return m, common.Toast(common.ToastSuccess, m.notice)
		default:
			m.notice, m.noticeOK = i18n.Tf("case.open.done", common.Line(msg.att.Name)), true
		}
	}
	return m, nil
}

// progressLine renders the running download: bar, percent, bytes and how to cancel.
func (m Model) progressLine() string {
	th := m.ctx.Theme
	d := m.dl
	d.mu.Lock()
	done, total := d.done, d.total
	d.mu.Unlock()
	pct := 0.0
	if total > 0 {
		pct = min(float64(done)/float64(total), 1)
	}
	name := common.Truncate(common.Line(d.att.Name), 20)
	text := fmt.Sprintf(" %3.0f %% · %s · %s / %s", pct*100, i18n.Tf("case.att.cancelHint", keyName(m.ctx.Keys.Dialog.Cancel)),
		FormatSize(done), FormatSize(total))
	return common.Truncate(th.Accent.Render("↓ "+name+" ")+m.bar.ViewAs(pct)+th.Muted.Render(text), m.w)
}

func keyName(b key.Binding) string { return b.Help().Key }

// errNoViewer: amt does not hand this content type to the system viewer.
var errNoViewer = errors.New("caseview: content type not opened with the system viewer")

// openCmd opens a downloaded attachment with the system viewer. The sealed file is decrypted into
// the cache's private view directory as <id><ext> (the store empties it when it opens and closes,
// and on purge): viewers pick the program by extension, chosen from the content type (see
// ViewerExt).
func (m Model) openCmd(att api.Attachment, again bool) tea.Cmd {
	st, caseID, vid, open := m.store(), m.id, m.vid, m.ctx.Open
	if open == nil {
		open = systemOpen
	}
	ext := ViewerExt(att.ContentType)
	return func() tea.Msg {
		if ext == "" {
			return fileDoneMsg{view: vid, att: att, again: again, err: errNoViewer}
		}
		p, err := st.ViewAttachment(caseID, att, ext)
		if err != nil {
			return fileDoneMsg{view: vid, att: att, again: again, err: err}
		}
		return fileDoneMsg{view: vid, att: att, again: again, err: open(p)}
	}
}

// systemOpen starts the platform's default viewer and does not wait for it.
func systemOpen(path string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", path)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", path)
	default:
		cmd = exec.Command("xdg-open", path)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

func (m Model) saveCmd(att api.Attachment, dir string, again bool) tea.Cmd {
	st, caseID, vid := m.store(), m.id, m.vid
	return func() tea.Msg {
		export := func(dst string) error { return st.ExportAttachment(caseID, att, dst) }
		name := SaveFileName(att)
		target, err := saveInto(export, dir, name)
		if err != nil {
			return fileDoneMsg{view: vid, att: att, saved: filepath.Join(dir, name), dir: dir, again: again, err: err}
		}
		return fileDoneMsg{view: vid, att: att, saved: target, dir: dir, again: again}
	}
}

// saveInto writes the attachment into dir as name through export (which creates the file it is
// given and never replaces one), adding " (2)", " (3)" … instead of overwriting.
func saveInto(export func(dst string) error, dir, name string) (string, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s: not a directory", dir)
	}
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 1; i < 1000; i++ {
		n := name
		if i > 1 {
			n = fmt.Sprintf("%s (%d)%s", base, i, ext)
		}
		target := filepath.Join(dir, n)
		err := export(target)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return target, nil
	}
	return "", fmt.Errorf("%s: too many files named %s", dir, name)
}

// maxFileNameBytes bounds saved file names: most file systems allow 255 bytes, and saveInto may
// add " (999)".
const maxFileNameBytes = 200

// SafeFileName turns an applicant's file name into a safe base name: no controls, escape
// sequences or bidi overrides (so "rechnung\u202efdp.exe" shows and saves as "rechnungfdp.exe"),
// no path separators, no leading dots, at most maxFileNameBytes bytes of UTF-8 (cut at a rune
// boundary, keeping a short extension); the fallback, cleaned the same way, when nothing is left,
// and "anlage" when that leaves nothing either.
func SafeFileName(name, fallback string) string {
	s := cleanFileName(name)
	if s == "" {
		s = cleanFileName(fallback)
	}
	if s == "" {
		return "anlage"
	}
	if len(s) > maxFileNameBytes {
		ext := filepath.Ext(s)
		if len(ext) > 16 {
			ext = ""
		}
		cut := maxFileNameBytes - len(ext)
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = strings.TrimRight(s[:cut], " ") + ext
	}
	return s
}

func cleanFileName(name string) string {
	s := sanitize.Line(name)
	s = strings.Map(func(r rune) rune {
		switch r {
		case '/', '\\', ':', '*', '?', '"', '<', '>', '|':
			return '_'
		}
		return r
	}, s)
	return strings.TrimLeft(strings.TrimSpace(s), ". ")
}

// saveExt adds the types amt saves but does not open to viewerExt's; any other type is saved
// as ".bin".
var saveExt = map[string]string{
	"application/xml":  ".xml",
	"text/xml":         ".xml",
	"application/json": ".json",
	"text/csv":         ".csv",
	"application/zip":  ".zip",
}

// SaveFileName is the name S saves an attachment as: the applicant's name made safe
// (SafeFileName) with the extension of the declared content type in place of the name's own, so
// "rechnung\u202efdp.exe" declared as PDF is saved as "rechnungfdp.pdf", never as a program.
func SaveFileName(att api.Attachment) string {
	ct := strings.ToLower(strings.TrimSpace(att.ContentType))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	ext := ViewerExt(ct)
	if ext == "" {
		ext = saveExt[ct]
	}
	if ext == "" {
		ext = ".bin"
	}
	name := SafeFileName(att.Name, att.ID)
	if e := filepath.Ext(name); e != "" && len(e) <= 16 && e != name {
		name = strings.TrimSuffix(name, e)
	}
	name = strings.TrimRight(name, ". ")
	if name == "" {
		name = "anlage"
	}
	return name + ext
}

// viewerExt maps the content types amt hands to the system viewer to the extension the viewer
// needs. The extension comes from the declared type, never from the applicant's file name (a name
// like "rechnung\u202efdp.exe" must not be launched as a program); other types are not opened
// at all (the clerk can still save them with S).
var viewerExt = map[string]string{
	"application/pdf": ".pdf",
	"image/png":       ".png",
	"image/jpeg":      ".jpg",
	"image/gif":       ".gif",
	"image/tiff":      ".tif",
	"image/webp":      ".webp",
	"text/plain":      ".txt",
	"application/vnd.oasis.opendocument.text":                                 ".odt",
	"application/vnd.oasis.opendocument.spreadsheet":                          ".ods",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       ".xlsx",
}

// ViewerExt returns the extension for opening a content type with the system viewer, or "" when
// amt does not open that type.
func ViewerExt(contentType string) string {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	return viewerExt[ct]
}
