package build_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine"
	"bolsillo/engine/backend"
)

// harness is a real engine on a temporary data root with a busybox image
// made from the host's static busybox.
type harness struct {
	t    *testing.T
	e    *engine.Engine
	root string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("building images needs root (overlay mounts, containers)")
	}
	bb, err := exec("/bin/busybox")
	if err != nil {
		t.Skip("no static /bin/busybox")
	}
	root, err := os.MkdirTemp("", "bolsillo-build-")
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Config{DataRoot: root})
	if err != nil {
		os.RemoveAll(root)
		t.Fatal(err)
	}
	h := &harness{t: t, e: e, root: root}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.Shutdown(ctx)
		if mounts, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
			for _, line := range strings.Split(string(mounts), "\n") {
				if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], root+"/") {
					t.Errorf("mount left after Shutdown: %s", f[4])
				}
			}
		}
		os.RemoveAll(root)
	})
	var buf bytes.Buffer
	if err := busyboxTar(&buf, bb); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ImageImport(context.Background(), &buf, backend.ImportOptions{
		Repo:    "busybox:latest",
		Changes: []string{`ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`, `CMD ["sh"]`},
	}); err != nil {
		t.Fatal(err)
	}
	return h
}

func exec(p string) (string, error) {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return "", errors.New("not found")
	}
	return p, nil
}

// busyboxTar writes a minimal busybox rootfs: the binary, the applets the
// tests use, and users root, nobody and alumno (1000, group curso 1001).
func busyboxTar(w io.Writer, busybox string) error {
	tw := tar.NewWriter(w)
	now := time.Unix(1700000000, 0)
	dir := func(name string, mode int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, ModTime: now})
	}
	file := func(name, data string) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: now}); err != nil {
			return err
		}
		_, err := io.WriteString(tw, data)
		return err
	}
	for _, d := range []string{"bin/", "etc/", "tmp/", "root/", "home/", "home/alumno/"} {
		mode := int64(0o755)
		if d == "tmp/" {
			mode = 0o1777
		}
		if err := dir(d, mode); err != nil {
			return err
		}
	}
	bb, err := os.ReadFile(busybox)
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len(bb)), ModTime: now}); err != nil {
		return err
	}
	if _, err := tw.Write(bb); err != nil {
		return err
	}
	for _, a := range []string{"sh", "ls", "cat", "echo", "id", "stat", "mkdir", "sleep", "true", "pwd", "wget", "env"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a, Linkname: "busybox", ModTime: now}); err != nil {
			return err
		}
	}
	if err := file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\nalumno:x:1000:1001::/home/alumno:/bin/sh\n"); err != nil {
		return err
	}
	if err := file("etc/group", "root:x:0:\ncurso:x:1001:alumno\nnogroup:x:65534:\n"); err != nil {
		return err
	}
	return tw.Close()
}

// contextTar is the directory dir as a build context.
func contextTar(t *testing.T, dir string) io.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			link, _ = os.Readlink(p)
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		hdr.Uname, hdr.Gname = "", ""
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			_, err = tw.Write(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// build builds the context dir and returns the stream text and the image
// ID reported in aux.
func (h *harness) build(ctx context.Context, dir string, opts backend.BuildOptions) (stream string, id string, err error) {
	h.t.Helper()
	opts.Context = contextTar(h.t, dir)
	var sb strings.Builder
	err = h.e.Build(ctx, opts, func(m backend.JSONMessage) error {
		sb.WriteString(m.Stream)
		if aux, ok := m.Aux.(map[string]string); ok {
			id = aux["ID"]
		}
		if opts.Quiet && m.Stream != "" {
			id = strings.TrimSpace(m.Stream)
		}
		return nil
	})
	return sb.String(), id, err
}

// run runs a container of img with its default command and returns its
// output (stdout and stderr).
func (h *harness) run(img string, cmd ...string) string {
	h.t.Helper()
	cfg := apicontainer.Config{Image: img}
	if len(cmd) > 0 {
		cfg.Cmd = cmd
	}
	c, err := h.e.ContainerCreate("", backend.CreateRequest{Config: cfg})
	if err != nil {
		h.t.Fatalf("creating a container of %s: %v", img, err)
	}
	defer h.e.ContainerRemove(context.Background(), c.ID, true)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.e.ContainerStart(c.ID); err != nil {
		h.t.Fatalf("starting a container of %s: %v", img, err)
	}
	wait, err := h.e.ContainerWait(ctx, c.ID, "not-running")
	if err != nil {
		h.t.Fatal(err)
	}
	<-wait
	var out strings.Builder
	if err := h.e.ContainerLogs(ctx, c.ID, backend.LogOptions{Stdout: true, Stderr: true, Tail: -1}, func(m backend.LogMessage) error {
		out.Write(m.Line)
		return nil
	}); err != nil {
		h.t.Fatal(err)
	}
	return out.String()
}

// assertClean checks that a build left no mount, step directory or
// context under the data root.
func (h *harness) assertClean() {
	h.t.Helper()
	// The main thread's view: the runtime may leave other threads in a
	// container's namespaces.
	pid := os.Getpid()
	mounts, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/mountinfo", pid, pid))
	if err != nil {
		h.t.Fatal(err)
	}
	// The bridge keeps a network namespace ready for the next container
	// or RUN step: it is the daemon's, and goes at Shutdown (checked in
	// newHarness's cleanup).
	spares := filepath.Join(h.root, "network", "netns") + "/"
	for _, line := range strings.Split(string(mounts), "\n") {
		if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], h.root) && !strings.HasPrefix(f[4], spares) {
			h.t.Errorf("mount left under the data root: %s", f[4])
		}
	}
	entries, _ := os.ReadDir(filepath.Join(h.root, "build"))
	if len(entries) > 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		h.t.Errorf("left in the build directory: %v", names)
	}
}

func TestBuild(t *testing.T) {
	h := newHarness(t)
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/remoto.txt" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "remoto\n")
	}))
	defer remote.Close()
	str := func(s string) *string { return &s }

	tests := []struct {
		dir   string
		opts  backend.BuildOptions
		check func(t *testing.T, inspect *backend.ImageInspect)
		run   string // the output of the image's default command
		// stream holds strings the build output must contain.
		stream []string
	}{
		{
			dir: "reference",
			run: "construido\n",
			check: func(t *testing.T, img *backend.ImageInspect) {
				wantEnv(t, img, "SALUDO=hola")
				if got := img.Config.WorkingDir; got != "/app" {
					t.Errorf("WorkingDir = %q, want /app", got)
				}
				if got, want := img.Config.Cmd, []string{"cat", "/app/info.txt"}; !slices.Equal(got, want) {
					t.Errorf("Cmd = %q, want %q", got, want)
				}
			},
			stream: []string{
				"Step 1/6 : FROM busybox\n ---> ",
				"Step 2/6 : ENV SALUDO=hola\n ---> Running in ",
				"Step 4/6 : COPY hola.txt .\n ---> ",
				"hola.txt\n",
				"Successfully built ",
				"Successfully tagged prueba:latest\n",
			},
		},
		{
			dir: "metadata",
			run: "alumno\n/home/alumno/trabajo\n1 dos palabras\n",
			check: func(t *testing.T, img *backend.ImageInspect) {
				c := img.Config
				if img.Author != "Profe <profe@example.com>" {
					t.Errorf("Author = %q", img.Author)
				}
				if c.Labels["curso"] != "docker en español" || c.Labels["nivel"] != "1" {
					t.Errorf("Labels = %v", c.Labels)
				}
				wantKeys(t, "ExposedPorts", keys(c.ExposedPorts), []string{"53/udp", "80/tcp"})
				wantKeys(t, "Volumes", keys(c.Volumes), []string{"/datos"})
				wantEnv(t, img, "A=1", "B=dos palabras")
				if c.StopSignal != "SIGINT" {
					t.Errorf("StopSignal = %q", c.StopSignal)
				}
				if c.Healthcheck == nil || c.Healthcheck.Interval != 5*time.Second || c.Healthcheck.Retries != 2 ||
					!slices.Equal(c.Healthcheck.Test, []string{"CMD-SHELL", "wget -q -O- http://localhost/ || exit 1"}) {
					t.Errorf("Healthcheck = %+v", c.Healthcheck)
				}
				if !slices.Equal(c.OnBuild, []string{"RUN echo disparado > /onbuild.txt"}) {
					t.Errorf("OnBuild = %q", c.OnBuild)
				}
				if c.User != "alumno" || c.WorkingDir != "/home/alumno/trabajo" {
					t.Errorf("User, WorkingDir = %q, %q", c.User, c.WorkingDir)
				}
				if !slices.Equal(c.Shell, []string{"/bin/sh", "-e", "-c"}) {
					t.Errorf("Shell = %q", c.Shell)
				}
				if !slices.Equal(c.Entrypoint, []string{"/bin/sh", "-c"}) || !slices.Equal(c.Cmd, []string{"id -un; pwd; cat /tmp/valores.txt"}) {
					t.Errorf("Entrypoint, Cmd = %q, %q", c.Entrypoint, c.Cmd)
				}
			},
		},
		{
			// ENTRYPOINT resets the CMD inherited from the base stage.
			dir: "entrypoint",
			run: "entrypoint\n",
			check: func(t *testing.T, img *backend.ImageInspect) {
				if img.Config.Cmd != nil {
					t.Errorf("Cmd = %q, want none", img.Config.Cmd)
				}
			},
		},
		{
			dir: "copy",
			run: "a.txt\nb.txt\n/arbol:\nsub\nx.md\n\n/arbol/sub:\nc.txt\na.txt\nb.txt\nalumno:curso 640\n1234:1234\nuno\nuno\n",
		},
		{
			dir:  "add",
			opts: backend.BuildOptions{BuildArgs: map[string]*string{"URL": str(remote.URL + "/remoto.txt")}},
			run:  "empaquetado\nplano\nremoto\n600\n",
		},
		{
			// The stage "roto" is not needed for the final one: never run.
			dir: "multistage",
			run: "binario\nnota\n",
			stream: []string{
				"Step 1/8 : FROM busybox AS builder\n",
				"Step 3/8 : FROM scratch AS datos\n ---> \n",
			},
		},
		{
			dir:  "multistage",
			opts: backend.BuildOptions{Target: "builder"},
			stream: []string{
				"Step 1/2 : FROM busybox AS builder\n",
				"Step 2/2 : RUN echo binario > /salida.bin\n",
			},
			check: func(t *testing.T, img *backend.ImageInspect) {
				if got := len(img.RootFS.Layers); got != 2 {
					t.Errorf("%d layers, want 2 (busybox and the RUN)", got)
				}
			},
		},
		{
			dir: "dockerignore",
			run: "Dockerfile\nimportante.log\npublico.txt\n",
		},
		{
			dir: "args",
			opts: backend.BuildOptions{
				BuildArgs: map[string]*string{"VERSION": str("2"), "HTTP_PROXY": str("http://127.0.0.1:3128")},
				Labels:    map[string]string{"curso": "docker"},
			},
			run: "v2 base= proxy=http://127.0.0.1:3128\n",
			check: func(t *testing.T, img *backend.ImageInspect) {
				if img.Config.Labels["version"] != "2" || img.Config.Labels["curso"] != "docker" {
					t.Errorf("Labels = %v", img.Config.Labels)
				}
			},
			stream: []string{
				"Step 1/9 : ARG BASE=busybox\nStep 2/9 : FROM ${BASE}\n",
				`Step 9/9 : LABEL "curso"="docker"`,
			},
		},
		{
			dir: "heredoc",
			run: "uno\ndos\n",
		},
	}
	for _, tt := range tests {
		name := tt.dir
		if tt.opts.Target != "" {
			name += "-target-" + tt.opts.Target
		}
		t.Run(name, func(t *testing.T) {
			h.t = t
			opts := tt.opts
			opts.Tags = []string{"prueba"}
			out, id, err := h.build(context.Background(), filepath.Join("testdata", tt.dir), opts)
			if err != nil {
				t.Fatalf("build: %v\n%s", err, out)
			}
			h.assertClean()
			img, err := h.e.ImageInspect("prueba")
			if err != nil {
				t.Fatal(err)
			}
			if img.ID != id {
				t.Errorf("prueba is %s, the build reported %s", img.ID, id)
			}
			for _, want := range tt.stream {
				if !strings.Contains(out, want) {
					t.Errorf("the output lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "exit 7") {
				t.Errorf("a stage the target does not need was built:\n%s", out)
			}
			if tt.check != nil {
				tt.check(t, img)
			}
			if tt.run != "" {
				if got := h.run("prueba"); got != tt.run {
					t.Errorf("running the image printed:\n%s\nwant:\n%s", got, tt.run)
				}
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func wantKeys(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func wantEnv(t *testing.T, img *backend.ImageInspect, kvs ...string) {
	t.Helper()
	for _, kv := range kvs {
		if !slices.Contains(img.Config.Env, kv) {
			t.Errorf("Env = %q, lacks %q", img.Config.Env, kv)
		}
	}
}

func TestBuildHistory(t *testing.T) {
	h := newHarness(t)
	v := "2"
	out, _, err := h.build(context.Background(), "testdata/args", backend.BuildOptions{
		Tags:      []string{"historia"},
		BuildArgs: map[string]*string{"VERSION": &v},
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	hist, err := h.e.ImageHistory("historia")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist {
		got = append(got, fmt.Sprintf("%s|%v", e.CreatedBy, e.Size > 0))
	}
	// Newest first; the ARG with a value goes into the RUN's history and
	// cache key as Docker's "|N K=V" prefix; HTTP_PROXY would not.
	want := []string{
		`/bin/sh -c #(nop)  CMD ["cat" "/version.txt"]|false`,
		`/bin/sh -c #(nop)  LABEL version=2|false`,
		`|1 VERSION=2 /bin/sh -c echo "v$VERSION base=$BASE proxy=$HTTP_PROXY" > /version.txt|true`,
		`/bin/sh -c #(nop)  ENV DESDE_ENV=env|false`,
		`/bin/sh -c #(nop)  ARG SIN_VALOR|false`,
		`/bin/sh -c #(nop)  ARG VERSION=1|false`,
	}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("history:\n%s\nwant it to start with:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBuildErrors(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		dir        string
		dockerfile string
		want       string
		code       int
	}{
		{dir: "err-syntax", want: "Dockerfile:2: FORM busybox: unknown instruction: FORM"},
		{dir: "err-nodockerfile", want: "Cannot locate specified Dockerfile: Dockerfile"},
		{dir: "reference", dockerfile: "Dockerfile.dev", want: "Cannot locate specified Dockerfile: Dockerfile.dev"},
		{dir: "err-copy-missing", want: "Dockerfile:3: COPY no-existe.txt /: COPY failed: file not found in build context: stat no-existe.txt: file does not exist"},
		{dir: "err-copy-ignored", want: "Dockerfile:2: COPY secreto.txt /: COPY failed: file excluded by .dockerignore: secreto.txt"},
		{dir: "err-copy-escape", want: "Dockerfile:2: COPY ../fuera.txt /: COPY failed: forbidden path outside the build context: ../fuera.txt"},
		{dir: "err-unknown-stage", want: "Dockerfile:2: COPY --from=nope /x /x: invalid from flag value nope: no stage or image named nope"},
		{dir: "err-base-missing", want: "Dockerfile:1: FROM 127.0.0.1:1/nope:1: "},
		{dir: "err-run", want: "The command '/bin/sh -c exit 3' returned a non-zero code: 3", code: 3},
	}
	for _, tt := range tests {
		t.Run(tt.dir+tt.dockerfile, func(t *testing.T) {
			h.t = t
			before, err := h.e.ImageList(backend.ImageListOptions{All: true})
			if err != nil {
				t.Fatal(err)
			}
			out, _, err := h.build(context.Background(), filepath.Join("testdata", tt.dir), backend.BuildOptions{
				Tags: []string{"fallida:1"}, Dockerfile: tt.dockerfile,
			})
			if err == nil {
				t.Fatalf("the build succeeded:\n%s", out)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to start with:\n%s", err, tt.want)
			}
			var coded interface{ ExitCode() int }
			if got := errors.As(err, &coded); got != (tt.code != 0) || got && coded.ExitCode() != tt.code {
				t.Errorf("error %v: exit code %v, want %d", err, got, tt.code)
			}
			if _, err := h.e.ImageInspect("fallida:1"); err == nil {
				t.Error("the failed build tagged its image")
			}
			h.assertClean()
			after, err := h.e.ImageList(backend.ImageListOptions{All: true})
			if err != nil {
				t.Fatal(err)
			}
			// Only the failing RUN's earlier step may have left an image:
			// the cache, as in Docker.
			if extra := len(after) - len(before); extra > 1 || extra == 1 && tt.dir != "err-run" {
				t.Errorf("%d new images after a failed build", extra)
			}
		})
	}
}

func TestBuildCache(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	copyDir(t, "testdata/cache", dir)
	opts := backend.BuildOptions{Tags: []string{"web:1"}}

	_, first, err := h.build(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	out, second, err := h.build(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Errorf("an unchanged rebuild made %s, want %s", second, first)
	}
	if got := strings.Count(out, " ---> Using cache\n"); got != 5 {
		t.Errorf("an unchanged rebuild used the cache %d times, want 5:\n%s", got, out)
	}
	if strings.Contains(out, "Running in") {
		t.Errorf("an unchanged rebuild ran a step:\n%s", out)
	}

	// Changing the copied file rebuilds from the COPY on.
	if err := os.WriteFile(filepath.Join(dir, "hola.txt"), []byte("adiós\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, third, err := h.build(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out, " ---> Using cache\n"); got != 2 {
		t.Errorf("after changing hola.txt the cache was used %d times, want 2 (ENV, WORKDIR):\n%s", got, out)
	}
	if !strings.Contains(out, "Step 4/6 : COPY hola.txt .\n ---> ") || strings.Contains(out, "Step 4/6 : COPY hola.txt .\n ---> Using cache") {
		t.Errorf("the COPY of the changed file came from the cache:\n%s", out)
	}
	if got := h.run("web:1"); got != "adiós\n" {
		t.Errorf("the rebuilt image printed %q", got)
	}
	// The previous web:1 is left dangling.
	dangling, err := h.e.ImageList(backend.ImageListOptions{Filters: map[string][]string{"dangling": {"true"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(dangling) != 1 || dangling[0].ID != first {
		t.Errorf("dangling images %v, want just %s", dangling, first)
	}
	if third == first {
		t.Error("the rebuild with a changed file gave the same image")
	}

	// --no-cache runs every step again.
	opts.NoCache = true
	out, _, err = h.build(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "Using cache") {
		t.Errorf("--no-cache used the cache:\n%s", out)
	}
}

func TestBuildQuiet(t *testing.T) {
	h := newHarness(t)
	var msgs []backend.JSONMessage
	err := h.e.Build(context.Background(), backend.BuildOptions{
		Context: contextTar(t, "testdata/reference"),
		Quiet:   true,
	}, func(m backend.JSONMessage) error {
		msgs = append(msgs, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Stream, "sha256:") || !strings.HasSuffix(msgs[0].Stream, "\n") {
		t.Errorf("quiet build sent %+v, want one sha256:<id> line", msgs)
	}
}

func TestBuildOnBuild(t *testing.T) {
	h := newHarness(t)
	if out, _, err := h.build(context.Background(), "testdata/onbuild-base", backend.BuildOptions{Tags: []string{"onbuild-base"}}); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	out, _, err := h.build(context.Background(), "testdata/onbuild-child", backend.BuildOptions{Tags: []string{"hija"}})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "# Executing 2 build triggers\n") {
		t.Errorf("the output does not announce the triggers:\n%s", out)
	}
	if got := h.run("hija"); got != "mensaje\ndisparado\n" {
		t.Errorf("the child image printed %q", got)
	}
	img, err := h.e.ImageInspect("hija")
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Config.OnBuild) != 0 {
		t.Errorf("the triggers were inherited: %q", img.Config.OnBuild)
	}
}

// A client that goes away kills the running step and leaves nothing.
func TestBuildCancel(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox\nRUN sleep 60\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	err := h.e.Build(ctx, backend.BuildOptions{Context: contextTar(t, dir), Tags: []string{"cancelada"}}, func(m backend.JSONMessage) error {
		if strings.HasPrefix(m.Stream, " ---> Running in ") {
			time.AfterFunc(200*time.Millisecond, cancel)
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the cancelled build took %v", d)
	}
	h.assertClean()
	if _, err := h.e.ImageInspect("cancelada"); err == nil {
		t.Error("the cancelled build was tagged")
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
