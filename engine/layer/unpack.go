package layer

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"

	"bolsillo/engine/atomicfile"
)

// OCI whiteout names (image-spec, layer.md).
const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = whiteoutPrefix + whiteoutPrefix // .wh..wh.: aufs metadata, skipped
	whiteoutOpaque = whiteoutMeta + ".opq"

	// opaqueXattr marks an overlay directory whose lower contents are hidden.
	opaqueXattr        = "trusted.overlay.opaque"
	overlayXattrPrefix = "trusted.overlay."
	paxXattr           = "SCHILY.xattr."
)

var gzipMagic = []byte{0x1f, 0x8b}

// Unpack reads a layer tar, uncompressed or gzip-compressed (told apart by
// its first bytes), and unpacks it into the store. It returns the layer's
// diff ID, the sha256 of the uncompressed tar, and its unpacked size.
//
// OCI whiteouts become overlay whiteouts: a `.wh.NAME` entry becomes a 0:0
// character device NAME, and `DIR/.wh..wh..opq` sets the xattr
// trusted.overlay.opaque=y on DIR. Modes, modification times, symlinks,
// hardlinks within the layer, device nodes and xattrs are kept, and owners
// too when running as root. Overlay's own xattrs (trusted.overlay.*) in the
// tar are dropped.
// Entry names that climb out of the layer with `..` are rejected, and no
// symlink is ever followed while unpacking: symlinks are written as they are
// (absolute targets included) but a path through a symlink is an error.
//
// The layer is unpacked in a temporary directory inside the store and
// renamed into place only when complete, so a crash never leaves a half
// layer visible. If the store already holds the layer, the new copy is
// discarded: layers are shared and unpacked once.
func (s *Store) Unpack(r io.Reader) (diffID digest.Digest, size int64, err error) {
	br := bufio.NewReader(r)
	var stream io.Reader = br
	if magic, _ := br.Peek(len(gzipMagic)); bytes.Equal(magic, gzipMagic) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return "", 0, fmt.Errorf("unpacking layer: %w", err)
		}
		defer gz.Close()
		stream = gz
	}

	tmp, err := os.MkdirTemp(s.root, tempPrefix+"unpack-")
	if err != nil {
		return "", 0, fmt.Errorf("unpacking layer: %w", err)
	}
	defer func() {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}()
	diff := filepath.Join(tmp, "diff")
	if err := os.Mkdir(diff, 0o755); err != nil {
		return "", 0, fmt.Errorf("unpacking layer: %w", err)
	}

	digester := digest.SHA256.Digester()
	tee := io.TeeReader(stream, digester.Hash())
	if err := extract(tar.NewReader(tee), diff); err != nil {
		return "", 0, fmt.Errorf("unpacking layer: %w", err)
	}
	// The tar reader stops at the end-of-archive marker; the digest covers
	// every byte, padding included. Draining a gzip stream also checks its
	// trailer.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return "", 0, fmt.Errorf("unpacking layer: %w", err)
	}
	diffID = digester.Digest()

	size, err = diskUsage(diff)
	if err != nil {
		return "", 0, fmt.Errorf("unpacking layer %s: %w", diffID, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Exists(diffID) {
		size, err := s.Size(diffID)
		return diffID, size, err
	}
	if err := s.commit(tmp, diffID, size); err != nil {
		return "", 0, fmt.Errorf("unpacking layer %s: %w", diffID, err)
	}
	tmp = "" // renamed into place
	return diffID, size, nil
}

// commit gives the complete layer in tmp its short link and renames it into
// place. The short link is created first: until the rename it dangles, and
// NewStore removes it if the rename never happens.
func (s *Store) commit(tmp string, diffID digest.Digest, size int64) error {
	var short string
	for {
		short = newShortName()
		err := os.Symlink(filepath.Join("..", diffID.Encoded(), "diff"), filepath.Join(s.root, linksDir, short))
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("creating short link: %w", err)
		}
	}
	removeLink := func() { os.Remove(filepath.Join(s.root, linksDir, short)) }
	if err := atomicfile.WriteFile(filepath.Join(tmp, "link"), []byte(short), 0o600); err != nil {
		removeLink()
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(tmp, "size"), []byte(strconv.FormatInt(size, 10)), 0o600); err != nil {
		removeLink()
		return err
	}
	if err := os.Rename(tmp, filepath.Join(s.root, diffID.Encoded())); err != nil {
		removeLink()
		return err
	}
	return nil
}

// extract writes the entries of tr under dest, which must be a fresh
// directory that nothing else writes to while extract runs.
func extract(tr *tar.Reader, dest string) error {
	// Directory times are set last: creating an entry inside a directory
	// changes the directory's mtime.
	var dirs []*tar.Header
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading tar: %w", err)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		rel, err := cleanName(hdr.Name)
		if err != nil {
			return err
		}
		// aufs metadata (.wh..wh.plnk, .wh..wh.aufs) at the layer root
		// means nothing to overlay.
		if strings.HasPrefix(rel, whiteoutMeta) {
			continue
		}
		if err := mkParents(dest, rel); err != nil {
			return err
		}
		target := filepath.Join(dest, rel)

		base := path.Base(rel)
		switch {
		case base == whiteoutOpaque:
			parent := filepath.Dir(target)
			if err := unix.Lsetxattr(parent, opaqueXattr, []byte("y"), 0); err != nil {
				return fmt.Errorf("marking %s opaque: %w", path.Dir(rel), err)
			}
			continue
		case strings.HasPrefix(base, whiteoutMeta):
			continue
		case strings.HasPrefix(base, whiteoutPrefix):
			name := strings.TrimPrefix(base, whiteoutPrefix)
			if name == "" || name == "." || name == ".." {
				return fmt.Errorf("invalid whiteout %q", hdr.Name)
			}
			hidden := filepath.Join(filepath.Dir(target), name)
			if err := os.RemoveAll(hidden); err != nil {
				return fmt.Errorf("whiteout %s: %w", rel, err)
			}
			if err := unix.Mknod(hidden, unix.S_IFCHR, 0); err != nil {
				return fmt.Errorf("whiteout %s: %w", rel, err)
			}
			continue
		}

		if rel == "." && hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("invalid tar entry %q: the layer root must be a directory", hdr.Name)
		}
		if err := createEntry(tr, hdr, dest, rel, target); err != nil {
			return fmt.Errorf("extracting %s: %w", rel, err)
		}
		if err := setMetadata(hdr, target); err != nil {
			return fmt.Errorf("extracting %s: %w", rel, err)
		}
		if hdr.Typeflag == tar.TypeDir {
			dirs = append(dirs, hdr)
		} else if err := setTimes(hdr, target); err != nil {
			return fmt.Errorf("extracting %s: %w", rel, err)
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		rel, _ := cleanName(dirs[i].Name)
		if !RealDir(dest, filepath.Join(dest, rel)) {
			continue // replaced since, maybe by a symlink leading out
		}
		if err := setTimes(dirs[i], filepath.Join(dest, rel)); err != nil {
			return fmt.Errorf("extracting %s: %w", rel, err)
		}
	}
	return nil
}

// cleanName turns a tar entry name into a clean path relative to the layer
// root. A leading "/" is dropped; a name that climbs above the root is an
// error.
func cleanName(name string) (string, error) {
	p := path.Clean(strings.TrimLeft(name, "/"))
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("invalid tar entry %q: path escapes the layer", name)
	}
	return p, nil
}

// RealDir reports whether p, a path under root, is a directory reached
// from root through directories only. An extractor that sets directory
// times once every entry is written asks it first: a later entry may have
// replaced the directory, or a parent, with a symlink that the times would
// follow out of root.
func RealDir(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return false
	}
	cur := root
	for _, elem := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, elem)
		fi, err := os.Lstat(cur)
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// mkParents makes sure that every parent of rel under dest is a real
// directory, creating missing ones, and fails if one is a symlink or another
// kind of file: following it could write outside the layer.
func mkParents(dest, rel string) error {
	dir := path.Dir(rel)
	if dir == "." {
		return nil
	}
	cur := dest
	for elem := range strings.SplitSeq(dir, "/") {
		cur = filepath.Join(cur, elem)
		fi, err := os.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(cur, 0o755); err != nil {
				return err
			}
		case err != nil:
			return err
		case fi.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("invalid tar entry %q: parent %s is a symlink", rel, strings.TrimPrefix(cur, dest+"/"))
		case !fi.IsDir():
			return fmt.Errorf("invalid tar entry %q: parent %s is not a directory", rel, strings.TrimPrefix(cur, dest+"/"))
		}
	}
	return nil
}

// createEntry creates the file, directory, link or node described by hdr at
// target, replacing what a previous entry left there (a later entry wins,
// except that a directory over a directory merges).
func createEntry(tr *tar.Reader, hdr *tar.Header, dest, rel, target string) error {
	if fi, err := os.Lstat(target); err == nil {
		if !(fi.IsDir() && hdr.Typeflag == tar.TypeDir) {
			if err := os.RemoveAll(target); err != nil {
				return err
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}

	mode := uint32(hdr.Mode & 0o7777)
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := os.Mkdir(target, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	case tar.TypeReg, tar.TypeRegA:
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	case tar.TypeSymlink:
		return os.Symlink(hdr.Linkname, target)
	case tar.TypeLink:
		src, err := cleanName(hdr.Linkname)
		if err != nil {
			return err
		}
		if err := mkParents(dest, src); err != nil {
			return err
		}
		// link(2) does not follow a symlink at src: it links the symlink.
		return os.Link(filepath.Join(dest, src), target)
	case tar.TypeChar:
		return unix.Mknod(target, unix.S_IFCHR|mode, int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))))
	case tar.TypeBlock:
		return unix.Mknod(target, unix.S_IFBLK|mode, int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))))
	case tar.TypeFifo:
		return unix.Mknod(target, unix.S_IFIFO|mode, 0)
	default:
		return fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
	}
	return nil
}

// setMetadata applies owner, mode and xattrs. Hardlinks share the metadata
// of their target and are left alone.
func setMetadata(hdr *tar.Header, target string) error {
	if hdr.Typeflag == tar.TypeLink {
		return nil
	}
	// Only root can give files away; an unprivileged unpack (tests, or
	// tools reading a store) keeps its own user as owner.
	if os.Geteuid() == 0 {
		if err := os.Lchown(target, hdr.Uid, hdr.Gid); err != nil {
			return err
		}
	}
	// chown clears the setuid and setgid bits, so chmod comes after it.
	// Symlinks have no mode of their own on Linux.
	if hdr.Typeflag != tar.TypeSymlink {
		if err := unix.Fchmodat(unix.AT_FDCWD, target, uint32(hdr.Mode&0o7777), 0); err != nil {
			return err
		}
	}
	for key, value := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(key, paxXattr)
		if !ok || strings.HasPrefix(name, overlayXattrPrefix) {
			// overlay's own xattrs (opaque, redirect, metacopy) would change
			// how the mount reads the layer; only whiteouts may set them.
			continue
		}
		err := unix.Lsetxattr(target, name, []byte(value), 0)
		if errors.Is(err, unix.ENOTSUP) {
			continue // the filesystem has no room for it; Docker skips it too
		}
		if err != nil {
			return fmt.Errorf("setting xattr %s: %w", name, err)
		}
	}
	return nil
}

func setTimes(hdr *tar.Header, target string) error {
	if hdr.Typeflag == tar.TypeLink {
		return nil
	}
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	ts := []unix.Timespec{timespec(atime), timespec(hdr.ModTime)}
	return unix.UtimesNanoAt(unix.AT_FDCWD, target, ts, unix.AT_SYMLINK_NOFOLLOW)
}

func timespec(t time.Time) unix.Timespec {
	if t.IsZero() {
		return unix.Timespec{Sec: 0, Nsec: unix.UTIME_OMIT}
	}
	return unix.NsecToTimespec(t.UnixNano())
}

// diskUsage returns the size of the files and symlinks under dir, hardlinked
// files counted once, as Docker computes a layer's size.
func diskUsage(dir string) (int64, error) {
	var size int64
	seen := make(map[uint64]bool)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
			if seen[st.Ino] {
				return nil
			}
			seen[st.Ino] = true
		}
		size += fi.Size()
		return nil
	})
	return size, err
}
