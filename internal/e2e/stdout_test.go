package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// stdoutCases are commands whose stdout must be byte for byte what the
// docker CLI prints against the same daemon.
var stdoutCases = [][]string{
	{"ps"},
	{"ps", "-a"},
	{"ps", "-a", "-q"},
	{"ps", "-a", "--no-trunc"},
	{"ps", "-a", "-n", "2"},
	{"ps", "-a", "--format", "{{.Names}}\t{{.Status}}\t{{.Labels}}\t{{.Command}}"},
	{"ps", "-a", "--format", "table {{.ID}}\t{{.Image}}\t{{.State}}"},
	{"ps", "-a", "--filter", "status=exited"},
	{"ps", "-a", "-s"},
	{"inspect", "--size", "--format", "{{.SizeRw}} {{.SizeRootFs}}", "corre"},
	{"images"},
	{"images", "-q"},
	{"images", "--no-trunc"},
	{"images", "--format", "json"},
	{"inspect", "corre"},
	{"inspect", "--format", "{{.State.Status}} {{.Config.Cmd}} {{json .Config.Labels}}", "corre", "termino"},
	{"image", "inspect", "corre"},
	{"container", "ls", "-a"},
}

// compareStdout runs each case with bolsillo and with docker against host.
func compareStdout(t *testing.T, d *daemon, host string) {
	t.Helper()
	for _, args := range stdoutCases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			// Relative times ("Less than a second ago", "1 second ago")
			// may cross a boundary between the two commands: a difference
			// must repeat to count.
			var b, k result
			for range 3 {
				b = d.exec(append([]string{filepath.Join(bin, "bolsillo"), "-H", host, "--explicar=false"}, args...), nil)
				k = d.exec(append([]string{"docker", "-H", host}, args...), []string{"DOCKER_CONFIG=" + t.TempDir()})
				if b.code == k.code && b.stdout == k.stdout {
					return
				}
			}
			t.Errorf("bolsillo and docker differ\nbolsillo: %s\ndocker: %s", b, k)
		})
	}
}

// prepareContainers leaves one running, one exited and one created
// container, with labels, on the daemon at host.
func prepareContainers(t *testing.T, d *daemon, host string, image string) {
	t.Helper()
	docker := func(args ...string) {
		t.Helper()
		if r := d.exec(append([]string{"docker", "-H", host}, args...), []string{"DOCKER_CONFIG=" + t.TempDir()}); r.code != 0 && r.code != 3 {
			t.Fatalf("docker %v: %s", args, r)
		}
	}
	docker("run", "-d", "--name", "corre", "-l", "curso=docker", image, "sh", "-c", "echo hola > /escrito && exec sleep 1000")
	docker("run", "--name", "termino", image, "sh", "-c", "exit 3")
	docker("create", "--name", "creado", "-l", "a=b", image, "echo", "hola mundo")
}

func TestStdoutMatchesDockerCLI(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	prepareContainers(t, d, d.host(), "busybox")
	compareStdout(t, d, d.host())
}

// inspect --size and ps -s report what the writable layer holds.
func TestContainerSize(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "--name", "pesado", "busybox", "sh", "-c", "head -c 300000 /dev/zero > /relleno")
	got := d.must("--explicar=false", "inspect", "--size", "--format", "{{.SizeRw}} {{.SizeRootFs}}", "pesado").stdout
	var rw, rootfs int64
	if _, err := fmt.Sscan(got, &rw, &rootfs); err != nil {
		t.Fatalf("inspect --size = %q: %v", got, err)
	}
	if rw < 300000 || rw > 310000 {
		t.Errorf("SizeRw = %d, want the 300000 bytes written (and little more)", rw)
	}
	if rootfs < rw+1_000_000 {
		t.Errorf("SizeRootFs = %d, want SizeRw plus the image's size", rootfs)
	}
	if ps := d.must("--explicar=false", "ps", "-a", "-s", "--format", "{{.Size}}").stdout; !strings.HasPrefix(ps, "300kB (virtual ") {
		t.Errorf("ps -s SIZE = %q", ps)
	}
}
