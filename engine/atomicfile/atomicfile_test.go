package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "config.v2.json")
	if err := WriteFile(name, []byte("uno"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(name, map[string]int{"dos": 2}, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"dos":2}` {
		t.Errorf("content = %q, want %q", got, `{"dos":2}`)
	}
	fi, _ := os.Stat(name)
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("the directory holds %d entries, want only the file (no temp left)", len(ents))
	}
}

func TestWriteFileMissingDir(t *testing.T) {
	if err := WriteFile(filepath.Join(t.TempDir(), "no", "x"), nil, 0o644); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
}
