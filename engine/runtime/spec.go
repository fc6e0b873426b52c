package runtime

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/opencontainers/runtime-spec/specs-go"
)

// Spec describes one container to run: what to execute, in which root
// filesystem, as which user, and with which limits.
type Spec struct {
	// ID is the container ID, 64 hex characters.
	ID string
	// Rootfs is the container's root filesystem (the merged overlay
	// directory), already mounted by the caller.
	Rootfs string
	// Args is the argv of the init process. Args[0] is resolved against the
	// PATH inside the container.
	Args []string
	// Env holds KEY=VALUE pairs. As Docker does, Start adds what is missing
	// of PATH (Docker's default), HOSTNAME and, with Tty, TERM=xterm; libcontainer
	// adds HOME from the container's /etc/passwd.
	Env []string
	// Cwd is the working directory, "/" when empty. It is created (owned by
	// root) when missing, as Docker does.
	Cwd string
	// User is "", "name", "uid", "name:group" or "uid:gid", resolved against
	// the container's /etc/passwd and /etc/group. Empty means root.
	User string
	// GroupAdd are more supplementary groups, names or GIDs, resolved
	// against the container's /etc/group (docker run --group-add).
	GroupAdd []string
	// Hostname is the container's hostname (it gets its own UTS namespace).
	Hostname string
	// Tty gives the init process a pseudo-terminal.
	Tty bool
	// ReadonlyRootfs mounts the root filesystem read-only.
	ReadonlyRootfs bool
	// Mounts are bind mounts, applied after the default mounts.
	Mounts []Mount
	// NetworkMode is "none" (a new network namespace with only loopback,
	// also the default when empty) or "host" (the host's network namespace).
	NetworkMode string
	// NetNSPath, when set, is a network namespace the caller created and
	// configured (the bridge network's eth0 is in it): the container joins
	// it, whatever NetworkMode says, and nothing is added to it.
	NetNSPath string
	// Memory is the memory limit in bytes; 0 means unlimited.
	Memory int64
	// CpusetCpus lists the CPUs the container may use ("0", "0-1", "0,2");
	// empty means all.
	CpusetCpus string
	// CPUShares is the relative CPU weight; 0 means the kernel's default.
	CPUShares int64
	// PidsLimit is the maximum number of processes; 0 or less means unlimited.
	PidsLimit int64
	// MemorySwap, NanoCPUs: see Resources (resources.go).
	MemorySwap, NanoCPUs int64
	// Security: capabilities, seccomp, privileged (security.go).
	Security Security
}

// Mount is a bind mount of a host path into the container.
type Mount struct {
	Source      string // path on the host
	Destination string // absolute path inside the container
	ReadOnly    bool
}

// Network modes accepted in Spec.NetworkMode.
const (
	NetworkNone = "none"
	NetworkHost = "host"
)

// defaultPath is the PATH Docker gives a container whose image sets none.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// defaultNofile is the RLIMIT_NOFILE a container gets under dockerd's
// systemd unit; it is clamped to the daemon's own hard limit.
const defaultNofile = 1048576

// defaultCapabilities is Docker's default capability set
// (moby oci/caps.DefaultCapabilities).
var defaultCapabilities = []string{
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_FSETID",
	"CAP_FOWNER",
	"CAP_MKNOD",
	"CAP_NET_RAW",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETFCAP",
	"CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE",
	"CAP_SYS_CHROOT",
	"CAP_KILL",
	"CAP_AUDIT_WRITE",
}

// maskedPaths and readonlyPaths are Docker's defaults
// (moby oci.DefaultSpec).
var (
	maskedPaths = []string{
		"/proc/asound",
		"/proc/acpi",
		"/proc/interrupts",
		"/proc/kcore",
		"/proc/keys",
		"/proc/latency_stats",
		"/proc/timer_list",
		"/proc/timer_stats",
		"/proc/sched_debug",
		"/proc/scsi",
		"/sys/firmware",
		"/sys/devices/virtual/powercap",
	}
	readonlyPaths = []string{
		"/proc/bus",
		"/proc/fs",
		"/proc/irq",
		"/proc/sys",
		"/proc/sysrq-trigger",
	}
)

// defaultMounts returns Docker's default mounts (moby oci.DefaultSpec).
func defaultMounts() []specs.Mount {
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
		{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"ro", "nosuid", "noexec", "nodev"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
	}
}

// host holds what the container configuration must respect about the
// machine the daemon runs on. probeHost reads it; tests fix it.
type host struct {
	// bounding reports whether a capability is in the daemon's bounding
	// set: a capability outside it cannot be given to a container.
	bounding func(capability int) bool
	// nofileHard is the daemon's hard RLIMIT_NOFILE: no child can raise it.
	nofileHard uint64
	// cgroup2 is true on a cgroup v2 (unified) host.
	cgroup2 bool
	// seccomp is true when the binary can apply seccomp filters.
	seccomp bool
	// kernel is the kernel release, for the profile's minKernel rules.
	kernel string
	// devices lists the host's device nodes, for privileged containers.
	devices func() ([]specs.LinuxDevice, error)
}

// execUser is a resolved Spec.User.
type execUser struct {
	UID, GID       uint32
	AdditionalGIDs []uint32
}

// ociSpec builds the OCI runtime spec of a container. It is a pure
// function of its arguments, so the result can be compared to a golden file.
func ociSpec(s Spec, u execUser, cgroupParent string, h host) (*specs.Spec, error) {
	if len(s.Args) == 0 {
		return nil, errors.New("no command specified")
	}
	cwd := s.Cwd
	if cwd == "" {
		cwd = "/"
	}
	if !path.IsAbs(cwd) {
		return nil, fmt.Errorf("working directory %q is not an absolute path", cwd)
	}

	caps, err := capabilities(s.Security, h)
	if err != nil {
		return nil, err
	}
	seccompProfile, err := seccompFor(s.Security, caps, h)
	if err != nil {
		return nil, err
	}
	proc := &specs.Process{
		Terminal: s.Tty,
		User: specs.User{
			UID:            u.UID,
			GID:            u.GID,
			AdditionalGids: u.AdditionalGIDs,
		},
		Args:            slices.Clone(s.Args),
		Env:             containerEnv(s),
		Cwd:             path.Clean(cwd),
		NoNewPrivileges: s.Security.NoNewPrivileges,
		Capabilities: &specs.LinuxCapabilities{
			Bounding:  caps,
			Effective: caps,
			Permitted: caps,
		},
		Rlimits: []specs.POSIXRlimit{{
			Type: "RLIMIT_NOFILE",
			Hard: min(defaultNofile, h.nofileHard),
			Soft: min(defaultNofile, h.nofileHard),
		}},
	}

	mounts := defaultMounts()
	if s.Security.Privileged {
		mounts = privilegedMounts(mounts)
	}
	for _, m := range s.Mounts {
		if !path.IsAbs(m.Destination) {
			return nil, fmt.Errorf("mount destination %q is not an absolute path", m.Destination)
		}
		opts := []string{"rbind", "rprivate"}
		if m.ReadOnly {
			opts = append(opts, "ro")
		}
		mounts = append(mounts, specs.Mount{
			Destination: path.Clean(m.Destination),
			Type:        "bind",
			Source:      m.Source,
			Options:     opts,
		})
	}

	namespaces := []specs.LinuxNamespace{
		{Type: specs.MountNamespace},
		{Type: specs.PIDNamespace},
		{Type: specs.UTSNamespace},
		{Type: specs.IPCNamespace},
	}
	switch {
	case s.NetNSPath != "":
		namespaces = append(namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: s.NetNSPath})
	case s.NetworkMode == "" || s.NetworkMode == NetworkNone:
		// A new network namespace; specconv adds the loopback interface.
		namespaces = append(namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace})
	case s.NetworkMode == NetworkHost:
	default:
		return nil, fmt.Errorf("unsupported network mode %q", s.NetworkMode)
	}
	if h.cgroup2 {
		// Docker's default on cgroup v2: the container sees its own cgroup
		// as the root of /sys/fs/cgroup.
		namespaces = append(namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	}

	linux := &specs.Linux{
		CgroupsPath:   "/" + cgroupParent + "/" + s.ID,
		Resources:     resources(s),
		Namespaces:    namespaces,
		MaskedPaths:   slices.Clone(maskedPaths),
		ReadonlyPaths: slices.Clone(readonlyPaths),
		Seccomp:       seccompProfile,
	}
	if s.Security.Privileged {
		// Docker's --privileged: every host device, readable and
		// writable, and nothing of /proc or /sys hidden.
		linux.MaskedPaths, linux.ReadonlyPaths = nil, nil
		linux.Resources.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}
		if h.devices != nil {
			if linux.Devices, err = h.devices(); err != nil {
				return nil, err
			}
		}
	}
	return &specs.Spec{
		Version:  specs.Version,
		Process:  proc,
		Root:     &specs.Root{Path: s.Rootfs, Readonly: s.ReadonlyRootfs},
		Hostname: s.Hostname,
		Mounts:   mounts,
		Linux:    linux,
	}, nil
}

// containerEnv returns the init process environment: the caller's, plus
// what Docker adds when missing (PATH, HOSTNAME, and TERM with a TTY).
func containerEnv(s Spec) []string {
	env := slices.Clone(s.Env)
	if !hasEnv(env, "PATH") {
		env = append([]string{defaultPath}, env...)
	}
	if s.Hostname != "" && !hasEnv(env, "HOSTNAME") {
		env = append(env, "HOSTNAME="+s.Hostname)
	}
	if s.Tty && !hasEnv(env, "TERM") {
		env = append(env, "TERM=xterm")
	}
	return env
}

// hasEnv reports whether env sets key.
func hasEnv(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}

// resources returns the cgroup configuration: Docker's device allow list
// (deny everything, then specconv adds the default devices) and the limits.
func resources(s Spec) *specs.LinuxResources {
	r := &specs.LinuxResources{
		Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
	}
	if s.Memory > 0 {
		r.Memory = &specs.LinuxMemory{Limit: &s.Memory}
	}
	if s.CpusetCpus != "" || s.CPUShares > 0 {
		r.CPU = &specs.LinuxCPU{Cpus: s.CpusetCpus}
		if s.CPUShares > 0 {
			shares := uint64(s.CPUShares)
			r.CPU.Shares = &shares
		}
	}
	if s.PidsLimit > 0 {
		r.Pids = &specs.LinuxPids{Limit: &s.PidsLimit}
	}
	addLimits(r, s)
	return r
}
