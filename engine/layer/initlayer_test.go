package layer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/opencontainers/go-digest"
	"golang.org/x/sys/unix"
)

func TestInitDir(t *testing.T) {
	requireRoot(t)
	s := newTestStore(t)
	dir, err := s.InitDir()
	if err != nil {
		t.Fatalf("InitDir: %v", err)
	}
	if got, want := dir, filepath.Join(s.Root(), initDirName); got != want {
		t.Errorf("InitDir = %s, want %s", got, want)
	}
	settime(t, dir) // only the times vary from one store to another
	got := describeTree(t, dir)
	want := "dev drwxr-xr-x 0:0 mtime=1714979289\n" +
		"dev/pts drwxr-xr-x 0:0 mtime=1714979289\n" +
		"dev/shm drwxr-xr-x 0:0 mtime=1714979289\n" +
		"etc drwxr-xr-x 0:0 mtime=1714979289\n" +
		"etc/hostname -rw-r--r-- 0:0 mtime=1714979289 nlink=1 body=\"\"\n" +
		"etc/hosts -rw-r--r-- 0:0 mtime=1714979289 nlink=1 body=\"\"\n" +
		"etc/resolv.conf -rw-r--r-- 0:0 mtime=1714979289 nlink=1 body=\"\"\n" +
		"proc drwxr-xr-x 0:0 mtime=1714979289\n" +
		"sys drwxr-xr-x 0:0 mtime=1714979289\n"
	if got != want {
		t.Errorf("InitDir content:\n%s\nwant:\n%s", got, want)
	}

	// Made once: a second call, and a reopened store, find it as it is.
	must(t, os.WriteFile(filepath.Join(dir, "marker"), nil, 0o644))
	again, err := s.InitDir()
	if err != nil || again != dir {
		t.Errorf("second InitDir = %q, %v; want %q", again, err, dir)
	}
	reopened, err := NewStore(s.Root())
	if err != nil {
		t.Fatalf("NewStore: %v", err)
	}
	if again, err := reopened.InitDir(); err != nil || again != dir {
		t.Errorf("InitDir after reopening = %q, %v; want %q", again, err, dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "marker")); err != nil {
		t.Errorf("InitDir was made again: %v", err)
	}
}

// TestInitDirKeepsMountPointsOutOfTheLayer mounts a container-like rootfs
// with the init directory between the image and the writable layer, binds a
// file over /etc/hostname as the runtime does, and checks that the writable
// layer stays empty, also for an image that has no /etc, /proc or /dev.
func TestInitDirKeepsMountPointsOutOfTheLayer(t *testing.T) {
	requireRoot(t)
	s := newTestStore(t)
	image, _, err := s.Unpack(bytes.NewReader(makeTar(t, entry{name: "bin/app", body: "app", mode: 0o755})))
	if err != nil {
		t.Fatalf("Unpack: %v", err)
	}
	initDir, err := s.InitDir()
	if err != nil {
		t.Fatalf("InitDir: %v", err)
	}
	lowers, err := s.LowerDirs([]digest.Digest{image})
	if err != nil {
		t.Fatalf("LowerDirs: %v", err)
	}

	dir := t.TempDir()
	upper, work, merged := filepath.Join(dir, "upper"), filepath.Join(dir, "work"), filepath.Join(dir, "merged")
	mountForTest(t, append([]string{initDir}, lowers...), upper, work, merged)

	hostname := filepath.Join(dir, "hostname")
	must(t, os.WriteFile(hostname, []byte("abc123\n"), 0o644))
	target := filepath.Join(merged, "etc/hostname")
	must(t, unix.Mount(hostname, target, "", unix.MS_BIND, ""))
	t.Cleanup(func() { must(t, unix.Unmount(target, 0)) }) // before the overlay's cleanup
	for _, p := range []string{"proc", "sys", "dev", "dev/pts", "dev/shm", "etc/hosts", "etc/resolv.conf"} {
		if _, err := os.Stat(filepath.Join(merged, p)); err != nil {
			t.Errorf("mount point /%s: %v", p, err)
		}
	}
	if b, err := os.ReadFile(target); err != nil || string(b) != "abc123\n" {
		t.Errorf("/etc/hostname = %q, %v; want the bound file", b, err)
	}

	names, err := readNames(upper)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 0 {
		t.Errorf("writable layer has %v, want nothing", names)
	}
	var diff bytes.Buffer
	if err := Diff(context.Background(), upper, &diff); err != nil {
		t.Fatalf("Diff: %v", err)
	}
	if got := listTar(t, diff.Bytes()); got != "" {
		t.Errorf("diff of the writable layer:\n%s\nwant no entries", got)
	}

	// A write goes to the writable layer, not to the init directory.
	must(t, os.WriteFile(filepath.Join(merged, "etc/motd"), []byte("hola"), 0o644))
	if _, err := os.Stat(filepath.Join(initDir, "etc/motd")); !os.IsNotExist(err) {
		t.Errorf("write reached the init directory: %v", err)
	}
	if names, _ := readNames(filepath.Join(upper, "etc")); !slices.Equal(names, []string{"motd"}) {
		t.Errorf("upper etc = %v, want [motd]", names)
	}
}

// TestLowerDirsRepeatedLayer mounts an image in which the same layer comes
// twice, as two build steps that change nothing both add the empty layer.
func TestLowerDirsRepeatedLayer(t *testing.T) {
	requireRoot(t)
	s := newTestStore(t)
	var ids []digest.Digest
	for _, tarball := range [][]byte{
		makeTar(t, entry{name: "f", body: "base"}),
		makeTar(t),
		makeTar(t, entry{name: "f", body: "middle"}),
	} {
		id, _, err := s.Unpack(bytes.NewReader(tarball))
		if err != nil {
			t.Fatalf("Unpack: %v", err)
		}
		ids = append(ids, id)
	}
	stack := []digest.Digest{ids[0], ids[1], ids[2], ids[1]}
	dirs, err := s.LowerDirs(stack)
	if err != nil {
		t.Fatalf("LowerDirs: %v", err)
	}
	want, err := s.LowerDirs([]digest.Digest{ids[0], ids[2], ids[1]})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dirs, want) {
		t.Errorf("LowerDirs = %v, want %v (the repeated layer at its top position)", dirs, want)
	}
	merged := filepath.Join(t.TempDir(), "merged")
	mountForTest(t, dirs, "", "", merged)
	if b, err := os.ReadFile(filepath.Join(merged, "f")); err != nil || string(b) != "middle" {
		t.Errorf("f = %q, %v; want %q", b, err, "middle")
	}
}
