package build

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"bolsillo/engine/layer"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"golang.org/x/sys/unix"
)

// buildContext is a build context extracted to a directory.
type buildContext struct {
	dir string
	// ignore holds the .dockerignore patterns; nil without one.
	ignore *patternmatcher.PatternMatcher
	// ignoreFile is the name of the ignore file used.
	ignoreFile string
}

// extractContext extracts the context tar (maybe gzip- or
// bzip2-compressed) into a new directory under tmp.
func extractContext(ctx context.Context, r io.Reader, tmp string) (*buildContext, error) {
	dir, err := os.MkdirTemp(tmp, "context-")
	if err != nil {
		return nil, fmt.Errorf("creating context directory: %w", err)
	}
	c := &buildContext{dir: dir}
	rd, err := decompress(bufio.NewReader(r))
	if err != nil {
		c.remove()
		return nil, fmt.Errorf("reading build context: %w", err)
	}
	if err := extractTar(ctx, rd, dir, false); err != nil {
		c.remove()
		return nil, fmt.Errorf("reading build context: %w", err)
	}
	return c, nil
}

func (c *buildContext) remove() { _ = os.RemoveAll(c.dir) }

// readDockerfile reads the Dockerfile at name in the context. Like Docker,
// "Dockerfile" falls back to "dockerfile".
func (c *buildContext) readDockerfile(name string) ([]byte, error) {
	names := []string{name}
	if name == "Dockerfile" {
		names = append(names, "dockerfile")
	}
	for _, n := range names {
		p, err := securejoin.SecureJoin(c.dir, n)
		if err != nil {
			return nil, err
		}
		b, err := os.ReadFile(p)
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("reading %s: %w", n, err)
		}
	}
	return nil, fmt.Errorf("Cannot locate specified Dockerfile: %s", name)
}

// applyIgnore reads <dockerfile>.dockerignore, or else .dockerignore, and
// removes what it excludes from the context, as Docker's daemon does
// (clients apply it too, before sending).
func (c *buildContext) applyIgnore(dockerfile string) error {
	var patterns []string
	for _, name := range []string{dockerfile + ".dockerignore", ".dockerignore"} {
		p, err := securejoin.SecureJoin(c.dir, name)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		patterns, err = ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		c.ignoreFile = name
		break
	}
	if len(patterns) == 0 {
		return nil
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return fmt.Errorf("invalid %s: %w", c.ignoreFile, err)
	}
	c.ignore = pm
	return filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == c.dir {
			return err
		}
		rel, _ := filepath.Rel(c.dir, p)
		excluded, err := pm.MatchesOrParentMatches(rel)
		if err != nil {
			return err
		}
		if !excluded {
			return nil
		}
		// An excluded directory may hold re-included ("!") paths.
		if d.IsDir() && pm.Exclusions() {
			return nil
		}
		if err := os.RemoveAll(p); err != nil {
			return err
		}
		if d.IsDir() {
			return filepath.SkipDir
		}
		return nil
	})
}

// excluded reports whether the context path rel was left out by the ignore
// file.
func (c *buildContext) excluded(rel string) bool {
	if c.ignore == nil {
		return false
	}
	ok, err := c.ignore.MatchesOrParentMatches(filepath.Clean(rel))
	return err == nil && ok
}

// decompress returns r uncompressed if it starts with gzip's or bzip2's
// magic bytes, else r itself.
func decompress(r *bufio.Reader) (io.Reader, error) {
	head, _ := r.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return gzip.NewReader(r)
	case bytes.HasPrefix(head, []byte("BZh")):
		return bzip2.NewReader(r), nil
	}
	return r, nil
}

// isArchive reports whether the file at p is a tar archive, maybe gzip- or
// bzip2-compressed: what ADD extracts.
func isArchive(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	r, err := decompress(bufio.NewReader(f))
	if err != nil {
		return false
	}
	_, err = tar.NewReader(r).Next()
	return err == nil
}

// extractTar writes the entries of a tar into dir. Every path is resolved
// inside dir (no "..", no escape through a symlink). With keepOwner the
// entries keep their uid and gid; else they belong to root.
func extractTar(ctx context.Context, r io.Reader, dir string, keepOwner bool) error {
	tr := tar.NewReader(r)
	type dirTime struct {
		path  string
		mtime time.Time
	}
	var dirs []dirTime
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		name := path.Clean("/" + hdr.Name)
		if name == "/" {
			continue
		}
		parent, err := securejoin.SecureJoin(dir, path.Dir(name))
		if err != nil {
			return err
		}
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return err
		}
		target := filepath.Join(parent, path.Base(name))
		mode := os.FileMode(hdr.Mode & 0o7777)
		uid, gid := 0, 0
		if keepOwner {
			uid, gid = hdr.Uid, hdr.Gid
		}
		if fi, err := os.Lstat(target); err == nil && !(fi.IsDir() && hdr.Typeflag == tar.TypeDir) {
			if err := os.RemoveAll(target); err != nil {
				return err
			}
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.Mkdir(target, mode); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			dirs = append(dirs, dirTime{target, hdr.ModTime})
		case tar.TypeReg:
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.Symlink(hdr.Linkname, target); err != nil {
				return err
			}
		case tar.TypeLink:
			src, err := securejoin.SecureJoin(dir, path.Clean("/"+hdr.Linkname))
			if err != nil {
				return err
			}
			if err := os.Link(src, target); err != nil {
				return err
			}
			continue
		default:
			// Devices, fifos and the like have no place in a build context
			// or an ADDed archive made of files.
			continue
		}
		if err := os.Lchown(target, uid, gid); err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeSymlink {
			if err := os.Chmod(target, mode); err != nil {
				return err
			}
		}
		if hdr.Typeflag == tar.TypeReg {
			if err := os.Chtimes(target, hdr.ModTime, hdr.ModTime); err != nil {
				return err
			}
		} else if hdr.Typeflag == tar.TypeSymlink {
			ts := []unix.Timespec{unix.NsecToTimespec(hdr.ModTime.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
			_ = unix.UtimesNanoAt(unix.AT_FDCWD, target, ts, unix.AT_SYMLINK_NOFOLLOW)
		}
	}
	// Directory times last: writing into a directory changes its mtime.
	// One that a later entry replaced, itself or a parent, maybe with a
	// symlink leading out, is left alone.
	for i := len(dirs) - 1; i >= 0; i-- {
		if layer.RealDir(dir, dirs[i].path) {
			_ = os.Chtimes(dirs[i].path, dirs[i].mtime, dirs[i].mtime)
		}
	}
	return nil
}

// contained reports whether the relative path p stays inside its root.
func contained(p string) bool {
	c := path.Clean(p)
	return c != ".." && !strings.HasPrefix(c, "../")
}
