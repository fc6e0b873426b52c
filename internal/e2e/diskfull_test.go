package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A build context larger than the disk under the data root fails with a
// Spanish explanation, and leaves no extracted context, mount or image.
func TestBuildContextTooLargeForDisk(t *testing.T) {
	// A 24 MB disk: room for busybox, not for the context.
	d := startDaemonOnTmpfs(t, "24m")
	d.labInit()

	ctx := t.TempDir()
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nCOPY grande.bin /\n"), 0o644)
	f, err := os.Create(filepath.Join(ctx, "grande.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 20); err != nil { // 64 MB of zeros
		t.Fatal(err)
	}
	f.Close()

	r := d.bolsillo("build", "-t", "grande:1", ctx)
	if r.code == 0 {
		t.Fatalf("a build larger than the disk succeeded:\n%s", r)
	}
	if !strings.Contains(r.stderr, "no space left on device") || !strings.Contains(r.stderr, "espacio") {
		t.Errorf("the error does not explain the full disk:\n%s", r.stderr)
	}
	if ents, _ := os.ReadDir(filepath.Join(d.root, "build")); len(ents) != 0 {
		t.Errorf("build/ keeps %d entries after the failed build", len(ents))
	}
	if got := d.must("--explicar=false", "images", "-q", "grande").stdout; got != "" {
		t.Errorf("the failed build tagged an image: %q", got)
	}
	// The daemon goes on working.
	if got := d.must("--explicar=false", "run", "--rm", "busybox", "echo", "sigo").stdout; got != "sigo\n" {
		t.Errorf("after the full disk, run printed %q", got)
	}
}
