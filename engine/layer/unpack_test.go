package layer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"
)

// requireRoot skips tests that create device nodes, chown files, set trusted
// xattrs or mount.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping test that requires root")
	}
}

var mtime = time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)

// entry is a tar entry for tests; zero fields get sensible defaults.
type entry struct {
	name     string
	typ      byte
	body     string
	link     string
	mode     int64
	uid, gid int
	major    int64
	minor    int64
	xattrs   map[string]string
}

// makeTar returns an uncompressed tar with the given entries.
func makeTar(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{
			Name:     e.name,
			Typeflag: e.typ,
			Linkname: e.link,
			Mode:     e.mode,
			Uid:      e.uid,
			Gid:      e.gid,
			Size:     int64(len(e.body)),
			ModTime:  mtime,
			Devmajor: e.major,
			Devminor: e.minor,
			Format:   tar.FormatPAX,
		}
		if hdr.Typeflag == 0 {
			hdr.Typeflag = tar.TypeReg
		}
		if hdr.Mode == 0 {
			hdr.Mode = 0o644
			if hdr.Typeflag == tar.TypeDir {
				hdr.Mode = 0o755
			}
		}
		if hdr.Typeflag != tar.TypeReg {
			hdr.Size = 0
		}
		for k, v := range e.xattrs {
			if hdr.PAXRecords == nil {
				hdr.PAXRecords = map[string]string{}
			}
			hdr.PAXRecords["SCHILY.xattr."+k] = v
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatalf("writing tar header %s: %v", e.name, err)
		}
		if hdr.Size > 0 {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatalf("writing tar body %s: %v", e.name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("closing tar: %v", err)
	}
	return buf.Bytes()
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sha256Digest(b []byte) digest.Digest {
	sum := sha256.Sum256(b)
	return digest.Digest("sha256:" + hex.EncodeToString(sum[:]))
}

func newTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := NewStore(filepath.Join(t.TempDir(), "layers"))
	if err != nil {
		t.Fatalf("NewStore: %v", err)
	}
	return s
}

// storeEntries lists the names in the store root, except l.
func storeEntries(t *testing.T, s *Store) []string {
	t.Helper()
	des, err := os.ReadDir(s.Root())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		if de.Name() != linksDir {
			names = append(names, de.Name())
		}
	}
	return names
}

func TestUnpackFiles(t *testing.T) {
	requireRoot(t)
	s := newTestStore(t)
	tarball := makeTar(t,
		entry{name: "etc/", typ: tar.TypeDir, mode: 0o750, uid: 10, gid: 20},
		entry{name: "etc/hostname", body: "bolsillo\n", mode: 0o640, uid: 1000, gid: 1001},
		entry{name: "bin/su", body: "#!/bin/sh\n", mode: 0o4755},
		entry{name: "bin/sh", typ: tar.TypeSymlink, link: "/bin/busybox"},
		entry{name: "bin/ash", typ: tar.TypeLink, link: "bin/su"},
		entry{name: "dev/null", typ: tar.TypeChar, major: 1, minor: 3, mode: 0o666},
		entry{name: "run/fifo", typ: tar.TypeFifo, mode: 0o600},
		entry{name: "etc/hostname", body: "segunda\n", mode: 0o644},
		entry{name: "caps", body: "x", xattrs: map[string]string{"user.color": "azul"}},
	)
	id, size, err := s.Unpack(bytes.NewReader(tarball))
	if err != nil {
		t.Fatalf("Unpack: %v", err)
	}
	if want := sha256Digest(tarball); id != want {
		t.Errorf("Unpack diff ID = %s, want %s", id, want)
	}
	// "segunda\n" (8) + "#!/bin/sh\n" once (10) + symlink "/bin/busybox" (12) + "x" (1).
	if want := int64(8 + 10 + 12 + 1); size != want {
		t.Errorf("Unpack size = %d, want %d", size, want)
	}
	if got, err := s.Size(id); err != nil || got != size {
		t.Errorf("Size = %d, %v; want %d, nil", got, err, size)
	}

	diff := s.DiffDir(id)
	tests := []struct {
		name     string
		fileType fs.FileMode
		perm     fs.FileMode // including setuid, as in st_mode & 07777
		uid, gid uint32
		body     string
		rdev     uint64
		implied  bool // created as a parent, with no entry of its own
	}{
		{name: "etc", fileType: fs.ModeDir, perm: 0o750, uid: 10, gid: 20},
		{name: "etc/hostname", perm: 0o644, body: "segunda\n"},
		{name: "bin/su", perm: 0o4755, body: "#!/bin/sh\n"},
		{name: "bin/ash", perm: 0o4755, body: "#!/bin/sh\n"},
		{name: "dev/null", fileType: fs.ModeCharDevice | fs.ModeDevice, perm: 0o666, rdev: unix.Mkdev(1, 3)},
		{name: "run/fifo", fileType: fs.ModeNamedPipe, perm: 0o600},
		{name: "bin", fileType: fs.ModeDir, perm: 0o755, implied: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(diff, tt.name)
			fi, err := os.Lstat(p)
			if err != nil {
				t.Fatal(err)
			}
			st := fi.Sys().(*syscall.Stat_t)
			if got := fi.Mode().Type(); got != tt.fileType {
				t.Errorf("type = %v, want %v", got, tt.fileType)
			}
			if got := fs.FileMode(st.Mode & 0o7777); got != tt.perm {
				t.Errorf("mode = %o, want %o", got, tt.perm)
			}
			if st.Uid != tt.uid || st.Gid != tt.gid {
				t.Errorf("owner = %d:%d, want %d:%d", st.Uid, st.Gid, tt.uid, tt.gid)
			}
			if !tt.implied && !fi.ModTime().Equal(mtime) {
				t.Errorf("mtime = %v, want %v", fi.ModTime(), mtime)
			}
			if tt.body != "" {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if string(b) != tt.body {
					t.Errorf("content = %q, want %q", b, tt.body)
				}
			}
			if tt.rdev != 0 && st.Rdev != tt.rdev {
				t.Errorf("rdev = %d, want %d", st.Rdev, tt.rdev)
			}
		})
	}

	if got, err := os.Readlink(filepath.Join(diff, "bin/sh")); err != nil || got != "/bin/busybox" {
		t.Errorf("Readlink(bin/sh) = %q, %v; want /bin/busybox", got, err)
	}
	a, _ := os.Stat(filepath.Join(diff, "bin/su"))
	b, _ := os.Stat(filepath.Join(diff, "bin/ash"))
	if !os.SameFile(a, b) {
		t.Errorf("bin/ash is not a hardlink of bin/su")
	}
	buf := make([]byte, 16)
	n, err := unix.Lgetxattr(filepath.Join(diff, "caps"), "user.color", buf)
	if err != nil || string(buf[:n]) != "azul" {
		t.Errorf("xattr user.color = %q, %v; want azul", buf[:n], err)
	}
}

func TestUnpackWhiteouts(t *testing.T) {
	requireRoot(t)
	s := newTestStore(t)
	id, _, err := s.Unpack(bytes.NewReader(makeTar(t,
		entry{name: "etc/.wh.passwd"},
		entry{name: ".wh.tmp"},
		entry{name: "var/cache/.wh..wh..opq"},
		entry{name: "var/cache/kept", body: "k"},
		entry{name: ".wh..wh.plnk/123"},
		entry{name: "forged/", typ: tar.TypeDir, xattrs: map[string]string{"trusted.overlay.opaque": "y"}},
	)))
	if err != nil {
		t.Fatalf("Unpack: %v", err)
	}
	diff := s.DiffDir(id)

	tests := []struct {
		name       string
		whiteout   bool
		opaque     bool
		wantExists bool
	}{
		{name: "etc/passwd", whiteout: true, wantExists: true},
		{name: "tmp", whiteout: true, wantExists: true},
		{name: "var/cache", opaque: true, wantExists: true},
		{name: "var/cache/kept", wantExists: true},
		{name: "forged", wantExists: true}, // overlay xattrs from the tar are dropped
		{name: "etc/.wh.passwd"},
		{name: "var/cache/.wh..wh..opq"},
		{name: ".wh..wh.plnk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(diff, tt.name)
			fi, err := os.Lstat(p)
			if exists := err == nil; exists != tt.wantExists {
				t.Fatalf("exists = %v, want %v (%v)", exists, tt.wantExists, err)
			}
			if !tt.wantExists {
				return
			}
			st := fi.Sys().(*syscall.Stat_t)
			isWhiteout := fi.Mode()&fs.ModeCharDevice != 0 && st.Rdev == 0
			if isWhiteout != tt.whiteout {
				t.Errorf("whiteout device = %v, want %v", isWhiteout, tt.whiteout)
			}
			buf := make([]byte, 4)
			n, _ := unix.Lgetxattr(p, opaqueXattr, buf)
			if isOpaque := n == 1 && buf[0] == 'y'; isOpaque != tt.opaque {
				t.Errorf("opaque = %v, want %v", isOpaque, tt.opaque)
			}
		})
	}
}

func TestUnpackCompression(t *testing.T) {
	plain := makeTar(t, entry{name: "hola.txt", body: "hola\n"})
	tests := []struct {
		name  string
		input []byte
	}{
		{"uncompressed", plain},
		{"gzip", gzipped(t, plain)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			id, _, err := s.Unpack(bytes.NewReader(tt.input))
			if err != nil {
				t.Fatalf("Unpack: %v", err)
			}
			if want := sha256Digest(plain); id != want {
				t.Errorf("diff ID = %s, want %s (sha256 of the uncompressed tar)", id, want)
			}
			b, err := os.ReadFile(filepath.Join(s.DiffDir(id), "hola.txt"))
			if err != nil || string(b) != "hola\n" {
				t.Errorf("hola.txt = %q, %v; want %q", b, err, "hola\n")
			}
		})
	}
}

func TestUnpackRejectsEscapes(t *testing.T) {
	tests := []struct {
		name    string
		entries []entry
		wantErr string
	}{
		{"dot-dot", []entry{{name: "../evil", body: "x"}}, "escapes"},
		{"nested dot-dot", []entry{{name: "a/../../evil", body: "x"}}, "escapes"},
		{"absolute dot-dot", []entry{{name: "/../evil", body: "x"}}, "escapes"},
		{"through symlink", []entry{
			{name: "link", typ: tar.TypeSymlink, link: "/tmp"},
			{name: "link/evil", body: "x"},
		}, "symlink"},
		{"through relative symlink", []entry{
			{name: "up", typ: tar.TypeSymlink, link: "../.."},
			{name: "up/evil", body: "x"},
		}, "symlink"},
		{"hardlink outside", []entry{{name: "passwd", typ: tar.TypeLink, link: "../../etc/passwd"}}, "escapes"},
		{"hardlink through symlink", []entry{
			{name: "etc", typ: tar.TypeSymlink, link: "/etc"},
			{name: "passwd", typ: tar.TypeLink, link: "etc/passwd"},
		}, "symlink"},
		{"whiteout through symlink", []entry{
			{name: "etc", typ: tar.TypeSymlink, link: "/etc"},
			{name: "etc/.wh.passwd"},
		}, "symlink"},
		{"empty whiteout", []entry{{name: "dir/.wh."}}, "invalid whiteout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			_, _, err := s.Unpack(bytes.NewReader(makeTar(t, tt.entries...)))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Unpack error = %v, want one containing %q", err, tt.wantErr)
			}
			if got := storeEntries(t, s); len(got) != 0 {
				t.Errorf("store holds %v after a failed Unpack, want nothing", got)
			}
			if _, err := os.Lstat(filepath.Join(filepath.Dir(s.Root()), "evil")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a file was written outside the layer: %v", err)
			}
		})
	}
}

func TestUnpackCorrupt(t *testing.T) {
	good := gzipped(t, makeTar(t, entry{name: "a", body: strings.Repeat("a", 4096)}))
	tests := []struct {
		name  string
		input []byte
	}{
		{"truncated tar", makeTar(t, entry{name: "a", body: strings.Repeat("a", 4096)})[:1024]},
		{"truncated gzip", good[:len(good)/2]},
		{"bad gzip trailer", append(append([]byte{}, good[:len(good)-8]...), 0, 0, 0, 0, 0, 0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			if _, _, err := s.Unpack(bytes.NewReader(tt.input)); err == nil {
				t.Fatalf("Unpack succeeded, want an error")
			}
			if got := storeEntries(t, s); len(got) != 0 {
				t.Errorf("store holds %v after a failed Unpack, want nothing", got)
			}
		})
	}
}
