package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/amt-mv/amt/api"
	"github.com/amt-mv/amt/client"
	"github.com/amt-mv/amt/internal/sanitize"
	"github.com/amt-mv/amt/internal/version"
	"github.com/amt-mv/amt/signin"
	"github.com/amt-mv/amt/store"
	"github.com/amt-mv/amt/syncer"
)

// Config is the config file (YAML) under the user's config dir. Flags and environment override it.
type Config struct {
	Server        string `yaml:"server,omitempty"`
	CAFile        string `yaml:"ca_file,omitempty"`
	CertFile      string `yaml:"cert_file,omitempty"`
	KeyFile       string `yaml:"key_file,omitempty"`
	Lang          string `yaml:"lang,omitempty"`
	Data          string `yaml:"data,omitempty"`
	RetentionDays int    `yaml:"retention_days,omitempty"`
	// Viewer opens letters of the print queue (amt print-queue print): a command the file's path
	// is appended to, e.g. "lp"; empty = the system's viewer. AMT_VIEWER overrides it.
	Viewer string `yaml:"viewer,omitempty"`
	// The terminal app's settings (theme, mouse, keys, views, …) live in the same file and are
	// read by tui.LoadConfig.
}

// Meta keys in the store's encrypted key/value space.
const (
	metaToken  = "token"
	metaServer = "server"
	metaMe     = "me"
	metaClerks = "clerks"
)

// storeKDF is the passphrase KDF for new caches; nil = the store's default. Tests lower it.
var storeKDF *store.KDFParams

// app carries what every subcommand needs.
type app struct {
	ctx            context.Context
	stdout, stderr io.Writer
	g              globals
	cfg            Config
	cfgPath        string
	lang           string

	// set by demo mode: the store passphrase and a transport for the in-process server.
	demoPassphrase string
	demoTransport  http.RoundTripper
	kdf            *store.KDFParams // nil = store default (tests and the demo use cheap ones)

	// signinSource is the token source of a provider sign-in, set by clientFor.
	signinSource *signin.Source

	// failCode is the exit code of the last reported failure when it is more specific than
	// exitErr (a damaged or locked cache); see fail.
	failCode int

	// shared is the running terminal app's session when this command came over its local socket
	// (see relay.go): commands use its store, client and syncer and never close them.
	shared *session
	// in is the command's standard input (nil: the process's, see stdin).
	in io.Reader
	// helpOut is set while a command's help is printed: its flag set writes its options there.
	helpOut io.Writer
	// clerks are the Amt's clerks (for names in place of ids), loaded by commands that show them.
	clerks []api.Clerk
}

// input is the command's standard input.
func (a *app) input() io.Reader {
	if a.in != nil {
		return a.in
	}
	return stdin
}

// closeStore closes a store from openStore (not the running app's, when relayed).
func (a *app) closeStore(st *store.Store) {
	if a.shared == nil || st != a.shared.st {
		_ = st.Close()
	}
}

// fail is the exit code for a failure already reported: the specific one a cache problem set,
// else exitErr.
func (a *app) fail() int {
	if a.failCode != 0 {
		return a.failCode
	}
	return exitErr
}

// T translates a message key.
func (a *app) T(key string, args ...any) string { return tr(a.lang, key, args...) }

// errorf prints "amt: …" to stderr.
func (a *app) errorf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "amt: "+format+"\n", args...)
}

// printf writes to stdout.
func (a *app) printf(format string, args ...any) { fmt.Fprintf(a.stdout, format, args...) }

// pickLang chooses "de" or "en": flag, then config, then the LANG environment; German by default.
func pickLang(flagLang, cfgLang, envLang string) string {
	for _, l := range []string{flagLang, cfgLang} {
		l = strings.ToLower(strings.TrimSpace(l))
		if strings.HasPrefix(l, "en") {
			return "en"
		}
		if strings.HasPrefix(l, "de") {
			return "de"
		}
	}
	if strings.HasPrefix(strings.ToLower(envLang), "en") {
		return "en"
	}
	return "de"
}

// defaultConfigPath is os.UserConfigDir()/amt/config.yaml (env AMT_CONFIG overrides).
func defaultConfigPath() string {
	if p := os.Getenv("AMT_CONFIG"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "amt", "config.yaml")
}

// loadConfig reads the config file; a missing file is an empty config.
func loadConfig(path string) (Config, string, error) {
	explicit := path != ""
	if !explicit {
		path = defaultConfigPath()
	}
	var c Config
	if path == "" {
		return c, path, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !explicit {
			return c, path, nil
		}
		return c, path, err
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		return Config{}, path, err
	}
	if c.RetentionDays < 0 || c.RetentionDays > maxRetentionDays {
		return Config{}, path, fmt.Errorf("retention_days: %d is not between 0 and %d", c.RetentionDays, maxRetentionDays)
	}
	return c, path, nil
}

// maxRetentionDays bounds retention_days (a hundred years).
const maxRetentionDays = 36500

// defaultDataDir is the user's data dir (not a cache dir, which may be wiped):
// Linux $XDG_DATA_HOME/amt or ~/.local/share/amt, macOS ~/Library/Application Support/amt,
// Windows %LocalAppData%\amt.
func defaultDataDir() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "amt"), nil
		}
		return "", errors.New("%LocalAppData% is not set")
	case "darwin", "ios":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Application Support", "amt"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "amt"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share", "amt"), nil
}

// dataDir resolves --data, AMT_DATA, the config file and the default, in that order.
func (a *app) dataDir() (string, error) {
	for _, d := range []string{a.g.data, os.Getenv("AMT_DATA"), a.cfg.Data} {
		if d != "" {
			return d, nil
		}
	}
	return defaultDataDir()
}

// storeOptions are the options the cache at dir is opened with (passphrase or keyring).
func (a *app) storeOptions(dir string) store.Options {
	pass := a.demoPassphrase
	if pass == "" {
		pass = os.Getenv("AMT_PASSPHRASE")
	}
	return store.Options{Dir: dir, Passphrase: pass, UseKeyring: pass == "", KDF: cmp.Or(a.kdf, storeKDF)}
}

// openStore opens the local cache, with a clear message and a way out when it cannot be opened
// (see cacheFailed); a.fail() is then the exit code.
func (a *app) openStore() (*store.Store, bool) {
	if a.shared != nil {
		return a.shared.st, true
	}
	dir, err := a.dataDir()
	if err != nil {
		a.errorf("%s", a.T("err.datadir", err))
		return nil, false
	}
	st, err := store.Open(a.storeOptions(dir))
	if err != nil {
		a.cacheFailed(err, dir)
		return nil, false
	}
	return st, true
}

// serverURL resolves --server, AMT_SERVER, the config file and the login's stored server.
func (a *app) serverURL(st *store.Store) string {
	for _, s := range []string{a.g.server, os.Getenv("AMT_SERVER"), a.cfg.Server} {
		if s != "" {
			return s
		}
	}
	if st != nil {
		if b, err := st.Meta(metaServer); err == nil {
			return string(b)
		}
	}
	return ""
}

// token resolves AMT_TOKEN, then the token stored by login.
func (a *app) token(st *store.Store) string {
	if t := os.Getenv("AMT_TOKEN"); t != "" {
		return t
	}
	if st != nil {
		if b, err := st.Meta(metaToken); err == nil {
			return string(b)
		}
	}
	return ""
}

// newClient builds a client for server and token; nil (and a reason key) when not configured.
func (a *app) newClient(server, token string) (*client.Client, error) {
	if server == "" {
		return nil, errors.New(a.T("err.no_server"))
	}
	if token == "" {
		return nil, errors.New(a.T("err.no_token"))
	}
	return a.newClientCfg(client.Config{BaseURL: server, Token: token})
}

// newClientCfg completes cfg with the user agent, the demo's transport or the configured TLS
// files, and builds the client.
func (a *app) newClientCfg(cfg client.Config) (*client.Client, error) {
	cfg.UserAgent = "amt/" + version.Version
	if a.demoTransport != nil {
		cfg.Transport = a.demoTransport
	} else {
		cfg.CAFile, cfg.CertFile, cfg.KeyFile = a.cfg.CAFile, a.cfg.CertFile, a.cfg.KeyFile
	}
	c, err := client.New(cfg)
	if err != nil {
		return nil, errors.New(a.T("err.client", sanitize.Line(err.Error())))
	}
	return c, nil
}

// session is an open store plus, when configured, a client and syncer.
type session struct {
	st *store.Store
	c  *client.Client // nil when no server/token is configured
	y  *syncer.Syncer
	me api.Me
	// borrowed: the running app's session lent to a relayed command; close leaves it open.
	borrowed bool
}

func (s *session) close() {
	if s.borrowed {
		return
	}
	if s.c != nil {
		s.c.Close()
	}
	_ = s.st.Close()
}

// openSession opens the store and builds the syncer. needServer makes a missing server/token an
// error; otherwise the session works offline.
func (a *app) openSession(needServer bool) (*session, bool) {
	if a.shared != nil {
		if a.shared.c == nil && needServer {
			a.errorf("%s", a.T("err.no_server"))
			return nil, false
		}
		s := *a.shared
		s.borrowed = true
		return &s, true
	}
	st, ok := a.openStore()
	if !ok {
		return nil, false
	}
	s := &session{st: st}
	if b, err := st.Meta(metaMe); err == nil {
		_ = json.Unmarshal(b, &s.me)
	}
	c, err := a.clientFor(st, a.serverURL(st))
	if err != nil && needServer {
		a.errorf("%v", err)
		_ = st.Close()
		return nil, false
	}
	s.c = c
	s.y = syncer.New(c, st, syncer.Options{})
	return s, true
}

// today is the local date as YYYY-MM-DD.
func today() string { return time.Now().Format("2006-01-02") }

// refreshMe fetches and stores who the token belongs to (and the Amt's clerks) when the login
// happened offline. Errors are ignored: the next sync tries again.
func (a *app) refreshMe(s *session, timeout time.Duration) {
	if s.c == nil || s.me.Clerk != "" {
		return
	}
	ctx, cancel := context.WithTimeout(a.ctx, timeout)
	defer cancel()
	me, err := s.c.Me(ctx)
	if err != nil {
		return
	}
	if b, err := json.Marshal(me); err == nil && s.st.PutMeta(metaMe, b) == nil {
		s.me = me
	}
	if clerks, err := s.c.Clerks(ctx); err == nil {
		if b, err := json.Marshal(clerks); err == nil {
			_ = s.st.PutMeta(metaClerks, b)
		}
	}
}
