// Command compactcache copies a benchmark cache and compacts the copy with store.Compact, so that
// bench/run can show how the cache's file layout affects amt's memory.
//
//	compactcache SRC DST
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/amt-mv/amt/bench"
	"github.com/amt-mv/amt/store"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: compactcache SRC DST")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "compactcache:", err)
		os.Exit(1)
	}
}

func run(src, dst string) error {
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	if err := copyFile(filepath.Join(src, store.DBFile), filepath.Join(dst, store.DBFile)); err != nil {
		return err
	}
	st, err := bench.OpenStore(dst)
	if err != nil {
		return err
	}
	if err := st.Compact(); err != nil {
		_ = st.Close()
		return err
	}
	return st.Close()
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
