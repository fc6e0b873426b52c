// Package depcheck enforces the import rules of DESIGN.md: imports point
// down, explain/ knows nothing of the engine, the engine nothing of
// explanations, and the daemon binary — re-executed for every container —
// links no terminal rendering.
package depcheck

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "bolsillo/"+pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

func TestImportRules(t *testing.T) {
	tests := []struct {
		pkg       string
		forbidden []string // import path prefixes
	}{
		{"cmd/bolsillod", []string{
			"github.com/charmbracelet/", "github.com/alecthomas/chroma", "github.com/yuin/goldmark",
			"github.com/spf13/cobra", "bolsillo/explain", "bolsillo/internal/cli",
			"github.com/distribution/distribution", "go.opentelemetry.io/otel/sdk",
			// Its init compiles the reference grammar into regexps (~0.7 ms,
			// again at every container start); internal/imageref parses
			// references instead.
			"github.com/distribution/reference",
		}},
		{"engine/...", []string{"bolsillo/explain", "bolsillo/internal/cli", "github.com/charmbracelet/"}},
		{"explain", []string{"bolsillo/engine", "bolsillo/internal/cli", "github.com/opencontainers/runc"}},
		// The CLI starts once per command: glamour's dependencies cost ~15 ms
		// of init each time, so rendering lives in cmd/bolsillo-render.
		{"cmd/bolsillo", []string{
			"bolsillo/engine", "github.com/opencontainers/runc", "github.com/opencontainers/cgroups",
			"github.com/charmbracelet/glamour", "github.com/alecthomas/chroma", "bolsillo/explain/render",
			// The classroom registry is its own binary: distribution pulls ~550 packages.
			"github.com/distribution/distribution", "bolsillo/internal/registry",
		}},
		{"engine/server", []string{"github.com/opencontainers/runc"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			for _, d := range deps(t, tt.pkg) {
				for _, f := range tt.forbidden {
					if strings.HasPrefix(d, f) {
						t.Errorf("%s depends on %s", tt.pkg, d)
					}
				}
			}
		})
	}
}

// engine/runtime is the only package of bolsillo that imports libcontainer.
func TestOnlyRuntimeImportsLibcontainer(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "bolsillo/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		for _, imp := range f[1:] {
			if strings.HasPrefix(imp, "github.com/opencontainers/runc/libcontainer") &&
				f[0] != "bolsillo/engine/runtime" && f[0] != "bolsillo/cmd/bolsillod" {
				t.Errorf("%s imports %s; only engine/runtime may", f[0], imp)
			}
		}
	}
}

// Every test binary that links engine/runtime must call runtime.Init from
// its TestMain: libcontainer starts containers by re-executing the running
// binary as "init", and a test binary without the hook would run the whole
// test suite again for every container, recursively.
func TestRuntimeTestsHaveInit(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}", "bolsillo/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		deps, err := exec.Command("go", "list", "-test", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -test -deps %s: %v", pkg, err)
		}
		if !strings.Contains("\n"+string(deps), "\nbolsillo/engine/runtime\n") {
			continue
		}
		files, err := exec.Command("go", "list", "-f", `{{range .TestGoFiles}}{{$.Dir}}/{{.}} {{end}}{{range .XTestGoFiles}}{{$.Dir}}/{{.}} {{end}}`, pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		if len(strings.Fields(string(files))) == 0 {
			continue // no tests: nothing re-executes it
		}
		found := false
		for _, f := range strings.Fields(string(files)) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "func TestMain(") && (strings.Contains(string(b), "runtime.Init()") || strings.Contains(string(b), "\tInit()")) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s links engine/runtime in its tests but has no TestMain calling runtime.Init()", pkg)
		}
	}
}
