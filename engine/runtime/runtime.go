// Package runtime runs containers with runc's libcontainer, and is the only
// package of bolsillo that imports it.
//
// A container here is what Docker runs: a process in its own mount, PID,
// UTS, IPC and network namespaces, confined to a cgroup, with Docker's
// default capabilities, mounts, devices, masked and read-only paths. The
// caller prepares the root filesystem (an overlay mount) and the files to
// bind (/etc/hosts, /etc/hostname, /etc/resolv.conf); Runtime.Start builds
// an OCI runtime spec from a Spec, turns it into a libcontainer
// configuration and starts the init process.
//
// libcontainer starts every container by re-executing the current binary as
// "<binary> init": a program using this package must call Init first thing
// in main, and import github.com/opencontainers/runc/libcontainer/nsenter
// for its side effects.
package runtime

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/opencontainers/cgroups"
	// Registers the device-rule setters of the cgroup managers: without
	// it no container can start with Docker's device allow list. Imported
	// here, not in main, because this package cannot work without it.
	_ "github.com/opencontainers/cgroups/devices"
	"github.com/opencontainers/cgroups/manager"
	"github.com/opencontainers/runc/libcontainer"
	"golang.org/x/sys/unix"
)

// Errors Start returns, to be checked with errors.Is. Docker maps them to
// the exit codes 127 and 126 of `docker run`.
var (
	// ErrExecNotFound means the executable does not exist in the container.
	ErrExecNotFound = errors.New("executable file not found")
	// ErrPermission means the executable exists but cannot be run.
	ErrPermission = errors.New("permission denied")
)

// Runtime runs containers with libcontainer. Several runtimes (several
// daemons) may run on one machine at once as long as each has its own state
// root and cgroup parent.
type Runtime struct {
	stateRoot    string
	cgroupParent string
	host         host
}

// cgroupParentRE restricts a cgroup parent to one path component. It and
// idRE are compiled on first use: this binary is re-executed as the init of
// every container process and exec, and package-level values are built
// again each time.
var cgroupParentRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`) })

// idRE is the set of container IDs libcontainer accepts; it also keeps an
// ID from escaping the state root or the cgroup parent.
var idRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_+.-]*$`) })

// New returns a Runtime that keeps libcontainer's state under stateRoot
// (e.g. <data-root>/runtime) and puts every container in the cgroup
// /<cgroupParent>/<id>. cgroupParent must be unique to the daemon (e.g.
// "bolsillo-1a2b3c4d") so that daemons never share cgroups.
func New(stateRoot, cgroupParent string) (*Runtime, error) {
	if !cgroupParentRE().MatchString(cgroupParent) {
		return nil, fmt.Errorf("invalid cgroup parent %q", cgroupParent)
	}
	root, err := filepath.Abs(stateRoot)
	if err != nil {
		return nil, fmt.Errorf("resolving state root: %w", err)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("creating state root: %w", err)
	}
	h, err := probeHost()
	if err != nil {
		return nil, err
	}
	if !SeccompEnabled {
		slog.Warn("bolsillod se compiló sin seccomp (falta -tags seccomp): los contenedores arrancan sin el filtro de llamadas al sistema de Docker")
	}
	return &Runtime{stateRoot: root, cgroupParent: cgroupParent, host: h}, nil
}

// probeHost reads the daemon's limits that containers inherit.
func probeHost() (host, error) {
	var nofile unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &nofile); err != nil {
		return host{}, fmt.Errorf("reading RLIMIT_NOFILE: %w", err)
	}
	return host{
		bounding: func(c int) bool {
			in, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0)
			return err == nil && in == 1
		},
		nofileHard: nofile.Max,
		cgroup2:    cgroups.IsCgroup2UnifiedMode(),
		seccomp:    SeccompEnabled,
		kernel:     kernelRelease(),
		devices:    hostDevices,
	}, nil
}

// cgroupPath returns the cgroup of container id.
func (r *Runtime) cgroupPath(id string) string {
	return "/" + r.cgroupParent + "/" + id
}

// Cleanup removes what a container left behind when a previous daemon
// stopped without destroying it: it kills the processes still in the
// container's cgroup, removes the cgroup and libcontainer's state
// directory. It is meant for reconciling on daemon start; nothing existing
// is not an error.
func (r *Runtime) Cleanup(id string) error {
	if !idRE().MatchString(id) {
		return fmt.Errorf("invalid container id %q", id)
	}
	if err := removeCgroup(r.cgroupPath(id)); err != nil {
		return fmt.Errorf("cleaning up container %s: %w", id, err)
	}
	if err := os.RemoveAll(filepath.Join(r.stateRoot, id)); err != nil {
		return fmt.Errorf("cleaning up container %s: %w", id, err)
	}
	return nil
}

// Close removes the daemon's parent cgroup. It fails while containers still
// run; call it after destroying them.
func (r *Runtime) Close() error {
	m, err := manager.New(&cgroups.Cgroup{Path: "/" + r.cgroupParent, Resources: &cgroups.Resources{}})
	if err != nil {
		return fmt.Errorf("removing cgroup parent %s: %w", r.cgroupParent, err)
	}
	if err := m.Destroy(); err != nil {
		return fmt.Errorf("removing cgroup parent %s: %w", r.cgroupParent, err)
	}
	return nil
}

// removeCgroup kills every process in the cgroup at path and removes it.
// A missing cgroup is not an error.
func removeCgroup(path string) error {
	m, err := manager.New(&cgroups.Cgroup{Path: path, Resources: &cgroups.Resources{}})
	if err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		pids, err := m.GetAllPids()
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return fmt.Errorf("listing processes of cgroup %s: %w", path, err)
		}
		if len(pids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cgroup %s still has %d processes", path, len(pids))
		}
		// Freeze so that nothing forks between listing and killing.
		frozen := m.Freeze(cgroups.Frozen) == nil
		for _, pid := range pids {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
		if frozen {
			_ = m.Freeze(cgroups.Thawed)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return m.Destroy()
}

// Init runs libcontainer's container init when this process is a re-exec
// of the binary as "<binary> init"; it then never returns. Otherwise it
// returns at once. Call it first thing in main (and in TestMain).
func Init() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		libcontainer.Init()
	}
}
