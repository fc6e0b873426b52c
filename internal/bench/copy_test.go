package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestCopyTree(t *testing.T) {
	src := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(src, "bin"), 0o755))
	must(os.MkdirAll(filepath.Join(src, "tmp"), 0o755))
	must(os.Chmod(filepath.Join(src, "tmp"), fs.ModeSticky|0o777))
	must(os.WriteFile(filepath.Join(src, "bin", "busybox"), []byte("#!fake\n"), 0o755))
	must(os.WriteFile(filepath.Join(src, "secret"), []byte("x"), 0o600))
	must(os.Symlink("busybox", filepath.Join(src, "bin", "true")))
	must(os.Symlink("/does/not/exist", filepath.Join(src, "dangling")))

	// Copy through a link to src, as overlay2's short layer names are.
	short := filepath.Join(t.TempDir(), "l")
	must(os.Symlink(src, short))
	dst := filepath.Join(t.TempDir(), "rootfs")
	if err := copyTree(short, dst); err != nil {
		t.Fatalf("copyTree() error = %v", err)
	}

	files := []struct {
		path string
		mode fs.FileMode
		link string // symlink target, for symlinks
		data string // content, for regular files
	}{
		{path: ".", mode: fs.ModeDir | 0o755},
		{path: "bin", mode: fs.ModeDir | 0o755},
		{path: "tmp", mode: fs.ModeDir | fs.ModeSticky | 0o777},
		{path: "bin/busybox", mode: 0o755, data: "#!fake\n"},
		{path: "secret", mode: 0o600, data: "x"},
		{path: "bin/true", mode: fs.ModeSymlink, link: "busybox"},
		{path: "dangling", mode: fs.ModeSymlink, link: "/does/not/exist"},
	}
	for _, f := range files {
		path := filepath.Join(dst, f.path)
		info, err := os.Lstat(path)
		if err != nil {
			t.Errorf("%s: %v", f.path, err)
			continue
		}
		got := info.Mode()
		if got&fs.ModeSymlink != 0 {
			got = fs.ModeSymlink // symlink permission bits mean nothing
		}
		if got != f.mode {
			t.Errorf("%s mode = %v, want %v", f.path, got, f.mode)
		}
		if f.link != "" {
			if link, _ := os.Readlink(path); link != f.link {
				t.Errorf("%s points to %q, want %q", f.path, link, f.link)
			}
		}
		if f.data != "" {
			if data, _ := os.ReadFile(path); string(data) != f.data {
				t.Errorf("%s holds %q, want %q", f.path, data, f.data)
			}
		}
	}
}

func TestCopyTreeRefusesDevices(t *testing.T) {
	src := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(src, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := copyTree(src, filepath.Join(t.TempDir(), "rootfs")); err == nil {
		t.Error("copyTree() of a tree with a FIFO succeeded, want an error")
	}
}

func TestCopyTreeDestinationExists(t *testing.T) {
	if err := copyTree(t.TempDir(), t.TempDir()); err == nil {
		t.Error("copyTree() into an existing directory succeeded, want an error")
	}
}
