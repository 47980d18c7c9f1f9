// Package tui owns the clerk's terminal app: the root model that routes messages between the
// views, overlays and status bar, and Run, which starts the Bubble Tea program.
package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"gopkg.in/yaml.v3"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/internal/safefile"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
	"github.com/amt-mv/amt/tui/common"
	"github.com/amt-mv/amt/tui/i18n"
)

// Config is the clerk's TUI configuration (theme, language, mouse, keymap overrides, saved views).
type Config = common.Config

// ViewConfig is a user-defined inbox tab.
type ViewConfig = common.ViewConfig

// DemoControls are the demo-only hooks (amt --demo): cut and restore the connection.
type DemoControls struct {
	SetOffline func(offline bool)
}

// Deps is everything the TUI needs. Store is required; Syncer may be nil (offline only).
type Deps struct {
	Store  *store.Store
	Syncer *syncer.Syncer
	Me     api.Me
	Clerks []api.Clerk
	Lang   string // "de" (default) or "en"; overrides Config.Lang when set
	Config Config
	Now    func() time.Time
	Demo   *DemoControls // nil unless --demo

	// Download fetches an attachment into the store's sealed writer (cmd/amt wires
	// client.Download); nil = unavailable.
	Download common.DownloadFunc
	// Open opens a file with the system viewer; nil = the case view's fallback.
	Open common.OpenFunc
	// Downloads is the background download queue (cmd/amt runs it); nil = downloads run in the
	// case view only.
	Downloads *syncer.DownloadQueue

	// SignIn starts a new device sign-in at the identity provider when the old sign-in ended
	// (cmd/amt wires it for clerks who signed in there); nil = no sign-in in place.
	SignIn SignInFunc

	// SaveView keeps a view the clerk saved from the inbox (`:` "Filter als Sicht speichern");
	// cmd/amt writes it into the config file with AppendView. nil = the view lasts until quit.
	SaveView func(ViewConfig) error

	// ProgramOptions are appended to Run's options (tests: tea.WithInput/WithOutput).
	ProgramOptions []tea.ProgramOption
}

// Run shows the TUI until the clerk quits or ctx is cancelled. It never calls the network: it
// reads the store and hears from the syncer.
func Run(ctx context.Context, d Deps) error {
	if d.Store == nil {
		return errors.New("tui: no store")
	}
	d.Config = ApplyEnv(d.Config, os.Getenv)
	m := New(d)
	defer m.Close()
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx)}
	if m.ctx.Config.Mouse {
		opts = append(opts, tea.WithMouseCellMotion())
	}
	if m.ctx.Accessible() {
		// The real cursor follows the selected row or focused field (see access.Cursor.Writer).
		opts = append(opts, tea.WithOutput(m.a11y.cursor.Writer(os.Stdout)))
	}
	opts = append(opts, d.ProgramOptions...)
	final, err := tea.NewProgram(m, opts...).Run()
	if f, ok := final.(Model); ok {
		f.closeViews() // the last case view may still download
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil // cancelled from outside (signal): a normal end
	}
	if err != nil {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}

// ApplyEnv applies the environment's conventions to cfg: NO_COLOR (any non-empty value, see
// no-color.org) drops all colours, ACCESSIBLE=1 switches the accessible mode on.
func ApplyEnv(cfg Config, getenv func(string) string) Config {
	if getenv("NO_COLOR") != "" {
		cfg.NoColor = true
	}
	if EnvAccessible(getenv("ACCESSIBLE")) {
		cfg.Accessible = true
	}
	return cfg
}

// LoadConfig reads a YAML config file; a missing file is the zero Config.
func LoadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("tui: config: %w", err)
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("tui: config %s: %w", path, err)
	}
	return c, nil
}

// AppendView adds v to the views of the YAML config file at path, keeping its other settings and
// comments; a missing file (and its directory) is created. The file is written atomically, 0600.
func AppendView(path string, v ViewConfig) error {
	var doc yaml.Node
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if doc.Kind == 0 {
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode}}}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: not a YAML mapping", path)
	}
	var item yaml.Node
	if err := item.Encode(v); err != nil {
		return err
	}
	var views *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "views" {
			views = root.Content[i+1]
		}
	}
	switch {
	case views == nil:
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "views"},
			&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{&item}})
	case views.Kind == yaml.SequenceNode:
		views.Content = append(views.Content, &item)
	case views.Kind == yaml.ScalarNode && (views.Tag == "!!null" || views.Value == ""):
		*views = yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{&item}}
	default:
		return fmt.Errorf("%s: views is not a list", path)
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return err
	}
	return safefile.WriteFile(path, out)
}

// queueStatusOf converts the download queue's status into the TUI's copy.
func queueStatusOf(s syncer.DownloadStatus) common.QueueStatus {
	return common.QueueStatus{Queued: s.Queued, Done: s.Done, Failed: s.Failed, Bytes: s.Bytes,
		Total: s.Total, Rate: s.Rate, Waiting: s.Waiting}
}

// statusOf converts a syncer event into the TUI's copy.
func statusOf(e syncer.Event) common.SyncStatus {
	return common.SyncStatus{Online: e.Online, Syncing: e.Syncing, LastSync: e.LastSync,
		Pending: e.Pending, Conflicts: e.Conflicts, Rejected: e.Rejected, Err: e.Err,
		ErrKind: e.ErrKind, Changed: e.Changed,
		Progress: i18n.SyncFacts{Loaded: e.Progress.Loaded, Total: e.Progress.Total, Bytes: e.Progress.Bytes,
			Rate: e.Progress.Rate, Left: e.Progress.Left, Slow: e.Progress.SlowLine}}
}
