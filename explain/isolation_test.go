package explain

import (
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
)

func TestRunIsolation(t *testing.T) {
	f := loadFixtures(t)
	with := func(code int, edit func(hc *container.HostConfig, cfg *container.Config)) container.InspectResponse {
		c := withState(f.exited, exitedState(code))
		hc := *c.HostConfig
		cfg := *c.Config
		edit(&hc, &cfg)
		c.HostConfig, c.Config = &hc, &cfg
		return c
	}
	readOnly := with(1, func(hc *container.HostConfig, _ *container.Config) { hc.ReadonlyRootfs = true })
	capDrop := with(1, func(hc *container.HostConfig, _ *container.Config) { hc.CapDrop = []string{"CAP_NET_RAW"} })
	plain := with(1, func(*container.HostConfig, *container.Config) {})
	unconfined := with(1, func(hc *container.HostConfig, _ *container.Config) { hc.SecurityOpt = []string{"seccomp=unconfined"} })
	privileged := with(1, func(hc *container.HostConfig, _ *container.Config) { hc.Privileged = true })
	nnp := with(1, func(hc *container.HostConfig, _ *container.Config) { hc.SecurityOpt = []string{"no-new-privileges"} })
	user := with(1, func(_ *container.HostConfig, cfg *container.Config) { cfg.User = "nobody" })
	run := func(c container.InspectResponse, code int, logs ...string) RunData {
		return RunData{Container: c, Image: f.busybox, ImageRef: "busybox", Detached: len(logs) > 0, Exited: len(logs) == 0, ExitCode: code, Cmd: []string{"sh", "-c", "prueba"}, LastLogs: logs}
	}
	tests := []struct {
		name     string
		d        RunData
		want     string // a sentence that must be there
		wantNone bool   // no isolation sentence at all
	}{
		{"read_only_seen", run(readOnly, 1, "touch: /x: Read-only file system"), "«Read-only file system» es `--read-only`", false},
		{"read_only_attached", run(readOnly, 1), "Si el error dice «Read-only file system», es `--read-only`", false},
		{"proc_sys_read_only", run(plain, 1, "sh: can't create /proc/sys/kernel/domainname: Read-only file system"), "`/proc/sys`", false},
		{"mount_not_permitted", run(plain, 1, "mount: permission denied (are you root?)", "hostname: sethostname: Operation not permitted"), "el perfil seccomp de Docker", false},
		{"not_permitted_unconfined", run(unconfined, 1, "date: can't set date: Operation not permitted"), "así que fue una capability", false},
		{"not_permitted_privileged", run(privileged, 1, "insmod: can't insert 'x.ko': Operation not permitted"), "no depende del aislamiento", false},
		{"cap_drop_ping", run(capDrop, 1, "ping: permission denied (are you root?)"), "sin `NET_RAW`", false},
		{"cap_drop_attached", run(capDrop, 1), "(y tú quitaste `NET_RAW` con `--cap-drop`)", false},
		{"user_permission", run(user, 1, "touch: /etc/x: Permission denied"), "usuario `nobody`", false},
		{"no_new_privileges_attached", run(nnp, 1), "no gana privilegios", false},
		{"busybox_eperm", run(plain, 1, "mount: permission denied (are you root?)"), "el perfil seccomp de Docker", false},
		{"plain_error_says_nothing", run(plain, 1, "httpd: bind: Address already in use"), "", true},
		{"success_says_nothing", run(readOnly, 0), "", true},
		{"signal_says_nothing", run(readOnly, 137), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Run(tt.d)
			isolation := strings.Contains(got, "--read-only") || strings.Contains(got, "capabilit") || strings.Contains(got, "seccomp") || strings.Contains(got, "privilegios")
			if tt.wantNone && isolation {
				t.Errorf("Run() talks about isolation:\n%s", got)
			}
			if !tt.wantNone && !strings.Contains(got, tt.want) {
				t.Errorf("Run() does not say %q:\n%s", tt.want, got)
			}
			assertGolden(t, got)
		})
	}
}

func TestIsolationErrors(t *testing.T) {
	const host = "unix:///run/bolsillo.sock"
	tests := []struct {
		name  string
		msg   string
		title string
	}{
		{"unknown_capability", `Error response from daemon: unknown capability: "CAP_VOLAR"`, "# No existe la capability `CAP_VOLAR`"},
		{"unknown_security_opt", `Error response from daemon: invalid --security-opt 2: "volar=alto"`, "# Opción de seguridad desconocida: `volar=alto`"},
		{"no_seccomp", "Error response from daemon: seccomp is not enabled in your kernel, cannot run a custom seccomp profile", "# Este daemon no aplica perfiles seccomp"},
		{"bad_profile", "Error response from daemon: invalid seccomp profile: seccomp profile has no defaultAction", "# El perfil seccomp no es válido"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Error(errString(tt.msg), host)
			if title, _, _ := strings.Cut(got, "\n"); title != tt.title {
				t.Errorf("Error(%q) title = %q, want %q", tt.msg, title, tt.title)
			}
			assertGolden(t, got)
		})
	}
}
