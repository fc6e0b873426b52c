package cli

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// writeExecutable creates an executable file named name in dir.
func writeExecutable(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRegistryLauncherFind(t *testing.T) {
	notOnPath := func(string) (string, error) { return "", exec.ErrNotFound }
	tests := []struct {
		name string
		// setup returns the launcher and the path find must return ("" for an error).
		setup    func(t *testing.T) (registryLauncher, string)
		wantHint string
	}{
		{
			name: "next to bolsillo",
			setup: func(t *testing.T) (registryLauncher, string) {
				dir := t.TempDir()
				self := writeExecutable(t, dir, "bolsillo", 0o755)
				want := writeExecutable(t, dir, registryBinary, 0o755)
				return registryLauncher{executable: func() (string, error) { return self, nil }, lookPath: notOnPath}, want
			},
		},
		{
			name: "next to the target of a symlinked bolsillo",
			setup: func(t *testing.T) (registryLauncher, string) {
				dir, links := t.TempDir(), t.TempDir()
				self := writeExecutable(t, dir, "bolsillo", 0o755)
				want := writeExecutable(t, dir, registryBinary, 0o755)
				link := filepath.Join(links, "bolsillo")
				if err := os.Symlink(self, link); err != nil {
					t.Fatal(err)
				}
				return registryLauncher{executable: func() (string, error) { return link, nil }, lookPath: notOnPath}, want
			},
		},
		{
			name: "on PATH when the neighbour is not executable",
			setup: func(t *testing.T) (registryLauncher, string) {
				dir := t.TempDir()
				self := writeExecutable(t, dir, "bolsillo", 0o755)
				writeExecutable(t, dir, registryBinary, 0o644)
				want := "/usr/local/bin/" + registryBinary
				return registryLauncher{
					executable: func() (string, error) { return self, nil },
					lookPath:   func(string) (string, error) { return want, nil },
				}, want
			},
		},
		{
			name: "on PATH when the executable path is unknown",
			setup: func(t *testing.T) (registryLauncher, string) {
				want := "/opt/bin/" + registryBinary
				return registryLauncher{
					executable: func() (string, error) { return "", errors.New("no /proc") },
					lookPath:   func(string) (string, error) { return want, nil },
				}, want
			},
		},
		{
			name: "nowhere",
			setup: func(t *testing.T) (registryLauncher, string) {
				self := writeExecutable(t, t.TempDir(), "bolsillo", 0o755)
				return registryLauncher{executable: func() (string, error) { return self, nil }, lookPath: notOnPath}, ""
			},
			wantHint: "Compílalo con `make build`",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, want := tt.setup(t)
			got, err := l.find()
			if want != "" {
				if err != nil || got != want {
					t.Errorf("find() = %q, %v; want %q", got, err, want)
				}
				return
			}
			if err == nil {
				t.Fatalf("find() = %q, want an error", got)
			}
			if !strings.Contains(errHint(err), tt.wantHint) || !errors.Is(err, exec.ErrNotFound) {
				t.Errorf("find() error = %v (hint %q), want exec.ErrNotFound with a hint containing %q", err, errHint(err), tt.wantHint)
			}
		})
	}
}

func TestRunRegistryExecs(t *testing.T) {
	dir := t.TempDir()
	self := writeExecutable(t, dir, "bolsillo", 0o755)
	binary := writeExecutable(t, dir, registryBinary, 0o755)
	tests := []struct {
		name     string
		opts     registryOptions
		execErr  error
		wantArgv []string
		wantErr  string
	}{
		{
			name:     "defaults",
			opts:     registryOptions{addr: defaultRegistryAddr, root: defaultRegistryRoot},
			wantArgv: []string{binary, "--addr", "0.0.0.0:5000", "--root", "/var/lib/bolsillo-registry"},
		},
		{
			name:     "verbose",
			opts:     registryOptions{addr: "127.0.0.1:5001", root: "/srv/aula", verbose: true},
			wantArgv: []string{binary, "--addr", "127.0.0.1:5001", "--root", "/srv/aula", "--verbose"},
		},
		{
			name:     "exec fails",
			opts:     registryOptions{addr: defaultRegistryAddr, root: defaultRegistryRoot},
			execErr:  errors.New("exec format error"),
			wantArgv: []string{binary, "--addr", "0.0.0.0:5000", "--root", "/var/lib/bolsillo-registry"},
			wantErr:  "starting " + binary + ": exec format error",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotPath string
			var gotArgv []string
			f, _, errOut := testFactory("unix:///nonexistent.sock", nil)
			var explained string
			l := registryLauncher{
				executable: func() (string, error) { return self, nil },
				lookPath:   func(string) (string, error) { return "", exec.ErrNotFound },
				exec: func(path string, argv, _ []string) error {
					gotPath, gotArgv = path, argv
					explained = errOut.String()
					return tt.execErr
				},
			}
			err := runRegistry(f, tt.opts, l)
			if gotPath != binary || !reflect.DeepEqual(gotArgv, tt.wantArgv) {
				t.Errorf("exec(%q, %q), want exec(%q, %q)", gotPath, gotArgv, binary, tt.wantArgv)
			}
			// After exec nothing more can be printed: the explanation comes first.
			if !strings.Contains(explained, tt.opts.addr) || !strings.Contains(explained, tt.opts.root) {
				t.Errorf("explanation before exec = %q, want it to name %s and %s", explained, tt.opts.addr, tt.opts.root)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
				t.Errorf("runRegistry() error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestLabRegistryTarget(t *testing.T) {
	tests := []struct {
		registry string
		want     string // "" when refused
	}{
		{"localhost:5000", "localhost:5000/busybox:latest"},
		{"192.168.1.20:5000", "192.168.1.20:5000/busybox:latest"},
		{"profesor.aula:5000", "profesor.aula:5000/busybox:latest"},
		{"registro.example.com", "registro.example.com/busybox:latest"},
		{"[::1]:5000", "[::1]:5000/busybox:latest"},
		{"aula", ""},            // a Docker Hub user: docker.io/aula/busybox
		{"aula/clase", ""},      // a path, not a host
		{"localhost:5000/", ""}, // a trailing slash
		{"http://localhost:5000", ""},
		{"localhost:puerto", ""},
	}
	for _, tt := range tests {
		got, err := labRegistryTarget(tt.registry)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("labRegistryTarget(%q) = %s, want an error", tt.registry, got)
		case tt.want == "":
			var fe flagError
			if !errors.As(err, &fe) || !strings.Contains(fe.hint, "HOST:PUERTO") {
				t.Errorf("labRegistryTarget(%q) error = %v, want a flag error explaining HOST:PUERTO", tt.registry, err)
			}
		case err != nil:
			t.Errorf("labRegistryTarget(%q) error = %v, want %s", tt.registry, err, tt.want)
		case got.String() != tt.want:
			t.Errorf("labRegistryTarget(%q) = %s, want %s", tt.registry, got, tt.want)
		}
	}
}

// pushStream is what a daemon streams for a successful push of the lab
// image, as Docker 28 sends it.
const pushStream = `{"status":"The push refers to repository [localhost:5000/busybox]"}
{"status":"Preparing","progressDetail":{},"id":"4f5a2c3b1e0d"}
{"status":"Pushing","progressDetail":{"current":1048576,"total":2000000},"progress":"[==>  ]","id":"4f5a2c3b1e0d"}
{"status":"Pushed","progressDetail":{},"id":"4f5a2c3b1e0d"}
{"status":"latest: digest: sha256:9a8b7c6d5e4f30211203f4e5d6c7b8a90112233445566778899aabbccddeeff0 size: 527"}
{"progressDetail":{},"aux":{"Tag":"latest","Digest":"sha256:9a8b7c6d5e4f30211203f4e5d6c7b8a90112233445566778899aabbccddeeff0","Size":527}}
`

func TestLabInitRegistry(t *testing.T) {
	if err := checkStatic("/bin/busybox"); err != nil {
		t.Skipf("needs a static /bin/busybox (apt-get install busybox-static): %v", err)
	}
	tests := []struct {
		name     string
		push     string // body of the push stream
		wantCode int
		wantErr  string // substring of stderr
	}{
		{name: "pushed", push: pushStream},
		{
			name:     "registry down",
			push:     `{"errorDetail":{"message":"Get \"http://localhost:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused"},"error":"Get \"http://localhost:5000/v2/\": dial tcp 127.0.0.1:5000: connect: connection refused"}` + "\n",
			wantCode: exitGeneric,
			wantErr:  "connection refused",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newFakeDaemon(t)
			d.handle("POST /images/create", func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				_, _ = io.WriteString(w, `{"status":"`+imgID+`"}`+"\n")
			})
			d.handle("POST /images/busybox:latest/tag", func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusCreated)
			})
			d.handle("POST /images/localhost:5000/busybox/push", func(w http.ResponseWriter, _ *http.Request) {
				_, _ = io.WriteString(w, tt.push)
			})
			f, out, errOut := testFactory(d.host, map[string]string{envExplicar: "0", envDockerConfig: t.TempDir()})
			code := execute(context.Background(), f, []string{"lab", "init", "--busybox", "/bin/busybox", "--registry", "localhost:5000"})
			if code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d\nstderr:\n%s", code, tt.wantCode, errOut)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantErr)
			}
			calls := slices.DeleteFunc(d.requests(), func(c string) bool { return strings.HasPrefix(c, "GET ") })
			want := []string{
				"POST /images/create?changes=CMD+%5B%22sh%22%5D&fromSrc=-&repo=busybox%3Alatest",
				"POST /images/busybox:latest/tag?repo=localhost%3A5000%2Fbusybox&tag=latest",
				"POST /images/localhost:5000/busybox/push?tag=latest",
			}
			if !reflect.DeepEqual(calls, want) {
				t.Errorf("daemon calls:\n%s\nwant:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
			}
			if tt.wantCode == 0 {
				assertGolden(t, "TestLabInitRegistry/"+tt.name, out.String())
			}
		})
	}
}
