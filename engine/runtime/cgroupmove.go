package runtime

import (
	"os"
	"sync/atomic"

	"github.com/opencontainers/cgroups"
)

var (
	// cgroupMoveInFlight is set while a move started by PrimeCgroupMove is
	// under way, so that a burst of requests makes one move, not one each.
	cgroupMoveInFlight atomic.Bool
	// moveInPlace makes the move; tests replace it.
	moveInPlace = moveSelfInPlace
)

// PrimeCgroupMove starts, in the background, the kernel's slow first step of
// moving a process into a cgroup, so that the move a container start or an
// exec makes shortly after does not wait for it. Call it as soon as a
// request is known to need one: at exec create for an exec, at container
// create and start for an init process.
//
// On cgroup v1 every write to cgroup.procs takes a kernel-wide lock whose
// writer first waits for an RCU grace period, unless another write happened
// within the last grace period or so. On these machines that is 6 ms when
// the system has been quiet, paid on the critical path of every exec a
// student types, since libcontainer moves each exec's process into the
// container's cgroups before it hands the process its configuration. The
// move made here changes nothing: the daemon is written into the cgroup it
// is already in. It only pays the wait early, while the request is still
// being prepared.
//
// On cgroup v2 libcontainer starts processes directly inside their cgroup
// (CLONE_INTO_CGROUP) and there is no wait to pay: PrimeCgroupMove does
// nothing there.
func PrimeCgroupMove() {
	if cgroups.IsCgroup2UnifiedMode() || !cgroupMoveInFlight.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer cgroupMoveInFlight.Store(false)
		// A failure costs nothing but the head start: the move libcontainer
		// makes later waits as it always did.
		_ = moveInPlace()
	}()
}

// moveSelfInPlace writes the daemon's PID into the cgroup.procs of the v1
// cgroup it already belongs to, in the first of a few hierarchies that
// every container uses. The pid is written explicitly: "0" would mean the
// writing thread alone, and the kernel skips the lock for that.
func moveSelfInPlace() error {
	var err error
	for _, subsystem := range []string{"pids", "memory", "cpu"} {
		var dir string
		if dir, err = cgroups.GetOwnCgroupPath(subsystem); err == nil {
			return cgroups.WriteCgroupProc(dir, os.Getpid())
		}
	}
	return err
}
