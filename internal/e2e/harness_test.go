// Package e2e drives real bolsillod daemons, each on its own temporary data
// root and socket, with the bolsillo CLI and the real docker CLI, and checks
// that nothing (mount, cgroup, process) is left behind.
package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bin holds the binaries built for this test run.
var bin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Geteuid() != 0 {
		fmt.Println("e2e: skipping: needs root (namespaces, mounts, cgroups)")
		return 0
	}
	dir, err := os.MkdirTemp("", "bolsillo-e2e-bin-")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer os.RemoveAll(dir)
	for _, name := range []string{"bolsillod", "bolsillo", "bolsillo-render", "bolsillo-registry"} {
		// As the Makefile builds them, all static: the CLI binaries link
		// no C, bolsillod links libseccomp and glibc in.
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name))
		if name == "bolsillod" {
			cmd.Args = append(cmd.Args, "-ldflags=-extldflags=-static", "-tags=seccomp netgo osusergo")
		} else {
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		}
		cmd.Args = append(cmd.Args, "bolsillo/cmd/"+name)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Printf("building %s: %v\n", name, err)
			return 1
		}
	}
	bin = dir
	return m.Run()
}

// daemon is one bolsillod started by a test.
type daemon struct {
	t    *testing.T
	root string // data root
	sock string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan error
	// fdBase is what the daemon held open right after its last start.
	fdBase fdSnapshot
}

// host is the address clients use.
func (d *daemon) host() string { return "unix://" + d.sock }

// startDaemon starts a bolsillod on a fresh data root; it is stopped and
// checked for leftovers when the test ends: first, while it still runs, its
// open files against those it held after start, then, once stopped, mounts,
// cgroups, processes, the network devices that were ports of its bridge,
// the bridge itself and its NAT rules.
func startDaemon(t *testing.T) *daemon {
	t.Helper()
	// Short paths: a unix socket path must fit in 108 bytes.
	dir, err := os.MkdirTemp("", "bolsillo-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{t: t, root: filepath.Join(dir, "root"), sock: filepath.Join(dir, "api.sock")}
	d.start()
	t.Cleanup(func() {
		d.assertNoFDLeaks() // leaks_test.go
		ports := d.bridgePorts()
		d.stop()
		d.assertNoLeftovers()
		d.assertGoneDevices(ports)
		os.RemoveAll(dir)
	})
	return d
}

// start (re)starts the daemon process on the same data root and socket.
func (d *daemon) start() {
	d.t.Helper()
	d.log = &bytes.Buffer{}
	d.cmd = exec.Command(filepath.Join(bin, "bolsillod"), "--data-root", d.root, "--host", d.host(), "--debug")
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := d.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.done = make(chan error, 1)
	go func() { d.done <- d.cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("unix", d.sock); err == nil {
			c.Close()
			d.fdBase = d.openFDs()
			return
		}
		select {
		case err := <-d.done:
			d.t.Fatalf("bolsillod exited at start: %v\n%s", err, d.log)
		case <-time.After(20 * time.Millisecond):
		}
	}
	d.t.Fatalf("bolsillod did not answer on %s\n%s", d.sock, d.log)
}

// stop ends the daemon with SIGTERM, as systemd would.
func (d *daemon) stop() {
	if d.cmd == nil || d.cmd.Process == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		_ = d.cmd.Process.Kill()
		<-d.done
		d.t.Errorf("bolsillod did not stop on SIGTERM\n%s", d.log)
	}
	d.cmd = nil
}

// kill9 ends the daemon with SIGKILL: a crash.
func (d *daemon) kill9() {
	d.t.Helper()
	_ = d.cmd.Process.Kill()
	<-d.done
	d.cmd = nil
}

// assertNoLeftovers checks that no mount of the data root (on it, or of
// its layers elsewhere), no cgroup of this daemon, no process in one, and
// neither its bridge nor its NAT rules are left.
func (d *daemon) assertNoLeftovers() {
	d.t.Helper()
	mounts, _ := os.ReadFile("/proc/self/mounts")
	for _, line := range strings.Split(string(mounts), "\n") {
		if strings.Contains(line, d.root+"/") || strings.Contains(line, d.root+" ") {
			d.t.Errorf("mount left behind: %s", line)
		}
	}
	for _, cg := range cgroupDirs() {
		parent := filepath.Join(cg, d.cgroupParent())
		if _, err := os.Stat(parent); err == nil {
			d.t.Errorf("cgroup left behind: %s", parent)
			for _, p := range cgroupProcs(parent) {
				d.t.Errorf("process left behind in a cgroup of the daemon: %s", p)
			}
		}
	}
	if out, _ := exec.Command("pgrep", "-f", d.root).Output(); len(out) > 0 {
		d.t.Errorf("processes left behind: %s", out)
	}
	d.assertNoNetworkLeftovers() // network_test.go
}

// cgroupParent is the daemon's cgroup name: derived from its data root.
func (d *daemon) cgroupParent() string {
	sum := sha256.Sum256([]byte(d.root))
	return "bolsillo-" + hex.EncodeToString(sum[:])[:12]
}

func cgroupDirs() []string {
	dirs := []string{"/sys/fs/cgroup"}
	ents, _ := os.ReadDir("/sys/fs/cgroup")
	for _, e := range ents {
		dirs = append(dirs, filepath.Join("/sys/fs/cgroup", e.Name()))
	}
	return dirs
}

// result is what a command printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// bolsillo runs the CLI against the daemon, explanations on.
func (d *daemon) bolsillo(args ...string) result {
	d.t.Helper()
	return d.exec(append([]string{filepath.Join(bin, "bolsillo"), "-H", d.host()}, args...), nil)
}

// docker runs the real docker CLI against the daemon.
func (d *daemon) docker(args ...string) result {
	d.t.Helper()
	cfg := d.t.TempDir()
	env := []string{"DOCKER_HOST=" + d.host(), "DOCKER_CONFIG=" + cfg, "DOCKER_CLI_HINTS=false"}
	return d.exec(append([]string{"docker"}, args...), env)
}

func (d *daemon) exec(argv []string, env []string) result {
	d.t.Helper()
	r, err := runCommand(argv, env)
	if err != nil {
		d.t.Fatal(err)
	}
	return r
}

// runCommand runs argv with env added to the environment, for up to a
// minute, and returns what it printed and its exit code. The error is for
// a command that could not run or ran out of time, not for a non-zero
// exit. It touches no *testing.T, so goroutines may call it.
func runCommand(argv []string, env []string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return r, fmt.Errorf("%s: timed out after a minute", strings.Join(argv, " "))
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		return r, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return r, nil
}

// must runs bolsillo and fails the test unless it exits 0.
func (d *daemon) must(args ...string) result {
	d.t.Helper()
	r := d.bolsillo(args...)
	if r.code != 0 {
		d.t.Fatalf("bolsillo %s: %s\ndaemon log:\n%s", strings.Join(args, " "), r, d.log)
	}
	return r
}

// labInit creates busybox:latest in the daemon.
func (d *daemon) labInit() {
	d.t.Helper()
	d.must("lab", "init")
}

// buildStatic builds the program in testdata/name as a static binary, one
// that runs in busybox, into a new directory that a test can bind-mount
// into a container, and returns that directory.
func buildStatic(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, name), "./testdata/"+name)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, out)
	}
	return dir
}
