package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// runcSpecTrimmed is the shape of what `runc spec` (1.1.5) writes.
const runcSpecTrimmed = `{
	"ociVersion": "1.0.2-dev",
	"process": {"terminal": true, "user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/"},
	"root": {"path": "rootfs", "readonly": false},
	"hostname": "runc",
	"linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}]}
}`

func TestRunTrueSpec(t *testing.T) {
	out, err := runTrueSpec([]byte(runcSpecTrimmed))
	if err != nil {
		t.Fatalf("runTrueSpec() error = %v", err)
	}
	checkRunTrueSpec(t, out, 5)
}

// TestRunTrueSpecOfRunc edits what the installed runc really writes.
func TestRunTrueSpecOfRunc(t *testing.T) {
	if _, err := exec.LookPath("runc"); err != nil {
		t.Skip("runc is not installed")
	}
	dir := t.TempDir()
	if out, err := exec.Command("runc", "spec", "--bundle", dir).CombinedOutput(); err != nil {
		t.Fatalf("runc spec: %v: %s", err, out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := runTrueSpec(raw)
	if err != nil {
		t.Fatalf("runTrueSpec() error = %v", err)
	}
	checkRunTrueSpec(t, out, -1)
}

func checkRunTrueSpec(t *testing.T, out []byte, namespaces int) {
	t.Helper()
	var spec specs.Spec
	if err := json.Unmarshal(out, &spec); err != nil {
		t.Fatalf("runTrueSpec() wrote invalid JSON: %v\n%s", err, out)
	}
	if got := spec.Process.Args; !slices.Equal(got, []string{"true"}) {
		t.Errorf("args = %q, want [true]", got)
	}
	if spec.Process.Terminal {
		t.Error("terminal = true, want false")
	}
	if !spec.Root.Readonly || spec.Root.Path != "rootfs" {
		t.Errorf("root = %+v, want rootfs read-only", *spec.Root)
	}
	if namespaces >= 0 && len(spec.Linux.Namespaces) != namespaces {
		t.Errorf("namespaces = %v, want the %d runc wrote", spec.Linux.Namespaces, namespaces)
	}
	if !slices.ContainsFunc(spec.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == specs.NetworkNamespace }) {
		t.Error("the network namespace of runc's default spec is gone")
	}
}

func TestRunTrueSpecRejects(t *testing.T) {
	for _, in := range []string{`not json`, `{"ociVersion": "1.0.2"}`} {
		if _, err := runTrueSpec([]byte(in)); err == nil {
			t.Errorf("runTrueSpec(%q) succeeded, want an error", in)
		}
	}
}
