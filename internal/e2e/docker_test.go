package e2e

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// The real docker CLI (28.x) drives bolsillod as it drives dockerd.
func TestDockerCLI(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	mustDocker := func(args ...string) result {
		t.Helper()
		r := d.docker(args...)
		if r.code != 0 {
			t.Fatalf("docker %s: %s\ndaemon log:\n%s", strings.Join(args, " "), r, d.log)
		}
		return r
	}

	if r := mustDocker("run", "--rm", "busybox", "echo", "hola"); r.stdout != "hola\n" {
		t.Errorf("docker run stdout = %q, want hola", r.stdout)
	}
	if r := d.docker("run", "--rm", "busybox", "sh", "-c", "exit 7"); r.code != 7 {
		t.Errorf("docker run exit code = %d, want 7\n%s", r.code, r)
	}
	if r := d.docker("run", "--rm", "busybox", "noexiste"); r.code != 127 {
		t.Errorf("docker run of a missing command: exit %d, want 127\n%s", r.code, r)
	}

	id := strings.TrimSpace(mustDocker("run", "-d", "--name", "reloj", "busybox", "sh", "-c", "echo tic; sleep 1000").stdout)
	if len(id) != 64 {
		t.Fatalf("docker run -d printed %q, want a 64-hex ID", id)
	}
	ps := mustDocker("ps")
	if !regexp.MustCompile(`(?m)^` + id[:12] + ` +busybox +"sh -c 'echo tic; sl…" +.* Up .* reloj$`).MatchString(ps.stdout) {
		t.Errorf("docker ps does not show reloj as docker would:\n%s", ps.stdout)
	}
	waitFor(t, "the log line", func() bool { return d.docker("logs", "reloj").stdout == "tic\n" })

	mustDocker("stop", "-t", "1", "reloj")
	var state []map[string]any
	insp := mustDocker("inspect", "reloj")
	if err := json.Unmarshal([]byte(insp.stdout), &state); err != nil || len(state) != 1 {
		t.Fatalf("docker inspect: %v\n%s", err, insp.stdout)
	}
	if got := field(state[0], "State", "Status"); got != "exited" {
		t.Errorf("after docker stop, State.Status = %v", got)
	}
	if got := mustDocker("inspect", "-f", "{{.State.Status}} {{.Name}}", "reloj").stdout; got != "exited /reloj\n" {
		t.Errorf("docker inspect -f = %q", got)
	}
	mustDocker("start", "reloj")
	if got := mustDocker("inspect", "-f", "{{.State.Running}}", "reloj").stdout; got != "true\n" {
		t.Errorf("after docker start, Running = %q", got)
	}
	if r := d.docker("rm", "reloj"); r.code == 0 || !strings.Contains(r.stderr, "container is running") {
		t.Errorf("docker rm of a running container: %s", r)
	}
	if got := mustDocker("rm", "-f", "reloj").stdout; got != "reloj\n" {
		t.Errorf("docker rm -f printed %q", got)
	}
	if got := mustDocker("ps", "-a", "-q").stdout; got != "" {
		t.Errorf("docker ps -a -q after rm = %q", got)
	}

	images := mustDocker("images")
	if !regexp.MustCompile(`(?m)^busybox +latest +[0-9a-f]{12} +.+ago +\d`).MatchString(images.stdout) {
		t.Errorf("docker images does not list busybox:latest:\n%s", images.stdout)
	}
	if got := mustDocker("image", "inspect", "-f", "{{len .RootFS.Layers}} {{.Config.Cmd}}", "busybox").stdout; got != "1 [sh]\n" {
		t.Errorf("docker image inspect = %q, want one layer and CMD [sh]", got)
	}

	v := mustDocker("version", "-f", "{{.Server.APIVersion}} {{.Client.APIVersion}}")
	if v.stdout != "1.50 1.50\n" {
		t.Errorf("docker version: %q, want API 1.50 on both sides", v.stdout)
	}
	info := mustDocker("info", "-f", "{{.DockerRootDir}} {{.Driver}}")
	if info.stdout != d.root+" overlay2\n" {
		t.Errorf("docker info = %q, want the data root and overlay2", info.stdout)
	}
}
