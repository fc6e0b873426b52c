package explain

import (
	"testing"

	"github.com/moby/moby/api/types/container"
)

func TestRun(t *testing.T) {
	f := loadFixtures(t)

	// The app image runs /app/entrypoint.sh with its CMD as arguments.
	fromApp := f.running
	fromApp.Path = "/app/entrypoint.sh"
	fromApp.Args = []string{"httpd", "-f", "-p", "8080"}
	fromApp.Name = "/api"

	killed := withState(f.exited, container.State{Status: container.StateExited, ExitCode: 137, OOMKilled: true})
	notFound := withState(f.exited, exitedState(127))
	notFound.Path, notFound.Args = "hola", nil

	// run -d busybox: sh without a terminal ends at once, saying nothing.
	bareShell := withState(f.running, exitedState(0))
	cfg := *bareShell.Config
	cfg.Cmd, cfg.Tty, cfg.OpenStdin = []string{"sh"}, false, false
	bareShell.Config = &cfg
	bareShell.Path, bareShell.Args = "sh", nil

	tests := []struct {
		name string
		d    RunData
	}{
		{"attached_exited", RunData{Container: f.exited, Image: f.busybox, ImageRef: "busybox", Exited: true, ExitCode: 0, Cmd: []string{"echo", "hola", "mundo"}}},
		{"detached_env", RunData{Container: f.running, Image: f.busybox, ImageRef: "busybox", Detached: true, Env: []string{"SALUDO=hola", "MODO", "FALTA"}, Cmd: []string{"httpd", "-f", "-p", "8080"}}},
		{"rm_removed", RunData{Container: f.exited, Image: f.busybox, ImageRef: "busybox", AutoRemove: true, Removed: true, Exited: true, Cmd: []string{"echo", "hola", "mundo"}}},
		{"detached_rm_running", RunData{Container: f.running, Image: f.busybox, ImageRef: "busybox", Detached: true, AutoRemove: true, Cmd: []string{"httpd", "-f", "-p", "8080"}}},
		{"detached_already_ended", RunData{Container: withState(f.running, exitedState(1)), Image: f.busybox, ImageRef: "busybox", Detached: true, Cmd: []string{"httpd", "-f", "-p", "8080"},
			LastLogs: []string{"httpd: bind: Address already in use"}}},
		{"detached_bare_shell", RunData{Container: bareShell, Image: f.busybox, ImageRef: "busybox", Detached: true}},
		{"image_cmd", RunData{Container: fromApp, Image: f.app, ImageRef: "web:1", Detached: true}},
		{"entrypoint_args", RunData{Container: fromApp, Image: f.app, ImageRef: "web:1", Detached: true, Cmd: []string{"httpd", "-p", "9000"}}},
		{"oom_killed", RunData{Container: killed, Image: f.busybox, ImageRef: "busybox", Exited: true, ExitCode: 137, Cmd: []string{"echo", "hola", "mundo"}}},
		{"command_not_found", RunData{Container: notFound, Image: f.busybox, ImageRef: "busybox", Exited: true, ExitCode: 127, Cmd: []string{"hola"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertGolden(t, Run(tt.d))
		})
	}
}

func TestCreate(t *testing.T) {
	f := loadFixtures(t)
	created := withState(f.running, container.State{Status: container.StateCreated})
	t.Run("created", func(t *testing.T) { assertGolden(t, Create(created, f.busybox)) })
}

func TestDetach(t *testing.T) {
	f := loadFixtures(t)
	t.Run("running", func(t *testing.T) { assertGolden(t, Detach(f.running)) })
}

func TestStart(t *testing.T) {
	f := loadFixtures(t)
	tests := []struct {
		name string
		c    container.InspectResponse
	}{
		{"running", f.running},
		{"ended_at_once", f.exited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Start(tt.c)) })
	}
}

func TestStop(t *testing.T) {
	f := loadFixtures(t)
	sigterm := withState(f.running, exitedState(143))
	custom := loadJSON[container.InspectResponse](t, "container_exited.json")
	custom.Config.StopSignal = "SIGQUIT"
	one := 1
	tests := []struct {
		name string
		c    container.InspectResponse
		req  StopRequest
	}{
		{"sigterm", sigterm, StopRequest{}},
		{"custom_signal_and_timeout", custom, StopRequest{}},
		{"still_running", f.running, StopRequest{}},
		{"asked_t_and_s", sigterm, StopRequest{Timeout: &one, Signal: "INT"}},
		{"pid1_ignored_sigterm", withState(f.running, exitedState(137)), StopRequest{Timeout: &one}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Stop(tt.c, tt.req)) })
	}
}

func TestRestart(t *testing.T) {
	f := loadFixtures(t)
	zero := 0
	tests := []struct {
		name string
		c    container.InspectResponse
		req  StopRequest
	}{
		{"running", withState(f.running, runningState(51002)), StopRequest{}},
		{"ended_again", f.exited, StopRequest{}},
		{"asked_t_0", withState(f.running, runningState(51002)), StopRequest{Timeout: &zero}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Restart(tt.c, tt.req)) })
	}
}

func TestKill(t *testing.T) {
	f := loadFixtures(t)
	tests := []struct {
		name   string
		c      container.InspectResponse
		signal string
	}{
		{"default_sigkill", withState(f.running, exitedState(137)), ""},
		{"hup_handled", f.running, "HUP"},
		{"numeric_sigterm", withState(f.running, exitedState(143)), "15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Kill(tt.c, tt.signal)) })
	}
}

func TestRemove(t *testing.T) {
	f := loadFixtures(t)
	tests := []struct {
		name   string
		c      container.InspectResponse
		forced bool
	}{
		{"stopped_with_volume", f.exited, false},
		{"forced_running", f.running, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Remove(tt.c, tt.forced)) })
	}
}

func TestPs(t *testing.T) {
	f := loadFixtures(t)
	var running []container.Summary
	for _, s := range f.ps {
		if s.State == container.StateRunning {
			running = append(running, s)
		}
	}
	tests := []struct {
		name string
		list []container.Summary
		all  bool
	}{
		{"all", f.ps, true},
		{"running_only", running, false},
		{"none_running", nil, false},
		{"all_empty", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Ps(tt.list, tt.all)) })
	}
}

func TestLogs(t *testing.T) {
	f := loadFixtures(t)
	tty := loadJSON[container.InspectResponse](t, "container_exited.json")
	tty.Config.Tty = true
	tests := []struct {
		name   string
		c      container.InspectResponse
		follow bool
	}{
		{"follow", f.running, true},
		{"no_follow_tty", tty, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Logs(tt.c, tt.follow)) })
	}
}

func TestInspect(t *testing.T) {
	f := loadFixtures(t)
	tests := []struct {
		name string
		c    container.InspectResponse
	}{
		{"running", f.running},
		{"exited", f.exited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Inspect(tt.c)) })
	}
}

func TestSignalName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "SIGKILL"},
		{"KILL", "SIGKILL"},
		{"sigterm", "SIGTERM"},
		{"9", "SIGKILL"},
		{"15", "SIGTERM"},
		{"HUP", "SIGHUP"},
		{"USR1", "SIGUSR1"},
		{"10", "10"},
	}
	for _, tt := range tests {
		if got := signalName(tt.in); got != tt.want {
			t.Errorf("signalName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExitMeaning(t *testing.T) {
	tests := []struct {
		code int
		oom  bool
		want string
	}{
		{0, false, "todo fue bien"},
		{1, false, "el programa devolvió un error; lo que escribió lo explica (`logs`)"},
		{125, false, "falló el propio arranque del contenedor, no tu programa"},
		{126, false, "el comando existe pero no se puede ejecutar (permisos o no es un ejecutable)"},
		{127, false, "el comando no se encontró dentro del contenedor"},
		{137, true, "el kernel lo mató por superar su límite de memoria (OOM)"},
		{137, false, "lo mataron con SIGKILL (128 + 9): `kill`, un `stop` que agotó su espera o falta de memoria"},
		{129, false, "lo paró la señal SIGHUP (128 + 1)"},
		{138, false, "lo paró la señal 10 (128 + 10)"},
	}
	for _, tt := range tests {
		if got := exitMeaning(tt.code, tt.oom); got != tt.want {
			t.Errorf("exitMeaning(%d, %v) = %q, want %q", tt.code, tt.oom, got, tt.want)
		}
	}
}
