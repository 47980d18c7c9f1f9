//go:build unix

package main

import (
	"os"
	"syscall"
)

// matchOwner gives path the owner and group of the directory dir, so that a file written by
// root (e.g. a restored database) stays usable by the service user who owns the data directory.
// Without the privilege to change owners it does nothing: the file is then the caller's, who is
// that user already.
func matchOwner(path, dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || os.Geteuid() != 0 {
		return nil
	}
	return os.Lchown(path, int(st.Uid), int(st.Gid))
}
