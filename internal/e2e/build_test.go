package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// copyDir copies a build context from testdata so a test may change it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// The real docker CLI builds with bolsillod's classic builder: the course's
// reference Dockerfile, then an unchanged rebuild from the cache, then a
// rebuild after touching the copied file.
func TestDockerBuild(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	ctx := copyDir(t, "testdata/build/referencia")
	build := func(args ...string) result {
		t.Helper()
		r := d.exec(append([]string{"docker", "build"}, args...), []string{
			"DOCKER_HOST=" + d.host(), "DOCKER_CONFIG=" + t.TempDir(), "DOCKER_BUILDKIT=0",
		})
		if r.code != 0 {
			t.Fatalf("docker build %v: %s\ndaemon log:\n%s", args, r, d.log)
		}
		return r
	}
	first := build("-t", "web:1", ctx)
	for _, want := range []string{"Step 1/6 : FROM busybox", "Step 5/6 : RUN echo \"construido\" > /app/info.txt && ls -la /app",
		" ---> Running in ", "hola.txt", "Successfully built ", "Successfully tagged web:1"} {
		if !strings.Contains(first.stdout, want) {
			t.Errorf("first build lacks %q:\n%s", want, first.stdout)
		}
	}
	if r := d.docker("run", "--rm", "web:1"); r.stdout != "construido\n" {
		t.Errorf("run web:1 = %s", r)
	}
	if r := d.docker("run", "--rm", "web:1", "sh", "-c", "echo $SALUDO; pwd; cat hola.txt"); r.stdout != "hola\n/app\nhola desde el contexto\n" {
		t.Errorf("env, workdir and copied file: %s", r)
	}

	cached := build("-t", "web:1", ctx)
	if got := strings.Count(cached.stdout, " ---> Using cache"); got != 5 {
		t.Errorf("unchanged rebuild used the cache %d times, want 5:\n%s", got, cached.stdout)
	}
	id1 := regexp.MustCompile(`Successfully built ([0-9a-f]{12})`).FindStringSubmatch(first.stdout)
	id2 := regexp.MustCompile(`Successfully built ([0-9a-f]{12})`).FindStringSubmatch(cached.stdout)
	if id1 == nil || id2 == nil || id1[1] != id2[1] {
		t.Errorf("cached rebuild gave another image: %v vs %v", id1, id2)
	}

	os.WriteFile(filepath.Join(ctx, "hola.txt"), []byte("cambiado\n"), 0o644)
	changed := build("-t", "web:1", ctx)
	if got := strings.Count(changed.stdout, " ---> Using cache"); got != 2 {
		t.Errorf("after touching hola.txt the cache served %d steps, want 2 (ENV and WORKDIR):\n%s", got, changed.stdout)
	}
	// The previous web:1 is now dangling.
	if got := strings.TrimSpace(d.docker("images", "-f", "dangling=true", "-q").stdout); got != id1[1] {
		t.Errorf("dangling after rebuild = %q, want the previous web:1 %s", got, id1[1])
	}
	// history shows each instruction as Docker's classic builder records it.
	hist := d.docker("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", "web:1").stdout
	for _, want := range []string{
		`/bin/sh -c #(nop)  CMD ["cat" "/app/info.txt"]|0B`,
		`/bin/sh -c echo "construido" > /app/info.txt && ls -la /app|11B`,
		`/bin/sh -c #(nop) WORKDIR /app|0B`,
		`/bin/sh -c #(nop)  ENV SALUDO=hola|0B`,
	} {
		if !strings.Contains(hist, want) {
			t.Errorf("history of web:1 lacks %q:\n%s", want, hist)
		}
	}
	if !regexp.MustCompile(`/bin/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \. \|9B`).MatchString(hist) {
		t.Errorf("history of web:1 has no COPY row with the file's checksum:\n%s", hist)
	}
}

// A failing RUN: the docker CLI exits with the command's code, nothing is
// tagged and no step container is left.
func TestDockerBuildFailingRun(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	ctx := t.TempDir()
	os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nRUN echo antes && exit 3\n"), 0o644)
	r := d.exec([]string{"docker", "build", "-t", "roto:1", ctx}, []string{"DOCKER_HOST=" + d.host(), "DOCKER_CONFIG=" + t.TempDir(), "DOCKER_BUILDKIT=0"})
	if r.code != 3 || !strings.Contains(r.stderr, "returned a non-zero code: 3") {
		t.Errorf("failing RUN: %s", r)
	}
	if got := d.docker("images", "-q", "roto").stdout; got != "" {
		t.Errorf("a failed build tagged roto: %q", got)
	}
}

func TestDockerPyBuild(t *testing.T) {
	if d := (&daemon{t: t}); d.exec([]string{"python3", "-c", "import docker"}, nil).code != 0 {
		t.Skip("docker-py is not installed in python3")
	}
	d := startDaemon(t)
	d.labInit()
	ctx := copyDir(t, "testdata/build/referencia")
	script := `
import docker, sys
c = docker.DockerClient(base_url=sys.argv[1])
img, logs = c.images.build(path=sys.argv[2], tag="py:1")
print("tags:", img.tags)
print("steps:", sum(1 for l in logs if "stream" in l and l["stream"].startswith("Step ")))
print("run:", c.containers.run("py:1", remove=True).decode().strip())
`
	r := d.exec([]string{"python3", "-c", script, d.host(), ctx}, nil)
	want := "tags: ['py:1']\nsteps: 6\nrun: construido"
	if r.code != 0 || strings.TrimSpace(r.stdout) != want {
		t.Errorf("docker-py build: %s\nwant:\n%s\ndaemon log:\n%s", r, want, d.log)
	}
}

// The mistakes a student makes in a Dockerfile reach them explained, from
// the engine's own errors, and nothing is tagged.
func TestBuildErrorsExplained(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	tests := []struct {
		name       string
		dockerfile string
		want       string // in the Spanish explanation
	}{
		{"copy of a missing file", "FROM busybox\nCOPY nada.txt /\n", "`nada.txt` no está en el contexto"},
		{"instruction without arguments", "FROM busybox\nENV\n", "Error en la línea 2 del Dockerfile: `ENV`"},
		{"no FROM first", "RUN true\n", "empieza por `FROM`"},
		{"port that is a word", "FROM busybox\nEXPOSE web\n", "`EXPOSE 53/udp`"},
		{"failing RUN", "FROM busybox\nRUN exit 3\n", "Falló el paso 2: `RUN exit 3`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.TempDir()
			if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte(tt.dockerfile), 0o644); err != nil {
				t.Fatal(err)
			}
			r := d.bolsillo("build", "-t", "roto:1", ctx)
			if r.code == 0 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("want a failure explained with %q:\n%s", tt.want, r)
			}
			if strings.Contains(r.stderr, "Algo falló") {
				t.Errorf("the error fell through to the generic explanation:\n%s", r.stderr)
			}
		})
	}
	if got := d.must("--explicar=false", "images", "-q", "roto").stdout; got != "" {
		t.Errorf("a failed build tagged roto: %q", got)
	}
}
