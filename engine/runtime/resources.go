package runtime

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/manager"
	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Resources are the limits of a running container that Update can change.
// A zero field leaves the current value alone, as in Docker's update.
type Resources struct {
	// Memory is the memory limit in bytes.
	Memory int64
	// MemorySwap is memory plus swap in bytes; -1 means unlimited swap.
	MemorySwap int64
	// NanoCPUs is the CPU quota in billionths of a CPU (--cpus 1.5 is
	// 1500000000), enforced as a CFS quota over a 100 ms period.
	NanoCPUs int64
	// CPUQuota and CPUPeriod set the CFS quota directly, in microseconds.
	CPUQuota  int64
	CPUPeriod int64
	// CpusetCpus lists the CPUs the container may use ("0", "0-1").
	CpusetCpus string
	// CPUShares is the relative CPU weight.
	CPUShares int64
	// PidsLimit is the maximum number of processes; -1 means unlimited.
	PidsLimit int64
}

// cfsPeriod is the CFS period Docker uses for --cpus, in microseconds.
const cfsPeriod = 100000

// apply writes the non-zero fields of r into c.
func (r Resources) apply(c *cgroups.Resources) {
	if r.Memory != 0 {
		c.Memory = r.Memory
	}
	if r.MemorySwap != 0 {
		c.MemorySwap = r.MemorySwap
	}
	if r.NanoCPUs != 0 {
		c.CpuPeriod = cfsPeriod
		c.CpuQuota = r.NanoCPUs * cfsPeriod / 1e9
	}
	if r.CPUPeriod != 0 {
		c.CpuPeriod = uint64(r.CPUPeriod)
	}
	if r.CPUQuota != 0 {
		c.CpuQuota = r.CPUQuota
	}
	if r.CpusetCpus != "" {
		c.CpusetCpus = r.CpusetCpus
	}
	if r.CPUShares != 0 {
		c.CpuShares = uint64(r.CPUShares)
	}
	if r.PidsLimit != 0 {
		limit := r.PidsLimit
		c.PidsLimit = &limit
	}
}

// Update changes the limits of the running container in its cgroup. The
// kernel enforces them at once: nothing restarts.
func (c *Container) Update(r Resources) error {
	config := c.lc.Config()
	res := *config.Cgroups.Resources
	r.apply(&res)
	cg := *config.Cgroups
	cg.Resources = &res
	config.Cgroups = &cg
	if err := c.lc.Set(config); err != nil {
		return fmt.Errorf("updating container %s: %w", c.id, err)
	}
	return nil
}

// Pause freezes every process of the container with the cgroup freezer.
func (c *Container) Pause() error {
	if err := c.lc.Pause(); err != nil {
		return fmt.Errorf("pausing container %s: %w", c.id, err)
	}
	return nil
}

// Resume thaws a container frozen by Pause.
func (c *Container) Resume() error {
	if err := c.lc.Resume(); err != nil {
		return fmt.Errorf("resuming container %s: %w", c.id, err)
	}
	return nil
}

// Paused reports whether the container's cgroup is frozen.
func (c *Container) Paused() bool {
	st, err := c.lc.Status()
	return err == nil && st == libcontainer.Paused
}

// Processes returns the host PIDs of every process in the container.
func (c *Container) Processes() ([]int, error) {
	pids, err := c.lc.Processes()
	if err != nil {
		return nil, fmt.Errorf("listing processes of container %s: %w", c.id, err)
	}
	return pids, nil
}

// cgroupManager returns a manager for the container's existing cgroup.
func (c *Container) cgroupManager() (cgroups.Manager, error) {
	st, err := c.lc.State()
	if err != nil {
		return nil, err
	}
	return manager.NewWithPaths(c.lc.Config().Cgroups, st.CgroupPaths)
}

// CgroupFiles returns the host paths of the cgroup files that hold the
// container's limits (memory, cpuset, CPU quota, pids), by controller
// file name, e.g. "memory.limit_in_bytes" on cgroup v1 or "memory.max" on
// v2. Only files that exist are returned.
func (c *Container) CgroupFiles() map[string]string {
	m, err := c.cgroupManager()
	if err != nil {
		return nil
	}
	out := map[string]string{}
	add := func(dir, name string) {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			out[name] = p
		}
	}
	if cgroups.IsCgroup2UnifiedMode() {
		dir := m.Path("")
		for _, name := range []string{"memory.max", "memory.swap.max", "cpuset.cpus", "cpu.max", "cpu.weight", "pids.max"} {
			add(dir, name)
		}
		return out
	}
	add(m.Path("memory"), "memory.limit_in_bytes")
	add(m.Path("memory"), "memory.memsw.limit_in_bytes")
	add(m.Path("cpuset"), "cpuset.cpus")
	add(m.Path("cpu"), "cpu.cfs_quota_us")
	add(m.Path("cpu"), "cpu.cfs_period_us")
	add(m.Path("cpu"), "cpu.shares")
	add(m.Path("pids"), "pids.max")
	return out
}

// OOMKilled reports whether the kernel's OOM killer killed a process of
// the container because it went over its memory limit: the oom_kill count
// of memory.oom_control (cgroup v1) or memory.events (v2). Call it before
// Destroy, which removes the cgroup.
func (c *Container) OOMKilled() bool {
	m, err := c.cgroupManager()
	if err != nil {
		return false
	}
	n, err := m.OOMKillCount()
	return err == nil && n > 0
}

// Stats is one sample of a container's resource usage, with the numbers
// the docker CLI's stats formulas need.
type Stats struct {
	// Read is when the sample was taken.
	Read time.Time

	// CPUTotal, CPUKernel and CPUUser are the CPU time the container used,
	// in nanoseconds; PerCPU is CPUTotal per CPU.
	CPUTotal, CPUKernel, CPUUser uint64
	PerCPU                       []uint64
	// SystemCPU is the CPU time of the whole host since boot, in
	// nanoseconds: the first seven fields of the cpu line of /proc/stat,
	// in clock ticks of 1/100 s, as Docker computes it.
	SystemCPU uint64
	// OnlineCPUs is the number of CPUs online on the host.
	OnlineCPUs uint32
	// ThrottledPeriods and ThrottledTime say how often the CFS quota held
	// the container back.
	Periods, ThrottledPeriods, ThrottledTime uint64

	// MemoryUsage and MemoryMaxUsage are in bytes; MemoryLimit is the
	// cgroup's limit, the host's memory when that is smaller (unlimited).
	MemoryUsage, MemoryMaxUsage, MemoryLimit, MemoryFailcnt uint64
	// MemoryStats are the counters of memory.stat (cache, rss,
	// total_inactive_file on v1; anon, file, inactive_file on v2).
	MemoryStats map[string]uint64

	// Pids is the number of processes (and threads) in the container;
	// PidsLimit is 0 when unlimited.
	Pids, PidsLimit uint64

	// Blkio is the bytes read and written per device, as in
	// blkio.throttle.io_service_bytes (v1) or io.stat (v2).
	Blkio []BlkioEntry

	// Networks are the counters of the container's interfaces, loopback
	// excluded; empty with the host's network.
	Networks map[string]NetworkStats
}

// BlkioEntry is one device's counter for one operation (Read, Write,
// Sync, Async, Discard, Total).
type BlkioEntry struct {
	Major, Minor uint64
	Op           string
	Value        uint64
}

// NetworkStats are an interface's counters, as in /proc/net/dev.
type NetworkStats struct {
	RxBytes, RxPackets, RxErrors, RxDropped uint64
	TxBytes, TxPackets, TxErrors, TxDropped uint64
}

// Stats samples the container's resource usage from its cgroup, the host's
// /proc/stat and the container's network namespace.
func (c *Container) Stats() (*Stats, error) {
	ls, err := c.lc.Stats()
	if err != nil {
		return nil, fmt.Errorf("reading stats of container %s: %w", c.id, err)
	}
	cg := ls.CgroupStats
	if cg == nil {
		return nil, fmt.Errorf("reading stats of container %s: no cgroup stats", c.id)
	}
	s := &Stats{
		Read:             time.Now().UTC(),
		CPUTotal:         cg.CpuStats.CpuUsage.TotalUsage,
		CPUKernel:        cg.CpuStats.CpuUsage.UsageInKernelmode,
		CPUUser:          cg.CpuStats.CpuUsage.UsageInUsermode,
		PerCPU:           cg.CpuStats.CpuUsage.PercpuUsage,
		Periods:          cg.CpuStats.ThrottlingData.Periods,
		ThrottledPeriods: cg.CpuStats.ThrottlingData.ThrottledPeriods,
		ThrottledTime:    cg.CpuStats.ThrottlingData.ThrottledTime,
		MemoryUsage:      cg.MemoryStats.Usage.Usage,
		MemoryMaxUsage:   cg.MemoryStats.Usage.MaxUsage,
		MemoryLimit:      cg.MemoryStats.Usage.Limit,
		MemoryFailcnt:    cg.MemoryStats.Usage.Failcnt,
		MemoryStats:      cg.MemoryStats.Stats,
		Pids:             cg.PidsStats.Current,
		PidsLimit:        cg.PidsStats.Limit,
	}
	if total := hostMemory(); total > 0 && (s.MemoryLimit == 0 || s.MemoryLimit > total) {
		s.MemoryLimit = total
	}
	for _, e := range cg.BlkioStats.IoServiceBytesRecursive {
		s.Blkio = append(s.Blkio, BlkioEntry{Major: e.Major, Minor: e.Minor, Op: e.Op, Value: e.Value})
	}
	if s.SystemCPU, err = systemCPUUsage(); err != nil {
		return nil, fmt.Errorf("reading stats of container %s: %w", c.id, err)
	}
	s.OnlineCPUs = onlineCPUs()
	if s.Networks, err = netnsStats(c.pid); err != nil {
		return nil, fmt.Errorf("reading network stats of container %s: %w", c.id, err)
	}
	return s, nil
}

// clockTicks is USER_HZ, the unit of /proc/stat; Docker assumes 100.
const clockTicks = 100

// systemCPUUsage returns the host's CPU time in nanoseconds as Docker
// computes system_cpu_usage: the sum of the first seven fields of the
// "cpu" line of /proc/stat (user, nice, system, idle, iowait, irq,
// softirq), converted from clock ticks.
func systemCPUUsage() (uint64, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	return parseSystemCPU(b)
}

// parseSystemCPU parses the contents of /proc/stat.
func parseSystemCPU(b []byte) (uint64, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || fields[0] != "cpu" {
			continue
		}
		if len(fields) < 8 {
			return 0, fmt.Errorf("invalid cpu line in /proc/stat: %q", sc.Text())
		}
		var ticks uint64
		for _, f := range fields[1:8] {
			v, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("invalid cpu line in /proc/stat: %w", err)
			}
			ticks += v
		}
		return ticks * (1e9 / clockTicks), nil
	}
	return 0, errors.New("no cpu line in /proc/stat")
}

// onlineCPUs counts the host's online CPUs.
func onlineCPUs() uint32 {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return 0
	}
	n, err := countCPUList(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return uint32(n)
}

// countCPUList counts the CPUs of a kernel CPU list such as "0-3,6".
func countCPUList(s string) (int, error) {
	n := 0
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0, fmt.Errorf("invalid cpu list %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0, fmt.Errorf("invalid cpu list %q", s)
			}
		}
		n += b - a + 1
	}
	return n, nil
}

// hostMemory returns the host's total memory in bytes, 0 if unknown.
func hostMemory() uint64 {
	var info unix.Sysinfo_t
	if err := unix.Sysinfo(&info); err != nil {
		return 0
	}
	return uint64(info.Totalram) * uint64(info.Unit)
}

// netnsStats reads the interface counters of the network namespace of pid
// from /proc/<pid>/net/dev, which shows that namespace's interfaces. The
// loopback is left out, as Docker does; a process in the host's network
// namespace gets no interfaces.
func netnsStats(pid int) (map[string]NetworkStats, error) {
	out := map[string]NetworkStats{}
	self, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		return nil, err
	}
	theirs, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return out, nil // the process has just exited
		}
		return nil, err
	}
	if self == theirs {
		return out, nil
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", pid))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return out, nil
		}
		return nil, err
	}
	return parseNetDev(b)
}

// parseNetDev parses /proc/net/dev, loopback excluded.
func parseNetDev(b []byte) (map[string]NetworkStats, error) {
	out := map[string]NetworkStats{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, counters, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue // the two header lines
		}
		name = strings.TrimSpace(name)
		f := strings.Fields(counters)
		if len(f) < 16 {
			return nil, fmt.Errorf("invalid line in net/dev: %q", sc.Text())
		}
		var v [16]uint64
		for i := range v {
			n, err := strconv.ParseUint(f[i], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("invalid line in net/dev: %w", err)
			}
			v[i] = n
		}
		if name == "lo" {
			continue
		}
		out[name] = NetworkStats{
			RxBytes: v[0], RxPackets: v[1], RxErrors: v[2], RxDropped: v[3],
			TxBytes: v[8], TxPackets: v[9], TxErrors: v[10], TxDropped: v[11],
		}
	}
	return out, sc.Err()
}

// addLimits adds the limits of s that resources leaves out: --memory-swap
// and --cpus.
func addLimits(r *specs.LinuxResources, s Spec) {
	if s.MemorySwap != 0 && s.Memory > 0 {
		swap := s.MemorySwap
		r.Memory.Swap = &swap
	}
	if s.NanoCPUs > 0 {
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		period := uint64(cfsPeriod)
		quota := s.NanoCPUs * cfsPeriod / 1e9
		r.CPU.Period, r.CPU.Quota = &period, &quota
	}
}
