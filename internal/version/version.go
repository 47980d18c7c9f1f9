// Package version holds the build's version, commit and date, stamped by the release build via
// -ldflags "-X github.com/amt-mv/amt/internal/version.Version=…" (see .goreleaser.yaml).
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Stamped at release build time; defaults describe a development build.
var (
	Version = "dev"
	Commit  = ""
	Date    = ""
)

// String describes the build for --version, e.g. "amt 1.2.0 (commit abc1234, 2026-11-24, go1.26.8 linux/amd64)".
func String(program string) string {
	commit, date := Commit, Date
	// A snapshot build outside a tagged checkout stamps placeholders: treat them as unknown.
	if commit == "none" {
		commit = ""
	}
	if strings.HasPrefix(date, "0001-01-01") {
		date = ""
	}
	if commit == "" {
		if info, ok := debug.ReadBuildInfo(); ok {
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					commit = s.Value
				case "vcs.time":
					if date == "" {
						date = s.Value
					}
				}
			}
		}
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if commit == "" {
		commit = "unknown"
	}
	if date == "" {
		date = "unknown"
	}
	return fmt.Sprintf("%s %s (commit %s, %s, %s %s/%s)", program, Version, commit, date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
