package explain

import (
	"strconv"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/image"
)

// buildFixture is the course's reference Dockerfile as Docker 20.10's
// classic builder built it: the final image, its history and the steps of
// the stream, with each step's size taken from the history.
func buildFixture(t *testing.T) BuildData {
	t.Helper()
	img := loadJSON[image.InspectResponse](t, "build_image.json")
	img.RepoTags = []string{"web:1"}
	return BuildData{
		Context:    ".",
		Dockerfile: "Dockerfile",
		Image:      img,
		History:    loadJSON[[]image.HistoryResponseItem](t, "build_history.json"),
		Tags:       []string{"web:1"},
		Stages:     1,
		Steps: []BuildStep{
			{Number: 1, Instruction: "FROM busybox", ImageID: "66a001996feb"},
			{Number: 2, Instruction: "ENV SALUDO=hola", ImageID: "96887cf6ebe5"},
			{Number: 3, Instruction: "WORKDIR /app", ImageID: "37ab74ba98f2"},
			{Number: 4, Instruction: "COPY hola.txt .", ImageID: "29aeaf3fb6cb", Size: 5},
			{Number: 5, Instruction: `RUN echo "construido" > /app/info.txt && ls -la /app`, ImageID: "d51712e8a111", Size: 11},
			{Number: 6, Instruction: `CMD ["cat", "/app/info.txt"]`, ImageID: "cd7b4c2858b8"},
		},
	}
}

// multiStage is a two-stage build that copies one binary out of a big
// builder stage.
func multiStage(t *testing.T) BuildData {
	d := buildFixture(t)
	d.Stages = 2
	d.BaseSize = 312_456_789
	d.Image.Size = 2_158_123
	d.Steps = []BuildStep{
		{Number: 1, Instruction: "FROM golang:1.26 AS builder", ImageID: "aa11bb22cc33"},
		{Number: 2, Instruction: "WORKDIR /src", ImageID: "bb22cc33dd44"},
		{Number: 3, Instruction: "COPY . .", ImageID: "cc33dd44ee55", Size: 4_096},
		{Number: 4, Instruction: "RUN go build -o /out/app .", ImageID: "dd44ee55ff66", Size: 310_298_666},
		{Number: 5, Instruction: "FROM busybox", ImageID: "66a001996feb"},
		{Number: 6, Instruction: "COPY --from=builder /out/app /app", ImageID: "ee55ff66aa77", Size: 163_456},
		{Number: 7, Instruction: `CMD ["/app"]`, ImageID: "ff66aa77bb88"},
	}
	return d
}

func TestBuild(t *testing.T) {
	fresh := buildFixture(t)
	cached := buildFixture(t)
	for i := range cached.Steps[1:] {
		cached.Steps[i+1].Cached = true
	}
	partly := buildFixture(t)
	partly.Steps[1].Cached, partly.Steps[2].Cached = true, true
	rebuilt := buildFixture(t)
	rebuilt.Dangling = []image.InspectResponse{{ID: "sha256:3419a79a518e50baf08d9fb0222e8826f5cb82ac9b34b3c0344f89ee0da80db4", Size: 1_990_000}}
	untagged := buildFixture(t)
	untagged.Tags = nil
	quiet := buildFixture(t)
	quiet.Steps, quiet.Stages = nil, 0
	stdin := buildFixture(t)
	stdin.StdinUsed = true
	tests := []struct {
		name string
		d    BuildData
	}{
		{"fresh", fresh},
		{"all_cached", cached},
		{"partly_cached", partly},
		{"left_dangling", rebuilt},
		{"untagged", untagged},
		{"quiet_no_steps", quiet},
		{"multi_stage", multiStage(t)},
		{"stdin_used", stdin},
		{"zero", BuildData{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Build(tt.d)) })
	}
}

func TestBuildError(t *testing.T) {
	tests := []struct {
		name   string
		step   BuildStep
		code   int
		output string
	}{
		{"exit_3", BuildStep{Number: 2, Instruction: "RUN echo hola && exit 3"}, 3, "hola\n"},
		{"apt_get_prompt", BuildStep{Number: 3, Instruction: "RUN apt-get install curl"}, 1,
			"Reading package lists...\nThe following NEW packages will be installed:\n  curl\nDo you want to continue? [Y/n] Abort.\n"},
		{"read_builtin", BuildStep{Number: 4, Instruction: "RUN read nombre && echo $nombre"}, 1, ""},
		{"not_found", BuildStep{Number: 2, Instruction: "RUN instalar"}, 127, "/bin/sh: instalar: not found\n"},
		{"zero", BuildStep{}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, BuildError(tt.step, tt.code, tt.output)) })
	}
}

// TestBuildUsesData checks that the explanation is made of its data: the
// strings wanted are read from the fixture, and changing the fixture changes
// the output.
func TestBuildUsesData(t *testing.T) {
	d := buildFixture(t)
	want := []string{code(d.Tags[0]), code(shortID(d.Image.ID)), code(d.Context), code(d.Dockerfile), humanSize(d.Image.Size),
		strconv.Itoa(len(d.Image.RootFS.Layers)) + " capas"}
	for _, s := range d.Steps {
		want = append(want, code(s.Instruction), code(s.ImageID))
	}
	got := Build(d)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("Build output does not contain %q:\n%s", w, got)
		}
	}

	moved := buildFixture(t)
	moved.Tags = []string{"otra:2"}
	moved.Context = "app/"
	moved.Steps[3].Size = 1_234_567
	moved.Steps[4].Cached = true
	after := Build(moved)
	for _, gone := range []string{"`web:1`", "nueva capa de 5 B"} {
		if strings.Contains(after, gone) {
			t.Errorf("after the change, output still contains %q:\n%s", gone, after)
		}
	}
	for _, seen := range []string{"`otra:2`", "`app/`", "nueva capa de 1.23MB", "reutilizada de la caché porque nada cambió → `d51712e8a111`", "1 de 5 pasos"} {
		if !strings.Contains(after, seen) {
			t.Errorf("after the change, output does not contain %q:\n%s", seen, after)
		}
	}

	e := BuildError(BuildStep{Number: 7, Instruction: "RUN make"}, 42, "make: *** [all] Error 2\n")
	for _, w := range []string{"paso 7", "`RUN make`", "`42`", "`make: *** [all] Error 2`"} {
		if !strings.Contains(e, w) {
			t.Errorf("BuildError output does not contain %q:\n%s", w, e)
		}
	}
}

// Sizes are written as docker images writes them, so the student finds
// the same figures in the table and in the explanation.
func TestHumanSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0B"}, {5, "5B"}, {1_234, "1.23kB"}, {1_200_000, "1.2MB"}, {1_990_000, "1.99MB"}, {310_298_666, "310MB"},
	}
	for _, tt := range tests {
		if got := humanSize(tt.n); got != tt.want {
			t.Errorf("humanSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestAskedForInput(t *testing.T) {
	tests := []struct {
		instruction, output string
		want                bool
	}{
		{"RUN apt-get install curl", "Do you want to continue? [Y/n] Abort.\n", true},
		{"RUN read nombre", "", true},
		{"RUN echo hola; read -r x", "", true},
		{"RUN python3 -c 'input()'", "EOFError: EOF when reading a line\n", true},
		{"RUN echo ready", "ready\n", false},
		{"RUN cat /etc/readme", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := AskedForInput(tt.instruction, tt.output); got != tt.want {
			t.Errorf("AskedForInput(%q, %q) = %v, want %v", tt.instruction, tt.output, got, tt.want)
		}
	}
}

// TestBuildErrors covers the build errors in the wording of Docker's
// classic builder and of BuildKit.
func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name, msg, title string
		want             []string
	}{
		{"missing_dockerfile_daemon", "Error response from daemon: Cannot locate specified Dockerfile: Dockerfile",
			"# No encuentro el Dockerfile `Dockerfile`", []string{"`bolsillo build -f RUTA/AL/Dockerfile .`"}},
		{"missing_dockerfile_cli", "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat /tmp/app/Dockerfile: no such file or directory",
			"# No encuentro el Dockerfile `/tmp/app/Dockerfile`", nil},
		{"unknown_instruction_classic", "Error response from daemon: dockerfile parse error line 2: unknown instruction: FOO",
			"# Instrucción desconocida `FOO` en la línea 2 del Dockerfile", []string{"`\\`"}},
		{"unknown_instruction_buildkit", "dockerfile parse error on line 7: unknown instruction: COPPY",
			"# Instrucción desconocida `COPPY` en la línea 7 del Dockerfile", nil},
		{"parse_error", `dockerfile parse error on line 3: FROM requires either one or three arguments`,
			"# Error de sintaxis en la línea 3 del Dockerfile", []string{"`FROM requires either one or three arguments`"}},
		{"unknown_instruction_alone", "unknown instruction: EXPOSEE",
			"# Instrucción desconocida `EXPOSEE` en el Dockerfile", nil},
		{"copy_missing", "COPY failed: file not found in build context or excluded by .dockerignore: stat nada.txt: file does not exist",
			"# El archivo `nada.txt` no está en el contexto", []string{"`.dockerignore`"}},
		{"add_missing", "ADD failed: stat /var/lib/docker/tmp/docker-builder1/app.tar: no such file or directory",
			"# El archivo `/var/lib/docker/tmp/docker-builder1/app.tar` no está en el contexto", []string{"`ADD`"}},
		{"outside_context", "COPY failed: forbidden path outside the build context: ../x ()",
			"# `../x` está fuera del contexto de construcción", []string{"`..`"}},
		{"unknown_stage_classic", `invalid from flag value nope: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.0.0.53:53: no such host`,
			"# No existe la etapa `nope`", []string{"`COPY --from=nope`"}},
		{"unknown_stage_index", "invalid from flag value 1: index out of bounds",
			"# No existe la etapa `1`", nil},
		{"unknown_stage_buildkit", `failed to resolve stage "builder"`,
			"# No existe la etapa `builder`", nil},
		{"run_failed", "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
			"# Un `RUN` falló con el código 3", []string{"`/bin/sh -c exit 3`"}},
		// As bolsillod words them: the line, the instruction, the reason.
		{"copy_missing_bolsillod", "Error response from daemon: Dockerfile:2: COPY nada.txt /: COPY failed: file not found in build context: stat nada.txt: file does not exist",
			"# El archivo `nada.txt` no está en el contexto", nil},
		{"copy_excluded", "Error response from daemon: Dockerfile:2: COPY secreto.txt /: COPY failed: file excluded by .dockerignore: secreto.txt",
			"# `secreto.txt` está excluido por `.dockerignore`", []string{"`!secreto.txt`"}},
		{"run_failed_bolsillod", "Error response from daemon: Dockerfile:2: RUN exit 3: The command '/bin/sh -c exit 3' returned a non-zero code: 3",
			"# Un `RUN` falló con el código 3", nil},
		{"env_without_arguments", "Error response from daemon: Dockerfile:2: ENV: ENV requires at least one argument",
			"# Error en la línea 2 del Dockerfile: `ENV`", []string{"le falta lo que va detrás", "`ENV CURSO=docker`", "`bolsillo explica ENV`"}},
		{"workdir_two", "Error response from daemon: Dockerfile:4: WORKDIR /a /b: WORKDIR requires exactly one argument",
			"# Error en la línea 4 del Dockerfile: `WORKDIR`", []string{"exactamente un argumento", "`WORKDIR /app`"}},
		{"from_as", "Error response from daemon: Dockerfile:1: FROM busybox AS: FROM requires either one or three arguments",
			"# Error en la línea 1 del Dockerfile: `FROM`", []string{"`FROM busybox AS base`"}},
		{"shell_not_json", "Error response from daemon: Dockerfile:2: SHELL sh: SHELL requires the arguments to be in JSON form",
			"# Error en la línea 2 del Dockerfile: `SHELL`", []string{"forma JSON", `SHELL ["/bin/sh", "-c"]`}},
		{"label_one", "Error response from daemon: Dockerfile:2: LABEL a: LABEL must have two arguments",
			"# Error en la línea 2 del Dockerfile: `LABEL`", []string{"pares clave=valor"}},
		{"no_from", "Error response from daemon: Dockerfile:1: RUN true: no build stage in current context",
			"# Error en la línea 1 del Dockerfile: `RUN`", []string{"empieza por `FROM`"}},
		{"expose_word", "Error response from daemon: Dockerfile:2: EXPOSE abc: invalid containerPort: abc",
			"# Error en la línea 2 del Dockerfile: `EXPOSE`", []string{"`EXPOSE 53/udp`"}},
		// A line that is well written but failed for another reason is not
		// blamed on how it is written.
		{"disk_full_in_step", "Error response from daemon: Dockerfile:2: RUN head -c 11000000 /dev/urandom > /lleno: creating image: storing layer: unpacking layer: extracting lleno: write /var/lib/bolsillo/layers/x/diff/lleno: no space left on device",
			"# El disco se llenó", nil},
		{"copy_unknown_flag", "Error response from daemon: Dockerfile:2: COPY --volar=1 a /: unknown flag: --volar",
			"# Error en la línea 2 del Dockerfile: `COPY`", []string{"no tiene la opción `--volar`"}},
		{"stopsignal_other", "Error response from daemon: Dockerfile:2: STOPSIGNAL FOO: Invalid signal: FOO",
			"# Error en la línea 2 del Dockerfile: `STOPSIGNAL`", []string{"`STOPSIGNAL SIGTERM`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Error(errString(tt.msg), "unix:///run/bolsillo.sock")
			if title, _, _ := strings.Cut(got, "\n"); title != tt.title {
				t.Errorf("title = %q, want %q\n%s", title, tt.title, got)
			}
			for _, w := range append(tt.want, "Mensaje original") {
				if !strings.Contains(got, w) {
					t.Errorf("output does not contain %q:\n%s", w, got)
				}
			}
		})
	}
}
