package container

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/moby/moby/api/types/container"

	"bolsillo/engine/errdefs"
	"bolsillo/engine/runtime"
)

// minMemory is Docker's smallest memory limit: 6 MB.
const minMemory = 6 * 1024 * 1024

// validateResources checks the limits of a create or an update request
// with Docker's messages: a memory limit below 6 MB, a swap limit below the
// memory limit, CPUs the host does not have, or --cpus together with
// --cpu-quota.
func validateResources(r *container.Resources, hostCPUs int) error {
	if r.Memory != 0 && r.Memory < minMemory {
		return errdefs.InvalidParameter("Minimum memory limit allowed is 6MB")
	}
	if r.MemorySwap > 0 && r.Memory > 0 && r.MemorySwap < r.Memory {
		return errdefs.InvalidParameter("Minimum memoryswap limit should be larger than memory limit, see usage")
	}
	if r.MemorySwap > 0 && r.Memory == 0 {
		return errdefs.InvalidParameter("You should always set the Memory limit when using Memoryswap limit, see usage")
	}
	if r.NanoCPUs != 0 && (r.CPUQuota != 0 || r.CPUPeriod != 0) {
		return errdefs.InvalidParameter("Conflicting options: Nano CPUs and CPU Period cannot both be set")
	}
	if r.NanoCPUs < 0 || (hostCPUs > 0 && r.NanoCPUs > int64(hostCPUs)*1e9) {
		return errdefs.InvalidParameter("Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", hostCPUs, hostCPUs)
	}
	if r.CpusetCpus != "" {
		cpus, err := parseCPUSet(r.CpusetCpus)
		if err != nil {
			return errdefs.InvalidParameter("Invalid value %s for cpuset cpus", r.CpusetCpus)
		}
		for _, cpu := range cpus {
			if hostCPUs > 0 && cpu >= hostCPUs {
				return errdefs.InvalidParameter("Requested CPUs are not available - requested %s, available: %s", r.CpusetCpus, cpuRange(hostCPUs))
			}
		}
	}
	return nil
}

// cpuRange is the kernel's list of n CPUs: "0", "0-3".
func cpuRange(n int) string {
	if n == 1 {
		return "0"
	}
	return fmt.Sprintf("0-%d", n-1)
}

// hostCPUs counts the CPUs a container may be pinned to (those online).
var hostCPUs = func() int {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return 0
	}
	cpus, err := parseCPUSet(strings.TrimSpace(string(b)))
	if err != nil || len(cpus) == 0 {
		return 0
	}
	return cpus[len(cpus)-1] + 1
}

// defaultSwap gives a container with a memory limit and no swap limit
// Docker's default: as much swap as memory again (MemorySwap twice Memory),
// where the host accounts swap. Elsewhere the swap stays unlimited.
func defaultSwap(r *container.Resources) {
	if r.Memory > 0 && r.MemorySwap == 0 && hostSwapLimit() {
		r.MemorySwap = 2 * r.Memory
	}
}

// hostSwapLimit reports whether the host's memory cgroups can limit swap:
// memory.memsw.* on cgroup v1 (swapaccount), memory.swap.max on v2.
var hostSwapLimit = sync.OnceValue(func() bool {
	if _, err := os.Stat("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"); err == nil {
		return true
	}
	// v2: the root cgroup has no memory.swap.max; the daemon's own cgroup
	// or any child of the root does when swap is accounted.
	dirs := []string{}
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if p, ok := strings.CutPrefix(line, "0::"); ok && p != "/" {
				dirs = append(dirs, filepath.Join("/sys/fs/cgroup", p))
			}
		}
	}
	if ents, err := os.ReadDir("/sys/fs/cgroup"); err == nil {
		for _, e := range ents {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join("/sys/fs/cgroup", e.Name()))
			}
		}
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "memory.swap.max")); err == nil {
			return true
		}
	}
	return false
})

// Update changes the resource limits (and restart policy) of a container,
// as docker update: a zero field keeps the current value. A running
// container gets the new limits in its cgroup at once; a stopped one only
// in its record, for its next start. The record is saved, so inspect shows
// the new values.
func (m *Manager) Update(ref string, upd container.UpdateConfig) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.lookup(ref)
	if err != nil {
		return nil, err
	}
	c := e.c
	if c.State.Status == StatusRemoving {
		return nil, errdefs.Conflict("Container %s is marked for removal and cannot be \"update\".", c.ID)
	}
	r := upd.Resources
	if err := validateResources(&r, hostCPUs()); err != nil {
		return nil, err
	}
	cur := c.HostConfig.Resources
	if r.Memory > 0 && r.MemorySwap == 0 && cur.MemorySwap > 0 && r.Memory > cur.MemorySwap {
		return nil, errdefs.InvalidParameter("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time")
	}

	next := cur
	if r.Memory != 0 {
		next.Memory = r.Memory
	}
	if r.MemorySwap != 0 {
		next.MemorySwap = r.MemorySwap
	}
	if r.NanoCPUs != 0 {
		next.NanoCPUs = r.NanoCPUs
		next.CPUQuota, next.CPUPeriod = 0, 0
	}
	if r.CPUQuota != 0 {
		next.CPUQuota = r.CPUQuota
		next.NanoCPUs = 0
	}
	if r.CPUPeriod != 0 {
		next.CPUPeriod = r.CPUPeriod
		next.NanoCPUs = 0
	}
	if r.CpusetCpus != "" {
		next.CpusetCpus = r.CpusetCpus
	}
	if r.CPUShares != 0 {
		next.CPUShares = r.CPUShares
	}
	// The API's PidsLimit: nil keeps it, 0 or -1 mean unlimited.
	var pids int64
	if r.PidsLimit != nil {
		pids = *r.PidsLimit
		if pids <= 0 {
			pids = -1
		}
		limit := *r.PidsLimit
		if limit < 0 {
			limit = 0
		}
		next.PidsLimit = &limit
	}
	if next.MemorySwap > 0 && next.Memory > next.MemorySwap {
		return nil, errdefs.InvalidParameter("Minimum memoryswap limit should be larger than memory limit, see usage")
	}

	if e.proc != nil {
		err := e.proc.Update(runtime.Resources{
			Memory:     r.Memory,
			MemorySwap: r.MemorySwap,
			NanoCPUs:   r.NanoCPUs,
			CPUQuota:   r.CPUQuota,
			CPUPeriod:  r.CPUPeriod,
			CpusetCpus: r.CpusetCpus,
			CPUShares:  r.CPUShares,
			PidsLimit:  pids,
		})
		if err != nil {
			return nil, fmt.Errorf("Cannot update container %s: %w", c.ID, err)
		}
	}
	c.HostConfig.Resources = next
	if upd.RestartPolicy.Name != "" {
		c.HostConfig.RestartPolicy = upd.RestartPolicy
	}
	if err := c.save(); err != nil {
		return nil, err
	}
	return []string{}, nil
}

// Pause freezes every process of a running container (the cgroup freezer):
// they stay in memory but get no CPU until Unpause.
func (m *Manager) Pause(ref string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.lookup(ref)
	if err != nil {
		return err
	}
	c := e.c
	if !c.State.Running() || e.proc == nil {
		return errdefs.Conflict("Container %s is not running", c.ID)
	}
	if c.State.Paused {
		return errdefs.Conflict("Container %s is already paused", c.ID)
	}
	if err := e.proc.Pause(); err != nil {
		return fmt.Errorf("Cannot pause container %s: %w", c.ID, err)
	}
	c.State.Paused = true
	return c.save()
}

// Unpause thaws a paused container.
func (m *Manager) Unpause(ref string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.lookup(ref)
	if err != nil {
		return err
	}
	c := e.c
	if !c.State.Paused || e.proc == nil {
		return errdefs.Conflict("Container %s is not paused", c.ID)
	}
	if err := e.proc.Resume(); err != nil {
		return fmt.Errorf("Cannot unpause container %s: %w", c.ID, err)
	}
	c.State.Paused = false
	return c.save()
}

// Stats samples a running container's resource usage. A container that is
// not running gives its record and nil stats.
func (m *Manager) Stats(ref string) (*Container, *runtime.Stats, error) {
	m.mu.Lock()
	e, err := m.lookup(ref)
	if err != nil {
		m.mu.Unlock()
		return nil, nil, err
	}
	c, proc := e.c.clone(), e.proc
	m.mu.Unlock()
	if proc == nil {
		return c, nil, nil
	}
	s, err := proc.Stats()
	if err != nil {
		select {
		case <-proc.Exited():
			return c, nil, nil // it exited while sampling
		default:
		}
		return nil, nil, err
	}
	return c, s, nil
}

// Processes returns the host PIDs of a running container's processes.
func (m *Manager) Processes(ref string) ([]int, error) {
	m.mu.Lock()
	e, err := m.lookup(ref)
	if err != nil {
		m.mu.Unlock()
		return nil, err
	}
	proc, id := e.proc, e.c.ID
	m.mu.Unlock()
	if proc == nil {
		return nil, errNotRunning(id)
	}
	return proc.Processes()
}

// SetExitHook registers fn, called (with the manager's lock held, so it
// must not call back into the manager) with a copy of each container's
// record right after its main process's exit is recorded.
func (m *Manager) SetExitHook(fn func(*Container)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.exitHook = fn
}

// recordExit notes what only the live cgroup can tell about an exit:
// whether the OOM killer struck. Callers hold m.mu and call it before the
// cgroup is destroyed.
func (m *Manager) recordExit(e *entry, proc *runtime.Container) {
	e.c.State.OOMKilled = proc.OOMKilled()
	e.c.State.Paused = false
}

// notifyExit calls the exit hook. Callers hold m.mu.
func (m *Manager) notifyExit(e *entry) {
	if m.exitHook != nil {
		m.exitHook(e.c.clone())
	}
}
