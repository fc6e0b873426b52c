package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Security is what isolates a container beyond its namespaces, as Docker's
// HostConfig sets it. The zero value is Docker's default: its capability
// set, its seccomp profile, masked and read-only paths, only the default
// devices.
type Security struct {
	// Privileged gives every capability and every host device, and drops
	// seccomp, masked and read-only paths; /sys is writable.
	Privileged bool
	// CapAdd and CapDrop change the default capability set, as
	// --cap-add/--cap-drop: names with or without CAP_, or ALL.
	CapAdd, CapDrop []string
	// NoNewPrivileges keeps the processes from gaining privileges through
	// setuid binaries or file capabilities.
	NoNewPrivileges bool
	// Seccomp is "" for Docker's default profile, SeccompUnconfined for no
	// filter, or a profile in Docker's JSON format.
	Seccomp string
}

// allCapabilities maps every capability name to its number.
var allCapabilities = map[string]int{
	"CAP_CHOWN":              unix.CAP_CHOWN,
	"CAP_DAC_OVERRIDE":       unix.CAP_DAC_OVERRIDE,
	"CAP_DAC_READ_SEARCH":    unix.CAP_DAC_READ_SEARCH,
	"CAP_FOWNER":             unix.CAP_FOWNER,
	"CAP_FSETID":             unix.CAP_FSETID,
	"CAP_KILL":               unix.CAP_KILL,
	"CAP_SETGID":             unix.CAP_SETGID,
	"CAP_SETUID":             unix.CAP_SETUID,
	"CAP_SETPCAP":            unix.CAP_SETPCAP,
	"CAP_LINUX_IMMUTABLE":    unix.CAP_LINUX_IMMUTABLE,
	"CAP_NET_BIND_SERVICE":   unix.CAP_NET_BIND_SERVICE,
	"CAP_NET_BROADCAST":      unix.CAP_NET_BROADCAST,
	"CAP_NET_ADMIN":          unix.CAP_NET_ADMIN,
	"CAP_NET_RAW":            unix.CAP_NET_RAW,
	"CAP_IPC_LOCK":           unix.CAP_IPC_LOCK,
	"CAP_IPC_OWNER":          unix.CAP_IPC_OWNER,
	"CAP_SYS_MODULE":         unix.CAP_SYS_MODULE,
	"CAP_SYS_RAWIO":          unix.CAP_SYS_RAWIO,
	"CAP_SYS_CHROOT":         unix.CAP_SYS_CHROOT,
	"CAP_SYS_PTRACE":         unix.CAP_SYS_PTRACE,
	"CAP_SYS_PACCT":          unix.CAP_SYS_PACCT,
	"CAP_SYS_ADMIN":          unix.CAP_SYS_ADMIN,
	"CAP_SYS_BOOT":           unix.CAP_SYS_BOOT,
	"CAP_SYS_NICE":           unix.CAP_SYS_NICE,
	"CAP_SYS_RESOURCE":       unix.CAP_SYS_RESOURCE,
	"CAP_SYS_TIME":           unix.CAP_SYS_TIME,
	"CAP_SYS_TTY_CONFIG":     unix.CAP_SYS_TTY_CONFIG,
	"CAP_MKNOD":              unix.CAP_MKNOD,
	"CAP_LEASE":              unix.CAP_LEASE,
	"CAP_AUDIT_WRITE":        unix.CAP_AUDIT_WRITE,
	"CAP_AUDIT_CONTROL":      unix.CAP_AUDIT_CONTROL,
	"CAP_SETFCAP":            unix.CAP_SETFCAP,
	"CAP_MAC_OVERRIDE":       unix.CAP_MAC_OVERRIDE,
	"CAP_MAC_ADMIN":          unix.CAP_MAC_ADMIN,
	"CAP_SYSLOG":             unix.CAP_SYSLOG,
	"CAP_WAKE_ALARM":         unix.CAP_WAKE_ALARM,
	"CAP_BLOCK_SUSPEND":      unix.CAP_BLOCK_SUSPEND,
	"CAP_AUDIT_READ":         unix.CAP_AUDIT_READ,
	"CAP_PERFMON":            unix.CAP_PERFMON,
	"CAP_BPF":                unix.CAP_BPF,
	"CAP_CHECKPOINT_RESTORE": unix.CAP_CHECKPOINT_RESTORE,
}

// allCapabilityNames returns every capability name, in number order.
func allCapabilityNames() []string {
	names := make([]string, 0, len(allCapabilities))
	for name := range allCapabilities {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return allCapabilities[a] - allCapabilities[b] })
	return names
}

// NormalizeCapability turns a --cap-add/--cap-drop value ("net_raw",
// "CAP_NET_RAW", "all") into its canonical name ("CAP_NET_RAW", "ALL").
// An unknown capability is an error.
func NormalizeCapability(s string) (string, error) {
	name := strings.ToUpper(strings.TrimSpace(s))
	if name == "ALL" {
		return name, nil
	}
	if !strings.HasPrefix(name, "CAP_") {
		name = "CAP_" + name
	}
	if _, ok := allCapabilities[name]; !ok {
		return "", fmt.Errorf("unknown capability: %q", s)
	}
	return name, nil
}

// capabilities returns the container's capabilities with Docker's rules
// (moby's TweakCapabilities): privileged gets them all; ALL in CapAdd adds
// every one but those dropped; ALL in CapDrop keeps only those added;
// otherwise the defaults minus CapDrop plus CapAdd. The result is limited to
// the host's bounding set, in number order.
func capabilities(sec Security, h host) ([]string, error) {
	adds, err := normalizeCapabilities(sec.CapAdd)
	if err != nil {
		return nil, err
	}
	drops, err := normalizeCapabilities(sec.CapDrop)
	if err != nil {
		return nil, err
	}
	var caps []string
	switch {
	case sec.Privileged:
		caps = allCapabilityNames()
	case slices.Contains(adds, "ALL"):
		for _, c := range allCapabilityNames() {
			if !slices.Contains(drops, c) {
				caps = append(caps, c)
			}
		}
	case slices.Contains(drops, "ALL"):
		caps = adds
	default:
		for _, c := range defaultCapabilities {
			if !slices.Contains(drops, c) {
				caps = append(caps, c)
			}
		}
		caps = append(caps, adds...)
	}
	var out []string
	for _, c := range allCapabilityNames() {
		if slices.Contains(caps, c) && h.bounding(allCapabilities[c]) {
			out = append(out, c)
		}
	}
	return out, nil
}

func normalizeCapabilities(list []string) ([]string, error) {
	out := make([]string, 0, len(list))
	for _, s := range list {
		c, err := NormalizeCapability(s)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// seccompFor returns the seccomp filter of a container with capabilities
// caps, or nil for none: privileged and unconfined containers have none, and
// neither does any container when this binary has no seccomp support (then
// a custom profile is an error, as in Docker).
func seccompFor(sec Security, caps []string, h host) (*specs.LinuxSeccomp, error) {
	if sec.Seccomp == SeccompUnconfined || (sec.Privileged && sec.Seccomp == "") {
		return nil, nil
	}
	if !h.seccomp {
		if sec.Seccomp != "" {
			return nil, fmt.Errorf("seccomp is not enabled in this daemon, cannot run a custom seccomp profile")
		}
		return nil, nil
	}
	p := &defaultSeccompProfile
	if sec.Seccomp != "" {
		var err error
		if p, err = parseSeccompProfile(sec.Seccomp); err != nil {
			return nil, err
		}
	}
	return p.toOCI(caps, h.kernel)
}

// privilegedMounts are the default mounts of a privileged container: /sys
// and its cgroups writable, as in Docker.
func privilegedMounts(mounts []specs.Mount) []specs.Mount {
	for i, m := range mounts {
		if m.Destination == "/sys" || m.Destination == "/sys/fs/cgroup" {
			mounts[i].Options = slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "ro" })
			mounts[i].Options = append(mounts[i].Options, "rw")
		}
	}
	return mounts
}

// hostDevices returns every device node under the host's /dev as OCI
// devices, for a privileged container (what runc's HostDevices does).
func hostDevices() ([]specs.LinuxDevice, error) {
	var out []specs.LinuxDevice
	err := filepath.WalkDir("/dev", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			// A node that vanished while walking is not an error.
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			// The container's own terminal, shared memory and queues, and
			// runtimes' private directories.
			case "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev":
				return filepath.SkipDir
			}
			return nil
		}
		if p == "/dev/console" || p == "/dev/ptmx" {
			return nil
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return nil
		}
		var typ string
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFCHR:
			typ = "c"
		case unix.S_IFBLK:
			typ = "b"
		default:
			return nil
		}
		mode := fs.FileMode(st.Mode &^ unix.S_IFMT)
		uid, gid := st.Uid, st.Gid
		out = append(out, specs.LinuxDevice{
			Path:     p,
			Type:     typ,
			Major:    int64(unix.Major(st.Rdev)),
			Minor:    int64(unix.Minor(st.Rdev)),
			FileMode: &mode,
			UID:      &uid,
			GID:      &gid,
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing host devices: %w", err)
	}
	return out, nil
}
