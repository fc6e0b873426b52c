package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startSleeper starts a container whose init sleeps, and destroys it at the
// end of the test.
func startSleeper(tb testing.TB, r *Runtime, spec Spec) *Container {
	tb.Helper()
	if spec.ID == "" {
		spec.ID = newID(tb)
	}
	if spec.Rootfs == "" {
		spec.Rootfs = newRootfs(tb)
	}
	if spec.Args == nil {
		spec.Args = []string{"sleep", "1000"}
	}
	c, err := r.Start(spec, Stdio{})
	if err != nil {
		tb.Fatalf("Start() error = %v", err)
	}
	tb.Cleanup(func() {
		if err := c.Destroy(); err != nil {
			tb.Errorf("Destroy() error = %v", err)
		}
		assertGone(tb, r, spec.ID)
	})
	return c
}

// execRun runs spec in c and waits for it.
func execRun(tb testing.TB, c *Container, spec ProcessSpec, stdin io.Reader) result {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	p, err := c.Exec(spec, Stdio{Stdin: stdin, Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		tb.Fatalf("Exec(%q) error = %v", spec.Args, err)
	}
	code, err := p.Wait()
	if err != nil {
		tb.Fatalf("Wait() error = %v", err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

func TestExec(t *testing.T) {
	r := newTestRuntime(t)
	c := startSleeper(t, r, Spec{Env: []string{"COLOR=azul"}, Hostname: "web", Cwd: "/tmp"})
	tests := []struct {
		name string
		spec ProcessSpec
		want result
	}{
		{"stdout and stderr", ProcessSpec{Args: []string{"sh", "-c", "echo hola; echo adiós >&2"}},
			result{stdout: "hola\n", stderr: "adiós\n"}},
		{"exit code", ProcessSpec{Args: []string{"sh", "-c", "exit 3"}}, result{code: 3}},
		{"same namespaces", ProcessSpec{Args: []string{"hostname"}}, result{stdout: "web\n"}},
		{"sees the init as PID 1", ProcessSpec{Args: []string{"sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '"}},
			result{stdout: "sleep 1000 "}},
		{"env", ProcessSpec{Args: []string{"sh", "-c", "echo $COLOR $NOMBRE $PATH"}, Env: []string{"COLOR=azul", "NOMBRE=ana"}},
			result{stdout: "azul ana /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"}},
		{"default cwd is /", ProcessSpec{Args: []string{"pwd"}}, result{stdout: "/\n"}},
		{"cwd", ProcessSpec{Args: []string{"pwd"}, Cwd: "/home/estudiante"}, result{stdout: "/home/estudiante\n"}},
		{"root by default", ProcessSpec{Args: []string{"id"}}, result{stdout: "uid=0(root) gid=0(root) groups=0(root)\n"}},
		{"user by name", ProcessSpec{Args: []string{"id"}, User: "estudiante"},
			result{stdout: "uid=1000(estudiante) gid=1000(estudiante) groups=1000(estudiante),2000(alumnos)\n"}},
		{"group-add", ProcessSpec{Args: []string{"id", "-G"}, User: "nobody", GroupAdd: []string{"alumnos", "10"}},
			result{stdout: "65534 10 2000\n"}},
		{"user by uid", ProcessSpec{Args: []string{"id", "-u"}, User: "1000"}, result{stdout: "1000\n"}},
		{"uid:gid", ProcessSpec{Args: []string{"id", "-g"}, User: "1000:2000"}, result{stdout: "2000\n"}},
		{"HOME of the user", ProcessSpec{Args: []string{"sh", "-c", "echo $HOME"}, User: "estudiante"},
			result{stdout: "/home/estudiante\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := execRun(t, c, tt.spec, nil); got != tt.want {
				t.Errorf("exec %q = %+v, want %+v", tt.spec.Args, got, tt.want)
			}
		})
	}
}

func TestExecStdin(t *testing.T) {
	r := newTestRuntime(t)
	c := startSleeper(t, r, Spec{})
	got := execRun(t, c, ProcessSpec{Args: []string{"wc", "-l"}}, strings.NewReader("uno\ndos\n"))
	if want := "2"; strings.TrimSpace(got.stdout) != want || got.code != 0 {
		t.Errorf("exec wc -l with 2 lines on stdin = %+v, want stdout %q and code 0", got, want)
	}
}

func TestExecSharesCgroupAndFilesystem(t *testing.T) {
	r := newTestRuntime(t)
	rootfs := newRootfs(t)
	c := startSleeper(t, r, Spec{Rootfs: rootfs})
	got := execRun(t, c, ProcessSpec{Args: []string{"sh", "-c", "echo escrito > /tmp/desde-exec; cat /proc/self/cgroup"}}, nil)
	if got.code != 0 {
		t.Fatalf("exec = %+v, want code 0", got)
	}
	b, err := os.ReadFile(rootfs + "/tmp/desde-exec")
	if err != nil || string(b) != "escrito\n" {
		t.Errorf("file written by exec, seen from the host = %q, %v; want %q", b, err, "escrito\n")
	}
	// The init's cgroup, as the host names it, is the exec's too.
	init, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", c.Pid()))
	if err != nil {
		t.Fatal(err)
	}
	var p *Process
	p, err = c.Exec(ProcessSpec{Args: []string{"sleep", "1000"}}, Stdio{})
	if err != nil {
		t.Fatalf("Exec() error = %v", err)
	}
	waitExec(t, p.Pid(), "sleep")
	exec, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", p.Pid()))
	if err != nil {
		t.Fatal(err)
	}
	if string(exec) != string(init) {
		t.Errorf("cgroups of the exec process:\n%s\nwant the init's:\n%s", exec, init)
	}
	if !strings.Contains(string(init), r.cgroupPath(c.ID())) {
		t.Errorf("cgroups of the init %q do not name %s", init, r.cgroupPath(c.ID()))
	}
	if err := p.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("Signal() error = %v", err)
	}
	if code, _ := p.Wait(); code != 137 {
		t.Errorf("exit code after SIGKILL = %d, want 137", code)
	}
	if err := p.Signal(syscall.SIGKILL); err == nil {
		t.Error("Signal() after exit: error = nil, want an error")
	}
}

func TestExecErrors(t *testing.T) {
	r := newTestRuntime(t)
	c := startSleeper(t, r, Spec{})
	tests := []struct {
		name string
		spec ProcessSpec
		want error // nil: an error of no particular kind
	}{
		{"name not in PATH", ProcessSpec{Args: []string{"nope"}}, ErrExecNotFound},
		{"missing path", ProcessSpec{Args: []string{"/bin/nope"}}, ErrExecNotFound},
		{"not executable", ProcessSpec{Args: []string{"/etc/passwd"}}, ErrPermission},
		{"unknown user", ProcessSpec{Args: []string{"true"}, User: "nadie"}, nil},
		{"unknown group added", ProcessSpec{Args: []string{"true"}, GroupAdd: []string{"profes"}}, nil},
		{"no command", ProcessSpec{}, nil},
		{"relative cwd", ProcessSpec{Args: []string{"true"}, Cwd: "tmp"}, nil},
		{"missing cwd", ProcessSpec{Args: []string{"true"}, Cwd: "/no/existe"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := c.Exec(tt.spec, Stdio{})
			if err == nil {
				code, _ := p.Wait()
				t.Fatalf("Exec(%q) error = nil (exit code %d), want an error", tt.spec.Args, code)
			}
			for _, kind := range []error{ErrExecNotFound, ErrPermission} {
				if got, want := errors.Is(err, kind), kind == tt.want; got != want {
					t.Errorf("errors.Is(%v, %v) = %t, want %t", err, kind, got, want)
				}
			}
		})
	}
	// The container is unharmed.
	if got := execRun(t, c, ProcessSpec{Args: []string{"true"}}, nil); got.code != 0 {
		t.Errorf("exec true after the failures = %+v, want code 0", got)
	}
}

func TestExecTty(t *testing.T) {
	r := newTestRuntime(t)
	c := startSleeper(t, r, Spec{})
	stdinR, stdinW := io.Pipe()
	defer stdinW.Close()
	out := &waitWriter{want: "listo"}
	p, err := c.Exec(ProcessSpec{
		Args:        []string{"sh", "-c", "tty; echo $TERM; stty size; echo listo; read x; stty size; echo recibido $x"},
		Tty:         true,
		ConsoleRows: 24,
		ConsoleCols: 80,
	}, Stdio{Stdin: stdinR, Stdout: out})
	if err != nil {
		t.Fatalf("Exec() error = %v", err)
	}
	out.wait(t)
	if err := p.Resize(30, 100); err != nil {
		t.Fatalf("Resize() error = %v", err)
	}
	if _, err := io.WriteString(stdinW, "hola\n"); err != nil {
		t.Fatalf("writing to stdin: %v", err)
	}
	code, err := p.Wait()
	if err != nil || code != 0 {
		t.Fatalf("Wait() = %d, %v, want 0, nil (output %q)", code, err, out.String())
	}
	// The container has no terminal of its own, so the exec's is pts/0.
	want := "/dev/pts/0\r\nxterm\r\n24 80\r\nlisto\r\nhola\r\n30 100\r\nrecibido hola\r\n"
	if got := out.String(); got != want {
		t.Errorf("terminal output = %q, want %q", got, want)
	}
}

func TestExecResizeWithoutTty(t *testing.T) {
	r := newTestRuntime(t)
	c := startSleeper(t, r, Spec{})
	p, err := c.Exec(ProcessSpec{Args: []string{"true"}}, Stdio{})
	if err != nil {
		t.Fatalf("Exec() error = %v", err)
	}
	if err := p.Resize(24, 80); err == nil {
		t.Error("Resize() without Tty: error = nil, want an error")
	}
	p.Wait()
}

func TestExecEndsWithContainer(t *testing.T) {
	r := newTestRuntime(t)
	c := startSleeper(t, r, Spec{})
	p, err := c.Exec(ProcessSpec{Args: []string{"sleep", "1000"}}, Stdio{})
	if err != nil {
		t.Fatalf("Exec() error = %v", err)
	}
	waitExec(t, p.Pid(), "sleep")
	if err := c.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("Signal() error = %v", err)
	}
	select {
	case <-p.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("the exec process outlived the container's init")
	}
	if code, _ := p.Wait(); code != 137 {
		t.Errorf("exit code of the exec after its container died = %d, want 137", code)
	}
	c.Wait()
	if _, err := c.Exec(ProcessSpec{Args: []string{"true"}}, Stdio{}); err == nil {
		t.Error("Exec() in a stopped container: error = nil, want an error")
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(p.Pid())); err == nil {
		t.Errorf("process %d still exists", p.Pid())
	}
}

// BenchmarkExecTrue measures exec -> exit of `true` in a running container.
func BenchmarkExecTrue(b *testing.B) {
	r := newTestRuntime(b)
	c := startSleeper(b, r, Spec{})
	for b.Loop() {
		p, err := c.Exec(ProcessSpec{Args: []string{"true"}}, Stdio{})
		if err != nil {
			b.Fatalf("Exec() error = %v", err)
		}
		if code, err := p.Wait(); code != 0 || err != nil {
			b.Fatalf("Wait() = %d, %v, want 0, nil", code, err)
		}
	}
}
