package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"bolsillo/explain/lint"
)

// lintWeb is a context with a Dockerfile that breaks several practices, a
// cleaner Dockerfile.dev and a .dockerignore with two mistakes.
var lintWeb = filepath.Join("testdata", "lint", "web")

// lintRules runs `bolsillo lint --format json ARGS...` and returns the rule
// IDs and lines it reported.
func lintRules(t *testing.T, args ...string) []string {
	t.Helper()
	f, out, errOut := testFactory(noDaemon, nil)
	if code := execute(t.Context(), f, append([]string{"lint", "--format", "json"}, args...)); code != 0 {
		t.Fatalf("lint %q: exit code %d; stderr:\n%s", args, code, errOut)
	}
	var findings []lint.Finding
	if err := json.Unmarshal(out.Bytes(), &findings); err != nil {
		t.Fatalf("lint %q --format json printed no JSON array: %v\n%s", args, err, out)
	}
	var got []string
	for _, fd := range findings {
		got = append(got, fmt.Sprintf("%s:%s:%d", fd.Rule, filepath.Base(fd.File), fd.Line))
	}
	return got
}

// TestLintOutput: the findings are the command's output, on stdout, in
// Markdown; nothing goes to stderr and no daemon is needed.
func TestLintOutput(t *testing.T) {
	f, out, errOut := testFactory(noDaemon, nil)
	if code := execute(t.Context(), f, []string{"lint", lintWeb}); code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr = %q, want nothing", errOut)
	}
	assertGolden(t, "TestLintOutput/markdown", out.String())

	f, out, _ = testFactory(noDaemon, nil)
	if code := execute(t.Context(), f, []string{"lint", "--format", "json", lintWeb}); code != 0 {
		t.Fatalf("json: exit code = %d", code)
	}
	assertGolden(t, "TestLintOutput/json", out.String())
}

// TestLintTargets: the context, the Dockerfile itself and -f find the
// same files as build would.
func TestLintTargets(t *testing.T) {
	want := []string{
		"BP001:Dockerfile:2", "BP030:Dockerfile:1", "BP040:Dockerfile:1", "BP060:Dockerfile:5", "BP070:Dockerfile:1",
		"BP102:Dockerfile:4", "BP101:.dockerignore:1",
	}
	slices.Sort(want)
	for name, args := range map[string][]string{
		"context":    {lintWeb},
		"dockerfile": {filepath.Join(lintWeb, "Dockerfile")},
	} {
		t.Run(name, func(t *testing.T) {
			got := lintRules(t, args...)
			sorted := slices.Clone(got)
			slices.Sort(sorted)
			if !slices.Equal(sorted, want) {
				t.Errorf("lint %q = %q, want %q", args, got, want)
			}
		})
	}
	t.Run("file_flag", func(t *testing.T) {
		got := lintRules(t, "-f", filepath.Join(lintWeb, "Dockerfile.dev"), lintWeb)
		want := []string{"BP102:Dockerfile.dev:3", "BP101:.dockerignore:1"}
		if !slices.Equal(got, want) {
			t.Errorf("lint -f Dockerfile.dev = %q, want %q", got, want)
		}
	})
	t.Run("current_directory", func(t *testing.T) {
		abs, err := filepath.Abs(lintWeb)
		if err != nil {
			t.Fatal(err)
		}
		t.Chdir(abs)
		got := lintRules(t)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("lint (no argument) = %q, want %q", got, want)
		}
	})
}

// TestLintExitCodes: 0 with findings, 1 with --estricto when there is an
// error or a warning, 0 with --estricto on a clean Dockerfile.
func TestLintExitCodes(t *testing.T) {
	clean := t.TempDir()
	writeTree(t, clean, map[string]string{
		"Dockerfile":    "FROM busybox:1.37\nLABEL org.opencontainers.image.authors=\"ana@example.com\"\nRUN adduser -D app\nUSER app\nCMD [\"sh\"]\n",
		".dockerignore": ".git\n",
	})
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"findings", []string{"lint", lintWeb}, 0},
		{"strict_findings", []string{"lint", "--estricto", lintWeb}, 1},
		{"strict_json", []string{"lint", "--estricto", "--format", "json", lintWeb}, 1},
		{"strict_clean", []string{"lint", "--estricto", clean}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := testFactory(noDaemon, nil)
			if code := execute(t.Context(), f, tt.args); code != tt.code {
				t.Errorf("%q: exit code = %d, want %d; stderr:\n%s", tt.args, code, tt.code, errOut)
			}
			if out.Len() == 0 {
				t.Errorf("%q printed nothing", tt.args)
			}
		})
	}
}

// TestLintErrors: what the student reads when lint has nothing to read.
func TestLintErrors(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no_dockerfile", []string{"lint", empty}, "No hay ningún Dockerfile en"},
		{"no_such_path", []string{"lint", filepath.Join(empty, "nada")}, "No encuentro"},
		{"file_twice", []string{"lint", "-f", "Dockerfile.dev", filepath.Join(lintWeb, "Dockerfile")}, "Diste el Dockerfile dos veces"},
		{"bad_format", []string{"lint", "--format", "xml", lintWeb}, "`--format xml` no existe"},
		{"two_args", []string{"lint", lintWeb, lintWeb}, "recibe entre 0 y 1 argumentos"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := testFactory(noDaemon, nil)
			if code := execute(t.Context(), f, tt.args); code == 0 {
				t.Errorf("%q: exit code 0, want a failure", tt.args)
			}
			if !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("%q: stderr = %q, want it to contain %q", tt.args, errOut, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("%q: stdout = %q, want nothing", tt.args, out)
			}
		})
	}
}

// TestBuildPrintsLintAdvice: after a build, the same findings are printed
// as advice on stderr, only when explanations are on.
func TestBuildPrintsLintAdvice(t *testing.T) {
	for _, explaining := range []bool{true, false} {
		d := buildDaemon(t, readTestdata(t, "build/stream_ok.jsonl"))
		env := map[string]string{}
		if !explaining {
			env[envExplicar] = "0"
		}
		f, out, errOut := testFactory(d.host, env)
		dir := refContext(t)
		if code := execute(t.Context(), f, []string{"build", "-t", "web:1", dir}); code != 0 {
			t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
		}
		if strings.Contains(out.String(), "Consejos") {
			t.Errorf("the advice went to stdout:\n%s", out)
		}
		advice := []string{
			"# Consejos para tu `" + filepath.Join(dir, "Dockerfile") + "`",
			"(aviso, BP070): `busybox` sin etiqueta",
			"(aviso, BP040)",
			"Con `bolsillo lint " + dir + "` ves el porqué",
		}
		for _, want := range advice {
			if got := strings.Contains(errOut.String(), want); got != explaining {
				t.Errorf("explaining=%v: stderr contains %q = %v:\n%s", explaining, want, got, errOut)
			}
		}
	}
}

// TestLintHelpIsSpanish keeps the command's help in the course's voice.
func TestLintHelpIsSpanish(t *testing.T) {
	f, out, _ := testFactory(noDaemon, nil)
	if code := execute(t.Context(), f, []string{"lint", "--help"}); code != 0 {
		t.Fatalf("exit code = %d", code)
	}
	for _, want := range []string{"Revisa un Dockerfile y su contexto de construcción", "--estricto", "--format json"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help does not contain %q:\n%s", want, out)
		}
	}
}
