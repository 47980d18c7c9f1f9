//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package main

import "time"

// lockCache is a no-op here: on Windows a file another process holds open cannot be renamed, so
// MoveAside itself refuses to move a cache in use.
func lockCache(string, time.Duration) (func(), error) { return func() {}, nil }
