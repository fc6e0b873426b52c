package container

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"bolsillo/engine/layer"

	securejoin "github.com/cyphar/filepath-securejoin"
	apicontainer "github.com/moby/moby/api/types/container"
	"golang.org/x/sys/unix"
)

// This file reads and writes a container's files on the host, under a root
// directory that is the container's "/". Every path that comes from a
// request or from a tar is resolved with securejoin: a symlink is followed
// as the container would follow it, inside root, and `..` stops at root.

// containerPath cleans p into an absolute path of the container, keeping a
// trailing "/" or "/." that the caller typed: they mean "a directory" to cp.
func containerPath(p string) string {
	abs := path.Join("/", p)
	switch {
	case abs == "/":
	case strings.HasSuffix(p, "/."):
		abs += "/."
	case strings.HasSuffix(p, "/"):
		abs += "/"
	}
	return abs
}

// resolvePath returns the host path of the container path p under root,
// with every symlink of its parent directories resolved inside root and
// its last element left as it is (Lstat of the result sees a symlink, not
// its target). abs is p as an absolute container path.
func resolvePath(root, p string) (resolved, abs string, err error) {
	abs = containerPath(p)
	dir, base := path.Split(abs)
	resolvedDir, err := securejoin.SecureJoin(root, dir)
	if err != nil {
		return "", "", err
	}
	return resolvedDir + string(filepath.Separator) + base, abs, nil
}

// statPath describes the container path abs, found at resolved, as the
// X-Docker-Container-Path-Stat header does. For a symlink, LinkTarget is
// where it leads, as an absolute path of the container.
func statPath(root, resolved, abs string) (*apicontainer.PathStat, error) {
	fi, err := os.Lstat(resolved)
	if err != nil {
		return nil, err
	}
	var linkTarget string
	if fi.Mode()&fs.ModeSymlink != 0 {
		full, err := securejoin.SecureJoin(root, abs)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(root, full)
		if err != nil {
			return nil, err
		}
		linkTarget = path.Join("/", filepath.ToSlash(rel))
	}
	name := path.Base(abs)
	if name == "." {
		name = path.Base(path.Dir(abs))
	}
	return &apicontainer.PathStat{
		Name:       name,
		Size:       fi.Size(),
		Mode:       fi.Mode(),
		Mtime:      fi.ModTime(),
		LinkTarget: linkTarget,
	}, nil
}

// writeTar writes the file or directory at resolved as a tar whose top
// entry is named rebase: a directory's contents follow as rebase/..., a
// symlink is written as a symlink. Nothing is followed. Directories on the
// kernel's pseudo filesystems (/proc, /sys of a running container) are
// written empty.
func writeTar(w io.Writer, resolved, rebase string) error {
	tw := tar.NewWriter(w)
	links := make(map[uint64]string)
	root := filepath.Clean(resolved)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		name := path.Join(rebase, filepath.ToSlash(rel))
		if rel == "." {
			name = rebase
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSocket != 0 {
			return nil
		}
		var link string
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		hdr.Name = name
		hdr.Uname, hdr.Gname = "", ""
		hdr.Format = tar.FormatPAX
		if fi.IsDir() {
			hdr.Name += "/"
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		if st != nil {
			hdr.Mode = int64(st.Mode & 0o7777)
			if !fi.IsDir() && st.Nlink > 1 {
				if first, ok := links[st.Ino]; ok {
					hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
				} else {
					links[st.Ino] = name
				}
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeReg && hdr.Size > 0 {
			if err := copyFileInto(tw, p, hdr.Size); err != nil {
				return err
			}
		}
		if fi.IsDir() && rel != "." && pseudoFS(p) {
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("archiving %s: %w", rebase, err)
	}
	return tw.Close()
}

// copyFileInto copies size bytes of the file p to w. A file that shrank
// since it was stat'ed is padded by nobody: it is an error.
func copyFileInto(w io.Writer, p string, size int64) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.Copy(w, io.LimitReader(f, size))
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("%s changed while reading it: %d bytes, want %d", p, n, size)
	}
	return nil
}

// pseudoFS reports whether the directory p is the root of a proc, sysfs,
// cgroup or devpts mount, whose files are the kernel's, not the container's.
func pseudoFS(p string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		return false
	}
	switch int64(st.Type) {
	case unix.PROC_SUPER_MAGIC, unix.SYSFS_MAGIC, unix.CGROUP_SUPER_MAGIC,
		unix.CGROUP2_SUPER_MAGIC, unix.DEVPTS_SUPER_MAGIC:
		return true
	}
	return false
}

// extractOptions are the PUT /containers/{name}/archive switches.
type extractOptions struct {
	// NoOverwriteDirNonDir refuses to replace a directory with a
	// non-directory or the other way round.
	NoOverwriteDirNonDir bool
	// Owner, when set, owns every extracted file (copyUIDGID: the
	// container's user); otherwise each entry keeps the tar's owner.
	Owner *[2]int
}

// extractTar unpacks the tar r into the container directory dest (absolute,
// already known to be a directory) of the container whose "/" is root.
// Entry names climbing out of dest with `..` are refused, and every parent
// is resolved inside root, so neither names nor symlinks in the container
// make it write outside root.
func extractTar(r io.Reader, root, dest string, opts extractOptions) error {
	tr := tar.NewReader(r)
	type dirTimes struct {
		path string
		hdr  *tar.Header
	}
	var dirs []dirTimes
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		rel, err := entryPath(hdr.Name, dest)
		if err != nil {
			return err
		}
		if rel == "." {
			continue // dest itself
		}
		target, err := resolveEntry(root, path.Join(dest, rel))
		if err != nil {
			return err
		}
		if err := prepareTarget(target, path.Join(dest, rel), hdr, opts.NoOverwriteDirNonDir); err != nil {
			return err
		}
		if err := createEntry(tr, hdr, root, dest, target); err != nil {
			return fmt.Errorf("extracting %s: %w", hdr.Name, err)
		}
		owner := [2]int{hdr.Uid, hdr.Gid}
		if opts.Owner != nil {
			owner = *opts.Owner
		}
		if hdr.Typeflag == tar.TypeLink {
			continue // shares the metadata of its target
		}
		if err := os.Lchown(target, owner[0], owner[1]); err != nil {
			return fmt.Errorf("extracting %s: %w", hdr.Name, err)
		}
		if hdr.Typeflag != tar.TypeSymlink {
			if err := os.Chmod(target, modeOf(hdr)); err != nil {
				return fmt.Errorf("extracting %s: %w", hdr.Name, err)
			}
		}
		if hdr.Typeflag == tar.TypeDir {
			dirs = append(dirs, dirTimes{target, hdr})
			continue
		}
		if err := setTimes(target, hdr); err != nil {
			return fmt.Errorf("extracting %s: %w", hdr.Name, err)
		}
	}
	// A directory's times change as entries land in it: set them last.
	for i := len(dirs) - 1; i >= 0; i-- {
		if !layer.RealDir(root, dirs[i].path) {
			continue // replaced since, maybe by a symlink leading out
		}
		if err := setTimes(dirs[i].path, dirs[i].hdr); err != nil {
			return fmt.Errorf("extracting %s: %w", dirs[i].hdr.Name, err)
		}
	}
	return nil
}

// entryPath cleans a tar entry name into a path relative to dest, refusing
// one that climbs out of it, as Docker does.
func entryPath(name, dest string) (string, error) {
	rel := path.Clean(filepath.ToSlash(name))
	if path.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%q is outside of %q", name, dest)
	}
	return rel, nil
}

// resolveEntry returns the host path of the container path p: its parent
// resolved inside root, its last element not followed.
func resolveEntry(root, p string) (string, error) {
	dir, base := path.Split(p)
	resolvedDir, err := securejoin.SecureJoin(root, dir)
	if err != nil {
		return "", err
	}
	return filepath.Join(resolvedDir, base), nil
}

// prepareTarget makes room for the entry hdr at target: its parent exists,
// and what was there is removed unless both are directories.
func prepareTarget(target, name string, hdr *tar.Header, noOverwriteDirNonDir bool) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	fi, err := os.Lstat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	isDir := hdr.Typeflag == tar.TypeDir
	if noOverwriteDirNonDir {
		if fi.IsDir() && !isDir {
			return fmt.Errorf("cannot overwrite directory %q with non-directory %q", name, hdr.Name)
		}
		if !fi.IsDir() && isDir {
			return fmt.Errorf("cannot overwrite non-directory %q with directory %q", name, hdr.Name)
		}
	}
	if fi.IsDir() && isDir {
		return nil
	}
	return os.RemoveAll(target)
}

// createEntry creates the file, directory, link or node of hdr at target.
func createEntry(tr *tar.Reader, hdr *tar.Header, root, dest, target string) error {
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := os.Mkdir(target, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		return nil
	case tar.TypeReg:
		f, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY|unix.O_NOFOLLOW, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	case tar.TypeSymlink:
		// The target is text for the container to resolve; it is never
		// followed here.
		return os.Symlink(hdr.Linkname, target)
	case tar.TypeLink:
		rel, err := entryPath(hdr.Linkname, dest)
		if err != nil {
			return err
		}
		old, err := resolveEntry(root, path.Join(dest, rel))
		if err != nil {
			return err
		}
		return os.Link(old, target)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		mode := uint32(hdr.Mode & 0o7777)
		switch hdr.Typeflag {
		case tar.TypeChar:
			mode |= unix.S_IFCHR
		case tar.TypeBlock:
			mode |= unix.S_IFBLK
		default:
			mode |= unix.S_IFIFO
		}
		return unix.Mknod(target, mode, int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))))
	case tar.TypeXGlobalHeader:
		return nil
	}
	return fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
}

// modeOf is the permission bits of hdr with setuid, setgid and sticky.
func modeOf(hdr *tar.Header) os.FileMode {
	m := os.FileMode(hdr.Mode & 0o777)
	if hdr.Mode&0o4000 != 0 {
		m |= os.ModeSetuid
	}
	if hdr.Mode&0o2000 != 0 {
		m |= os.ModeSetgid
	}
	if hdr.Mode&0o1000 != 0 {
		m |= os.ModeSticky
	}
	return m
}

// setTimes sets the access and modification times of target, not
// following a symlink.
func setTimes(target string, hdr *tar.Header) error {
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	ts := []unix.Timespec{timespec(atime), timespec(hdr.ModTime)}
	return unix.UtimesNanoAt(unix.AT_FDCWD, target, ts, unix.AT_SYMLINK_NOFOLLOW)
}

func timespec(t time.Time) unix.Timespec {
	if t.IsZero() {
		return unix.Timespec{Nsec: unix.UTIME_OMIT}
	}
	return unix.NsecToTimespec(t.UnixNano())
}
