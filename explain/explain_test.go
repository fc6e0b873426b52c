package explain

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bolsillo/internal/golden"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/system"
)

// assertGolden compares got with testdata/<TestName>.golden.
func assertGolden(t *testing.T, got string) {
	t.Helper()
	golden.AssertString(t, got)
}

// loadJSON decodes testdata/<name> into a T.
func loadJSON[T any](t *testing.T, name string) T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	return v
}

// fixtures holds the API data the tests explain. Each call returns fresh
// copies, so a test may modify them.
type fixtures struct {
	running  container.InspectResponse // web: busybox httpd, running, PID 48213
	exited   container.InspectResponse // saludo: echo hola mundo, exited 0, volume datos
	busybox  image.InspectResponse     // busybox:latest, 1 layer
	app      image.InspectResponse     // web:1 and web:latest, 3 layers, ENTRYPOINT
	imported image.InspectResponse     // mi-rootfs:v1, imported from a tar
	ps       []container.Summary       // 2 running, 1 exited, 1 created
	images   []image.Summary           // busybox, web (2 tags), 1 dangling
	info     system.Info
	version  VersionData
}

func loadFixtures(t *testing.T) fixtures {
	t.Helper()
	return fixtures{
		running:  loadJSON[container.InspectResponse](t, "container_running.json"),
		exited:   loadJSON[container.InspectResponse](t, "container_exited.json"),
		busybox:  loadJSON[image.InspectResponse](t, "image_busybox.json"),
		app:      loadJSON[image.InspectResponse](t, "image_app.json"),
		imported: loadJSON[image.InspectResponse](t, "image_imported.json"),
		ps:       loadJSON[[]container.Summary](t, "ps.json"),
		images:   loadJSON[[]image.Summary](t, "images.json"),
		info:     loadJSON[system.Info](t, "info.json"),
		version:  loadJSON[VersionData](t, "version.json"),
	}
}

// withState returns c with State replaced.
func withState(c container.InspectResponse, st container.State) container.InspectResponse {
	c.State = &st
	return c
}

// exitedState is the state of a container whose main process ended.
func exitedState(code int) container.State {
	return container.State{Status: container.StateExited, ExitCode: code}
}

// runningState is the state of a running container.
func runningState(pid int) container.State {
	return container.State{Status: container.StateRunning, Running: true, Pid: pid}
}

// TestShape checks the form every explanation shares: a title line, a blank
// line, then between 2 and 8 bullet lines.
func TestShape(t *testing.T) {
	f := loadFixtures(t)
	outputs := map[string]string{
		"Run":          Run(RunData{Container: f.running, Image: f.busybox, ImageRef: "busybox", Detached: true, AutoRemove: true, Env: []string{"SALUDO=hola", "MODO"}, Cmd: []string{"httpd", "-f", "-p", "8080"}}),
		"Create":       Create(f.running, f.busybox),
		"Start":        Start(f.running),
		"Stop":         Stop(f.exited, StopRequest{}),
		"Restart":      Restart(f.running, StopRequest{}),
		"Kill":         Kill(f.exited, ""),
		"Remove":       Remove(f.running, true),
		"Ps":           Ps(f.ps, true),
		"Logs":         Logs(f.running, true),
		"Inspect":      Inspect(f.running),
		"ImageInspect": ImageInspect(f.app),
		"Images":       Images(f.images),
		"Import":       Import(f.imported, "mi-rootfs:v1", nil),
		"LabInit":      LabInit(f.busybox, "/usr/bin/busybox"),
		"Version":      Version(f.version),
		"Info":         Info(f.info, "unix:///run/bolsillo.sock"),
		"Error":        Error(errString("No such container: web"), ""),
	}
	for name, got := range outputs {
		t.Run(name, func(t *testing.T) {
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			if len(lines) < 4 {
				t.Fatalf("%s: got %d lines, want a title, a blank line and at least 2 items:\n%s", name, len(lines), got)
			}
			if !strings.HasPrefix(lines[0], "# ") {
				t.Errorf("%s: first line = %q, want a # title", name, lines[0])
			}
			if lines[1] != "" {
				t.Errorf("%s: second line = %q, want blank", name, lines[1])
			}
			items := lines[2:]
			if len(items) > 8 {
				t.Errorf("%s: got %d items, want at most 8:\n%s", name, len(items), got)
			}
			for _, l := range items {
				if !strings.HasPrefix(l, "- ") {
					t.Errorf("%s: line %q is not a bullet", name, l)
				}
			}
		})
	}
}

// errString is an error with a fixed message, like the ones the client
// returns from the daemon's JSON.
type errString string

func (e errString) Error() string { return string(e) }
