package image

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"bolsillo/engine/layer"
)

// TestCreateFromOverlay runs the steps of a build the way the builder does:
// mount the parent with the init directory on top and a fresh writable
// layer, change files, diff the writable layer into Create, then mount the
// new image and look at its files.
func TestCreateFromOverlay(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipping test that requires root")
	}
	s := newTestStore(t)
	base := s.mustImport(t, makeTar(t, "etc/passwd", "bin/tool"), ImportOptions{Ref: "base"})
	initDir, err := s.layers.InitDir()
	if err != nil {
		t.Fatalf("InitDir: %v", err)
	}

	step := func(parent *Image, createdBy string, change func(root string)) *Image {
		t.Helper()
		lowers, err := s.LayerDirs(parent)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		upper, work, merged := filepath.Join(dir, "upper"), filepath.Join(dir, "work"), filepath.Join(dir, "merged")
		if err := layer.Mount(append([]string{initDir}, lowers...), upper, work, merged); err != nil {
			t.Fatalf("Mount: %v", err)
		}
		defer layer.Unmount(merged)
		change(merged)

		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(layer.Diff(context.Background(), upper, pw)) }()
		res, err := s.Create(context.Background(), CreateOptions{
			Parent: parent, Layer: pr, Config: runtimeConfig(), CreatedBy: createdBy,
		})
		pr.CloseWithError(errors.New("done"))
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		return res.Image
	}
	first := step(base, "/bin/sh -c echo hola > /app/info.txt && rm /bin/tool", func(root string) {
		must(t, os.MkdirAll(filepath.Join(root, "app"), 0o755))
		must(t, os.WriteFile(filepath.Join(root, "app/info.txt"), []byte("hola\n"), 0o644))
		must(t, os.Remove(filepath.Join(root, "bin/tool")))
	})
	// A step that writes nothing still adds a (empty) layer, and a stack
	// that repeats it still mounts.
	second := step(first, "/bin/sh -c true", func(string) {})
	third := step(second, "/bin/sh -c true", func(string) {})
	if got, want := len(third.Config.RootFS.DiffIDs), 4; got != want {
		t.Fatalf("layers = %d, want %d", got, want)
	}
	if a, b := third.Config.RootFS.DiffIDs[2], third.Config.RootFS.DiffIDs[3]; a != emptyLayerDiffID || b != emptyLayerDiffID {
		t.Errorf("empty steps' layers = %s, %s; want %s twice", a, b, emptyLayerDiffID)
	}

	lowers, err := s.LayerDirs(third)
	if err != nil {
		t.Fatal(err)
	}
	merged := filepath.Join(t.TempDir(), "merged")
	if err := layer.Mount(lowers, "", "", merged); err != nil {
		t.Fatalf("Mount: %v", err)
	}
	defer layer.Unmount(merged)
	if b, err := os.ReadFile(filepath.Join(merged, "app/info.txt")); err != nil || string(b) != "hola\n" {
		t.Errorf("app/info.txt = %q, %v; want %q", b, err, "hola\n")
	}
	// The deletion went into the layer; the init directory's mount points
	// did not.
	for _, p := range []string{"bin/tool", "etc/hostname", "proc", "dev"} {
		if _, err := os.Lstat(filepath.Join(merged, p)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("/%s in the built image: %v, want it absent", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(merged, "etc/passwd")); err != nil {
		t.Errorf("/etc/passwd from the base: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
