package e2e

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// A daemon killed with SIGKILL leaves a running container behind; the next
// daemon on the same data root lists it as exited and cleans its process,
// mount and cgroup.
func TestCrashRecovery(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "huerfano", "busybox", "sleep", "1000")
	c := d.inspect("huerfano")
	pid := int(field(c, "State", "Pid").(float64))
	merged := field(c, "GraphDriver", "Data", "MergedDir").(string)

	d.kill9()
	if syscall.Kill(pid, 0) != nil {
		t.Fatalf("the container process %d died with the daemon; the test needs it alive", pid)
	}

	d.start()
	c = d.inspect("huerfano")
	if got := field(c, "State", "Status"); got != "exited" {
		t.Errorf("after the crash, State.Status = %v, want exited", got)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("process %d of the crashed daemon's container is still alive", pid)
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
