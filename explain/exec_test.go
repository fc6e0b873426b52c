package explain

import (
	"testing"

	"github.com/moby/moby/api/types/container"
)

func TestExec(t *testing.T) {
	f := loadFixtures(t)
	exitCode := func(n int) *int { return &n }
	ended := func(code int) container.ExecInspectResponse {
		return container.ExecInspectResponse{ID: "e1", ContainerID: f.running.ID, Pid: 4242, ExitCode: exitCode(code)}
	}
	tests := []struct {
		name string
		d    ExecData
	}{
		{"plain", ExecData{Container: f.running, Exec: ended(0), Cmd: []string{"ls", "/www"}}},
		{"user_env_workdir", ExecData{Container: f.running, Exec: ended(0), Cmd: []string{"id", "-u"},
			User: "estudiante", Env: []string{"COLOR=azul"}, Workdir: "/tmp"}},
		{"uid_exit_code", ExecData{Container: f.running, Exec: ended(3), Cmd: []string{"sh", "-c", "exit 3"}, User: "1000:1000"}},
		{"not_found", ExecData{Container: f.running, Exec: ended(127), Cmd: []string{"bash"}}},
		{"detached", ExecData{Container: f.running, Exec: container.ExecInspectResponse{Pid: 4242, Running: true},
			Cmd: []string{"sleep", "100"}, Detached: true}},
		{"tty_detach_keys", ExecData{Container: f.running, Exec: container.ExecInspectResponse{Pid: 4242, Running: true},
			Cmd: []string{"sh"}, Tty: true, DetachKey: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assertGolden(t, Exec(tt.d)) })
	}
}

func TestExecNotRunning(t *testing.T) {
	f := loadFixtures(t)
	t.Run("exited", func(t *testing.T) { assertGolden(t, ExecNotRunning(f.exited)) })
}
