package engine

import (
	"fmt"
	"os"
	goruntime "runtime"
	"strings"
	"time"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/system"
	"golang.org/x/sys/unix"

	"bolsillo/engine/backend"
	"bolsillo/engine/container"
	"bolsillo/engine/runtime"
)

// Version returns GET /version.
func (e *Engine) Version() system.VersionResponse {
	kernel := kernelVersion()
	details := map[string]string{
		"ApiVersion":    backend.APIVersion,
		"MinAPIVersion": backend.MinAPIVersion,
		"GoVersion":     goruntime.Version(),
		"Os":            goruntime.GOOS,
		"Arch":          goruntime.GOARCH,
		"KernelVersion": kernel,
		"Experimental":  "false",
		"GitCommit":     "",
		"BuildTime":     "",
	}
	return system.VersionResponse{
		Platform:      system.PlatformInfo{Name: "bolsillo"},
		Components:    []system.ComponentVersion{{Name: "Engine", Version: Version, Details: details}},
		Version:       Version,
		APIVersion:    backend.APIVersion,
		MinAPIVersion: backend.MinAPIVersion,
		GoVersion:     goruntime.Version(),
		Os:            goruntime.GOOS,
		Arch:          goruntime.GOARCH,
		KernelVersion: kernel,
	}
}

func kernelVersion() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return ""
	}
	return unix.ByteSliceToString(u.Release[:])
}

// Info returns GET /info.
func (e *Engine) Info() system.Info {
	var running, stopped, paused int
	cs := e.containers.List()
	for _, c := range cs {
		switch c.State.Status {
		case container.StatusRunning:
			running++
		default:
			stopped++
		}
	}
	images, _ := e.images.List()
	hostname, _ := os.Hostname()
	var si unix.Sysinfo_t
	var mem int64
	if unix.Sysinfo(&si) == nil {
		mem = int64(si.Totalram) * int64(si.Unit)
	}
	return system.Info{
		ID:                e.id,
		Containers:        len(cs),
		ContainersRunning: running,
		ContainersPaused:  paused,
		ContainersStopped: stopped,
		Images:            len(images),
		Driver:            "overlay2",
		DriverStatus:      [][2]string{{"Backing Filesystem", backingFilesystem(e.root)}},
		Plugins:           system.PluginsInfo{Volume: []string{"local"}, Network: []string{"none", "host"}, Log: []string{"json-file"}},
		MemoryLimit:       true,
		SwapLimit:         false,
		CPUSet:            true,
		CPUShares:         true,
		PidsLimit:         true,
		IPv4Forwarding:    true,
		Debug:             false,
		NFd:               countFDs(),
		NGoroutines:       goruntime.NumGoroutine(),
		SystemTime:        time.Now().Format(time.RFC3339Nano),
		LoggingDriver:     "json-file",
		CgroupDriver:      "cgroupfs",
		CgroupVersion:     cgroupVersion(),
		KernelVersion:     kernelVersion(),
		OperatingSystem:   operatingSystem(),
		OSType:            goruntime.GOOS,
		Architecture:      architecture(),
		NCPU:              goruntime.NumCPU(),
		MemTotal:          mem,
		DockerRootDir:     e.root,
		Name:              hostname,
		ServerVersion:     Version,
		Labels:            []string{},
		ExperimentalBuild: false,
		DefaultRuntime:    "runc",
		Runtimes:          map[string]system.RuntimeWithStatus{"runc": {Runtime: system.Runtime{Path: "libcontainer"}}},
		Swarm:             swarm.Info{LocalNodeState: swarm.LocalNodeStateInactive},
		SecurityOptions:   runtime.SecurityOptions(cgroupVersion() == "2"),
		Warnings:          []string{},
	}
}

func countFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(ents)
}

func cgroupVersion() string {
	var st unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		return "2"
	}
	return "1"
}

func operatingSystem() string {
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return goruntime.GOOS
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return goruntime.GOOS
}

func architecture() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return goruntime.GOARCH
	}
	return unix.ByteSliceToString(u.Machine[:])
}

// backingFilesystem names the filesystem under the data root, with
// Docker's names.
func backingFilesystem(dir string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return "unknown"
	}
	switch st.Type {
	case unix.EXT4_SUPER_MAGIC:
		return "extfs"
	case unix.XFS_SUPER_MAGIC:
		return "xfs"
	case unix.BTRFS_SUPER_MAGIC:
		return "btrfs"
	case unix.TMPFS_MAGIC:
		return "tmpfs"
	case unix.OVERLAYFS_SUPER_MAGIC:
		return "overlayfs"
	}
	return fmt.Sprintf("0x%x", st.Type)
}
