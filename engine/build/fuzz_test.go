package build

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bolsillo/engine/backend"
	"bolsillo/internal/fuzztar"
)

// FuzzExtractContext: no build context tar makes the daemon write outside
// the context's directory, while extracting it, reading its Dockerfile
// (whose name the request gives) or applying its .dockerignore. The input
// is a fuzztar spec; seeds are in testdata/fuzz/FuzzExtractContext.
func FuzzExtractContext(f *testing.F) {
	f.Add("f Dockerfile FROM scratch\nf .dockerignore *.tmp\nf a.tmp x\nd sub\nl sub/up ../..", "Dockerfile")
	f.Fuzz(func(t *testing.T, spec, dockerfile string) {
		base := t.TempDir()
		outside, err := fuzztar.Sandbox(base)
		if err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(base, "ctx")
		if err := os.Mkdir(tmp, 0o700); err != nil {
			t.Fatal(err)
		}
		// The context is extracted in ctx/context-*: two levels below base.
		data := fuzztar.Build(spec, fuzztar.Options{Outside: outside, Up: 2})
		before, err := fuzztar.Snapshot(base, tmp)
		if err != nil {
			t.Fatal(err)
		}
		c, err := extractContext(context.Background(), bytes.NewReader(data), tmp)
		if err == nil {
			if df, err := c.readDockerfile(dockerfile); err == nil && len(df) > 0 {
				_ = c.applyIgnore(dockerfile)
				if c.ignore != nil {
					checkIgnored(t, c)
				}
			}
		}
		after, serr := fuzztar.Snapshot(base, tmp)
		if serr != nil {
			t.Fatal(serr)
		}
		if d := fuzztar.Diff(before, after); len(d) > 0 {
			t.Fatalf("the build context wrote outside its directory (err %v):\n%v", err, d)
		}
		if err == nil {
			c.remove()
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("%d context directories left after remove", len(left))
		}
	})
}

// checkIgnored: after applyIgnore, what is left of the context is what the
// ignore file keeps, except directories kept for re-included paths.
func checkIgnored(t *testing.T, c *buildContext) {
	t.Helper()
	filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == c.dir || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(c.dir, p)
		if c.excluded(rel) && !c.ignore.Exclusions() {
			t.Errorf("%s is excluded by %s but still in the context", rel, c.ignoreFile)
		}
		return nil
	})
}

// FuzzDockerignore: no .dockerignore makes applyIgnore panic or remove
// anything outside the context. The context holds files, a directory and
// symlinks that point outside it.
func FuzzDockerignore(f *testing.F) {
	for _, seed := range []string{
		"*.tmp\n!keep.tmp", "**", "!", "../outside", "/..", "sub/**/x\n!sub/a", "[", "\\", "# comment\n\n  spaces  ",
		"*\n!Dockerfile", "link/*", "up", "dir/../../outside/victim",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ignore string) {
		base := t.TempDir()
		outside, err := fuzztar.Sandbox(base)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(base, "ctx")
		for _, d := range []string{"sub/a", "dir"} {
			if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		files := map[string]string{"Dockerfile": "FROM scratch\n", ".dockerignore": ignore, "a.tmp": "x", "keep.tmp": "y", "sub/a/x": "z", "dir/f": "w"}
		for name, text := range files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for name, target := range map[string]string{"link": outside, "up": "..", "dir/out": "../../outside/victim"} {
			if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
		before, err := fuzztar.Snapshot(base, dir)
		if err != nil {
			t.Fatal(err)
		}
		c := &buildContext{dir: dir}
		if err := c.applyIgnore("Dockerfile"); err == nil && c.ignore != nil {
			checkIgnored(t, c)
		}
		after, err := fuzztar.Snapshot(base, dir)
		if err != nil {
			t.Fatal(err)
		}
		if d := fuzztar.Diff(before, after); len(d) > 0 {
			t.Fatalf(".dockerignore %q changed files outside the context:\n%v", ignore, strings.Join(d, "\n"))
		}
	})
}

// FuzzParseDockerfile: no Dockerfile, target or build arg makes
// parseDockerfile panic, and a plan it returns has its target among its
// stages.
func FuzzParseDockerfile(f *testing.F) {
	for _, dir := range []string{"multistage", "args", "heredoc", "onbuild-child", "err-syntax", "err-unknown-stage", "metadata"} {
		if b, err := os.ReadFile(filepath.Join("testdata", dir, "Dockerfile")); err == nil {
			f.Add(b, "", "V=1")
		}
	}
	f.Add([]byte("ARG B=busybox\nFROM ${B} AS a\nFROM a\nCOPY --from=a / /\n"), "a", "B=x")
	f.Fuzz(func(t *testing.T, df []byte, target, arg string) {
		k, v, _ := strings.Cut(arg, "=")
		opts := backend.BuildOptions{Target: target, BuildArgs: map[string]*string{k: &v}}
		p, err := parseDockerfile("Dockerfile", df, opts)
		if err != nil {
			return
		}
		if p.target < 0 || p.target >= len(p.stages) || len(p.needed) != len(p.stages) {
			t.Errorf("plan target %d of %d stages, %d needed", p.target, len(p.stages), len(p.needed))
		}
	})
}
