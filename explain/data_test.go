package explain

import (
	"strconv"
	"strings"
	"testing"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/system"
)

// TestUsesData checks that every number, name, path and ID an explanation is
// about comes from the fixture it was given. The wanted strings are read from
// the fixtures, not written by hand, so an explanation that ignores its data
// fails here.
func TestUsesData(t *testing.T) {
	f := loadFixtures(t)
	run, ex := f.running, f.exited
	upper := func(c container.InspectResponse) string { return c.GraphDriver.Data["UpperDir"] }
	name := func(c container.InspectResponse) string { return strings.TrimPrefix(c.Name, "/") }
	pid := func(c container.InspectResponse) string { return strconv.Itoa(c.State.Pid) }
	size := func(img image.InspectResponse) string { return units.HumanSizeWithPrecision(float64(img.Size), 3) }
	layers := func(img image.InspectResponse) string { return strconv.Itoa(len(img.RootFS.Layers)) + " capa" }
	id12 := func(id string) string { return strings.TrimPrefix(id, "sha256:")[:12] }
	proc := func(c container.InspectResponse) string { return c.Path + " " + strings.Join(c.Args, " ") }

	tests := []struct {
		name string
		got  string
		want []string
	}{
		{"Run/detached", Run(RunData{Container: run, Image: f.busybox, ImageRef: "busybox", Detached: true, Env: []string{"SALUDO=hola", "MODO"}, Cmd: run.Config.Cmd}),
			[]string{name(run), upper(run), pid(run), size(f.busybox), layers(f.busybox), proc(run), f.busybox.Config.Cmd[0], "SALUDO=hola", "MODO=aula", "bolsillo logs -f " + name(run)}},
		{"Run/exited", Run(RunData{Container: ex, Image: f.app, Exited: true, ExitCode: 3, Cmd: []string{"false"}}),
			[]string{name(ex), f.app.RepoTags[0], size(f.app), layers(f.app), "`3`", "false", strings.Join(f.app.Config.Cmd, " "), f.app.Config.Entrypoint[0]}},
		{"Create", Create(run, f.busybox), []string{name(run), upper(run), size(f.busybox), proc(run), string(run.State.Status)}},
		{"Start", Start(run), []string{name(run), upper(run), pid(run), proc(run)}},
		{"Stop", Stop(ex, StopRequest{}), []string{name(ex), upper(ex), strconv.Itoa(*ex.Config.StopTimeout) + " segundos", "`" + strconv.Itoa(ex.State.ExitCode) + "`"}},
		{"Restart", Restart(run, StopRequest{}), []string{name(run), upper(run), pid(run)}},
		{"Kill", Kill(run, "USR1"), []string{name(run), "SIGUSR1", pid(run)}},
		{"Remove", Remove(ex, false), []string{name(ex), upper(ex), ex.Mounts[0].Name, ex.Config.Image}},
		{"Logs", Logs(run, false), []string{name(run), run.LogPath, run.HostConfig.LogConfig.Type, proc(run)}},
		{"Inspect", Inspect(run), []string{name(run), upper(run), pid(run), strconv.Itoa(len(run.Config.Env)) + " variables", run.LogPath}},
		{"Ps/all", Ps(f.ps, true), []string{"4 contenedores", "2 `running`", "1 `exited`", "1 `created`", "saludo", "viejo", "9090", "8080"}},
		{"ImageInspect", ImageInspect(f.app), []string{f.app.ID, id12(f.app.ID), size(f.app), layers(f.app), f.app.RepoTags[0], f.app.RepoTags[1], f.app.Config.WorkingDir, f.app.Config.Entrypoint[0]}},
		{"Images", Images(f.images), []string{"3 imágenes", id12(f.images[0].ID), id12(f.images[1].ID), id12(f.images[2].ID), f.images[0].RepoTags[0], f.images[1].RepoTags[1], "1 imagen colgada"}},
		{"Import", Import(f.imported, "mi-rootfs:v1", nil), []string{"mi-rootfs:v1", f.imported.ID, size(f.imported), layers(f.imported), f.imported.Config.Cmd[0]}},
		{"LabInit", LabInit(f.busybox, "/usr/bin/busybox"), []string{"/usr/bin/busybox", id12(f.busybox.ID), size(f.busybox), layers(f.busybox), f.busybox.RepoTags[0]}},
		{"Version", Version(f.version), []string{f.version.ClientVersion, f.version.ClientAPIVersion, f.version.Host, f.version.ServerName, f.version.ServerMinAPIVersion, f.version.Os + "/" + f.version.Arch, f.version.KernelVersion}},
		{"Info", Info(f.info, "unix:///run/bolsillo.sock"), []string{f.info.Name, f.info.DockerRootDir, f.info.Driver, "v" + f.info.CgroupVersion, f.info.CgroupDriver, f.info.KernelVersion, f.info.OperatingSystem,
			strconv.Itoa(f.info.NCPU) + " CPU", units.BytesSize(float64(f.info.MemTotal)), "unix:///run/bolsillo.sock",
			"Contenedores: " + strconv.Itoa(f.info.Containers), strconv.Itoa(f.info.ContainersRunning) + " corriendo", strconv.Itoa(f.info.ContainersStopped) + " detenidos", "Imágenes: " + strconv.Itoa(f.info.Images)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range tt.want {
				if !strings.Contains(tt.got, w) {
					t.Errorf("output does not contain %q:\n%s", w, tt.got)
				}
			}
		})
	}
}

// TestFollowsData changes the fixture and checks that the explanation
// changes with it: the old values disappear and the new ones appear.
func TestFollowsData(t *testing.T) {
	f := loadFixtures(t)
	old := f.running
	moved := loadJSON[container.InspectResponse](t, "container_running.json")
	moved.Name = "/otro"
	moved.State.Pid = 777
	moved.GraphDriver.Data["UpperDir"] = "/srv/datos/containers/abc/rw"
	moved.LogPath = "/srv/datos/containers/abc/abc-json.log"
	bigger := f.busybox
	bigger.Size = 734003200
	bigger.RootFS.Layers = append(bigger.RootFS.Layers, "sha256:aa", "sha256:bb", "sha256:cc", "sha256:dd")

	tests := []struct {
		name       string
		before     string
		after      string
		gone, seen []string
	}{
		{"Run", Run(RunData{Container: old, Image: f.busybox, Detached: true}), Run(RunData{Container: moved, Image: bigger, Detached: true}),
			[]string{"`web`", "48213", old.GraphDriver.Data["UpperDir"], "2.22MB", "1 capa"},
			[]string{"`otro`", "`777`", "/srv/datos/containers/abc/rw", "734MB", "5 capas"}},
		{"Logs", Logs(old, true), Logs(moved, true), []string{old.LogPath}, []string{moved.LogPath}},
		{"Info", Info(f.info, "unix:///run/bolsillo.sock"), Info(system.Info{DockerRootDir: "/mnt/aula", Driver: "overlay2", Containers: 9}, "unix:///tmp/otro.sock"),
			[]string{"/var/lib/bolsillo", "`overlay`", "run/bolsillo.sock"}, []string{"/mnt/aula", "`overlay2`", "Contenedores: 9", "unix:///tmp/otro.sock"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range tt.gone {
				if !strings.Contains(tt.before, s) {
					t.Errorf("before: output does not contain %q:\n%s", s, tt.before)
				}
				if strings.Contains(tt.after, s) {
					t.Errorf("after: output still contains %q:\n%s", s, tt.after)
				}
			}
			for _, s := range tt.seen {
				if !strings.Contains(tt.after, s) {
					t.Errorf("after: output does not contain %q:\n%s", s, tt.after)
				}
			}
		})
	}
}

// TestZeroValues calls every function with zero values and nil pointers: none
// may panic, and each must still say something.
func TestZeroValues(t *testing.T) {
	var c container.InspectResponse
	var img image.InspectResponse
	outputs := map[string]func() string{
		"Run": func() string { return Run(RunData{}) },
		"RunExited": func() string {
			return Run(RunData{Exited: true, Removed: true, AutoRemove: true, Detached: true, Env: []string{"A", "B=1"}, Cmd: []string{"x"}})
		},
		"Create":       func() string { return Create(c, img) },
		"Start":        func() string { return Start(c) },
		"Stop":         func() string { return Stop(c, StopRequest{}) },
		"Restart":      func() string { return Restart(c, StopRequest{}) },
		"Kill":         func() string { return Kill(c, "") },
		"Remove":       func() string { return Remove(c, true) },
		"Ps":           func() string { return Ps(nil, false) },
		"PsZeroItem":   func() string { return Ps([]container.Summary{{}}, true) },
		"Logs":         func() string { return Logs(c, true) },
		"Inspect":      func() string { return Inspect(c) },
		"ImageInspect": func() string { return ImageInspect(img) },
		"Images":       func() string { return Images(nil) },
		"ImagesZero":   func() string { return Images([]image.Summary{{}}) },
		"Import":       func() string { return Import(img, "", nil) },
		"LabInit":      func() string { return LabInit(img, "") },
		"Version":      func() string { return Version(VersionData{}) },
		"Info":         func() string { return Info(system.Info{}, "") },
		"Error":        func() string { return Error(errString(""), "") },
	}
	for name, fn := range outputs {
		t.Run(name, func(t *testing.T) {
			got := fn()
			if !strings.HasPrefix(got, "# ") || strings.Count(got, "\n- ") == 0 {
				t.Errorf("%s on zero values = %q, want a title and at least one line", name, got)
			}
		})
	}
}
