package layer

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"bolsillo/internal/golden"

	"golang.org/x/sys/unix"
)

// assertGolden compares got with testdata/<test name>.golden, subtests
// joined with underscores.
func assertGolden(t *testing.T, got string) {
	t.Helper()
	golden.Assert(t, golden.FlatPath(t.Name()), []byte(got))
}

// fixedTime is the modification time the tests give to the files they make,
// so that the tars they diff are reproducible.
var fixedTime = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

// capNetBindService is a security.capability value (vfs_cap_data,
// revision 2) granting CAP_NET_BIND_SERVICE, effective.
func capNetBindService() string {
	b := make([]byte, 20)
	binary.LittleEndian.PutUint32(b[0:], 0x02000000|1)
	binary.LittleEndian.PutUint32(b[4:], 1<<unix.CAP_NET_BIND_SERVICE)
	return string(b)
}

// op is one change to a filesystem, applied under a root directory.
type op func(t *testing.T, root string)

func writeFile(name, body string, mode os.FileMode) op {
	return func(t *testing.T, root string) {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		must(t, unix.Chmod(p, uint32(mode.Perm())|setid(mode)))
	}
}

func setid(mode os.FileMode) uint32 {
	var m uint32
	if mode&os.ModeSetuid != 0 {
		m |= unix.S_ISUID
	}
	if mode&os.ModeSetgid != 0 {
		m |= unix.S_ISGID
	}
	return m
}

func mkdir(name string) op {
	return func(t *testing.T, root string) {
		t.Helper()
		must(t, os.MkdirAll(filepath.Join(root, name), 0o755))
	}
}

func symlink(target, name string) op {
	return func(t *testing.T, root string) {
		t.Helper()
		must(t, os.Symlink(target, filepath.Join(root, name)))
	}
}

func hardlink(oldname, name string) op {
	return func(t *testing.T, root string) {
		t.Helper()
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755))
		must(t, os.Link(filepath.Join(root, oldname), filepath.Join(root, name)))
	}
}

func remove(name string) op {
	return func(t *testing.T, root string) {
		t.Helper()
		must(t, os.RemoveAll(filepath.Join(root, name)))
	}
}

func chmod(name string, mode uint32) op {
	return func(t *testing.T, root string) {
		t.Helper()
		must(t, unix.Chmod(filepath.Join(root, name), mode))
	}
}

func chown(name string, uid, gid int) op {
	return func(t *testing.T, root string) {
		t.Helper()
		must(t, os.Lchown(filepath.Join(root, name), uid, gid))
	}
}

func mknod(name string, mode uint32, major, minor uint32) op {
	return func(t *testing.T, root string) {
		t.Helper()
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755))
		must(t, unix.Mknod(filepath.Join(root, name), mode, int(unix.Mkdev(major, minor))))
		// mknod is subject to the umask.
		must(t, unix.Chmod(filepath.Join(root, name), mode&0o7777))
	}
}

func setxattr(name, key, value string) op {
	return func(t *testing.T, root string) {
		t.Helper()
		must(t, unix.Lsetxattr(filepath.Join(root, name), key, []byte(value), 0))
	}
}

// settime gives every entry under root fixedTime as its modification time,
// deepest first so that no later change moves a directory's time.
func settime(t *testing.T, root string) {
	t.Helper()
	var paths []string
	must(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	}))
	ts := []unix.Timespec{unix.NsecToTimespec(fixedTime.UnixNano()), unix.NsecToTimespec(fixedTime.UnixNano())}
	for _, p := range slices.Backward(paths) {
		must(t, unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// listTar describes every entry of a tar, one a line, with everything that
// a layer carries.
func listTar(t *testing.T, b []byte) string {
	t.Helper()
	var sb strings.Builder
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading tar: %v", err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sb, "%c %s mode=%04o %d:%d size=%d mtime=%s", hdr.Typeflag, hdr.Name, hdr.Mode, hdr.Uid, hdr.Gid,
			hdr.Size, hdr.ModTime.UTC().Format(time.RFC3339Nano))
		if hdr.Linkname != "" {
			fmt.Fprintf(&sb, " link=%s", hdr.Linkname)
		}
		if hdr.Typeflag == tar.TypeChar || hdr.Typeflag == tar.TypeBlock {
			fmt.Fprintf(&sb, " dev=%d:%d", hdr.Devmajor, hdr.Devminor)
		}
		if len(body) > 0 {
			fmt.Fprintf(&sb, " body=%q", body)
		}
		for _, k := range slices.Sorted(mapsKeys(hdr.PAXRecords)) {
			fmt.Fprintf(&sb, " pax:%s=%q", k, hdr.PAXRecords[k])
		}
		if !hdr.AccessTime.IsZero() || !hdr.ChangeTime.IsZero() {
			fmt.Fprintf(&sb, " atime/ctime set")
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestDiff diffs upper directories made by hand, in overlay format, and
// compares the tars with golden files.
func TestDiff(t *testing.T) {
	requireRoot(t)
	tests := []struct {
		name string
		ops  []op
	}{
		{"empty", nil},
		{"files", []op{
			writeFile("b.txt", "b\n", 0o644),
			writeFile("a/x", "x", 0o600),
			mkdir("a/empty"),
			writeFile("usr/bin/su", "su", 0o755|os.ModeSetuid),
			chown("a/x", 1000, 1001),
			symlink("../b.txt", "a/link"),
			symlink("/nowhere", "dangling"),
		}},
		{"hardlinks", []op{
			writeFile("z/first", "shared", 0o644),
			hardlink("z/first", "a/second"),
			hardlink("z/first", "m/third"),
			symlink("z/first", "sym"),
			hardlink("sym", "sym2"),
		}},
		{"nodes", []op{
			mknod("dev/null", unix.S_IFCHR|0o666, 1, 3),
			mknod("dev/loop0", unix.S_IFBLK|0o660, 7, 0),
			mknod("run/fifo", unix.S_IFIFO|0o644, 0, 0),
		}},
		{"whiteouts", []op{
			mkdir("etc"),
			mknod("etc/gone", unix.S_IFCHR, 0, 0),
			mknod("gone-dir", unix.S_IFCHR, 0, 0),
			mkdir("data/dir"),
			setxattr("data/dir", opaqueXattr, "y"),
			writeFile("data/dir/new", "new", 0o644),
		}},
		{"xattrs", []op{
			writeFile("bin/ping", "ping", 0o755),
			setxattr("bin/ping", "security.capability", capNetBindService()),
			setxattr("bin/ping", "user.curso", "docker"),
			mkdir("copied"),
			setxattr("copied", "trusted.overlay.origin", "x"),
			setxattr("copied", "trusted.overlay.impure", "y"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			upper := t.TempDir()
			for _, o := range tt.ops {
				o(t, upper)
			}
			settime(t, upper)
			var buf bytes.Buffer
			if err := Diff(context.Background(), upper, &buf); err != nil {
				t.Fatalf("Diff: %v", err)
			}
			assertGolden(t, listTar(t, buf.Bytes()))

			var again bytes.Buffer
			if err := Diff(context.Background(), upper, &again); err != nil {
				t.Fatalf("Diff again: %v", err)
			}
			if got, want := sha256.Sum256(again.Bytes()), sha256.Sum256(buf.Bytes()); got != want {
				t.Errorf("second diff of the same upper differs: %x, want %x", got, want)
			}
		})
	}
}

func TestDiffErrors(t *testing.T) {
	requireRoot(t)
	tests := []struct {
		name string
		ops  []op
		want string
	}{
		{"redirect", []op{mkdir("moved"), setxattr("moved", redirectXattr, "/old")}, "redirect_dir"},
		{"metacopy", []op{writeFile("f", "", 0o644), setxattr("f", metacopyXattr, "")}, "metacopy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			upper := t.TempDir()
			for _, o := range tt.ops {
				o(t, upper)
			}
			err := Diff(context.Background(), upper, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Diff error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}

	t.Run("not a directory", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "f")
		must(t, os.WriteFile(f, nil, 0o644))
		if err := Diff(context.Background(), f, io.Discard); err == nil {
			t.Error("Diff of a file: no error")
		}
	})
	t.Run("canceled", func(t *testing.T) {
		upper := t.TempDir()
		writeFile("f", "x", 0o644)(t, upper)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := Diff(ctx, upper, io.Discard); !errors.Is(err, context.Canceled) {
			t.Errorf("Diff error = %v, want context.Canceled", err)
		}
	})
}

// describeTree returns one line per entry under root (root itself left
// out): type, mode, owner, modification time to the second, link count,
// content, symlink target, device number and xattrs other than overlay's.
func describeTree(t *testing.T, root string) string {
	t.Helper()
	var sb strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		fmt.Fprintf(&sb, "%s %s %d:%d mtime=%d", rel, fi.Mode(), st.Uid, st.Gid, fi.ModTime().Unix())
		if !fi.IsDir() {
			fmt.Fprintf(&sb, " nlink=%d", st.Nlink)
		}
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&sb, " body=%q", b)
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			fmt.Fprintf(&sb, " -> %s", target)
		case fi.Mode()&fs.ModeDevice != 0:
			fmt.Fprintf(&sb, " dev=%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
		}
		xattrs, err := readXattrs(p)
		if err != nil {
			return err
		}
		for _, k := range slices.Sorted(mapsKeys(xattrs)) {
			if !strings.HasPrefix(k, overlayXattrPrefix) {
				fmt.Fprintf(&sb, " %s=%q", k, xattrs[k])
			}
		}
		sb.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// TestDiffOverlayRoundTrip makes changes through a real overlay mount,
// diffs its upper directory, unpacks the diff as a layer over the same
// lower and checks that the merged view is the same.
func TestDiffOverlayRoundTrip(t *testing.T) {
	requireRoot(t)
	s := newTestStore(t)
	lowerTar := makeTar(t,
		entry{name: "etc/", typ: tar.TypeDir, mode: 0o755},
		entry{name: "etc/passwd", body: "root:x:0:0\n", mode: 0o644},
		entry{name: "etc/gone", body: "bye", mode: 0o644},
		entry{name: "data/", typ: tar.TypeDir, mode: 0o755},
		entry{name: "data/dir/", typ: tar.TypeDir, mode: 0o755},
		entry{name: "data/dir/a", body: "a", mode: 0o644},
		entry{name: "data/dir/sub/b", body: "b", mode: 0o644},
		entry{name: "bin/", typ: tar.TypeDir, mode: 0o755},
		entry{name: "bin/tool", body: "tool", mode: 0o755},
		entry{name: "keep/same", body: "same", mode: 0o644},
	)
	lowerID, _, err := s.Unpack(bytes.NewReader(lowerTar))
	if err != nil {
		t.Fatalf("Unpack lower: %v", err)
	}
	lower := s.DiffDir(lowerID)

	dir := t.TempDir()
	upper, work, merged := filepath.Join(dir, "upper"), filepath.Join(dir, "work"), filepath.Join(dir, "merged")
	must(t, Mount([]string{lower}, upper, work, merged))
	mounted := true
	defer func() {
		if mounted {
			Unmount(merged)
		}
	}()
	for _, o := range []op{
		writeFile("new.txt", "nuevo\n", 0o644),
		setxattr("new.txt", "user.curso", "docker"),
		writeFile("etc/passwd", "root:x:0:0\nana:x:1000:1000\n", 0o644),
		remove("etc/gone"),
		remove("data/dir"),
		mkdir("data/dir"),
		writeFile("data/dir/c", "c", 0o644),
		symlink("/etc/passwd", "link"),
		writeFile("hl/a", "enlazado", 0o644),
		hardlink("hl/a", "hl/b"),
		symlink("hl/a", "hl/sym"),
		hardlink("hl/sym", "hl/sym2"),
		chmod("bin/tool", 0o700),
		writeFile("bin/su", "su", 0o755),
		chown("bin/su", 1000, 1000),
		chmod("bin/su", 0o4755),
		writeFile("bin/ping", "ping", 0o755),
		setxattr("bin/ping", "security.capability", capNetBindService()),
		mknod("null", unix.S_IFCHR|0o666, 1, 3),
		mknod("fifo", unix.S_IFIFO|0o600, 0, 0),
	} {
		o(t, merged)
	}
	want := describeTree(t, merged)
	must(t, Unmount(merged))
	mounted = false

	// The upper directory has what overlay recorded: a whiteout and an
	// opaque directory among the rest.
	if fi, err := os.Lstat(filepath.Join(upper, "etc/gone")); err != nil || !isWhiteout(fi) {
		t.Fatalf("etc/gone in upper is not a whiteout (%v)", err)
	}
	if opaque, err := isOpaque(filepath.Join(upper, "data/dir")); err != nil || !opaque {
		t.Fatalf("data/dir in upper is not opaque (%v)", err)
	}

	var diff bytes.Buffer
	if err := Diff(context.Background(), upper, &diff); err != nil {
		t.Fatalf("Diff: %v", err)
	}
	listing := listTar(t, diff.Bytes())
	for _, name := range []string{"etc/.wh.gone ", "data/dir/.wh..wh..opq ", "hl/b mode=0644 0:0 size=0 "} {
		if !strings.Contains(listing, name) {
			t.Errorf("diff has no entry %q:\n%s", name, listing)
		}
	}
	if strings.Contains(listing, "trusted.overlay") {
		t.Errorf("diff carries overlay xattrs:\n%s", listing)
	}
	if strings.Contains(listing, "keep") {
		t.Errorf("diff carries an unchanged directory:\n%s", listing)
	}

	diffID, _, err := s.Unpack(bytes.NewReader(diff.Bytes()))
	if err != nil {
		t.Fatalf("Unpack diff: %v", err)
	}
	if got, want := diffID, sha256Digest(diff.Bytes()); got != want {
		t.Errorf("diff ID = %s, want %s", got, want)
	}
	merged2 := filepath.Join(dir, "merged2")
	mountForTest(t, []string{s.DiffDir(diffID), lower}, "", "", merged2)
	if got := describeTree(t, merged2); got != want {
		t.Errorf("merged tree after unpacking the diff:\n%s\nwant (the original merged tree):\n%s", got, want)
	}
}

func TestChanges(t *testing.T) {
	requireRoot(t)
	// Two lowers, top first: the top one deletes /old/x and replaces /r.
	bottom, top := t.TempDir(), t.TempDir()
	for _, o := range []op{
		writeFile("etc/passwd", "root", 0o644),
		writeFile("etc/hosts", "127.0.0.1", 0o644),
		writeFile("old/x", "x", 0o644),
		writeFile("old/y", "y", 0o644),
		writeFile("r/gone", "", 0o644),
		writeFile("same/f", "f", 0o644),
		writeFile("bin/sh", "sh", 0o755),
	} {
		o(t, bottom)
	}
	for _, o := range []op{
		mkdir("old"),
		mknod("old/x", unix.S_IFCHR, 0, 0),
		mkdir("r"),
		setxattr("r", opaqueXattr, "y"),
		writeFile("r/kept", "", 0o644),
		writeFile("etc/hosts", "::1", 0o644),
	} {
		o(t, top)
	}
	settime(t, bottom)
	settime(t, top)

	tests := []struct {
		name string
		ops  []op
		want []Change
	}{
		{"nothing", nil, nil},
		{"add in a new dir", []op{writeFile("app/hola.txt", "hola", 0o644)},
			[]Change{{'A', "/app"}, {'A', "/app/hola.txt"}}},
		{"modify a file, unchanged parent", []op{mkdir("etc"), writeFile("etc/passwd", "root\nana", 0o644), settime},
			[]Change{{'C', "/etc/passwd"}}},
		{"modify a file of the top lower", []op{mkdir("etc"), writeFile("etc/hosts", "", 0o644), settime},
			[]Change{{'C', "/etc/hosts"}}},
		{"add to an unchanged dir lists it", []op{writeFile("etc/new", "", 0o644), settime},
			[]Change{{'C', "/etc"}, {'A', "/etc/new"}}},
		{"delete", []op{mkdir("bin"), mknod("bin/sh", unix.S_IFCHR, 0, 0), settime},
			[]Change{{'C', "/bin"}, {'D', "/bin/sh"}}},
		{"chmod a dir", []op{mkdir("same"), chmod("same", 0o700), settime},
			[]Change{{'C', "/same"}}},
		{"whited-out lower file comes back as new", []op{writeFile("old/x", "again", 0o644), settime},
			[]Change{{'C', "/old"}, {'A', "/old/x"}}},
		{"file under an opaque lower dir is new", []op{writeFile("r/gone", "", 0o644), settime},
			[]Change{{'C', "/r"}, {'A', "/r/gone"}}},
		{"file kept by an opaque lower dir changes", []op{mkdir("r"), writeFile("r/kept", "k", 0o644), settime},
			[]Change{{'C', "/r/kept"}}},
		{"dir deleted and made again", []op{
			mkdir("old"), setxattr("old", opaqueXattr, "y"), writeFile("old/z", "z", 0o644), settime,
		}, []Change{{'C', "/old"}, {'D', "/old/y"}, {'A', "/old/z"}}},
		{"new dir deleted: whiteout of nothing", []op{mknod("never", unix.S_IFCHR, 0, 0)},
			[]Change{{'D', "/never"}}},
		{"symlink replaces a dir", []op{symlink("/etc", "same")},
			[]Change{{'C', "/same"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			upper := t.TempDir()
			for _, o := range tt.ops {
				o(t, upper)
			}
			got, err := Changes(upper, []string{top, bottom})
			if err != nil {
				t.Fatalf("Changes: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Changes = %v, want %v", got, tt.want)
			}
		})
	}
}
