package e2e

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The seed's architecture seen live: `bolsillo monitor` shows the calls the
// real docker CLI (and docker-py) make against bolsillod, each explained.
func TestMonitorShowsDockerCLI(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	var stdout, stderr lockedBuffer
	mon := exec.Command(filepath.Join(bin, "bolsillo"), "-H", d.host(), "monitor")
	mon.Stdout, mon.Stderr = &stdout, &stderr
	if err := mon.Start(); err != nil {
		t.Fatal(err)
	}
	monDone := make(chan error, 1)
	go func() { monDone <- mon.Wait() }()
	t.Cleanup(func() {
		_ = mon.Process.Kill()
		<-monDone
	})
	waitForMonitor(t, "the monitor to subscribe", func() bool { return strings.Contains(stderr.String(), "Escuchando") }, &stderr, &stdout)

	if r := d.docker("run", "--rm", "busybox", "true"); r.code != 0 {
		t.Fatalf("docker run: %s", r)
	}
	// A request starting with the docker CLI as client, to a path of the
	// container, with the Spanish line of that call.
	call := func(method, path, status, sentence string) *regexp.Regexp {
		return regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d\.\d{3}  docker CLI 28\.[0-9.]+ \(pid \d+\)  ` + method + ` /v1\.\d+` + path + `  ` + status + `  .*` + regexp.QuoteMeta(sentence))
	}
	want := []struct {
		name string
		re   *regexp.Regexp
	}{
		{"create", call("POST", `/containers/create`, "201", "pide al daemon que cree un contenedor nuevo")},
		{"attach", call("POST", `/containers/[0-9a-f]{64}/attach\?\S*stream=1`, "101", "conecta tu terminal a la salida del contenedor")},
		{"wait", call("POST", `/containers/[0-9a-f]{64}/wait\?condition=removed`, "200", "termine y se borre (--rm)")},
		{"start", call("POST", `/containers/[0-9a-f]{64}/start`, "204", "arranca el contenedor")},
	}
	waitForMonitor(t, "the monitor to show the run", func() bool {
		for _, w := range want {
			if !w.re.MatchString(stdout.String()) {
				return false
			}
		}
		return true
	}, &stderr, &stdout)
	out := stdout.String()
	pos := map[string]int{}
	for _, w := range want {
		pos[w.name] = w.re.FindStringIndex(out)[0]
	}
	// The docker CLI attaches before it starts, so no output is lost.
	if pos["attach"] > pos["start"] || pos["create"] > pos["attach"] {
		t.Errorf("order create %d, attach %d, start %d; want create < attach < start\n%s", pos["create"], pos["attach"], pos["start"], out)
	}
	if strings.Contains(out, "/bolsillo/monitor") {
		t.Errorf("the monitor reported its own request:\n%s", out)
	}

	if exec.Command("python3", "-c", "import docker").Run() == nil {
		script := "import docker, sys\nc = docker.DockerClient(base_url=sys.argv[1])\nc.containers.list(all=True)\n"
		if r := d.exec([]string{"python3", "-c", script, d.host()}, nil); r.code != 0 {
			t.Fatalf("docker-py: %s", r)
		}
		dockerpy := regexp.MustCompile(`(?m)  docker-py 7\.[0-9.]+ \(pid \d+\)  GET /v1\.\d+/containers/json\?\S*all=1\S*  200  .*lista los contenedores, también los parados$`)
		waitForMonitor(t, "the monitor to show docker-py", func() bool { return dockerpy.MatchString(stdout.String()) }, &stderr, &stdout)
	}
}

// --explicar-api prints the same calls for bolsillo's own run.
func TestExplicarAPIRun(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	r := d.bolsillo("--explicar=false", "--explicar-api", "run", "--rm", "busybox", "echo", "hola")
	if r.code != 0 || r.stdout != "hola\n" {
		t.Fatalf("run: %s", r)
	}
	for _, w := range []string{
		`(?m)^→ POST /v1\.50/containers/create  201  .* pide al daemon que cree un contenedor nuevo`,
		`(?m)^→ POST /v1\.50/containers/[0-9a-f]{64}/attach\?\S+  101  .* conecta tu terminal a la salida del contenedor`,
		`(?m)^→ POST /v1\.50/containers/[0-9a-f]{64}/wait\?condition=removed  200  `,
		`(?m)^→ POST /v1\.50/containers/[0-9a-f]{64}/start  204  .* arranca el contenedor`,
	} {
		if !regexp.MustCompile(w).MatchString(r.stderr) {
			t.Errorf("stderr does not match %s\n%s", w, r.stderr)
		}
	}
}

// waitForMonitor polls cond for up to 20 seconds.
func waitForMonitor(t *testing.T, what string, cond func() bool, stderr, stdout *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s\nmonitor stderr:\n%s\nmonitor stdout:\n%s", what, stderr, stdout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
