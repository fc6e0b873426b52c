package container

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"bolsillo/engine/backend"
)

func TestMergeImageConfig(t *testing.T) {
	img := dockerspec.DockerOCIImageConfig{ImageConfig: ocispec.ImageConfig{
		Env:        []string{"PATH=/bin", "LANG=C"},
		Entrypoint: []string{"/entry"},
		Cmd:        []string{"sh"},
		WorkingDir: "/app",
		User:       "estudiante",
		Labels:     map[string]string{"curso": "docker"},
	}}
	tests := []struct {
		name     string
		req      container.Config
		wantPath string
		wantArgs []string
		wantEnv  []string
	}{
		{"image defaults", container.Config{}, "/entry", []string{"sh"}, []string{"PATH=/bin", "LANG=C"}},
		{"cmd override keeps entrypoint", container.Config{Cmd: []string{"echo", "hola"}}, "/entry", []string{"echo", "hola"}, []string{"PATH=/bin", "LANG=C"}},
		{"entrypoint override drops image cmd", container.Config{Entrypoint: []string{"ls"}}, "ls", []string{}, []string{"PATH=/bin", "LANG=C"}},
		{"env merged by name", container.Config{Env: []string{"LANG=es_ES.UTF-8", "TZ=UTC"}}, "/entry", []string{"sh"}, []string{"PATH=/bin", "LANG=es_ES.UTF-8", "TZ=UTC"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mergeImageConfig(tt.req, img)
			path, args := command(cfg)
			if args == nil {
				args = []string{}
			}
			if path != tt.wantPath || !reflect.DeepEqual(args, tt.wantArgs) {
				t.Errorf("command = %q %q, want %q %q", path, args, tt.wantPath, tt.wantArgs)
			}
			if !reflect.DeepEqual(cfg.Env, tt.wantEnv) {
				t.Errorf("Env = %q, want %q", cfg.Env, tt.wantEnv)
			}
			if cfg.WorkingDir != "/app" || cfg.User != "estudiante" || cfg.Labels["curso"] != "docker" {
				t.Errorf("image WorkingDir/User/Labels not inherited: %+v", cfg)
			}
		})
	}
}

func TestParseCPUSet(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"0", []int{0}, false},
		{"0-2", []int{0, 1, 2}, false},
		{"0,3-4", []int{0, 3, 4}, false},
		{"2-1", nil, true},
		{"a", nil, true},
		{"-1", nil, true},
	}
	for _, tt := range tests {
		got, err := parseCPUSet(tt.in)
		if (err != nil) != tt.wantErr || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseCPUSet(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in      string
		want    syscall.Signal
		wantErr bool
	}{
		{"", syscall.SIGTERM, false},
		{"HUP", syscall.SIGHUP, false},
		{"SIGHUP", syscall.SIGHUP, false},
		{"sigkill", syscall.SIGKILL, false},
		{"9", syscall.SIGKILL, false},
		{"0", 0, true},
		{"NOPE", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSignal(tt.in, syscall.SIGTERM)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"web", true},
		{"ab", true},
		{"web_1.prueba-2", true},
		{"9lives", true},
		{"a", false}, // Docker wants two characters at least
		{"", false},
		{"-web", false},
		{"_web", false},
		{".web", false},
		{"mi web", false},
		{"canción", false},
		{"web/1", false},
	}
	for _, tt := range tests {
		if got := validName().MatchString(tt.name); got != tt.want {
			t.Errorf("validName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRandomName(t *testing.T) {
	taken := map[string]bool{}
	for i := 0; i < 200; i++ {
		n := randomName(func(s string) bool { return taken[s] })
		if taken[n] {
			t.Fatalf("randomName returned a taken name %q", n)
		}
		if !validName().MatchString(n) {
			t.Fatalf("randomName returned an invalid name %q", n)
		}
		taken[n] = true
	}
}

func TestDetachReader(t *testing.T) {
	tests := []struct {
		name         string
		chunks       []string
		wantOut      string
		wantDetached bool
	}{
		{"plain", []string{"hola\n"}, "hola\n", false},
		{"detach", []string{"ls\n\x10\x11después"}, "ls\n", true},
		{"split across reads", []string{"a\x10", "\x11b"}, "a", true},
		{"false start", []string{"a\x10b"}, "a\x10b", false},
		{"repeated first key", []string{"\x10\x10\x11"}, "\x10", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var readers []io.Reader
			for _, c := range tt.chunks {
				readers = append(readers, strings.NewReader(c))
			}
			dr := &detachReader{r: io.MultiReader(readers...), keys: DefaultDetachKeys}
			out, err := io.ReadAll(dr)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.wantOut || dr.detached != tt.wantDetached {
				t.Errorf("got %q detached=%v, want %q detached=%v", out, dr.detached, tt.wantOut, tt.wantDetached)
			}
		})
	}
}

func TestJSONLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	l, err := openJSONLog(path)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)
	n := 0
	l.now = func() time.Time { n++; return base.Add(time.Duration(n) * time.Second) }
	out := &lineWriter{log: l, stream: "stdout"}
	errw := &lineWriter{log: l, stream: "stderr"}
	io.WriteString(out, "uno\ndo")
	io.WriteString(errw, "fallo\n")
	io.WriteString(out, "s\ntres")
	out.flush()
	l.Close()

	raw, _ := os.ReadFile(path)
	if !bytes.Contains(raw, []byte(`{"log":"uno\n","stream":"stdout","time":"2026-11-28T02:00:01Z"}`)) {
		t.Errorf("log is not Docker's json-file format:\n%s", raw)
	}

	read := func(opts backend.LogOptions) string {
		var b strings.Builder
		err := readLogs(context.Background(), path, opts, func() bool { return false }, func(m backend.LogMessage) error {
			b.WriteString(m.Stream[:3] + ":" + string(m.Line))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	tests := []struct {
		name string
		opts backend.LogOptions
		want string
	}{
		{"all", backend.LogOptions{Stdout: true, Stderr: true, Tail: -1}, "std:uno\nstd:fallo\nstd:dos\nstd:tres"},
		{"stdout only", backend.LogOptions{Stdout: true, Tail: -1}, "std:uno\nstd:dos\nstd:tres"},
		{"stderr only", backend.LogOptions{Stderr: true, Tail: -1}, "std:fallo\n"},
		{"tail 2", backend.LogOptions{Stdout: true, Stderr: true, Tail: 2}, "std:dos\nstd:tres"},
		{"tail 0", backend.LogOptions{Stdout: true, Stderr: true, Tail: 0}, ""},
		{"since", backend.LogOptions{Stdout: true, Stderr: true, Tail: -1, Since: base.Add(3 * time.Second)}, "std:dos\nstd:tres"},
		{"until", backend.LogOptions{Stdout: true, Stderr: true, Tail: -1, Until: base.Add(2 * time.Second)}, "std:uno\nstd:fallo\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := read(tt.opts); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLongLineIsSplit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c-json.log")
	l, err := openJSONLog(path)
	if err != nil {
		t.Fatal(err)
	}
	w := &lineWriter{log: l, stream: "stdout"}
	w.Write(bytes.Repeat([]byte("x"), maxLogLine+10))
	w.flush()
	l.Close()
	var sizes []int
	readLogs(context.Background(), path, backend.LogOptions{Stdout: true, Tail: -1}, func() bool { return false }, func(m backend.LogMessage) error {
		sizes = append(sizes, len(m.Line))
		return nil
	})
	if !reflect.DeepEqual(sizes, []int{maxLogLine, 10}) {
		t.Errorf("entry sizes = %v, want [%d 10]", sizes, maxLogLine)
	}
}
