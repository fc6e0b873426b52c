package cli

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
)

func strPtr(s string) *string { return &s }

// TestBuildFlags checks how the command line becomes the API request.
func TestBuildFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want client.ImageBuildOptions
	}{
		{"defaults", []string{"."},
			nil, client.ImageBuildOptions{Remove: true}},
		{"tags_repeat", []string{"-t", "web:1", "--tag", "localhost:5000/web:2", "."},
			nil, client.ImageBuildOptions{Remove: true, Tags: []string{"web:1", "localhost:5000/web:2"}}},
		{"cache_pull_quiet", []string{"--no-cache", "--pull", "-q", "."},
			nil, client.ImageBuildOptions{Remove: true, NoCache: true, PullParent: true, SuppressOutput: true}},
		{"rm_false_force_rm", []string{"--rm=false", "--force-rm", "."},
			nil, client.ImageBuildOptions{ForceRemove: true}},
		{"build_args", []string{"--build-arg", "VERSION=2", "--build-arg", "VACIO=", "--build-arg", "DESDE_ENTORNO", "--build-arg", "SIN_VALOR", "."},
			map[string]string{"DESDE_ENTORNO": "aula"},
			client.ImageBuildOptions{Remove: true, BuildArgs: map[string]*string{"VERSION": strPtr("2"), "VACIO": strPtr(""), "DESDE_ENTORNO": strPtr("aula"), "SIN_VALOR": nil}}},
		{"labels_target", []string{"--label", "curso=docker", "--label", "solo", "--target", "builder", "."},
			nil, client.ImageBuildOptions{Remove: true, Labels: map[string]string{"curso": "docker", "solo": ""}, Target: "builder"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut := testFactory("unix:///nada.sock", tt.env)
			var got buildOptions
			cmd := buildCommand(f, func(_ context.Context, o buildOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(io.Discard)
			cmd.SetErr(errOut)
			if err := cmd.Execute(); err != nil {
				t.Fatalf("Execute(%q) = %v", tt.args, err)
			}
			api := got.apiOptions("Dockerfile")
			tt.want.Version, tt.want.Dockerfile = build.BuilderV1, "Dockerfile"
			if !reflect.DeepEqual(api, tt.want) {
				t.Errorf("apiOptions(%q) =\n%+v\nwant\n%+v", tt.args, api, tt.want)
			}
		})
	}
}

func TestBuildFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"build", "-t", "Web:1", "."},
		{"build", "--label", "=x", "."},
		{"build", "--build-arg", "=x", "."},
		{"build"},
		{"build", "a", "b"},
	} {
		t.Run(strings.Join(args, "_"), func(t *testing.T) {
			d := newFakeDaemon(t)
			f, out, _ := testFactory(d.host, map[string]string{envExplicar: "0"})
			if code := execute(t.Context(), f, args); code != exitDaemonError {
				t.Errorf("exit code = %d, want %d", code, exitDaemonError)
			}
			if out.Len() != 0 || len(d.requests()) != 0 {
				t.Errorf("stdout = %q, calls = %q; want neither", out, d.requests())
			}
		})
	}
}

// writeTree creates files under dir: a name ending in "/" is a directory,
// "->" makes a symlink.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, "/"):
			err := os.MkdirAll(path, 0o755)
			if err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(content, "->"):
			if err := os.Symlink(strings.TrimPrefix(content, "->"), path); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// tarEntry is one header of a context tar, as the test compares it.
type tarEntry struct {
	Name, Link string
	Type       byte
	Uid, Gid   int
	Content    string
}

func readContextTar(t *testing.T, data []byte) []tarEntry {
	t.Helper()
	var out []tarEntry
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("reading tar: %v", err)
		}
		b, _ := io.ReadAll(tr)
		out = append(out, tarEntry{Name: h.Name, Link: h.Linkname, Type: h.Typeflag, Uid: h.Uid, Gid: h.Gid, Content: string(b)})
	}
}

func entryNames(entries []tarEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Name)
	}
	return out
}

func TestBuildContextTar(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		file       string // -f, relative to the test's working directory
		wantNames  []string
		wantDocker string // Dockerfile path in the tar; "generated" for .dockerfile.<hash>
		wantIgnore string // content of the tar's .dockerignore when the build rewrote it
	}{
		{"plain",
			map[string]string{"ctx/Dockerfile": "FROM busybox\n", "ctx/hola.txt": "hola\n", "ctx/src/": "", "ctx/src/a.go": "package a\n"},
			"", []string{"Dockerfile", "hola.txt", "src/", "src/a.go"}, "Dockerfile", ""},
		{"dockerignore_applied_but_build_files_kept",
			map[string]string{"ctx/Dockerfile": "FROM busybox\n", "ctx/.dockerignore": "*.log\nnode_modules\nDockerfile\n.dockerignore\n!importante.log\n",
				"ctx/a.log": "x", "ctx/importante.log": "y", "ctx/node_modules/": "", "ctx/node_modules/m.js": "z", "ctx/app.js": "w"},
			"", []string{".dockerignore", "Dockerfile", "app.js", "importante.log"}, "Dockerfile", ""},
		{"dockerfile_specific_ignore",
			map[string]string{"ctx/Dockerfile.dev": "FROM busybox\n", "ctx/Dockerfile.dev.dockerignore": "secreto.txt\n", "ctx/.dockerignore": "app.js\n",
				"ctx/secreto.txt": "s", "ctx/app.js": "w"},
			"ctx/Dockerfile.dev", []string{"Dockerfile.dev", "Dockerfile.dev.dockerignore", "app.js", ".dockerignore"}, "Dockerfile.dev", "secreto.txt\n"},
		{"dockerfile_outside_context",
			map[string]string{"fuera/Dockerfile": "FROM busybox\nCOPY . /\n", "ctx/hola.txt": "hola\n"},
			"fuera/Dockerfile", []string{"hola.txt", "generated", ".dockerignore"}, "generated", "\ngenerated"},
		{"symlinks_kept",
			map[string]string{"ctx/Dockerfile": "FROM busybox\n", "ctx/real.txt": "r", "ctx/enlace": "->real.txt", "ctx/roto": "->/no/existe"},
			"", []string{"Dockerfile", "enlace", "real.txt", "roto"}, "Dockerfile", ""},
		{"lowercase_dockerfile",
			map[string]string{"ctx/dockerfile": "FROM busybox\n"},
			"", []string{"dockerfile"}, "dockerfile", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, tt.files)
			t.Chdir(root)
			opts := buildOptions{context: "ctx", file: tt.file}
			var tars [2][]byte
			var bc *buildContext
			for i := range tars {
				var err error
				if bc, err = prepareContext(opts); err != nil {
					t.Fatalf("prepareContext: %v", err)
				}
				var buf bytes.Buffer
				if err := bc.writeTar(&buf); err != nil {
					t.Fatalf("writeTar: %v", err)
				}
				tars[i] = buf.Bytes()
			}
			got := readContextTar(t, tars[0])
			generated := bc.dockerfile
			want := slicesReplace(tt.wantNames, "generated", generated)
			if g := entryNames(got); !reflect.DeepEqual(g, want) {
				t.Errorf("tar entries = %q, want %q", g, want)
			}
			if g := entryNames(readContextTar(t, tars[1])); !reflect.DeepEqual(g, entryNames(got)) {
				t.Errorf("second tar entries = %q, want the same order %q", g, entryNames(got))
			}
			if wd := strings.ReplaceAll(tt.wantDocker, "generated", generated); bc.dockerfile != wd {
				t.Errorf("dockerfile = %q, want %q", bc.dockerfile, wd)
			}
			if tt.wantDocker == "generated" && !strings.HasPrefix(generated, ".dockerfile.") {
				t.Errorf("generated Dockerfile name = %q, want .dockerfile.<hash>", generated)
			}
			for _, e := range got {
				if e.Uid != 0 || e.Gid != 0 {
					t.Errorf("%s owned by %d:%d, want 0:0", e.Name, e.Uid, e.Gid)
				}
				switch {
				case e.Name == "enlace" && (e.Type != tar.TypeSymlink || e.Link != "real.txt"):
					t.Errorf("enlace = type %c -> %q, want a symlink to real.txt", e.Type, e.Link)
				case e.Name == "roto" && (e.Type != tar.TypeSymlink || e.Link != "/no/existe"):
					t.Errorf("roto = type %c -> %q, want a symlink to /no/existe", e.Type, e.Link)
				case e.Name == generated && e.Content != tt.files["fuera/Dockerfile"] && tt.wantDocker == "generated":
					t.Errorf("generated Dockerfile content = %q, want %q", e.Content, tt.files["fuera/Dockerfile"])
				case e.Name == ".dockerignore" && tt.wantIgnore != "":
					if w := strings.ReplaceAll(tt.wantIgnore, "generated", generated); e.Content != w {
						t.Errorf(".dockerignore content = %q, want %q", e.Content, w)
					}
				}
			}
		})
	}
}

func slicesReplace(s []string, old, repl string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		if v == old {
			v = repl
		}
		out[i] = v
	}
	return out
}

func TestBuildContextErrors(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"vacio/": "", "archivo.txt": "x"})
	t.Chdir(root)
	tests := []struct {
		name, ctx, file, want string
	}{
		{"missing_dir", "no-existe", "", `unable to prepare context: path "no-existe" not found`},
		{"not_a_dir", "archivo.txt", "", "context must be a directory"},
		{"missing_dockerfile", "vacio", "", "unable to evaluate symlinks in Dockerfile path"},
		{"missing_f", "vacio", "otro/Dockerfile", "unable to evaluate symlinks in Dockerfile path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := prepareContext(buildOptions{context: tt.ctx, file: tt.file})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("prepareContext(%q, %q) = %v, want an error containing %q", tt.ctx, tt.file, err, tt.want)
			}
		})
	}
}

func TestBuildContextFromStdin(t *testing.T) {
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	_ = writeTarFile(tw, "Dockerfile", []byte("FROM busybox\n"), fixedNow)
	_ = tw.Close()
	tests := []struct {
		name      string
		in        []byte
		file      string
		wantNames []string
		wantErr   string
	}{
		{"dockerfile_alone", []byte("FROM busybox\nCMD [\"sh\"]\n"), "", []string{"Dockerfile"}, ""},
		{"tar_as_is", tarBuf.Bytes(), "", []string{"Dockerfile"}, ""},
		{"ambiguous", []byte("FROM busybox\n"), "Dockerfile", nil, "ambiguous Dockerfile source"},
		{"both_stdin", []byte("FROM busybox\n"), "-", nil, "can't use stdin for both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bc, err := prepareContext(buildOptions{context: "-", file: tt.file, stdinInput: bytes.NewReader(tt.in)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := bc.writeTar(&buf); err != nil {
				t.Fatal(err)
			}
			if got := entryNames(readContextTar(t, buf.Bytes())); !reflect.DeepEqual(got, tt.wantNames) {
				t.Errorf("entries = %q, want %q", got, tt.wantNames)
			}
		})
	}
}

// buildDaemon is a fake daemon answering POST /build with a recorded
// stream and the final image's inspect and history.
func buildDaemon(t *testing.T, stream string) *fakeDaemon {
	t.Helper()
	d := newFakeDaemon(t)
	d.handle("POST /build", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, stream)
	})
	img := readTestdata(t, "build/image_ok.json")
	hist := readTestdata(t, "build/history_ok.json")
	for _, ref := range []string{"sha256:cd7b4c2858b8966d741a1129f3a5ff795c4cac4d07e83b44df3fc141a0018ff2", "cd7b4c2858b8"} {
		d.handle("GET /images/"+ref+"/json", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, img) })
		d.handle("GET /images/"+ref+"/history", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, hist) })
	}
	return d
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// refContext writes the course's reference context and returns its path.
func refContext(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"Dockerfile": "FROM busybox\nENV SALUDO=hola\nWORKDIR /app\nCOPY hola.txt .\nRUN echo \"construido\" > /app/info.txt && ls -la /app\nCMD [\"cat\", \"/app/info.txt\"]\n",
		"hola.txt":   "hola\n",
	})
	return dir
}

// TestBuildOutput replays the stream Docker 20.10's classic builder sent for
// the reference Dockerfile: stdout must be what docker build prints.
func TestBuildOutput(t *testing.T) {
	d := buildDaemon(t, readTestdata(t, "build/stream_ok.jsonl"))
	f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
	if code := execute(t.Context(), f, []string{"build", "-t", "web:1", "--build-arg", "V=2", refContext(t)}); code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
	}
	assertGolden(t, "TestBuildOutput/stdout", out.String())
	c, ok := d.call("POST", "/build")
	if !ok {
		t.Fatalf("no POST /build; calls = %q", d.requests())
	}
	if want := "buildargs=%7B%22V%22%3A%222%22%7D&dockerfile=Dockerfile&t=web%3A1&version=1"; c.Query != want {
		t.Errorf("query = %q, want %q", c.Query, want)
	}
	if got := entryNames(readContextTar(t, []byte(c.Body))); !reflect.DeepEqual(got, []string{"Dockerfile", "hola.txt"}) {
		t.Errorf("context sent = %q, want Dockerfile and hola.txt", got)
	}
}

// TestBuildExplains checks that the explanation is made of the stream, the
// inspect and the history the daemon gave.
func TestBuildExplains(t *testing.T) {
	d := buildDaemon(t, readTestdata(t, "build/stream_ok.jsonl"))
	f, _, errOut := testFactory(d.host, nil)
	if code := execute(t.Context(), f, []string{"build", "-t", "web:1", refContext(t)}); code != 0 {
		t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
	}
	for _, want := range []string{
		"# Imagen `web:1` construida",
		"`COPY hola.txt .`: nueva capa de 5B → `29aeaf3fb6cb`",
		"nueva capa de 11B → `d51712e8a111`",
		"`ENV SALUDO=hola`: solo metadatos, sin capa → `96887cf6ebe5`",
		"`cd7b4c2858b8`",
		"pila de 4 capas",
	} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("explanation does not contain %q:\n%s", want, errOut)
		}
	}
}

func TestBuildQuietAndIIDFile(t *testing.T) {
	const id = "sha256:cd7b4c2858b8966d741a1129f3a5ff795c4cac4d07e83b44df3fc141a0018ff2"
	tests := []struct {
		name, stream string
		args         []string
		wantOut      string
		wantIID      string
	}{
		{"quiet", `{"stream":"` + id + `\n"}` + "\n", []string{"-q"}, id + "\n", id + "\n"},
		{"aux", readTestdata(t, "build/stream_ok.jsonl"), nil, "", id},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := buildDaemon(t, tt.stream)
			iid := filepath.Join(t.TempDir(), "iid")
			f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
			args := append(append([]string{"build", "--iidfile", iid}, tt.args...), refContext(t))
			if code := execute(t.Context(), f, args); code != 0 {
				t.Fatalf("exit code = %d; stderr:\n%s", code, errOut)
			}
			if tt.wantOut != "" && out.String() != tt.wantOut {
				t.Errorf("stdout = %q, want %q", out, tt.wantOut)
			}
			got, err := os.ReadFile(iid)
			if err != nil || string(got) != tt.wantIID {
				t.Errorf("iidfile = %q (%v), want %q", got, err, tt.wantIID)
			}
		})
	}
}

func TestBuildExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		stream   string
		status   int
		wantCode int
		wantErr  []string
	}{
		{"run_failed", readTestdata(t, "build/stream_run_failed.jsonl"), http.StatusOK, 1,
			[]string{"# Falló el paso 2: `RUN apt-get install curl`", "`apt-get install -y PAQUETE`", "returned a non-zero code: 1"}},
		{"run_exit_3", `{"stream":"Step 1/1 : RUN exit 3\n"}` + "\n" + `{"errorDetail":{"code":3,"message":"The command '/bin/sh -c exit 3' returned a non-zero code: 3"}}` + "\n", http.StatusOK, 3,
			[]string{"código de salida `3`"}},
		{"copy_failed", `{"stream":"Step 2/2 : COPY nada.txt /\n"}` + "\n" + `{"errorDetail":{"message":"COPY failed: file not found in build context or excluded by .dockerignore: stat nada.txt: file does not exist"}}` + "\n", http.StatusOK, 1,
			[]string{"# El archivo `nada.txt` no está en el contexto", "`.dockerignore`"}},
		{"parse_error", `{"message":"dockerfile parse error line 2: unknown instruction: FOO"}`, http.StatusBadRequest, 1,
			[]string{"# Instrucción desconocida `FOO` en la línea 2 del Dockerfile"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.handle("POST /build", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.stream)
			})
			f, _, errOut := testFactory(d.host, map[string]string{envExplicar: "0"})
			if code := execute(t.Context(), f, []string{"build", "-t", "web:1", refContext(t)}); code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, errOut)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr does not contain %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestBuildRecordSplitLines(t *testing.T) {
	var rec buildRecord
	for _, l := range strings.Split(strings.TrimSpace(readTestdata(t, "build/stream_ok.jsonl")), "\n") {
		var m jsonstream.Message
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		rec.observe(m)
	}
	rec.finish()
	got := rec.steps()
	if len(got) != 6 {
		t.Fatalf("steps = %d, want 6: %+v", len(got), got)
	}
	want := []struct {
		instr, id, container string
	}{
		{"FROM busybox", "66a001996feb", ""},
		{"ENV SALUDO=hola", "96887cf6ebe5", "d26f779ace84"},
		{"WORKDIR /app", "37ab74ba98f2", "855f039ab4f2"},
		{"COPY hola.txt .", "29aeaf3fb6cb", ""},
		{`RUN echo "construido" > /app/info.txt && ls -la /app && echo err >&2`, "d51712e8a111", "a87bc4e180a9"},
		{`CMD ["cat", "/app/info.txt"]`, "cd7b4c2858b8", "d53ca11e4e48"},
	}
	for i, w := range want {
		s := rec.Steps[i]
		if s.Number != i+1 || s.Instruction != w.instr || s.ImageID != w.id || s.Container != w.container {
			t.Errorf("step %d = {%d %q %q %q}, want {%d %q %q %q}", i, s.Number, s.Instruction, s.ImageID, s.Container, i+1, w.instr, w.id, w.container)
		}
	}
	if out := rec.Steps[4].Output.String(); !strings.HasSuffix(out, "info.txt\nerr\n") {
		t.Errorf("RUN output = %q, want the listing and the uncoloured stderr line", out)
	}
	if rec.AuxID == "" || rec.Built != "cd7b4c2858b8" || !reflect.DeepEqual(rec.Tagged, []string{"b3tmp:3"}) {
		t.Errorf("aux = %q, built = %q, tagged = %q", rec.AuxID, rec.Built, rec.Tagged)
	}
}
