package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runDockerOnPTY runs the real docker CLI against the daemon on a new
// pseudo-terminal, as runOnPTY does for bolsillo.
func (d *daemon) runDockerOnPTY(args ...string) *ptyRun {
	d.t.Helper()
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+d.host(), "DOCKER_CONFIG="+d.t.TempDir(), "DOCKER_CLI_HINTS=false")
	return d.startOnPTY(cmd)
}

// bolsillo exec: -u, -e, -w, exit codes, -d, and the explanation.
func TestExec(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "web", "-e", "COLOR=azul", "busybox", "sleep", "1000")

	tests := []struct {
		name       string
		args       []string
		wantStdout string
		wantCode   int
	}{
		{"user by name", []string{"-u", "estudiante", "web", "id", "-u"}, "1000\n", 0},
		{"user by uid", []string{"-u", "1000", "web", "id", "-un"}, "estudiante\n", 0},
		{"env on top of the container's", []string{"-e", "NOMBRE=ana", "web", "sh", "-c", "echo $COLOR $NOMBRE"}, "azul ana\n", 0},
		{"workdir", []string{"-w", "/tmp", "web", "pwd"}, "/tmp\n", 0},
		{"exit code", []string{"web", "sh", "-c", "exit 3"}, "", 3},
		{"stdout and stderr apart", []string{"web", "sh", "-c", "echo out; echo err >&2"}, "out\n", 0},
		{"command not found", []string{"web", "nope"}, "", 127},
		{"not executable", []string{"web", "/etc/passwd"}, "", 126},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := d.bolsillo(append([]string{"--explicar=false", "exec"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d\n%s", r.code, tt.wantCode, r)
			}
			if tt.wantCode < 126 && r.stdout != tt.wantStdout {
				t.Errorf("stdout = %q, want %q", r.stdout, tt.wantStdout)
			}
		})
	}

	// The explanation speaks of the real process.
	r := d.must("exec", "-u", "estudiante", "web", "id", "-u")
	for _, want := range []string{"espacios de nombres", "estudiante", "PID", "sigue corriendo"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the explanation lacks %q:\n%s", want, r.stderr)
		}
	}

	// -d returns at once; the process runs in the container.
	start := time.Now()
	d.must("--explicar=false", "exec", "-d", "web", "sh", "-c", "sleep 2; touch /tmp/listo")
	if el := time.Since(start); el > 1500*time.Millisecond {
		t.Errorf("exec -d took %v, want it to return at once", el)
	}
	waitFor(t, "the detached exec to finish", func() bool {
		return d.bolsillo("--explicar=false", "exec", "web", "test", "-f", "/tmp/listo").code == 0
	})
	if got := field(d.inspect("web"), "State", "Running"); got != true {
		t.Errorf("the container stopped after its execs (Running=%v)", got)
	}

	// A stopped container: Docker's message and the Spanish explanation.
	d.must("stop", "-t", "0", "web")
	r = d.bolsillo("exec", "web", "true")
	if r.code != 1 || !strings.Contains(r.stderr, "is not running") || !strings.Contains(r.stderr, "`exec` necesita un contenedor en marcha") {
		t.Errorf("exec into a stopped container = %s\nwant exit 1, Docker's message and the explanation", r)
	}
	d.must("rm", "web")
}

// exec -it on a terminal: type a command and read its echo.
func TestExecInteractiveTTY(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "web", "busybox", "sleep", "1000")

	p := d.runOnPTY("--explicar=false", "exec", "-it", "-u", "estudiante", "web", "sh")
	p.expect(t, "$ ")
	p.master.Write([]byte("tty; stty size; echo $((6*7))\n"))
	p.expect(t, "42")
	for _, want := range []string{"echo $((6*7))", "/dev/pts/0", "30 100"} {
		if !strings.Contains(p.output(), want) {
			t.Errorf("the terminal lacks %q:\n%q", want, p.output())
		}
	}
	p.master.Write([]byte("exit 4\n"))
	if code := p.wait(t); code != 4 {
		t.Errorf("exit code = %d, want 4 (the shell's)", code)
	}
	if got := field(d.inspect("web"), "State", "Running"); got != true {
		t.Errorf("the container stopped when the exec shell exited (Running=%v)", got)
	}

	// ctrl-p ctrl-q leaves the exec shell running.
	p = d.runOnPTY("--explicar=false", "exec", "-it", "web", "sh")
	p.expect(t, "# ")
	p.master.Write([]byte{0x10, 0x11})
	if code := p.wait(t); code != 0 {
		t.Errorf("exit code after detaching = %d, want 0\n%q", code, p.output())
	}
	d.must("rm", "-f", "web")
}

// The real docker CLI: docker exec, its exit codes, and docker exec -it.
func TestDockerExec(t *testing.T) {
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("the docker CLI is not installed")
	}
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "web", "busybox", "sleep", "1000")

	if r := d.docker("exec", "-u", "estudiante", "-e", "A=b", "-w", "/tmp", "web", "sh", "-c", "id -u; echo $A; pwd"); r.code != 0 || r.stdout != "1000\nb\n/tmp\n" {
		t.Errorf("docker exec -u -e -w = %s\nwant 1000, b, /tmp", r)
	}
	if r := d.docker("exec", "web", "sh", "-c", "exit 3"); r.code != 3 {
		t.Errorf("docker exec exit 3: exit code %d, want 3", r.code)
	}
	if r := d.docker("exec", "web", "nope"); r.code != 127 || !strings.Contains(r.stdout+r.stderr, `exec: "nope": executable file not found`) {
		t.Errorf("docker exec nope = %s\nwant 127 and the lookup error", r)
	}
	if r := d.docker("exec", "-d", "web", "sleep", "5"); r.code != 0 || r.stdout != "" {
		t.Errorf("docker exec -d = %s, want exit 0 and nothing printed", r)
	}
	if r := d.docker("exec", "-i", "web", "cat"); r.code != 0 {
		t.Errorf("docker exec -i cat with empty stdin = %s, want exit 0", r)
	}

	p := d.runDockerOnPTY("exec", "-it", "web", "sh")
	p.expect(t, "# ")
	p.master.Write([]byte("stty size; echo $((6*7))\n"))
	p.expect(t, "42")
	if !strings.Contains(p.output(), "30 100") {
		t.Errorf("docker exec -it: the terminal lacks its size 30 100:\n%q", p.output())
	}
	p.master.Write([]byte("exit 2\n"))
	if code := p.wait(t); code != 2 {
		t.Errorf("docker exec -it exit code = %d, want 2", code)
	}

	d.must("stop", "-t", "0", "web")
	if r := d.docker("exec", "web", "true"); r.code == 0 || !strings.Contains(r.stderr, "is not running") {
		t.Errorf("docker exec into a stopped container = %s, want an error saying it is not running", r)
	}
	d.must("rm", "web")
}

// docker-py: exec_run returns the exit code and streams.
func TestDockerPyExec(t *testing.T) {
	if exec.Command("python3", "-c", "import docker").Run() != nil {
		t.Skip("docker-py is not installed in python3")
	}
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "web", "busybox", "sleep", "1000")

	script := `
import docker, sys
c = docker.DockerClient(base_url=sys.argv[1])
ctr = c.containers.get("web")
r = ctr.exec_run("sh -c 'exit 3'")
print("exit:", r.exit_code)
r = ctr.exec_run("id -u", user="estudiante", environment={"A": "b"}, workdir="/tmp")
print("user:", r.exit_code, r.output.decode().strip())
r = ctr.exec_run(["sh", "-c", "echo o; echo e >&2"], demux=True)
print("demux:", r.output)
r = ctr.exec_run(["sh", "-c", "echo uno; sleep 0.3; echo dos"], stream=True)
print("stream:", [chunk.decode() for chunk in r.output])
api = c.api
e = api.exec_create("web", ["sh", "-c", "sleep 0.5; exit 4"])
api.exec_start(e["Id"], detach=True)
print("running:", api.exec_inspect(e["Id"])["Running"], api.exec_inspect(e["Id"])["ExitCode"])
import time
time.sleep(1.5)
print("done:", api.exec_inspect(e["Id"])["Running"], api.exec_inspect(e["Id"])["ExitCode"])
`
	r := d.exec([]string{"python3", "-c", script, d.host()}, nil)
	if r.code != 0 {
		t.Fatalf("docker-py: %s\ndaemon log:\n%s", r, d.log)
	}
	want := []string{
		"exit: 3",
		"user: 0 1000",
		"demux: (b'o\\n', b'e\\n')",
		"stream: ['uno\\n', 'dos\\n']",
		"running: True None",
		"done: False 4",
	}
	if got := strings.Split(strings.TrimSpace(r.stdout), "\n"); !slices.Equal(got, want) {
		t.Errorf("docker-py exec output:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	d.must("rm", "-f", "web")
}

// The latency of `exec true`, end to end through the CLI, for the
// benchmark notes (make bench compares it with Docker).
func TestExecLatency(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "web", "busybox", "sleep", "1000")
	const n = 10
	var times []time.Duration
	for range n {
		start := time.Now()
		d.must("--explicar=false", "exec", "web", "true")
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	t.Logf("bolsillo exec web true: median %v over %d runs (min %v, max %v)", times[n/2], n, times[0], times[n-1])
	d.must("rm", "-f", "web")
}

// Execs started while the container's main process ends: each one runs
// (0), is refused because the container is not running (1), fails to start
// because the container went away as it joined (126), or is killed with the
// container (137); none hangs, and nothing is left behind (the harness
// checks cgroups, processes and descriptors). Meanwhile the rest of the API
// answers.
func TestExecRacesContainerExit(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	for round := range 3 {
		name := "breve" + strconv.Itoa(round)
		d.must("--explicar=false", "run", "-d", "--name", name, "busybox", "sleep", "0.4")
		errs := loadParallel(24, 6, func(i int) error {
			time.Sleep(time.Duration(i) * 25 * time.Millisecond)
			r := d.bolsillo("--explicar=false", "exec", name, "true")
			switch {
			case r.code == 0, r.code == 126, r.code == 137:
			case r.code == 1 && strings.Contains(r.stderr, "is not running"):
			default:
				return fmt.Errorf("exec %d: %s", i, r)
			}
			if r := d.bolsillo("--explicar=false", "ps", "-a", "-q"); r.code != 0 {
				return fmt.Errorf("ps during the execs: %s", r)
			}
			return nil
		})
		for _, err := range errs {
			t.Error(err)
		}
		d.must("--explicar=false", "wait", name)
		if got := field(d.inspect(name), "State", "Status"); got != "exited" {
			t.Errorf("%s after its end: status %v, want exited", name, got)
		}
	}
}
