package volume

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPopulate(t *testing.T) {
	rootfs := t.TempDir()
	src := filepath.Join(rootfs, "datos")
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "sub", "f"), []byte("imagen"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(src, "enlace")); err != nil {
		t.Fatal(err)
	}
	// A link at the destination is resolved inside the rootfs.
	if err := os.Symlink("/datos", filepath.Join(rootfs, "atajo")); err != nil {
		t.Fatal(err)
	}

	vol := t.TempDir()
	if err := Populate(vol, rootfs, "/atajo"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(vol, "sub", "f")); err != nil || string(b) != "imagen" {
		t.Errorf("copied file = %q, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(vol, "sub")); err != nil || fi.Mode().Perm() != 0o750 {
		t.Errorf("copied dir mode = %v, %v; want 0750", fi.Mode(), err)
	}
	if l, err := os.Readlink(filepath.Join(vol, "enlace")); err != nil || l != "/etc/passwd" {
		t.Errorf("copied link = %q, %v; want it copied as a link", l, err)
	}

	// A volume with data is never overwritten.
	if err := os.WriteFile(filepath.Join(vol, "sub", "f"), []byte("mío"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Populate(vol, rootfs, "/datos"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(vol, "sub", "f")); string(b) != "mío" {
		t.Errorf("a volume with data was filled again: %q", b)
	}

	// A destination the image does not have leaves the volume empty.
	empty := t.TempDir()
	if err := Populate(empty, rootfs, "/nada"); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("volume for a missing path has %d entries", len(ents))
	}
}
