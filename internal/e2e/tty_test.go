package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/containerd/console"
)

// ptyRun runs bolsillo on a new pseudo-terminal, as a student at a terminal
// would, and returns it with a reader of everything the terminal showed.
type ptyRun struct {
	cmd    *exec.Cmd
	master console.Console
	mu     sync.Mutex
	out    bytes.Buffer
	done   chan error
}

func (d *daemon) runOnPTY(args ...string) *ptyRun {
	d.t.Helper()
	return d.startOnPTY(exec.Command(filepath.Join(bin, "bolsillo"), append([]string{"-H", d.host()}, args...)...))
}

// startOnPTY starts cmd with a new pseudo-terminal (100x30) as its stdin,
// stdout and stderr, and records everything the terminal shows.
func (d *daemon) startOnPTY(cmd *exec.Cmd) *ptyRun {
	d.t.Helper()
	master, slavePath, err := console.NewPty()
	if err != nil {
		d.t.Fatal(err)
	}
	slave, err := os.OpenFile(slavePath, os.O_RDWR, 0)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := master.Resize(console.WinSize{Height: 30, Width: 100}); err != nil {
		d.t.Fatal(err)
	}
	p := &ptyRun{cmd: cmd, master: master, done: make(chan error, 1)}
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = slave, slave, slave
	if err := p.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	slave.Close()
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() { p.done <- p.cmd.Wait() }()
	d.t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
		}
		master.Close()
	})
	return p
}

func (p *ptyRun) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// expect waits until the terminal shows want.
func (p *ptyRun) expect(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.output(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed %q; it showed:\n%q", want, p.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *ptyRun) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(15 * time.Second):
		t.Fatalf("bolsillo did not end; the terminal showed:\n%q", p.output())
		return -1
	}
}

// run -it: a real terminal inside the container, keys in, output out, the
// exit code of the shell out.
func TestRunInteractiveTTY(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	p := d.runOnPTY("--explicar=false", "run", "-it", "--rm", "-u", "estudiante", "-w", "/tmp", "busybox", "sh")
	p.expect(t, "$ ")
	p.master.Write([]byte("tty; id -un; pwd; stty size; echo $((6*7))\n"))
	p.expect(t, "42")
	for _, want := range []string{"/dev/pts/0", "estudiante", "/tmp", "30 100"} {
		if !strings.Contains(p.output(), want) {
			t.Errorf("the terminal lacks %q:\n%q", want, p.output())
		}
	}
	p.master.Write([]byte("exit 5\n"))
	if code := p.wait(t); code != 5 {
		t.Errorf("exit code = %d, want 5 (the shell's)", code)
	}
	if r := d.must("ps", "-a", "-q"); r.stdout != "" {
		t.Errorf("--rm left %q", r.stdout)
	}
}

// ctrl-p ctrl-q detaches: the CLI ends, the container keeps running.
func TestDetachKeys(t *testing.T) {
	d := startDaemon(t)
	d.labInit()

	p := d.runOnPTY("--explicar=false", "run", "-it", "--name", "sigue", "busybox", "sh")
	p.expect(t, "# ")
	p.master.Write([]byte{0x10, 0x11})
	if code := p.wait(t); code != 0 {
		t.Errorf("exit code after detaching = %d, want 0\n%q", code, p.output())
	}
	if got := field(d.inspect("sigue"), "State", "Running"); got != true {
		t.Errorf("after ctrl-p ctrl-q the container is not running (Running=%v)", got)
	}
	d.must("rm", "-f", "sigue")
}

// On a terminal the explanation is laid out and colored: no
// Markdown markers reach the student.
func TestExplanationRenderedOnTerminal(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	p := d.runOnPTY("run", "--rm", "busybox", "echo", "hola")
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit code %d\n%q", code, p.output())
	}
	out := p.output()
	if !strings.Contains(out, "hola") || !strings.Contains(out, "capa de solo lectura") {
		t.Fatalf("the terminal lacks the output or the explanation:\n%q", out)
	}
	if strings.Contains(out, "# Contenedor") || strings.Contains(out, "\n- La imagen") {
		t.Errorf("the explanation reached the terminal as raw Markdown:\n%q", out)
	}
	if !strings.Contains(out, "•") {
		t.Errorf("no rendered bullets on the terminal:\n%q", out)
	}
}

func TestRunOptions(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"user", []string{"-u", "estudiante", "busybox", "id"}, "uid=1000(estudiante) gid=1000(estudiante) groups=1000(estudiante)"},
		{"group-add", []string{"-u", "estudiante", "--group-add", "10", "--group-add", "root", "busybox", "id", "-G"}, "1000 0 10"},
		{"uid", []string{"-u", "65534", "busybox", "id", "-u"}, "65534"},
		{"workdir created", []string{"-w", "/nuevo/dir", "busybox", "pwd"}, "/nuevo/dir"},
		{"entrypoint", []string{"--entrypoint", "echo", "busybox", "desde", "entrypoint"}, "desde entrypoint"},
		{"hostname", []string{"--hostname", "aula", "busybox", "hostname"}, "aula"},
		{"env", []string{"-e", "CURSO=docker", "busybox", "sh", "-c", "echo $CURSO"}, "docker"},
		{"pid 1", []string{"busybox", "sh", "-c", "echo $$"}, "1"},
		{"own network namespace", []string{"busybox", "ls", "/sys/class/net"}, "eth0\nlo"},
		{"network none", []string{"--network", "none", "busybox", "ls", "/sys/class/net"}, "lo"},
		{"memory limit", []string{"-m", "64m", "busybox", "sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max"}, "67108864"},
		{"hosts file", []string{"busybox", "grep", "-c", "localhost", "/etc/hosts"}, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := d.must(append([]string{"--explicar=false", "run", "--rm"}, tt.args...)...)
			if got := strings.TrimSpace(r.stdout); got != tt.want {
				t.Errorf("stdout = %q, want %q", got, tt.want)
			}
		})
	}
}

// The socket is not world-writable: only root and the bolsillo group.
func TestSocketMode(t *testing.T) {
	d := startDaemon(t)
	fi, err := os.Stat(d.sock)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o660 {
		t.Errorf("socket mode = %o, want 660", got)
	}
}

// attach joins a running container's terminal; ctrl-p ctrl-q leaves it
// running; attach to a stopped container says to start it.
func TestAttach(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "-it", "--name", "consola", "busybox", "sh")

	p := d.runOnPTY("--explicar=false", "attach", "consola")
	p.master.Write([]byte("echo $((2+3))x\n"))
	p.expect(t, "5x")
	p.master.Write([]byte{0x10, 0x11})
	if code := p.wait(t); code != 0 {
		t.Errorf("attach exit code after detaching = %d\n%q", code, p.output())
	}
	if got := field(d.inspect("consola"), "State", "Running"); got != true {
		t.Errorf("after detaching, Running = %v", got)
	}
	d.must("stop", "-t", "0", "consola")
	r := d.bolsillo("attach", "consola")
	if r.code == 0 || !strings.Contains(r.stderr, "start -ai") {
		t.Errorf("attach to a stopped container: %s", r)
	}
	d.must("rm", "consola")
}

// run -it from a script fails before creating anything, as docker does,
// with the Spanish explanation; a detached bare shell ends at once and the
// explanation says why.
func TestRunWithoutTerminal(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	r := d.bolsillo("run", "-it", "--name", "sinterminal", "busybox", "true")
	if r.code == 0 || !strings.Contains(r.stderr, "Tu entrada no es una terminal") {
		t.Errorf("run -it without a terminal: %s", r)
	}
	if ps := d.must("--explicar=false", "ps", "-a", "-q").stdout; ps != "" {
		t.Errorf("run -it without a terminal left containers: %q", ps)
	}
	k := d.docker("run", "-it", "busybox", "true")
	if k.code != r.code {
		t.Errorf("exit code %d, docker's %d", r.code, k.code)
	}

	r = d.must("run", "-d", "--name", "breve", "busybox", "sh", "-c", "echo me voy; exit 2")
	// The explanation reads the state right after start: the process may
	// not have ended yet, so only an explanation of an ended run is checked.
	if strings.Contains(r.stderr, "ya terminó") && !strings.Contains(r.stderr, "me voy") {
		t.Errorf("a detached run that ended does not show its last lines:\n%s", r.stderr)
	}
}
