package runtime

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/cgroups"
)

func TestParseSystemCPU(t *testing.T) {
	tests := []struct {
		name, in string
		want     uint64
		wantErr  bool
	}{
		// user nice system idle iowait irq softirq (steal guest... ignored)
		{"seven fields counted", "cpu  10 1 4 100 5 0 2 7 0 0\ncpu0 5 0 2 50 2 0 1 0 0 0\n", 122 * 1e7, false},
		{"no cpu line", "intr 1 2 3\n", 0, true},
		{"short line", "cpu 1 2 3\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSystemCPU([]byte(tt.in))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseSystemCPU() = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseNetDev(t *testing.T) {
	in := `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0:    1500      10    1    2    0     0          0         0      900       7    3    4    0     0       0          0
`
	got, err := parseNetDev([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]NetworkStats{"eth0": {RxBytes: 1500, RxPackets: 10, RxErrors: 1, RxDropped: 2, TxBytes: 900, TxPackets: 7, TxErrors: 3, TxDropped: 4}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseNetDev() = %+v, want %+v", got, want)
	}
}

func TestCountCPUList(t *testing.T) {
	for in, want := range map[string]int{"0": 1, "0-2": 3, "0-1,4": 3, "0-3,6-7": 6} {
		if got, err := countCPUList(in); err != nil || got != want {
			t.Errorf("countCPUList(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if _, err := countCPUList("2-1"); err == nil {
		t.Error("countCPUList(2-1) accepted a reversed range")
	}
}

// readCgroupFile reads a file of the container's cgroup for controller
// (ignored on cgroup v2).
func readCgroupFile(t *testing.T, c *Container, controller, name string) string {
	t.Helper()
	st, err := c.lc.State()
	if err != nil {
		t.Fatal(err)
	}
	dir := st.CgroupPaths[controller]
	if cgroups.IsCgroup2UnifiedMode() {
		dir = st.CgroupPaths[""]
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestUpdateRunning(t *testing.T) {
	r := newTestRuntime(t)
	c, err := r.Start(Spec{ID: newID(t), Rootfs: newRootfs(t), Args: []string{"sleep", "100"}, Memory: 64 << 20, CpusetCpus: "0"}, Stdio{})
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	defer c.Destroy()
	if err := c.Update(Resources{Memory: 128 << 20, NanoCPUs: 5e8, PidsLimit: 20}); err != nil {
		t.Fatalf("Update() error = %v", err)
	}
	type file struct{ controller, v1, v2, want string }
	files := []file{
		{"memory", "memory.limit_in_bytes", "memory.max", "134217728"},
		{"cpuset", "cpuset.cpus", "cpuset.cpus", "0"},
		{"pids", "pids.max", "pids.max", "20"},
	}
	if cgroups.IsCgroup2UnifiedMode() {
		files = append(files, file{"", "", "cpu.max", "50000 100000"})
	} else {
		files = append(files, file{"cpu", "cpu.cfs_quota_us", "", "50000"})
	}
	for _, f := range files {
		name := f.v1
		if cgroups.IsCgroup2UnifiedMode() {
			name = f.v2
		}
		if got := readCgroupFile(t, c, f.controller, name); got != f.want {
			t.Errorf("%s = %q, want %q", name, got, f.want)
		}
	}
	if files := c.CgroupFiles(); files["cpuset.cpus"] == "" {
		t.Errorf("CgroupFiles() = %v, want the cpuset file among them", files)
	}
}

func TestStatsMove(t *testing.T) {
	r := newTestRuntime(t)
	c, err := r.Start(Spec{ID: newID(t), Rootfs: newRootfs(t), Args: []string{"sh", "-c", "while true; do :; done"}, Memory: 64 << 20}, Stdio{})
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	defer c.Destroy()
	first, err := c.Stats()
	if err != nil {
		t.Fatalf("Stats() error = %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	second, err := c.Stats()
	if err != nil {
		t.Fatalf("Stats() error = %v", err)
	}
	if second.CPUTotal <= first.CPUTotal || second.SystemCPU <= first.SystemCPU {
		t.Errorf("CPU did not move for a busy loop: total %d -> %d, system %d -> %d", first.CPUTotal, second.CPUTotal, first.SystemCPU, second.SystemCPU)
	}
	if second.MemoryLimit != 64<<20 || second.MemoryUsage == 0 {
		t.Errorf("memory usage %d limit %d, want some usage under a 64 MiB limit", second.MemoryUsage, second.MemoryLimit)
	}
	if second.Pids != 1 || second.OnlineCPUs == 0 {
		t.Errorf("pids %d online CPUs %d", second.Pids, second.OnlineCPUs)
	}
	if second.Networks == nil {
		t.Error("Networks is nil, want an empty map at least")
	}
}

func TestPauseResume(t *testing.T) {
	r := newTestRuntime(t)
	c, err := r.Start(Spec{ID: newID(t), Rootfs: newRootfs(t), Args: []string{"sh", "-c", "while true; do :; done"}}, Stdio{})
	if err != nil {
		t.Fatalf("Start() error = %v", err)
	}
	defer c.Destroy()
	if err := c.Pause(); err != nil {
		t.Fatalf("Pause() error = %v", err)
	}
	if !c.Paused() {
		t.Error("Paused() = false after Pause")
	}
	a, _ := c.Stats()
	time.Sleep(300 * time.Millisecond)
	b, _ := c.Stats()
	if a.CPUTotal != b.CPUTotal {
		t.Errorf("a frozen container used CPU: %d -> %d", a.CPUTotal, b.CPUTotal)
	}
	if err := c.Resume(); err != nil {
		t.Fatalf("Resume() error = %v", err)
	}
	// SIGKILL reaches a paused container too (libcontainer thaws it).
	if err := c.Pause(); err != nil {
		t.Fatal(err)
	}
	if err := c.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Exited():
	case <-time.After(5 * time.Second):
		t.Fatal("a paused container did not die on SIGKILL")
	}
}
