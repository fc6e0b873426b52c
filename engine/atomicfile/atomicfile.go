// Package atomicfile writes files so that a reader, or a daemon restarted
// after a crash, sees either the old content or the complete new one.
package atomicfile

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// TempPrefix starts the name of every file being written, so that a store
// can remove the ones an interrupted write left behind.
const TempPrefix = ".tmp-"

// WriteFile writes data to name through a temporary file in the same
// directory: write, fsync, chmod, rename, then fsync of the directory so
// the rename itself survives a crash.
func WriteFile(name string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(name)
	f, err := os.CreateTemp(dir, TempPrefix+filepath.Base(name)+"-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := writeSyncClose(f, data); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, perm); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return err
	}
	return SyncDir(dir)
}

// WriteJSON marshals v and writes it with WriteFile.
func WriteJSON(name string, v any, perm os.FileMode) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return WriteFile(name, b, perm)
}

func writeSyncClose(f *os.File, data []byte) error {
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SyncDir flushes a directory's entries (a rename, a new file) to disk.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
