package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func TestReferenceDockerfile(t *testing.T) {
	res, err := parser.Parse(strings.NewReader(referenceDockerfile))
	if err != nil {
		t.Fatalf("parsing the reference Dockerfile: %v", err)
	}
	var got []string
	for _, n := range res.AST.Children {
		got = append(got, strings.ToLower(n.Value))
	}
	want := []string{"from", "env", "workdir", "copy", "run", "cmd"}
	if !slices.Equal(got, want) {
		t.Errorf("instructions = %v, want %v", got, want)
	}
	if from := res.AST.Children[0].Next.Value; from != benchBusybox {
		t.Errorf("FROM %s, want FROM %s", from, benchBusybox)
	}
	if n := len(got) - 1; n != buildCachedSteps {
		t.Errorf("buildCachedSteps = %d, but a cached rebuild reuses the %d steps after FROM", buildCachedSteps, n)
	}
	if copied := res.AST.Children[3].Next.Value; buildContextFiles[copied] == "" {
		t.Errorf("COPY %s: the build context has no such file", copied)
	}
}

func TestWriteBuildContext(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ctx")
	if err := writeBuildContext(dir); err != nil {
		t.Fatalf("writeBuildContext() error = %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"Dockerfile", "hola.txt"}; !slices.Equal(names, want) {
		t.Errorf("context holds %v, want %v", names, want)
	}
	for name, want := range buildContextFiles {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestParseBuildLog(t *testing.T) {
	tests := []struct {
		file string
		want buildLog
	}{
		{"bolsillo-no-cache.txt", buildLog{CacheHits: 0, Built: "bf5e137b247d", Last: "bf5e137b247d"}},
		{"docker-no-cache.txt", buildLog{CacheHits: 0, Built: "85b7c9c0fb04", Last: "85b7c9c0fb04"}},
		{"docker-cached.txt", buildLog{CacheHits: 5, Built: "85b7c9c0fb04", Last: "85b7c9c0fb04"}},
		// A failed RUN: the deepest image is the COPY's, and it must go.
		{"docker-failed-run.txt", buildLog{CacheHits: 2, Last: "c9441b638eee"}},
		// Failed before making any image: the base is not the build's.
		{"docker-failed-env-crlf.txt", buildLog{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out, err := os.ReadFile(filepath.Join("testdata", "buildlog", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := parseBuildLog(out); got != tt.want {
				t.Errorf("parseBuildLog() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseBuildLogIgnoresLookalikes(t *testing.T) {
	out := "Step 1/2 : FROM x\n ---> 0123456789ab\nStep 2/2 : RUN y\n" +
		" ---> Using cache now\n" + // not the cache line
		" ---> 0123456789AB\n" + // not lowercase hex
		" ---> 0123456789abc\n" + // 13 digits
		"   ---> fedcba987654\n" + // indented differently
		"Successfully built sha256:fedcba987654\n"
	if got := parseBuildLog([]byte(out)); got != (buildLog{}) {
		t.Errorf("parseBuildLog() = %+v, want nothing recognised", got)
	}
}

func TestBuildLogCheck(t *testing.T) {
	tests := []struct {
		name      string
		log       buildLog
		cached    bool
		wantErr   bool
		wantCache bool // the error is errCacheUse
	}{
		{"no cache, none used", buildLog{Built: "bf5e137b247d"}, false, false, false},
		{"cached, every step", buildLog{CacheHits: 5, Built: "bf5e137b247d"}, true, false, false},
		{"no cache, but some steps used it", buildLog{CacheHits: 2, Built: "bf5e137b247d"}, false, true, true},
		{"cached, but a step rebuilt", buildLog{CacheHits: 4, Built: "bf5e137b247d"}, true, true, true},
		{"cached, but nothing reused", buildLog{Built: "bf5e137b247d"}, true, true, true},
		{"did not finish", buildLog{CacheHits: 5, Last: "c9441b638eee"}, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.log.check(tt.cached)
			if (err != nil) != tt.wantErr {
				t.Fatalf("check(%v) error = %v, want error: %v", tt.cached, err, tt.wantErr)
			}
			if got := errors.Is(err, errCacheUse); got != tt.wantCache {
				t.Errorf("check(%v) error = %v; errors.Is(errCacheUse) = %v, want %v", tt.cached, err, got, tt.wantCache)
			}
		})
	}
}

func TestBuildArgs(t *testing.T) {
	tests := []struct {
		cached bool
		want   []string
	}{
		{false, []string{"build", "--force-rm", "--no-cache", "-t", "bench/ref:1", "/ctx"}},
		{true, []string{"build", "--force-rm", "-t", "bench/ref:1", "/ctx"}},
	}
	for _, tt := range tests {
		if got := buildArgs("/ctx", tt.cached); !slices.Equal(got, tt.want) {
			t.Errorf("buildArgs(%v) = %q, want %q", tt.cached, got, tt.want)
		}
	}
}

// fakeBuild returns the argv of a command that prints the build log in
// testdata/buildlog/file and exits with code.
func fakeBuild(t *testing.T, file, code string) []string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("testdata", "buildlog", file))
	if err != nil {
		t.Fatal(err)
	}
	return []string{"sh", "-c", `cat "$1"; echo "the command failed" >&2; exit "$2"`, "sh", path, code}
}

func TestTimedBuild(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		code     string
		cached   bool
		wantErr  string // substring; "" for success
		wantMade []string
	}{
		{"a build without the cache", "docker-no-cache.txt", "0", false, "", []string{"85b7c9c0fb04"}},
		{"a cached rebuild", "docker-cached.txt", "0", true, "", []string{"85b7c9c0fb04"}},
		{"a rebuild that ignored the cache", "docker-no-cache.txt", "0", true, errCacheUse.Error(), []string{"85b7c9c0fb04"}},
		{"a failed build leaves its intermediate images", "docker-failed-run.txt", "1", false, "exit status 1: the command failed", []string{"c9441b638eee"}},
		{"a failed build that made nothing", "docker-failed-env-crlf.txt", "1", false, "exit status 1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var made []string
			run := timedBuild(fakeBuild(t, tt.file, tt.code), nil, tt.cached, func(id string) { made = append(made, id) })
			d, err := run(t.Context(), 0)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("run() error = %v", err)
			case tt.wantErr == "" && (d <= 0 || d > runTimeout):
				t.Errorf("run() = %v, want a wall time", d)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("run() error = %v, want one with %q", err, tt.wantErr)
			}
			if !slices.Equal(made, tt.wantMade) {
				t.Errorf("images made = %v, want %v", made, tt.wantMade)
			}
		})
	}
}

func TestTimedBuildRespectsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	run := timedBuild([]string{"sleep", "5"}, nil, false, nil)
	start := time.Now()
	if _, err := run(ctx, 0); err == nil {
		t.Error("run() on a cancelled context succeeded")
	}
	if time.Since(start) > 2*time.Second {
		t.Error("run() on a cancelled context waited for the command")
	}
}

func TestBuildBaseline(t *testing.T) {
	tests := map[string]string{
		rowBuildBolsillo:       rowBuildBolsillo,
		rowBuildDocker:         rowBuildBolsillo,
		rowBuildCachedBolsillo: rowBuildCachedBolsillo,
		rowBuildCachedDocker:   rowBuildCachedBolsillo,
	}
	for key, want := range tests {
		if got := buildBaseline(key); got != want {
			t.Errorf("buildBaseline(%s) = %s, want %s", key, got, want)
		}
	}
}
