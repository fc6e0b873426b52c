package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var fullID = regexp.MustCompile(`^[0-9a-f]{64}\n$`)

// inspect returns the decoded `bolsillo inspect` of one object.
func (d *daemon) inspect(name string) map[string]any {
	d.t.Helper()
	r := d.must("--explicar=false", "inspect", name)
	var out []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out) != 1 {
		d.t.Fatalf("inspect %s: %v\n%s", name, err, r.stdout)
	}
	return out[0]
}

func field(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRunRemoveLeavesNothing(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	r := d.must("run", "--rm", "busybox", "echo", "hola")
	if r.stdout != "hola\n" {
		t.Errorf("stdout = %q, want %q", r.stdout, "hola\n")
	}
	// The explanation goes to stderr and speaks of the layers.
	if !strings.Contains(r.stderr, "capa") {
		t.Errorf("stderr has no explanation about layers:\n%s", r.stderr)
	}
	if r := d.must("ps", "-a", "-q"); r.stdout != "" {
		t.Errorf("ps -a -q after --rm = %q, want nothing", r.stdout)
	}
	ents, err := os.ReadDir(filepath.Join(d.root, "containers"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Errorf("containers/ holds %d entries after --rm, want 0", len(ents))
	}
}

func TestRunExplanationOff(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	for _, tc := range []struct {
		name string
		args []string
		env  []string
	}{
		{"flag", []string{"--explicar=false", "run", "--rm", "busybox", "echo", "hola"}, nil},
		{"env", []string{"run", "--rm", "busybox", "echo", "hola"}, []string{"BOLSILLO_EXPLICAR=0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			argv := append([]string{filepath.Join(bin, "bolsillo"), "-H", d.host()}, tc.args...)
			r := d.exec(argv, tc.env)
			if r.code != 0 || r.stdout != "hola\n" || r.stderr != "" {
				t.Errorf("want only hola on stdout and nothing on stderr, got %s", r)
			}
		})
	}
}

func TestMainProcessEndsContainer(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	r := d.bolsillo("run", "--name", "corto", "busybox", "sh", "-c", "echo fuera; echo error >&2; exit 3")
	if r.code != 3 {
		t.Fatalf("exit code = %d, want 3 (the container's)\n%s", r.code, r)
	}
	if r.stdout != "fuera\n" {
		t.Errorf("stdout = %q, want %q", r.stdout, "fuera\n")
	}
	if !strings.Contains(r.stderr, "error\n") {
		t.Errorf("stderr lacks the container's stderr:\n%s", r.stderr)
	}
	c := d.inspect("corto")
	if got := field(c, "State", "Status"); got != "exited" {
		t.Errorf("State.Status = %v, want exited", got)
	}
	if got := field(c, "State", "ExitCode"); got != float64(3) {
		t.Errorf("State.ExitCode = %v, want 3", got)
	}
	if r := d.must("ps", "-q"); r.stdout != "" {
		t.Errorf("ps -q shows an exited container: %q", r.stdout)
	}
	if r := d.must("ps", "-a", "-q"); strings.TrimSpace(r.stdout) != field(c, "Id").(string)[:12] {
		t.Errorf("ps -a -q = %q, want the short ID of corto", r.stdout)
	}
	ps := d.must("ps", "-a")
	if !regexp.MustCompile(`Exited \(3\) .* ago +corto`).MatchString(ps.stdout) {
		t.Errorf("ps -a does not show corto as Exited (3):\n%s", ps.stdout)
	}
}

func TestDetachedLogsFollow(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	r := d.must("run", "-d", "--name", "reloj", "-e", "TZ=UTC", "busybox", "sh", "-c", "while true; do date; sleep 0.2; done")
	if !fullID.MatchString(r.stdout) {
		t.Fatalf("run -d stdout = %q, want the full container ID", r.stdout)
	}
	c := d.inspect("reloj")
	env, _ := field(c, "Config", "Env").([]any)
	if !containsAny(env, "TZ=UTC") {
		t.Errorf("Config.Env = %v, want TZ=UTC in it", env)
	}
	if pid, _ := field(c, "State", "Pid").(float64); pid <= 0 {
		t.Errorf("State.Pid = %v, want the host PID", pid)
	}
	ps := d.must("ps")
	if !strings.Contains(ps.stdout, "reloj") || !strings.Contains(ps.stdout, "Up ") {
		t.Errorf("ps does not list reloj as Up:\n%s", ps.stdout)
	}

	// logs -f follows until the container stops.
	cmd := exec.Command(filepath.Join(bin, "bolsillo"), "-H", d.host(), "--explicar=false", "logs", "-f", "reloj")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	lines := 0
	for lines < 3 && sc.Scan() {
		if !strings.Contains(sc.Text(), "UTC") {
			t.Errorf("log line %q lacks UTC: -e TZ=UTC did not reach the process", sc.Text())
		}
		lines++
	}
	d.must("stop", "-t", "1", "reloj")
	done := make(chan error, 1)
	go func() {
		for sc.Scan() {
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("logs -f: %v", err)
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("logs -f did not end after the container stopped")
	}

	tail := d.must("--explicar=false", "logs", "--tail", "2", "-t", "reloj")
	tl := strings.Split(strings.TrimSpace(tail.stdout), "\n")
	if len(tl) != 2 {
		t.Fatalf("logs --tail 2 gave %d lines:\n%s", len(tl), tail.stdout)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z `).MatchString(tl[0]) {
		t.Errorf("logs -t line %q lacks Docker's timestamp", tl[0])
	}
}

func containsAny(list []any, want string) bool {
	for _, v := range list {
		if v == want {
			return true
		}
	}
	return false
}

func TestStopStartKeepsWritableLayer(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	d.must("run", "-d", "--name", "caja", "busybox", "sh", "-c",
		"cat /datos.txt 2>/dev/null; echo escrito >> /datos.txt; sleep 1000")
	c := d.inspect("caja")
	upper := field(c, "GraphDriver", "Data", "UpperDir").(string)
	if !strings.HasPrefix(upper, d.root) {
		t.Fatalf("UpperDir %q is not under the data root %q", upper, d.root)
	}
	waitFor(t, "the file in the writable layer", func() bool {
		_, err := os.Stat(filepath.Join(upper, "datos.txt"))
		return err == nil
	})

	d.must("stop", "-t", "1", "caja")
	if got := field(d.inspect("caja"), "State", "Status"); got != "exited" {
		t.Errorf("after stop, State.Status = %v", got)
	}
	if _, err := os.Stat(filepath.Join(upper, "datos.txt")); err != nil {
		t.Errorf("the writable layer lost its file on stop: %v", err)
	}

	d.must("start", "caja")
	// The second run sees what the first wrote.
	waitFor(t, "the second run's output", func() bool {
		return strings.Contains(d.must("--explicar=false", "logs", "caja").stdout, "escrito")
	})

	before := field(d.inspect("caja"), "State", "StartedAt")
	d.must("restart", "-t", "1", "caja")
	after := d.inspect("caja")
	if field(after, "State", "StartedAt") == before || field(after, "State", "Running") != true {
		t.Errorf("restart did not start the container again: %v -> %v", before, field(after, "State"))
	}

	// rm without -f refuses a running container, and explains it.
	r := d.bolsillo("rm", "caja")
	if r.code == 0 {
		t.Fatalf("rm of a running container succeeded:\n%s", r)
	}
	d.must("rm", "-f", "caja")
	if _, err := os.Stat(upper); !os.IsNotExist(err) {
		t.Errorf("rm left the writable layer at %s (err %v)", upper, err)
	}
}

func TestErrors(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string // a piece of the Spanish explanation
	}{
		{"image not found", []string{"run", "--rm", "noexiste"}, 125, "lab init"},
		{"executable not found", []string{"run", "--name", "roto", "busybox", "noexiste"}, 127, "noexiste"},
		{"name in use", []string{"run", "--name", "roto", "busybox", "true"}, 125, "roto"},
		{"no such container", []string{"stop", "fantasma"}, 1, "fantasma"},
		{"bad memory", []string{"run", "-m", "banana", "busybox", "true"}, 125, "banana"},
		// Refused at create, as in Docker: no container is left.
		{"relative workdir", []string{"run", "--name", "relativo", "-w", "app", "busybox", "pwd"}, 125, "`-w /app`"},
		{"unknown user", []string{"run", "--rm", "-u", "nadie", "busybox", "id"}, 125, "`nadie` no existe"},
		{"unknown group", []string{"run", "--rm", "--group-add", "profes", "busybox", "id"}, 125, "`profes` no existe"},
		{"one-character name", []string{"run", "--name", "x", "busybox", "true"}, 125, "dos caracteres"},
		{"cpuset cpus missing", []string{"run", "--rm", "--cpuset-cpus", "64", "busybox", "true"}, 125, "contadas desde 0"},
		{"too many cpus", []string{"run", "--rm", "--cpus", "512", "busybox", "true"}, 125, "`--cpus 0.5`"},
		{"swap below memory", []string{"run", "--rm", "-m", "64m", "--memory-swap", "32m", "busybox", "true"}, 125, "memoria más swap"},
		{"volume name with a slash", []string{"run", "--rm", "-v", "web/html:/www", "busybox", "true"}, 125, "no es un nombre de volumen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := d.bolsillo(tt.args...)
			if r.code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\n%s", r.code, tt.wantCode, r)
			}
			if !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, r.stderr)
			}
		})
	}
	// Docker leaves a container whose command was not found as "created".
	if got := field(d.inspect("roto"), "State", "Status"); got != "created" {
		t.Errorf("State.Status of roto = %v, want created", got)
	}
	for _, name := range []string{"relativo", "x"} {
		if r := d.bolsillo("inspect", name); r.code == 0 {
			t.Errorf("a refused create left container %s behind", name)
		}
	}
	// The daemon is not running: the error says how to start it.
	r := d.exec([]string{filepath.Join(bin, "bolsillo"), "-H", "unix:///nonexistent/bolsillo.sock", "ps"}, nil)
	if r.code == 0 || !strings.Contains(r.stderr, "bolsillod") {
		t.Errorf("with no daemon, want an error naming bolsillod:\n%s", r)
	}
}

// start -a attaches to a stopped container and runs it again, with the
// exit code of its main process.
func TestStartAttach(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	d.must("create", "--name", "otra", "busybox", "sh", "-c", "echo vez >> /veces; wc -l < /veces; exit 4")
	for i, want := range []string{"1", "2"} {
		r := d.bolsillo("--explicar=false", "start", "-a", "otra")
		if r.code != 4 {
			t.Fatalf("start -a #%d: exit code %d, want 4\n%s", i+1, r.code, r)
		}
		if got := strings.TrimSpace(r.stdout); got != want {
			t.Errorf("start -a #%d printed %q, want %q: the writable layer keeps the file between runs", i+1, got, want)
		}
	}
}

// A TTY container logs one raw stream.
func TestLogsOfTTYContainer(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-t", "--name", "contty", "busybox", "sh", "-c", "echo salida; echo error >&2")
	r := d.must("--explicar=false", "logs", "contty")
	if r.stdout != "salida\r\nerror\r\n" {
		t.Errorf("logs of a TTY container = %q, want both lines with the terminal's \\r\\n on stdout", r.stdout)
	}
}
