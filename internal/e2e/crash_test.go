package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A daemon killed with SIGKILL leaves a running container behind; the next
// daemon on the same data root lists it as exited and cleans its process,
// mount and cgroup.
func TestCrashRecovery(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "huerfano", "busybox", "sleep", "1000")
	// A --rm container with an anonymous volume and one with a named
	// volume: after the crash both are removed, the anonymous volume with
	// its container, the named one stays.
	d.must("run", "-d", "--rm", "-v", "/datos", "--name", "efimero", "busybox", "sleep", "1000")
	d.must("run", "-d", "--rm", "-v", "guardado:/datos", "--name", "efimero2", "busybox", "sleep", "1000")
	c := d.inspect("huerfano")
	pid := int(field(c, "State", "Pid").(float64))
	merged := field(c, "GraphDriver", "Data", "MergedDir").(string)

	d.kill9()
	if !alive(pid) {
		t.Fatalf("the container process %d died with the daemon; the test needs it alive", pid)
	}

	d.start()
	c = d.inspect("huerfano")
	if got := field(c, "State", "Status"); got != "exited" {
		t.Errorf("after the crash, State.Status = %v, want exited", got)
	}
	if alive(pid) {
		t.Errorf("process %d of the crashed daemon's container is still alive", pid)
	}
	if got := d.must("--explicar=false", "ps", "-a", "--format", "{{.Names}}").stdout; got != "huerfano\n" {
		t.Errorf("containers after the crash = %q, want only huerfano (the --rm ones removed)", got)
	}
	if got := d.must("--explicar=false", "volume", "ls", "-q").stdout; got != "guardado\n" {
		t.Errorf("volumes after the crash = %q, want only the named one", got)
	}
	mounts, _ := os.ReadFile("/proc/self/mounts")
	if strings.Contains(string(mounts), merged) {
		t.Errorf("the rootfs mount %s is still mounted", merged)
	}
	// And the container can run again.
	d.must("start", "huerfano")
	d.must("rm", "-f", "huerfano")
}

// Two daemons with their own data roots and sockets run side by side.
func TestTwoDaemons(t *testing.T) {
	a, b := startDaemon(t), startDaemon(t)
	a.labInit()
	b.labInit()
	a.must("run", "-d", "--name", "mismo", "busybox", "sleep", "1000")
	b.must("run", "-d", "--name", "mismo", "busybox", "sleep", "1000")
	if a.inspect("mismo")["Id"] == b.inspect("mismo")["Id"] {
		t.Error("both daemons gave the same container ID")
	}
	a.must("rm", "-f", "mismo")
	if got := b.inspect("mismo"); field(got, "State", "Running") != true {
		t.Error("removing a container in one daemon touched the other's")
	}
	b.must("rm", "-f", "mismo")
}

// alive reports whether pid runs. A zombie does not: it only waits for its
// new parent (the host's init, after the daemon died) to reap it.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] != 'Z'
}

// A second daemon on a data root in use refuses to start, and leaves the
// first one's running containers alone.
func TestDataRootLocked(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "vivo", "busybox", "sleep", "1000")

	other := filepath.Join(filepath.Dir(d.sock), "otro.sock")
	r := d.exec([]string{filepath.Join(bin, "bolsillod"), "--data-root", d.root, "--host", "unix://" + other}, nil)
	if r.code == 0 || !strings.Contains(r.stderr, "otro bolsillod ya usa el directorio raíz de datos") {
		t.Errorf("a second daemon on the same data root: %s", r)
	}
	if got := field(d.inspect("vivo"), "State", "Running"); got != true {
		t.Errorf("the second daemon touched the first one's container: Running = %v", got)
	}
	d.must("rm", "-f", "vivo")
}

// A daemon killed in the middle of a build leaves the step's mounts and the
// extracted context; the next daemon on the data root removes them, and no
// image of that build is listed.
func TestCrashDuringBuild(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	ctx := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM busybox\nRUN touch /empezado && sleep 1000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "bolsillo"), "-H", d.host(), "--explicar=false", "build", "-t", "a-medias:1", ctx)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	buildDir := filepath.Join(d.root, "build")
	waitFor(t, "the RUN step to start", func() bool {
		mounts, _ := os.ReadFile("/proc/self/mounts")
		return strings.Contains(string(mounts), buildDir)
	})
	d.kill9()
	_ = cmd.Process.Kill()

	d.start()
	mounts, _ := os.ReadFile("/proc/self/mounts")
	if strings.Contains(string(mounts), buildDir) {
		t.Errorf("mounts under %s survived the restart", buildDir)
	}
	if _, err := os.Stat(buildDir); !os.IsNotExist(err) {
		t.Errorf("%s is still there (err %v)", buildDir, err)
	}
	if got := d.must("--explicar=false", "images", "-q", "a-medias").stdout; got != "" {
		t.Errorf("the interrupted build tagged an image: %q", got)
	}
}
