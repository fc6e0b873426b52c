package layer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// initDirName is the directory of the store that InitDir returns. It is not
// a hex digest, so it never collides with a layer.
const initDirName = "init"

// initEntries are the mount points a container's runtime mounts or binds
// over, as in Docker's init layer. A name ending in "/" is a directory; the
// others are empty files. Parents come before their children.
var initEntries = []string{
	"dev/",
	"dev/pts/",
	"dev/shm/",
	"etc/",
	"etc/hostname",
	"etc/hosts",
	"etc/resolv.conf",
	"proc/",
	"sys/",
}

// InitDir returns a directory holding the mount points that a container's
// runtime mounts or binds over: the empty files etc/hostname, etc/hosts and
// etc/resolv.conf, and the directories dev, dev/pts, dev/shm, proc and sys.
//
// It goes as the top lower directory of a container or a build step, between
// the image's layers and the writable layer, as Docker's init layer does:
// the runtime finds its mount points already there and never creates them
// in the writable layer, so they show up in no diff, commit or build layer.
// The directory is made once per store and nothing writes to it afterwards.
// Being the top lower, its directories lend their mode, owner and times to
// the merged view: root-owned, 0755, as Docker's.
func (s *Store) InitDir() (string, error) {
	dir := filepath.Join(s.root, initDirName)
	if _, err := os.Lstat(dir); err == nil {
		return dir, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("init layer: %w", err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := os.Lstat(dir); err == nil {
		return dir, nil
	}
	// Built aside and renamed into place, so the directory is either whole
	// or absent; NewStore removes an interrupted attempt.
	tmp, err := os.MkdirTemp(s.root, tempPrefix+"init-")
	if err != nil {
		return "", fmt.Errorf("init layer: %w", err)
	}
	if err := populateInit(tmp); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("init layer: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("init layer: %w", err)
	}
	return dir, nil
}

// populateInit creates initEntries in dir, owned by root when running as
// root.
func populateInit(dir string) error {
	// MkdirTemp makes 0700; the root of the merged view needs 0755.
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	for _, e := range initEntries {
		p := filepath.Join(dir, filepath.FromSlash(e))
		var err error
		if e[len(e)-1] == '/' {
			err = os.Mkdir(p, 0o755)
			if err == nil {
				// Mkdir is subject to the umask.
				err = os.Chmod(p, 0o755)
			}
		} else {
			err = os.WriteFile(p, nil, 0o644)
			if err == nil {
				err = os.Chmod(p, 0o644)
			}
		}
		if err != nil {
			return err
		}
		if os.Geteuid() == 0 {
			if err := os.Lchown(p, 0, 0); err != nil {
				return err
			}
		}
	}
	return nil
}
