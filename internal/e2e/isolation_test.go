package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A default container is isolated as in Docker: it cannot mount, load a
// kernel module, see the host's processes, write to /proc/sys, open a host
// device, or change the host's hostname or clock. Each denial is paired
// with a container given the privilege (or a flag taking one away), so that
// every check can fail.
func TestIsolationDefaults(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	dir := buildStatic(t, "initmod")
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	daemonPid := d.cmd.Process.Pid

	tests := []struct {
		name     string
		flags    []string
		script   string
		wantCode int    // exit code of the container
		want     string // in stdout
		wantErr  string // in stderr
	}{
		{"mount denied", nil, "mount -t tmpfs none /tmp", 1, "", "permission denied"},
		{"privileged mounts", []string{"--privileged"}, "mount -t tmpfs none /tmp && echo montado", 0, "montado", ""},
		{"cap-add SYS_ADMIN mounts", []string{"--cap-add", "sys_admin"}, "mount -t tmpfs none /tmp && echo montado", 0, "montado", ""},

		{"kernel module denied", []string{"-v", dir + ":/h:ro"}, "/h/initmod", 0, "init_module: EPERM", ""},
		// Without module support in the kernel the answer is ENOSYS, with it
		// an invalid image: anything but the EPERM of isolation.
		{"privileged reaches init_module", []string{"--privileged", "-v", dir + ":/h:ro"}, "/h/initmod | grep -v EPERM", 0, "init_module: E", ""},

		{"own processes only", nil, "ps -o pid,comm > /tmp/ps; wc -l < /tmp/ps; ls /proc/" + fmt.Sprint(daemonPid) + " >/dev/null 2>&1 || echo no-veo-el-daemon", 0, "3\nno-veo-el-daemon\n", ""},

		{"/proc/sys read-only", nil, "echo 1 > /proc/sys/kernel/domainname", 1, "", "Read-only file system"},
		{"/proc/sys writable when privileged", []string{"--privileged"}, "grep -c ' /proc/sys .*ro,' /proc/self/mounts", 1, "0\n", ""},

		{"host device denied", nil, "mknod /tmp/kmsg c 1 11 && exec 3</tmp/kmsg && echo abierto", 1, "", "Operation not permitted"},
		{"host device when privileged", []string{"--privileged"}, "ls /dev/kmsg && exec 3</dev/kmsg && echo abierto", 0, "abierto", ""},
		{"only default devices", nil, "ls /dev | tr '\\n' ' '", 0, "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero", ""},

		{"hostname denied", nil, "hostname mi-host", 1, "", "Operation not permitted"},
		{"hostname in its own UTS namespace", []string{"--cap-add", "SYS_ADMIN"}, "hostname mi-host && hostname", 0, "mi-host\n", ""},

		{"clock denied", nil, "date -s '2001-01-01 00:00:00'", 0, "", "can't set date: Operation not permitted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--explicar=false", "run", "--rm"}, tt.flags...)
			r := d.bolsillo(append(args, "busybox", "sh", "-c", tt.script)...)
			if r.code != tt.wantCode || !strings.Contains(r.stdout, tt.want) || !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("%q with %q:\n%s\nwant exit %d, stdout with %q, stderr with %q", tt.script, tt.flags, r, tt.wantCode, tt.want, tt.wantErr)
			}
		})
	}
	if got, _ := os.Hostname(); got != hostname {
		t.Errorf("the host's hostname changed from %q to %q", hostname, got)
	}
	if year := time.Now().Year(); year < 2020 {
		t.Errorf("the host's clock moved to %d", year)
	}
}

// The isolation flags, checked from inside the container with the real
// docker CLI and with bolsillo.
func TestIsolationFlags(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	profile := filepath.Join(t.TempDir(), "sin-mkdir.json")
	if err := os.WriteFile(profile, []byte(`{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]
}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		flags    []string
		script   string
		wantCode int
		want     string
		wantErr  string
	}{
		{"ping by default", nil, "ping -c1 -W2 127.0.0.1 >/dev/null && echo ping-ok", 0, "ping-ok", ""},
		{"cap-drop NET_RAW", []string{"--cap-drop", "NET_RAW"}, "ping -c1 -W2 127.0.0.1", 1, "", "permission denied"},
		{"writable rootfs by default", nil, "touch /x && echo escrito", 0, "escrito", ""},
		{"read-only", []string{"--read-only"}, "touch /x", 1, "", "Read-only file system"},
		{"read-only keeps volumes writable", []string{"--read-only", "-v", "datos:/datos"}, "touch /datos/x && echo escrito", 0, "escrito", ""},
		{"new privileges by default", nil, "grep NoNewPrivs /proc/self/status", 0, "NoNewPrivs:\t0", ""},
		{"no-new-privileges", []string{"--security-opt", "no-new-privileges"}, "grep NoNewPrivs /proc/self/status", 0, "NoNewPrivs:\t1", ""},
		{"seccomp by default", nil, "grep Seccomp: /proc/self/status", 0, "Seccomp:\t2", ""},
		{"seccomp unconfined", []string{"--security-opt", "seccomp=unconfined"}, "grep Seccomp: /proc/self/status", 0, "Seccomp:\t0", ""},
		{"privileged has no seccomp", []string{"--privileged"}, "grep Seccomp: /proc/self/status", 0, "Seccomp:\t0", ""},
		{"own seccomp profile", []string{"--security-opt", "seccomp=" + profile}, "mkdir /tmp/d", 1, "", "Operation not permitted"},
		{"user", []string{"--user", "65534"}, "id -u; touch /etc/x", 1, "65534", "Permission denied"},
	}
	for _, tt := range tests {
		for _, client := range []string{"bolsillo", "docker"} {
			t.Run(tt.name+"/"+client, func(t *testing.T) {
				args := append(append([]string{"run", "--rm"}, tt.flags...), "busybox", "sh", "-c", tt.script)
				var r result
				if client == "docker" {
					r = d.docker(args...)
				} else {
					r = d.bolsillo(append([]string{"--explicar=false"}, args...)...)
				}
				if r.code != tt.wantCode || !strings.Contains(r.stdout, tt.want) || !strings.Contains(r.stderr, tt.wantErr) {
					t.Errorf("%s %q with %q:\n%s\nwant exit %d, stdout with %q, stderr with %q", client, tt.script, tt.flags, r, tt.wantCode, tt.want, tt.wantErr)
				}
			})
		}
	}
	d.must("volume", "rm", "datos")

	if got := d.docker("info", "--format", "{{json .SecurityOptions}}").stdout; got != "[\"name=seccomp,profile=builtin\"]\n" && got != "[\"name=seccomp,profile=builtin\",\"name=cgroupns\"]\n" {
		t.Errorf("docker info SecurityOptions = %q", got)
	}
	r := d.docker("inspect", "--format", "{{json .HostConfig.CapAdd}} {{.HostConfig.Privileged}}", d.must("--explicar=false", "create", "--cap-add", "net_admin", "busybox").stdout[:12])
	if r.stdout != "[\"CAP_NET_ADMIN\"] false\n" {
		t.Errorf("inspect CapAdd = %q", r.stdout)
	}
	for _, bad := range [][]string{{"--cap-add", "volar"}, {"--security-opt", "volar"}, {"--security-opt", "no-new-privileges=quizá"}} {
		r := d.docker(append(append([]string{"run", "--rm"}, bad...), "busybox", "true")...)
		if r.code != 125 {
			t.Errorf("docker run %q: %s\nwant exit 125", bad, r)
		}
	}
}
