package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/amt-mv/amt/tui"
)

// FuzzConfig feeds arbitrary bytes as the config file through the real startup path: loadConfig,
// the language and data-dir choice, the purge default, the terminal app's tui.LoadConfig of the
// same file, and run itself. The answer is a config or an error, never a panic; an accepted config
// survives a YAML round trip. Seeds: testdata/fuzz/FuzzConfig (real configs, `amt config init`'s
// output, broken YAML).
func FuzzConfig(f *testing.F) {
	f.Add([]byte(configTemplate))
	f.Add([]byte("server: https://amt.example\nlang: en\nretention_days: 30\n"))
	dir := f.TempDir()
	path := filepath.Join(dir, "config.yaml")
	data := filepath.Join(dir, "data")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, p, err := loadConfig(path)
		if p != path {
			t.Fatalf("path %q", p)
		}
		_, _ = tui.LoadConfig(path) // the terminal app reads the same file: an error is fine, a panic is not
		var out, errb bytes.Buffer
		code := run([]string{"--config", path, "--data", data, "--lang", "en", "version"}, &out, &errb)
		if err != nil {
			if cfg != (Config{}) {
				t.Fatalf("error %v with a non-empty config %+v", err, cfg)
			}
			if code != exitErr || !strings.Contains(errb.String(), "cannot read config file") {
				t.Fatalf("bad config: exit %d, %q", code, errb.String())
			}
			return
		}
		if code != exitOK {
			t.Fatalf("good config, exit %d: %s", code, errb.String())
		}
		if l := pickLang("", cfg.Lang, ""); l != "de" && l != "en" {
			t.Fatalf("language %q", l)
		}
		a := &app{cfg: cfg}
		if d, err := a.dataDir(); err == nil && cfg.Data != "" && os.Getenv("AMT_DATA") == "" && d != cfg.Data {
			t.Fatalf("data dir %q, config says %q", d, cfg.Data)
		}
		if cfg.RetentionDays > 0 {
			age, err := parseAge(strconv.Itoa(cfg.RetentionDays) + "d")
			if err != nil || age <= 0 {
				t.Fatalf("retention_days %d: %v %v", cfg.RetentionDays, age, err)
			}
		}
		y, err := yaml.Marshal(cfg)
		if err != nil {
			t.Fatalf("marshal %+v: %v", cfg, err)
		}
		var back Config
		if err := yaml.Unmarshal(y, &back); err != nil || back != cfg {
			t.Fatalf("round trip: %+v → %q → %+v (%v)", cfg, y, back, err)
		}
	})
}

// FuzzParseAge: --older-than and retention ages are an error or a non-negative duration, never a
// wrapped-around one (which would purge everything).
func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"90d", "12w", "720h", "0d", "-1d", "9223372036854775807d", "106751d", "1e9h", "d", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseAge(s)
		if err == nil && d < 0 {
			t.Fatalf("parseAge(%q) = %v", s, d)
		}
	})
}
