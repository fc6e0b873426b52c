package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cgroupFile reads a v1 cgroup file of a running container through its
// main process's /proc/<pid>/cgroup.
func (d *daemon) cgroupFile(name, controller, file string) string {
	d.t.Helper()
	pid := int(field(d.inspect(name), "State", "Pid").(float64))
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		d.t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) == 3 && (parts[1] == controller || strings.Contains(","+parts[1]+",", ","+controller+",")) {
			v, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", parts[1], parts[2], file))
			if err != nil {
				d.t.Fatal(err)
			}
			return strings.TrimSpace(string(v))
		}
	}
	d.t.Skipf("no cgroup v1 %s controller (cgroup v2 host)", controller)
	return ""
}

func TestOOMKilled(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	r := d.bolsillo("run", "--name", "gloton", "-m", "20m", "busybox", "sh", "-c", "x=a; while true; do x=$x$x; done")
	if r.code != 137 {
		t.Fatalf("run over its memory limit: %s, want exit code 137", r)
	}
	c := d.inspect("gloton")
	if field(c, "State", "OOMKilled") != true {
		t.Errorf("State.OOMKilled = %v, want true", field(c, "State", "OOMKilled"))
	}
	if !strings.Contains(r.stderr, "memoria") {
		t.Errorf("the explanation does not mention the memory limit:\n%s", r.stderr)
	}
}

func TestUpdateLimitsLive(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "limitado", "-m", "64m", "--cpuset-cpus", "0", "busybox", "sleep", "1000")
	pid := field(d.inspect("limitado"), "State", "Pid")
	if got := d.cgroupFile("limitado", "memory", "memory.limit_in_bytes"); got != "67108864" {
		t.Errorf("memory.limit_in_bytes after run -m 64m = %s", got)
	}
	// As in Docker, -m without --memory-swap allows as much swap again,
	// where the host accounts swap.
	if _, err := os.Stat("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"); err == nil {
		if got := field(d.inspect("limitado"), "HostConfig", "MemorySwap"); got != float64(128<<20) {
			t.Errorf("HostConfig.MemorySwap after run -m 64m = %v, want %d", got, 128<<20)
		}
		if got := d.cgroupFile("limitado", "memory", "memory.memsw.limit_in_bytes"); got != "134217728" {
			t.Errorf("memory.memsw.limit_in_bytes after run -m 64m = %s", got)
		}
	}
	r := d.must("update", "--memory", "128m", "--cpuset-cpus", "0", "--cpus", "0.5", "limitado")
	if r.stdout != "limitado\n" || !strings.Contains(r.stderr, "en caliente") {
		t.Errorf("update: %s", r)
	}
	c := d.inspect("limitado")
	if got := field(c, "HostConfig", "Memory"); got != float64(128<<20) {
		t.Errorf("HostConfig.Memory = %v, want %d", got, 128<<20)
	}
	if got := field(c, "HostConfig", "CpusetCpus"); got != "0" {
		t.Errorf("HostConfig.CpusetCpus = %v, want 0", got)
	}
	if got := field(c, "State", "Pid"); got != pid {
		t.Errorf("the PID changed from %v to %v: update restarted the container", pid, got)
	}
	for _, tt := range []struct{ controller, file, want string }{
		{"memory", "memory.limit_in_bytes", "134217728"},
		{"cpuset", "cpuset.cpus", "0"},
		{"cpu", "cpu.cfs_quota_us", "50000"},
	} {
		if got := d.cgroupFile("limitado", tt.controller, tt.file); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.file, got, tt.want)
		}
	}
	// The docker CLI drives the same endpoint.
	d.docker("update", "--memory", "96m", "limitado")
	if got := d.cgroupFile("limitado", "memory", "memory.limit_in_bytes"); got != "100663296" {
		t.Errorf("memory.limit_in_bytes after docker update = %s", got)
	}
	if r := d.bolsillo("update", "--memory", "1m", "limitado"); r.code == 0 || !strings.Contains(r.stderr, "6MB") {
		t.Errorf("update below the 6 MB minimum: %s", r)
	}
	if r := d.bolsillo("update", "--memory", "64m", "fantasma"); r.code == 0 {
		t.Errorf("update of an unknown container: %s", r)
	}
	d.must("stop", "-t", "0", "limitado")
	d.must("update", "--memory", "32m", "limitado")
	if got := field(d.inspect("limitado"), "HostConfig", "Memory"); got != float64(32<<20) {
		t.Errorf("update of a stopped container: HostConfig.Memory = %v", got)
	}
}

func TestStatsTopPause(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "ocupado", "-m", "64m", "busybox", "sh", "-c", "while true; do :; done")
	d.must("run", "-d", "--name", "contador", "busybox", "sh", "-c", "i=0; while true; do i=$((i+1)); done")

	r := d.must("stats", "--no-stream", "ocupado")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT") {
		t.Fatalf("stats --no-stream:\n%s", r.stdout)
	}
	cols := strings.Fields(lines[1])
	if cols[1] != "ocupado" || !strings.HasSuffix(cols[2], "%") || cols[5] != "64MiB" {
		t.Errorf("stats row %q", lines[1])
	}
	if cpu, _ := strconv.ParseFloat(strings.TrimSuffix(cols[2], "%"), 64); cpu < 20 {
		t.Errorf("a busy loop shows %v%% CPU", cpu)
	}
	if r := d.docker("stats", "--no-stream", "ocupado"); r.code != 0 || !strings.Contains(r.stdout, "ocupado") {
		t.Errorf("docker stats --no-stream: %s", r)
	}

	top := d.must("top", "ocupado")
	if !strings.Contains(top.stdout, "PID") || !strings.Contains(top.stdout, "while true") {
		t.Errorf("top:\n%s", top.stdout)
	}
	if r := d.docker("top", "ocupado"); !strings.Contains(r.stdout, "while true") {
		t.Errorf("docker top: %s", r)
	}

	d.must("pause", "contador")
	if got := field(d.inspect("contador"), "State", "Status"); got != "paused" {
		t.Errorf("State.Status of a paused container = %v", got)
	}
	// A frozen process gets no CPU: its user time (/proc/<pid>/stat,
	// field 14) stands still.
	statPath := "/proc/" + strconv.Itoa(int(field(d.inspect("contador"), "State", "Pid").(float64))) + "/stat"
	cpuTime := func() string {
		b, err := os.ReadFile(statPath)
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		return f[11] // utime, field 14 counted from pid
	}
	before := cpuTime()
	time.Sleep(500 * time.Millisecond)
	if after := cpuTime(); after != before {
		t.Errorf("a paused container's CPU time moved from %s to %s", before, after)
	}
	d.must("unpause", "contador")
	time.Sleep(500 * time.Millisecond)
	if later := cpuTime(); later == before {
		t.Errorf("the CPU time did not move after unpause (%s)", later)
	}
	d.docker("pause", "contador")
	d.must("rm", "-f", "contador") // a paused container can be removed with force
}

func TestDockerPyStatsUpdate(t *testing.T) {
	if exec.Command("python3", "-c", "import docker").Run() != nil {
		t.Skip("docker-py is not installed in python3")
	}
	d := startDaemon(t)
	d.labInit()
	d.must("run", "-d", "--name", "py", "busybox", "sleep", "1000")
	script := `
import sys, docker
c = docker.DockerClient(base_url=sys.argv[1]).containers.get("py")
s = c.stats(stream=False)
assert "networks" in s, s
assert s["precpu_stats"]["cpu_usage"]["total_usage"] >= 0
c.update(mem_limit="80m")
c.reload()
print(c.attrs["HostConfig"]["Memory"])
`
	r := d.exec([]string{"python3", "-c", script, d.host()}, nil)
	if r.code != 0 || strings.TrimSpace(r.stdout) != strconv.Itoa(80<<20) {
		t.Errorf("docker-py stats/update: %s", r)
	}
}
