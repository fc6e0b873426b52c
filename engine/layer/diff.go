package layer

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Overlay xattrs that mean an upper directory does not hold the whole
// change: its data or its directory contents live in a lower layer. The
// mounts made by this package never enable the features that write them
// (redirect_dir, metacopy), so finding one is an error.
const (
	redirectXattr = "trusted.overlay.redirect"
	metacopyXattr = "trusted.overlay.metacopy"
)

// droppedXattr reports whether the extended attribute name stays out of a
// layer: overlay's own bookkeeping (trusted.overlay.*, or user.overlay.*
// on mounts with userxattr) and SELinux labels, which belong to the host.
func droppedXattr(name string) bool {
	return strings.HasPrefix(name, overlayXattrPrefix) ||
		strings.HasPrefix(name, "user.overlay.") ||
		name == "security.selinux"
}

// Diff writes the changes recorded in an overlay upper directory as an
// uncompressed OCI layer tar: new and changed files, directories, symlinks,
// hardlinks within the layer, device nodes and fifos, with owner, mode,
// modification time and extended attributes. Overlay whiteouts (0:0
// character devices) become `.wh.NAME` entries and a directory marked
// trusted.overlay.opaque=y is followed by `DIR/.wh..wh..opq`, as Docker's
// overlay2 driver writes them. Sockets are skipped.
//
// The tar is deterministic, so the same upper directory always gives the
// same diff ID: entries come parent first with the names of each directory
// sorted, modification times are truncated to the second as in Docker, and
// access and change times, user and group names are left out.
//
// Changes lists the same changes for `docker diff`.
//
// The upper directory must not change while Diff reads it: the overlay that
// uses it is unmounted, or its container stopped.
func Diff(ctx context.Context, upper string, w io.Writer) error {
	fi, err := os.Lstat(upper)
	if err != nil {
		return fmt.Errorf("diffing layer: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("diffing layer: %s is not a directory", upper)
	}
	d := &differ{ctx: ctx, root: upper, tw: tar.NewWriter(w), links: make(map[uint64]string)}
	if err := d.dir(""); err != nil {
		return fmt.Errorf("diffing layer %s: %w", upper, err)
	}
	if err := d.tw.Close(); err != nil {
		return fmt.Errorf("diffing layer %s: %w", upper, err)
	}
	return nil
}

// differ walks an upper directory and writes its tar.
type differ struct {
	ctx  context.Context
	root string
	tw   *tar.Writer
	// links maps the inode of a file with several links to the name of
	// the first one written, for the hardlink entries of the others.
	links map[uint64]string
}

// dir writes the entries of the directory rel (relative to the root, ""
// for the root itself), sorted by name, each directory followed by its
// contents.
func (d *differ) dir(rel string) error {
	names, err := readNames(filepath.Join(d.root, rel))
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := d.ctx.Err(); err != nil {
			return err
		}
		child := path.Join(rel, name)
		isDir, err := d.entry(child)
		if err != nil {
			return fmt.Errorf("%s: %w", child, err)
		}
		if isDir {
			if err := d.dir(child); err != nil {
				return err
			}
		}
	}
	return nil
}

// readNames returns the sorted names in the directory dir.
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return names, nil
}

// entry writes the tar entry (or entries) for rel and reports whether rel is
// a directory whose contents come next.
func (d *differ) entry(rel string) (isDir bool, err error) {
	p := filepath.Join(d.root, rel)
	fi, err := os.Lstat(p)
	if err != nil {
		return false, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false, errors.New("no stat information")
	}
	if isWhiteout(fi) {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     path.Join(path.Dir(rel), whiteoutPrefix+path.Base(rel)),
			Mode:     0o600,
			Uid:      int(st.Uid),
			Gid:      int(st.Gid),
			ModTime:  fi.ModTime().Truncate(1e9),
			Format:   tar.FormatPAX,
		}
		return false, d.tw.WriteHeader(hdr)
	}
	if fi.Mode()&fs.ModeSocket != 0 {
		return false, nil
	}

	var link string
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(p); err != nil {
			return false, err
		}
	}
	hdr, err := tar.FileInfoHeader(noNames{fi}, link)
	if err != nil {
		return false, err
	}
	hdr.Name = rel
	if fi.IsDir() {
		hdr.Name += "/"
	}
	hdr.Format = tar.FormatPAX
	hdr.ModTime = hdr.ModTime.Truncate(1e9)
	hdr.AccessTime = time.Time{}
	hdr.ChangeTime = time.Time{}
	hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
	// FileInfoHeader maps Go's mode bits; the tar mode wants the
	// permission bits with setuid, setgid and sticky as in stat(2).
	hdr.Mode = int64(st.Mode & 0o7777)
	if hdr.Typeflag == tar.TypeChar || hdr.Typeflag == tar.TypeBlock {
		hdr.Devmajor = int64(unix.Major(uint64(st.Rdev)))
		hdr.Devminor = int64(unix.Minor(uint64(st.Rdev)))
	}

	xattrs, err := readXattrs(p)
	if err != nil {
		return false, err
	}
	if _, ok := xattrs[redirectXattr]; ok {
		return false, errors.New("renamed directory recorded with overlay redirect_dir, which is not supported")
	}
	if _, ok := xattrs[metacopyXattr]; ok {
		return false, errors.New("metadata-only copy-up recorded with overlay metacopy, which is not supported")
	}
	opaque := fi.IsDir() && xattrs[opaqueXattr] == "y"
	for name, value := range xattrs {
		if droppedXattr(name) {
			continue
		}
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = make(map[string]string)
		}
		hdr.PAXRecords[paxXattr+name] = value
	}

	// Any non-directory can have several names: files, and also symlinks
	// and nodes linked with link(2).
	if !fi.IsDir() && st.Nlink > 1 {
		if first, ok := d.links[st.Ino]; ok {
			hdr.Typeflag = tar.TypeLink
			hdr.Linkname = first
			hdr.Size = 0
		} else {
			d.links[st.Ino] = rel
		}
	}

	if err := d.tw.WriteHeader(hdr); err != nil {
		return false, err
	}
	if hdr.Typeflag == tar.TypeReg && hdr.Size > 0 {
		if err := d.copyFile(p, hdr.Size); err != nil {
			return false, err
		}
	}
	if opaque {
		wo := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     path.Join(rel, whiteoutOpaque),
			Mode:     hdr.Mode & 0o777,
			Uid:      hdr.Uid,
			Gid:      hdr.Gid,
			ModTime:  hdr.ModTime,
			Format:   tar.FormatPAX,
		}
		if err := d.tw.WriteHeader(wo); err != nil {
			return false, err
		}
	}
	return fi.IsDir(), nil
}

// noNames keeps tar.FileInfoHeader from looking up user and group names:
// the host's names mean nothing inside an image, which has its own
// /etc/passwd.
type noNames struct{ fs.FileInfo }

func (noNames) Uname() (string, error) { return "", nil }
func (noNames) Gname() (string, error) { return "", nil }

// copyFile writes the size bytes of the file p into the tar. A file that
// changed size since it was stat'ed is an error, not a corrupt layer.
func (d *differ) copyFile(p string, size int64) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.Copy(d.tw, io.LimitReader(f, size))
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("file changed while reading it: %d bytes, want %d", n, size)
	}
	return nil
}

// isWhiteout reports whether fi is an overlay whiteout: a character device
// with device number 0:0.
func isWhiteout(fi fs.FileInfo) bool {
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Rdev == 0
}

// readXattrs returns the extended attributes of p, without following a
// symlink. A filesystem without xattr support has none.
func readXattrs(p string) (map[string]string, error) {
	buf := make([]byte, 1024)
	var n int
	for {
		var err error
		n, err = unix.Llistxattr(p, buf)
		if errors.Is(err, unix.ERANGE) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		if errors.Is(err, unix.ENOTSUP) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing xattrs: %w", err)
		}
		break
	}
	if n == 0 {
		return nil, nil
	}
	xattrs := make(map[string]string)
	for name := range strings.SplitSeq(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if name == "" {
			continue
		}
		value, err := getXattr(p, name)
		if errors.Is(err, unix.ENODATA) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("reading xattr %s: %w", name, err)
		}
		xattrs[name] = value
	}
	return xattrs, nil
}

// getXattr returns the value of the extended attribute name of p, without
// following a symlink.
func getXattr(p, name string) (string, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Lgetxattr(p, name, buf)
		if errors.Is(err, unix.ERANGE) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		if err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
}

// Change is one line of `docker diff`: a path of the container's
// filesystem, absolute ("/etc/passwd"), and what happened to it.
type Change struct {
	// Kind is 'A' (added), 'C' (changed) or 'D' (deleted).
	Kind byte
	Path string
}

// Kinds of Change.
const (
	ChangeAdd    byte = 'A'
	ChangeModify byte = 'C'
	ChangeDelete byte = 'D'
)

// String formats c as docker diff prints it: "C /etc".
func (c Change) String() string { return string(c.Kind) + " " + c.Path }

// Changes lists the changes recorded in an overlay upper directory, in the
// order Diff writes them, for `docker diff`. lowers are the directories
// under upper, top first, exactly as given to Mount (the init directory
// included); they tell a new path (A) from a changed one (C).
//
// As in Docker, a directory that exists below with the same mode, owner
// and modification time is not listed unless something was added to it or
// deleted from it. A whiteout is a deletion (D) of its path. A directory
// that was deleted and made again (opaque) is changed, and each name it
// hid is a deletion.
func Changes(upper string, lowers []string) ([]Change, error) {
	c := &changer{upper: upper, lowers: lowers, listed: make(map[string]bool)}
	if err := c.dir("/"); err != nil {
		return nil, fmt.Errorf("listing changes of %s: %w", upper, err)
	}
	return c.changes, nil
}

// changer walks an upper directory and collects its changes.
type changer struct {
	upper   string
	lowers  []string
	changes []Change
	// listed holds the paths already listed.
	listed map[string]bool
}

// dir collects the changes under the directory p (absolute, in the
// container's view).
func (c *changer) dir(p string) error {
	names, err := readNames(filepath.Join(c.upper, p))
	if err != nil {
		return err
	}
	for _, name := range names {
		child := path.Join(p, name)
		fi, err := os.Lstat(filepath.Join(c.upper, child))
		if err != nil {
			return err
		}
		if isWhiteout(fi) {
			c.add(ChangeDelete, child)
			continue
		}
		if fi.Mode()&fs.ModeSocket != 0 {
			continue
		}
		below, err := lookupLower(c.lowers, child)
		if err != nil {
			return err
		}
		switch {
		case below == nil:
			c.add(ChangeAdd, child)
		case fi.IsDir() && below.IsDir():
			opaque, err := isOpaque(filepath.Join(c.upper, child))
			if err != nil {
				return err
			}
			if opaque {
				c.add(ChangeModify, child)
				if err := c.hidden(child); err != nil {
					return err
				}
			} else if !sameDir(fi, below) {
				c.add(ChangeModify, child)
			}
		default:
			c.add(ChangeModify, child)
		}
		if fi.IsDir() {
			if err := c.dir(child); err != nil {
				return err
			}
		}
	}
	return nil
}

// hidden lists as deleted the names that the lowers show in the opaque
// directory p and that the upper directory does not have any more.
func (c *changer) hidden(p string) error {
	seen := make(map[string]bool)
	var names []string
	for _, lower := range c.lowers {
		fi, err := lookupLower([]string{lower}, p)
		if err != nil {
			return err
		}
		if fi == nil || !fi.IsDir() {
			continue
		}
		lowerNames, err := readNames(filepath.Join(lower, p))
		if err != nil {
			return err
		}
		for _, n := range lowerNames {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
		if opaque, err := isOpaque(filepath.Join(lower, p)); err != nil || opaque {
			break
		}
	}
	slices.Sort(names)
	for _, n := range names {
		child := path.Join(p, n)
		if _, err := os.Lstat(filepath.Join(c.upper, child)); err == nil {
			continue
		}
		if fi, err := lookupLower(c.lowers, child); err != nil {
			return err
		} else if fi != nil {
			c.changes = append(c.changes, Change{Kind: ChangeDelete, Path: child})
		}
	}
	return nil
}

// add records a change of p. An addition or a deletion also changes the
// parent directory, listed first if it was not yet.
func (c *changer) add(kind byte, p string) {
	if c.listed[p] {
		return
	}
	if kind != ChangeModify {
		if parent := path.Dir(p); parent != "/" && !c.listed[parent] {
			c.listed[parent] = true
			c.changes = append(c.changes, Change{Kind: ChangeModify, Path: parent})
		}
	}
	c.listed[p] = true
	c.changes = append(c.changes, Change{Kind: kind, Path: p})
}

// sameDir reports whether two directories have the same mode, owner and
// modification time.
func sameDir(a, b fs.FileInfo) bool {
	sa, oka := a.Sys().(*syscall.Stat_t)
	sb, okb := b.Sys().(*syscall.Stat_t)
	if !oka || !okb {
		return false
	}
	return sa.Mode == sb.Mode && sa.Uid == sb.Uid && sa.Gid == sb.Gid &&
		sa.Mtim == sb.Mtim
}

// isOpaque reports whether the directory p is an opaque overlay directory.
func isOpaque(p string) (bool, error) {
	v, err := getXattr(p, opaqueXattr)
	if errors.Is(err, unix.ENODATA) || errors.Is(err, unix.ENOTSUP) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading xattr %s of %s: %w", opaqueXattr, p, err)
	}
	return v == "y", nil
}

// lookupLower returns what the overlay of lowers (top first) shows at p,
// or nil if p does not exist there: a whiteout, an opaque directory or a
// non-directory on the way hides what the layers below have.
func lookupLower(lowers []string, p string) (fs.FileInfo, error) {
	elems := strings.Split(strings.Trim(p, "/"), "/")
	for _, lower := range lowers {
		cur := lower
		stop := false
		for i, elem := range elems {
			cur = filepath.Join(cur, elem)
			fi, err := os.Lstat(cur)
			if errors.Is(err, fs.ErrNotExist) {
				break // not in this layer; look below
			}
			if err != nil {
				return nil, err
			}
			if isWhiteout(fi) {
				return nil, nil
			}
			if i == len(elems)-1 {
				return fi, nil
			}
			if !fi.IsDir() {
				return nil, nil
			}
			opaque, err := isOpaque(cur)
			if err != nil {
				return nil, err
			}
			if opaque {
				stop = true
			}
		}
		if stop {
			return nil, nil
		}
	}
	return nil, nil
}
