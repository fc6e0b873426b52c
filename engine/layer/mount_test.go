package layer

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"
)

// isMounted reports whether path is a mount point listed in /proc/mounts.
func isMounted(t *testing.T, path string) bool {
	t.Helper()
	f, err := os.Open("/proc/mounts")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 1 && fields[1] == path {
			return true
		}
	}
	return false
}

// mountForTest mounts and registers a cleanup that unmounts and checks that
// nothing is left in /proc/mounts.
func mountForTest(t *testing.T, lowers []string, upper, work, merged string) {
	t.Helper()
	if err := Mount(lowers, upper, work, merged); err != nil {
		t.Fatalf("Mount: %v", err)
	}
	t.Cleanup(func() {
		if err := Unmount(merged); err != nil {
			t.Errorf("Unmount: %v", err)
		}
		if isMounted(t, merged) {
			t.Errorf("%s is still mounted", merged)
		}
	})
}

func TestMountOverlay(t *testing.T) {
	requireRoot(t)
	s := newTestStore(t)
	var ids []digest.Digest
	for _, tarball := range [][]byte{
		makeTar(t,
			entry{name: "etc/passwd", body: "root:x:0:0\n"},
			entry{name: "etc/hostname", body: "base\n"},
			entry{name: "var/cache/old", body: "old"},
		),
		makeTar(t,
			entry{name: "etc/.wh.passwd"},
			entry{name: "var/cache/.wh..wh..opq"},
			entry{name: "var/cache/new", body: "new"},
		),
	} {
		id, _, err := s.Unpack(bytes.NewReader(tarball))
		if err != nil {
			t.Fatalf("Unpack: %v", err)
		}
		ids = append(ids, id)
	}
	lowers, err := s.LowerDirs(ids)
	if err != nil {
		t.Fatalf("LowerDirs: %v", err)
	}

	dir := t.TempDir()
	upper, work, merged := filepath.Join(dir, "rw"), filepath.Join(dir, "work"), filepath.Join(dir, "merged")
	mountForTest(t, lowers, upper, work, merged)
	if !isMounted(t, merged) {
		t.Fatalf("%s is not in /proc/mounts after Mount", merged)
	}

	tests := []struct {
		name string
		want string // "" means the file must not be visible
	}{
		{"etc/passwd", ""},
		{"etc/hostname", "base\n"},
		{"var/cache/old", ""},
		{"var/cache/new", "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(merged, tt.name))
			if tt.want == "" {
				if !errors.Is(err, os.ErrNotExist) {
					t.Errorf("ReadFile = %q, %v; want the file hidden", b, err)
				}
				return
			}
			if err != nil || string(b) != tt.want {
				t.Errorf("ReadFile = %q, %v; want %q", b, err, tt.want)
			}
		})
	}

	// Writes land in the upper directory; the layers stay untouched.
	if err := os.WriteFile(filepath.Join(merged, "etc/hostname"), []byte("contenedor\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(upper, "etc/hostname")); err != nil || string(b) != "contenedor\n" {
		t.Errorf("upper etc/hostname = %q, %v; want the new content", b, err)
	}
	if b, _ := os.ReadFile(filepath.Join(s.DiffDir(ids[0]), "etc/hostname")); string(b) != "base\n" {
		t.Errorf("lower etc/hostname = %q, want it unchanged", b)
	}
}

func TestMountReadOnly(t *testing.T) {
	requireRoot(t)
	s := newTestStore(t)
	var ids []digest.Digest
	for _, name := range []string{"a", "b"} {
		id, _, err := s.Unpack(bytes.NewReader(makeTar(t, entry{name: name, body: name})))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	tests := []struct {
		name    string
		ids     []digest.Digest
		visible []string
	}{
		{"one lower", ids[:1], []string{"a"}},
		{"two lowers", ids, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lowers, err := s.LowerDirs(tt.ids)
			if err != nil {
				t.Fatal(err)
			}
			merged := filepath.Join(t.TempDir(), "merged")
			mountForTest(t, lowers, "", "", merged)
			for _, name := range tt.visible {
				if _, err := os.Stat(filepath.Join(merged, name)); err != nil {
					t.Errorf("%s not visible: %v", name, err)
				}
			}
			err = os.WriteFile(filepath.Join(merged, "nuevo"), nil, 0o644)
			if !errors.Is(err, unix.EROFS) {
				t.Errorf("writing to a read-only mount: error = %v, want EROFS", err)
			}
		})
	}
}

func TestMountRejects(t *testing.T) {
	dir := t.TempDir()
	long := make([]string, 100)
	for i := range long {
		long[i] = "/var/lib/bolsillo/layers/" + strings.Repeat("a", 64) + "/diff"
	}
	tests := []struct {
		name    string
		lowers  []string
		upper   string
		work    string
		wantErr string
	}{
		{"no lowers", nil, "", "", "no lower"},
		{"colon in path", []string{"/a:b"}, "", "", "contains"},
		{"comma in upper", []string{"/a"}, "/u,v", "/w", "contains"},
		{"upper without work", []string{"/a"}, filepath.Join(dir, "rw"), "", "work directory"},
		{"options over a page", long, filepath.Join(dir, "rw"), filepath.Join(dir, "work"), "page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Mount(tt.lowers, tt.upper, tt.work, filepath.Join(dir, "merged"))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Mount error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestUnmountNotMounted(t *testing.T) {
	requireRoot(t) // umount(2) needs CAP_SYS_ADMIN even to say "not mounted"
	dir := t.TempDir()
	for _, p := range []string{dir, filepath.Join(dir, "missing")} {
		if err := Unmount(p); err != nil {
			t.Errorf("Unmount(%s) = %v, want nil", p, err)
		}
	}
}
