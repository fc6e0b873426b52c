package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opencontainers/cgroups"
)

func TestRunStdoutStderr(t *testing.T) {
	r := newTestRuntime(t)
	got := run(t, r, Spec{Args: []string{"sh", "-c", "echo hola; echo adiós >&2"}})
	want := result{stdout: "hola\n", stderr: "adiós\n", code: 0}
	if got != want {
		t.Errorf("run = %+v, want %+v", got, want)
	}
}

func TestRunExitCode(t *testing.T) {
	r := newTestRuntime(t)
	rootfs := newRootfs(t)
	tests := []struct {
		script string
		want   int
	}{
		{"exit 0", 0},
		{"exit 3", 3},
		{"exit 255", 255},
		{"nope", 127}, // the shell reports a missing command
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			got := run(t, r, Spec{Rootfs: rootfs, Args: []string{"sh", "-c", tt.script}})
			if got.code != tt.want {
				t.Errorf("exit code of %q = %d, want %d (stderr %q)", tt.script, got.code, tt.want, got.stderr)
			}
		})
	}
}

func TestStartErrors(t *testing.T) {
	r := newTestRuntime(t)
	rootfs := newRootfs(t)
	tests := []struct {
		name string
		spec Spec
		want error // nil: an error of no particular kind
	}{
		{"name not in PATH", Spec{Args: []string{"nope"}}, ErrExecNotFound},
		{"missing path", Spec{Args: []string{"/bin/nope"}}, ErrExecNotFound},
		{"not executable", Spec{Args: []string{"/etc/passwd"}}, ErrPermission},
		{"directory", Spec{Args: []string{"/etc"}}, ErrPermission},
		{"unknown user", Spec{Args: []string{"true"}, User: "nadie"}, nil},
		{"unknown group added", Spec{Args: []string{"true"}, GroupAdd: []string{"profes"}}, nil},
		{"no command", Spec{}, nil},
		{"bad network mode", Spec{Args: []string{"true"}, NetworkMode: "bridge"}, nil},
		{"missing mount source", Spec{Args: []string{"true"}, Mounts: []Mount{{Source: "/nonexistent", Destination: "/etc/hosts"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec
			spec.ID = newID(t)
			spec.Rootfs = rootfs
			c, err := r.Start(spec, Stdio{})
			if err == nil {
				c.Destroy()
				t.Fatalf("Start(%q) error = nil, want an error", spec.Args)
			}
			for _, kind := range []error{ErrExecNotFound, ErrPermission} {
				if got, want := errors.Is(err, kind), kind == tt.want; got != want {
					t.Errorf("errors.Is(%v, %v) = %t, want %t", err, kind, got, want)
				}
			}
			assertGone(t, r, spec.ID)
			assertNotOpen(t, filepath.Join(r.stateRoot, spec.ID))
		})
	}
}

// assertNotOpen checks that this process holds no file under dir open: a
// daemon runs for months, and every failed start would leave one.
func assertNotOpen(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir("/proc/self/fd")
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err == nil && strings.HasPrefix(target, dir+"/") {
			t.Errorf("fd %s is still open on %s", e.Name(), target)
		}
	}
}

func TestSignal(t *testing.T) {
	r := newTestRuntime(t)
	rootfs := newRootfs(t)
	tests := []struct {
		name   string
		args   []string
		signal syscall.Signal
		want   int
	}{
		{"SIGKILL", []string{"sleep", "100"}, syscall.SIGKILL, 137},
		// PID 1 of a namespace ignores signals it has no handler for
		// (except SIGKILL): like Docker's, a container dies of SIGTERM only
		// if its process handles it.
		{"SIGTERM trapped", []string{"sh", "-c", "trap 'exit 143' TERM; sleep 100 & wait"}, syscall.SIGTERM, 143},
		{"SIGINT trapped", []string{"sh", "-c", "trap 'exit 130' INT; sleep 100 & wait"}, syscall.SIGINT, 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ready := &waitWriter{want: "listo"}
			args := tt.args
			if args[0] == "sh" {
				// Announce that the trap is installed before signaling.
				args = []string{"sh", "-c", strings.Replace(args[2], "; sleep", "; echo listo; sleep", 1)}
			}
			c, err := r.Start(Spec{ID: newID(t), Rootfs: rootfs, Args: args}, Stdio{Stdout: ready})
			if err != nil {
				t.Fatalf("Start() error = %v", err)
			}
			defer c.Destroy()
			if args[0] == "sh" {
				ready.wait(t)
			}
			if err := c.Signal(tt.signal); err != nil {
				t.Fatalf("Signal(%v) error = %v", tt.signal, err)
			}
			code, err := c.Wait()
			if err != nil {
				t.Fatalf("Wait() error = %v", err)
			}
			if code != tt.want {
				t.Errorf("exit code after %v = %d, want %d", tt.signal, code, tt.want)
			}
			if err := c.Signal(tt.signal); err == nil {
				t.Errorf("Signal(%v) after exit: error = nil, want an error", tt.signal)
			}
		})
	}
}

func TestSIGTERMIgnoredByPID1(t *testing.T) {
	r := newTestRuntime(t)
	c, err := r.Start(Spec{ID: newID(t), Rootfs: newRootfs(t), Args: []string{"sleep", "100"}}, Stdio{})
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	defer c.Destroy()
	// Until it has executed sleep, the init process is libcontainer's,
	// whose Go runtime handles SIGTERM.
	waitExec(t, c.Pid(), "sleep")
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("Signal(SIGTERM) error = %v", err)
	}
	select {
	case <-c.Exited():
		t.Fatal("sleep as PID 1 exited on SIGTERM, want it to keep running")
	case <-time.After(300 * time.Millisecond):
	}
	if err := c.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("Signal(SIGKILL) error = %v", err)
	}
	if code, _ := c.Wait(); code != 137 {
		t.Errorf("exit code after SIGKILL = %d, want 137", code)
	}
}

// waitExec waits until process pid runs the program comm.
func waitExec(tb testing.TB, pid int, comm string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err == nil && strings.TrimSpace(string(b)) == comm {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("process %d never ran %s (comm %q, %v)", pid, comm, b, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitWriter is an io.Writer that signals once it has seen want.
type waitWriter struct {
	want string
	mu   sync.Mutex
	buf  bytes.Buffer
	once sync.Once
	seen chan struct{}
}

func (w *waitWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.once.Do(func() { w.seen = make(chan struct{}) })
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		select {
		case <-w.seen:
		default:
			close(w.seen)
		}
	}
	return len(p), nil
}

func (w *waitWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func (w *waitWriter) wait(tb testing.TB) {
	tb.Helper()
	w.mu.Lock()
	w.once.Do(func() { w.seen = make(chan struct{}) })
	seen := w.seen
	w.mu.Unlock()
	select {
	case <-seen:
	case <-time.After(10 * time.Second):
		tb.Fatalf("output %q never contained %q", w.String(), w.want)
	}
}

func TestIsolation(t *testing.T) {
	r := newTestRuntime(t)
	rootfs := newRootfs(t)
	h, err := probeHost()
	if err != nil {
		t.Fatal(err)
	}
	capMask := func(sec Security) uint64 {
		caps, err := capabilities(sec, h)
		if err != nil {
			t.Fatal(err)
		}
		var mask uint64
		for _, name := range caps {
			mask |= 1 << allCapabilities[name]
		}
		return mask
	}
	// The kernel shows 2 (filter mode) under a seccomp filter, 0 without.
	seccompMode := "0"
	if SeccompEnabled {
		seccompMode = "2"
	}
	nofile := min(defaultNofile, h.nofileHard)

	tests := []struct {
		name   string
		spec   Spec
		script string
		want   string
	}{
		{"hostname", Spec{Hostname: "mi-contenedor"}, "hostname; echo $HOSTNAME", "mi-contenedor\nmi-contenedor\n"},
		{"pid namespace", Spec{}, "echo $$; echo /proc/[0-9]*", "1\n/proc/1\n"},
		{"root by default", Spec{}, "id -u; id -g; echo $HOME", "0\n0\n/root\n"},
		{"user by name", Spec{User: "estudiante"}, "id -u; id -g; id -G; echo $HOME", "1000\n1000\n1000 2000\n/home/estudiante\n"},
		{"user nobody", Spec{User: "nobody"}, "id -u", "65534\n"},
		{"numeric uid:gid", Spec{User: "1234:5678"}, "id -u; id -g", "1234\n5678\n"},
		{"name:group", Spec{User: "estudiante:alumnos"}, "id -u; id -g", "1000\n2000\n"},
		{"env and default PATH", Spec{Env: []string{"CURSO=docker"}}, "echo $CURSO; echo $PATH", "docker\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"},
		{"own PATH kept", Spec{Env: []string{"PATH=/bin"}}, "echo $PATH", "/bin\n"},
		{"missing cwd created", Spec{Cwd: "/app/src"}, "pwd", "/app/src\n"},
		{"network none has only loopback, up", Spec{NetworkMode: NetworkNone}, "ls /sys/class/net; ip -o link show lo | grep -c ',UP'", "lo\n1\n"},
		{"capabilities", Spec{}, "grep CapBnd /proc/self/status; grep CapEff /proc/self/status", fmt.Sprintf("CapBnd:\t%016x\nCapEff:\t%016x\n", capMask(Security{}), capMask(Security{}))},
		{"non-root has no effective capabilities", Spec{User: "estudiante"}, "grep CapEff /proc/self/status", "CapEff:\t0000000000000000\n"},
		{"nofile clamped", Spec{}, "ulimit -n; ulimit -Hn", fmt.Sprintf("%d\n%d\n", nofile, nofile)},
		{"masked path", Spec{}, "wc -c < /proc/keys; wc -c < /proc/timer_list", "0\n0\n"},
		{"read-only /proc/sys", Spec{}, "touch /proc/sys/kernel/hostname 2>/dev/null || echo ro", "ro\n"},
		{"read-only /sys", Spec{}, "touch /sys/x 2>/dev/null || echo ro", "ro\n"},
		{"shm is 64m", Spec{}, "grep ' /dev/shm ' /proc/self/mounts | grep -c size=65536k", "1\n"},
		{"read-only rootfs", Spec{ReadonlyRootfs: true}, "touch /x 2>/dev/null || echo ro", "ro\n"},
		{"writable rootfs", Spec{}, "touch /tmp/x && echo ok", "ok\n"},
		{"default devices", Spec{}, "ls /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty", "/dev/full\n/dev/null\n/dev/random\n/dev/tty\n/dev/urandom\n/dev/zero\n"},
		{"cap-drop", Spec{Security: Security{CapDrop: []string{"chown", "CAP_KILL"}}}, "grep CapEff /proc/self/status", fmt.Sprintf("CapEff:\t%016x\n", capMask(Security{CapDrop: []string{"CAP_CHOWN", "CAP_KILL"}}))},
		{"cap-add", Spec{Security: Security{CapAdd: []string{"SYS_ADMIN"}}}, "mount -t tmpfs none /tmp && echo montado", "montado\n"},
		{"privileged has every bounding capability", Spec{Security: Security{Privileged: true}}, "grep CapEff /proc/self/status", fmt.Sprintf("CapEff:\t%016x\n", capMask(Security{Privileged: true}))},
		{"mount denied", Spec{}, "mount -t tmpfs none /tmp 2>/dev/null || echo denegado", "denegado\n"},
		{"privileged mounts", Spec{Security: Security{Privileged: true}}, "mount -t tmpfs none /tmp && echo montado", "montado\n"},
		{"privileged /sys writable, nothing masked", Spec{Security: Security{Privileged: true}}, "grep ' /sys ' /proc/self/mounts | grep -c ' rw,'; wc -c < /proc/timer_list | grep -vc '^0$'", "1\n1\n"},
		{"privileged sees host devices", Spec{Security: Security{Privileged: true}}, "ls /dev/kmsg", "/dev/kmsg\n"},
		{"no host devices by default", Spec{}, "ls /dev/kmsg 2>/dev/null || echo no", "no\n"},
		{"seccomp by default", Spec{}, "grep '^Seccomp:' /proc/self/status", "Seccomp:\t" + seccompMode + "\n"},
		{"seccomp unconfined", Spec{Security: Security{Seccomp: SeccompUnconfined}}, "grep '^Seccomp:' /proc/self/status", "Seccomp:\t0\n"},
		{"privileged has no seccomp", Spec{Security: Security{Privileged: true}}, "grep '^Seccomp:' /proc/self/status", "Seccomp:\t0\n"},
		{"new privileges allowed by default", Spec{}, "grep '^NoNewPrivs:' /proc/self/status", "NoNewPrivs:\t0\n"},
		{"no-new-privileges", Spec{Security: Security{NoNewPrivileges: true}}, "grep '^NoNewPrivs:' /proc/self/status", "NoNewPrivs:\t1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.spec
			spec.Rootfs = rootfs
			spec.Args = []string{"sh", "-c", tt.script}
			got := run(t, r, spec)
			if got.stdout != tt.want || got.code != 0 {
				t.Errorf("%q printed %q (exit %d, stderr %q), want %q (exit 0)", tt.script, got.stdout, got.code, got.stderr, tt.want)
			}
		})
	}
}

func TestBindMounts(t *testing.T) {
	r := newTestRuntime(t)
	dir := t.TempDir()
	hostname := filepath.Join(dir, "hostname")
	hosts := filepath.Join(dir, "hosts")
	if err := os.WriteFile(hostname, []byte("web\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hosts, []byte("127.0.0.1 localhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := Spec{
		Args: []string{"sh", "-c", "cat /etc/hostname /etc/hosts; echo cambio >> /etc/hosts; echo x > /etc/hostname || echo ro"},
		Mounts: []Mount{
			{Source: hostname, Destination: "/etc/hostname", ReadOnly: true},
			{Source: hosts, Destination: "/etc/hosts"},
		},
	}
	got := run(t, r, spec)
	if want := "web\n127.0.0.1 localhost\nro\n"; got.stdout != want {
		t.Errorf("stdout = %q, want %q (stderr %q)", got.stdout, want, got.stderr)
	}
	b, err := os.ReadFile(hosts)
	if err != nil {
		t.Fatal(err)
	}
	if want := "127.0.0.1 localhost\ncambio\n"; string(b) != want {
		t.Errorf("host file after the container wrote it = %q, want %q", b, want)
	}
}

func TestResources(t *testing.T) {
	r := newTestRuntime(t)
	spec := Spec{
		ID:         newID(t),
		Rootfs:     newRootfs(t),
		Args:       []string{"sleep", "100"},
		Memory:     64 << 20,
		CpusetCpus: "0",
		CPUShares:  512,
		PidsLimit:  50,
	}
	c, err := r.Start(spec, Stdio{})
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	defer c.Destroy()
	state, err := c.lc.State()
	if err != nil {
		t.Fatalf("State() error = %v", err)
	}
	paths := state.CgroupPaths
	type file struct{ dir, name, want string }
	var files []file
	if cgroups.IsCgroup2UnifiedMode() {
		files = []file{
			{paths[""], "memory.max", "67108864"},
			{paths[""], "cpuset.cpus", "0"},
			{paths[""], "cpu.weight", strconv.FormatUint(cgroups.ConvertCPUSharesToCgroupV2Value(512), 10)},
			{paths[""], "pids.max", "50"},
		}
	} else {
		files = []file{
			{paths["memory"], "memory.limit_in_bytes", "67108864"},
			{paths["cpuset"], "cpuset.cpus", "0"},
			{paths["cpu"], "cpu.shares", "512"},
			{paths["pids"], "pids.max", "50"},
		}
	}
	for _, f := range files {
		if !strings.HasSuffix(f.dir, "/"+r.cgroupParent+"/"+spec.ID) {
			t.Errorf("cgroup directory for %s = %q, want it to end in /%s/%s", f.name, f.dir, r.cgroupParent, spec.ID[:12])
		}
		b, err := os.ReadFile(filepath.Join(f.dir, f.name))
		if err != nil {
			t.Errorf("reading %s: %v", f.name, err)
			continue
		}
		if got := strings.TrimSpace(string(b)); got != f.want {
			t.Errorf("%s = %q, want %q", f.name, got, f.want)
		}
	}
	if err := c.Destroy(); err != nil {
		t.Fatalf("Destroy() error = %v", err)
	}
	assertGone(t, r, spec.ID)
}

func TestMemoryLimitInside(t *testing.T) {
	r := newTestRuntime(t)
	file := "/sys/fs/cgroup/memory/memory.limit_in_bytes"
	if cgroups.IsCgroup2UnifiedMode() {
		file = "/sys/fs/cgroup/memory.max"
	}
	got := run(t, r, Spec{Args: []string{"cat", file}, Memory: 32 << 20})
	if want := "33554432\n"; got.stdout != want {
		t.Errorf("cat %s = %q, want %q (stderr %q)", file, got.stdout, want, got.stderr)
	}
}

func TestMemoryLimitOOMKill(t *testing.T) {
	r := newTestRuntime(t)
	swaps, err := os.ReadFile("/proc/swaps")
	if err != nil {
		t.Skipf("reading /proc/swaps: %v", err)
	}
	if strings.Count(string(swaps), "\n") > 1 {
		t.Skip("swap is on: over its memory limit a container swaps instead of being killed")
	}
	// The shell holds 128 MiB in a variable, four times its limit. (The
	// limit cannot be much lower: libcontainer's init, a re-exec of this
	// test binary, must fit in it before it executes the command.)
	got := run(t, r, Spec{
		Args:   []string{"sh", "-c", "x=$(head -c 134217728 /dev/zero | tr '\\0' a); echo sobrevivió"},
		Memory: 32 << 20,
	})
	if got.code != 137 || got.stdout != "" {
		t.Errorf("over its memory limit: exit %d, stdout %q; want exit 137 (OOM killed), no output", got.code, got.stdout)
	}
}

func TestTty(t *testing.T) {
	r := newTestRuntime(t)
	stdinR, stdinW := io.Pipe()
	defer stdinW.Close()
	out := &waitWriter{want: "listo"}
	spec := Spec{
		ID:     newID(t),
		Rootfs: newRootfs(t),
		Args:   []string{"sh", "-c", "tty; echo $TERM; echo listo; read x; stty size; echo recibido $x"},
		Tty:    true,
	}
	c, err := r.Start(spec, Stdio{Stdin: stdinR, Stdout: out})
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	defer c.Destroy()
	out.wait(t)
	if err := c.Resize(30, 100); err != nil {
		t.Fatalf("Resize() error = %v", err)
	}
	if _, err := io.WriteString(stdinW, "hola\n"); err != nil {
		t.Fatalf("writing to stdin: %v", err)
	}
	code, err := c.Wait()
	if err != nil || code != 0 {
		t.Fatalf("Wait() = %d, %v, want 0, nil (output %q)", code, err, out.String())
	}
	// The terminal echoes the input and turns \n into \r\n.
	want := "/dev/pts/0\r\nxterm\r\nlisto\r\nhola\r\n30 100\r\nrecibido hola\r\n"
	if got := out.String(); got != want {
		t.Errorf("terminal output = %q, want %q", got, want)
	}
}

func TestResizeWithoutTty(t *testing.T) {
	r := newTestRuntime(t)
	c, err := r.Start(Spec{ID: newID(t), Rootfs: newRootfs(t), Args: []string{"true"}}, Stdio{})
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	defer c.Destroy()
	if err := c.Resize(24, 80); err == nil {
		t.Error("Resize() without Tty: error = nil, want an error")
	}
	c.Wait()
}

func TestStdin(t *testing.T) {
	r := newTestRuntime(t)
	var stdout bytes.Buffer
	c, err := r.Start(Spec{ID: newID(t), Rootfs: newRootfs(t), Args: []string{"wc", "-l"}},
		Stdio{Stdin: strings.NewReader("uno\ndos\ntres\n"), Stdout: &stdout})
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	defer c.Destroy()
	if code, err := c.Wait(); code != 0 || err != nil {
		t.Fatalf("Wait() = %d, %v, want 0, nil", code, err)
	}
	if got, want := strings.TrimSpace(stdout.String()), "3"; got != want {
		t.Errorf("wc -l of 3 lines on stdin = %q, want %q", got, want)
	}
}

func TestDestroy(t *testing.T) {
	r := newTestRuntime(t)
	id := newID(t)
	c, err := r.Start(Spec{ID: id, Rootfs: newRootfs(t), Args: []string{"sh", "-c", "sleep 100 & sleep 100"}}, Stdio{})
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	pid := c.Pid()
	if pid <= 0 {
		t.Fatalf("Pid() = %d, want a host PID", pid)
	}
	for i := range 3 {
		if err := c.Destroy(); err != nil {
			t.Fatalf("Destroy() #%d error = %v", i+1, err)
		}
	}
	if code, err := c.Wait(); code != 137 || err != nil {
		t.Errorf("Wait() after Destroy = %d, %v, want 137, nil", code, err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("kill(%d, 0) after Destroy: error = %v, want ESRCH", pid, err)
	}
	assertGone(t, r, id)
}

func TestCleanup(t *testing.T) {
	r := newTestRuntime(t)
	id := newID(t)
	c, err := r.Start(Spec{ID: id, Rootfs: newRootfs(t), Args: []string{"sleep", "100"}}, Stdio{})
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	defer c.Destroy()
	// As if the daemon that started it had died: a new daemon only knows
	// the ID.
	if err := r.Cleanup(id); err != nil {
		t.Fatalf("Cleanup() error = %v", err)
	}
	if code, _ := c.Wait(); code != 137 {
		t.Errorf("exit code after Cleanup = %d, want 137", code)
	}
	assertGone(t, r, id)
	if err := r.Cleanup(id); err != nil {
		t.Errorf("Cleanup() of a cleaned container: error = %v, want nil", err)
	}
	if err := r.Cleanup(newID(t)); err != nil {
		t.Errorf("Cleanup() of an unknown container: error = %v, want nil", err)
	}
	if err := r.Cleanup("../etc"); err == nil {
		t.Error(`Cleanup("../etc") error = nil, want an error`)
	}
}

func TestTwoRuntimes(t *testing.T) {
	r1, r2 := newTestRuntime(t), newTestRuntime(t)
	rootfs := newRootfs(t)
	id := newID(t) // the same ID in both daemons must not collide
	var containers []*Container
	for _, r := range []*Runtime{r1, r2} {
		c, err := r.Start(Spec{ID: id, Rootfs: rootfs, Args: []string{"sleep", "100"}}, Stdio{})
		if err != nil {
			t.Fatalf("Start() in runtime %s error = %v", r.cgroupParent, err)
		}
		defer c.Destroy()
		containers = append(containers, c)
	}
	for i, r := range []*Runtime{r1, r2} {
		if dirs := cgroupDirs(r.cgroupPath(id)); len(dirs) == 0 {
			t.Errorf("runtime %d: no cgroup directory for its container", i+1)
		}
	}
	if err := containers[0].Destroy(); err != nil {
		t.Fatalf("Destroy() error = %v", err)
	}
	select {
	case <-containers[1].Exited():
		t.Error("destroying a container of one runtime stopped the other runtime's")
	default:
	}
	assertGone(t, r1, id)
	if err := containers[1].Destroy(); err != nil {
		t.Fatalf("Destroy() error = %v", err)
	}
	assertGone(t, r2, id)
}

func TestClassify(t *testing.T) {
	tests := []struct {
		msg  string
		want error
	}{
		{`unable to start container process: exec: "nope": executable file not found in $PATH`, ErrExecNotFound},
		{`unable to start container process: exec: "/bin/nope": stat /bin/nope: no such file or directory`, ErrExecNotFound},
		{`unable to start container process: exec: "/etc/passwd": permission denied`, ErrPermission},
		{`unable to start container process: exec: "/etc": is a directory`, ErrPermission},
		{`error mounting "/nonexistent" to rootfs at "/etc/hosts": no such file or directory`, nil},
		{`container init was OOM-killed (memory limit too low?)`, nil},
	}
	for _, tt := range tests {
		err := classify(errors.New(tt.msg))
		for _, kind := range []error{ErrExecNotFound, ErrPermission} {
			if got, want := errors.Is(err, kind), kind == tt.want; got != want {
				t.Errorf("errors.Is(classify(%q), %v) = %t, want %t", tt.msg, kind, got, want)
			}
		}
		if err.Error() != tt.msg {
			t.Errorf("classify(%q).Error() = %q, want the message unchanged", tt.msg, err)
		}
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name   string
		cmd    []string
		signal syscall.Signal
		want   int
	}{
		{"success", []string{"true"}, 0, 0},
		{"exit status", []string{"sh", "-c", "exit 42"}, 0, 42},
		{"SIGTERM", []string{"sleep", "100"}, syscall.SIGTERM, 143},
		{"SIGKILL", []string{"sleep", "100"}, syscall.SIGKILL, 137},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(tt.cmd[0], tt.cmd[1:]...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if tt.signal != 0 {
				if err := cmd.Process.Signal(tt.signal); err != nil {
					t.Fatal(err)
				}
			}
			err := cmd.Wait()
			got, err := exitCode(cmd.ProcessState, err)
			if err != nil || got != tt.want {
				t.Errorf("exitCode() = %d, %v, want %d, nil", got, err, tt.want)
			}
		})
	}
	if _, err := exitCode(nil, errors.New("boom")); err == nil {
		t.Error("exitCode(nil, err) error = nil, want an error")
	}
}

// BenchmarkRunTrue measures create -> exit -> destroy of `true`.
func BenchmarkRunTrue(b *testing.B) {
	r := newTestRuntime(b)
	rootfs := newRootfs(b)
	for b.Loop() {
		c, err := r.Start(Spec{ID: newID(b), Rootfs: rootfs, Args: []string{"true"}}, Stdio{})
		if err != nil {
			b.Fatalf("Start() error = %v", err)
		}
		if code, err := c.Wait(); code != 0 || err != nil {
			b.Fatalf("Wait() = %d, %v, want 0, nil", code, err)
		}
		if err := c.Destroy(); err != nil {
			b.Fatalf("Destroy() error = %v", err)
		}
	}
}
