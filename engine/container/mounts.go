package container

import (
	"fmt"
	"os"
	"path/filepath"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"

	"bolsillo/engine/runtime"
	"bolsillo/engine/volume"
)

// MountPoint is a volume or a bind mount of a container, decided at create.
type MountPoint struct {
	Type        string // "volume" or "bind"
	Name        string // the volume's name; empty for a bind
	Source      string // host path: the volume's _data or the bound directory
	Destination string // path inside the container
	RW          bool
	Mode        string `json:",omitempty"` // as given in a bind: "ro", "z", ...
	// NoCopy keeps an empty volume empty at start instead of copying the
	// image's files at Destination into it.
	NoCopy bool `json:",omitempty"`
}

// SetRemoveHook sets a function called with every container the manager
// removes (by request, --rm or a failed start), while its lock is held:
// the hook must not call back into the manager. It is called at once with
// the containers removed when the manager opened (--rm ones a crashed
// daemon left), so their volumes are released too.
func (m *Manager) SetRemoveHook(fn func(*Container)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeHook = fn
	for _, c := range m.removedAtOpen {
		fn(c)
	}
	m.removedAtOpen = nil
}

// volumeMounts are the runtime bind mounts of a container's mount points.
func (c *Container) volumeMounts() []runtime.Mount {
	out := make([]runtime.Mount, 0, len(c.MountPoints))
	for _, mp := range c.MountPoints {
		out = append(out, runtime.Mount{Source: mp.Source, Destination: mp.Destination, ReadOnly: !mp.RW})
	}
	return out
}

// populateVolumes copies the image's files into the container's empty
// volumes, as Docker does on their first use. The rootfs is mounted.
func populateVolumes(c *Container) error {
	for _, mp := range c.MountPoints {
		if mp.Type != "volume" || mp.NoCopy {
			continue
		}
		if err := volume.Populate(mp.Source, c.MergedDir(), mp.Destination); err != nil {
			return err
		}
	}
	return nil
}

// mountVolumes binds a stopped container's volumes and bind mounts over
// its mounted root filesystem, where the runtime would put them, so that
// cp sees the same files a running container sees. Unmounting the root
// filesystem (layer.Unmount, which detaches when busy) takes them away too.
func mountVolumes(c *Container) error {
	for _, mp := range c.MountPoints {
		target, err := securejoin.SecureJoin(c.MergedDir(), mp.Destination)
		if err != nil {
			return fmt.Errorf("resolving %s in the container: %w", mp.Destination, err)
		}
		fi, err := os.Stat(mp.Source)
		if err != nil {
			return fmt.Errorf("mount source: %w", err)
		}
		if fi.IsDir() {
			err = os.MkdirAll(target, 0o755)
		} else if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
			var f *os.File
			if f, err = os.OpenFile(target, os.O_CREATE|os.O_RDONLY, 0o644); err == nil {
				err = f.Close()
			}
		}
		if err != nil {
			return fmt.Errorf("creating mount point %s: %w", mp.Destination, err)
		}
		if err := unix.Mount(mp.Source, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("binding %s at %s: %w", mp.Source, mp.Destination, err)
		}
		if !mp.RW {
			if err := unix.Mount("", target, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_REC, ""); err != nil {
				return fmt.Errorf("making %s read-only: %w", mp.Destination, err)
			}
		}
	}
	return nil
}
