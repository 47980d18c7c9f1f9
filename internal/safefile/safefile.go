// Package safefile writes files in folders where others may write (backup folders, the data
// directory, a clerk's config folder): the bytes go to an exclusively created temporary (0600,
// random name) beside the target, are synced and then renamed over the target. A link or any
// other non-regular file at the target is refused, never followed.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ErrNotRegular is returned when the target is a symbolic link, a device, a folder or anything
// else but a regular file.
var ErrNotRegular = errors.New("not a regular file (links are not followed)")

// File is a temporary that becomes its target on Commit.
type File struct {
	*os.File
	target string
	closed bool
}

// Create opens a new temporary for target in target's folder. The temporary is created with
// O_EXCL under a random name (so nothing planted there, link or file, is ever opened) and mode
// 0600. Write to it, then Commit or Abort.
func Create(target string) (*File, error) {
	if err := CheckTarget(target); err != nil {
		return nil, err
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &File{File: f, target: target}, nil
}

// CheckTarget returns nil if target does not exist or is a regular file, and an error wrapping
// ErrNotRegular if it is a link or anything else.
func CheckTarget(target string) error {
	fi, err := os.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: %w", target, ErrNotRegular)
	}
	return nil
}

// Commit syncs and closes the temporary, runs check on its path (nil = none; check may open and
// change the file), refuses a target that has meanwhile become a link or other non-regular file,
// and renames the temporary over the target. On any error the temporary is removed and the
// target is unchanged.
func (f *File) Commit(check func(tmp string) error) error {
	tmp := f.Name()
	err := f.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	f.closed = true
	if err == nil && check != nil {
		err = check(tmp)
	}
	if err == nil {
		err = CheckTarget(f.target)
	}
	if err == nil {
		err = os.Rename(tmp, f.target)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	SyncDir(filepath.Dir(f.target))
	return nil
}

// Abort closes and removes the temporary; the target is unchanged. It is safe after Commit.
func (f *File) Abort() {
	if !f.closed {
		f.File.Close()
		f.closed = true
		os.Remove(f.Name())
	}
}

// WriteFile writes data to path through Create and Commit.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit(nil)
}

// CopyFile copies the regular file src to dst through Create and Commit. src must not be a
// link.
func CopyFile(src, dst string, check func(tmp string) error) error {
	in, err := OpenRegular(src)
	if err != nil {
		return err
	}
	defer in.Close()
	f, err := Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, in); err != nil {
		f.Abort()
		return err
	}
	return f.Commit(check)
}

// OpenRegular opens path for reading, refusing a link or anything but a regular file.
func OpenRegular(path string) (*os.File, error) {
	if err := CheckTarget(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	return f, nil
}

// SyncDir makes a rename in dir durable where the platform allows it.
func SyncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
