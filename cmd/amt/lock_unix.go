//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package main

import (
	"errors"
	"os"
	"syscall"
	"time"

	"github.com/amt-mv/amt/store"
)

// lockCache takes the lock bbolt takes (flock, exclusive) on the cache file, waiting up to timeout,
// so that a rescue never moves a file another amt process is using. The returned function
// releases it.
func lockCache(path string, timeout time.Duration) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			_ = f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, store.ErrAlreadyOpen
			}
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
