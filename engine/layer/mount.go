package layer

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// Mount mounts an overlay filesystem at merged: lowers (top-first) under
// upper, with work as overlay's work directory. upper, work and merged are
// created if missing.
//
// With an empty upper the mount is read-only; overlay then needs two lowers
// at least, so a single lower with no upper is bind-mounted read-only
// instead. The options must fit in one page, and no path may contain ':' or
// ',', which separate overlay options.
func Mount(lowers []string, upper, work, merged string) error {
	if len(lowers) == 0 {
		return errors.New("mounting overlay: no lower directories")
	}
	for _, p := range append([]string{upper, work, merged}, lowers...) {
		if strings.ContainsAny(p, ":,") {
			return fmt.Errorf("mounting overlay: path %q contains ':' or ','", p)
		}
	}
	if err := os.MkdirAll(merged, 0o755); err != nil {
		return fmt.Errorf("mounting overlay: %w", err)
	}

	if upper == "" {
		if len(lowers) == 1 {
			return bindReadOnly(lowers[0], merged)
		}
		opts := "lowerdir=" + strings.Join(lowers, ":")
		return mountOverlay(opts, unix.MS_RDONLY, merged)
	}
	if work == "" {
		return errors.New("mounting overlay: a work directory is needed with an upper directory")
	}
	for _, dir := range []string{upper, work} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("mounting overlay: %w", err)
		}
	}
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", strings.Join(lowers, ":"), upper, work)
	return mountOverlay(opts, 0, merged)
}

func mountOverlay(opts string, flags uintptr, merged string) error {
	// The kernel reads at most one page of options and would silently
	// truncate the rest.
	if len(opts) >= unix.Getpagesize() {
		return fmt.Errorf("mounting overlay at %s: options are %d bytes, more than fit in a page (%d)", merged, len(opts), unix.Getpagesize())
	}
	if err := unix.Mount("overlay", merged, "overlay", flags, opts); err != nil {
		return fmt.Errorf("mounting overlay at %s: %w", merged, err)
	}
	return nil
}

func bindReadOnly(src, merged string) error {
	if err := unix.Mount(src, merged, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind-mounting %s at %s: %w", src, merged, err)
	}
	// A bind mount only becomes read-only on a remount.
	if err := unix.Mount("", merged, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		unix.Unmount(merged, unix.MNT_DETACH)
		return fmt.Errorf("making %s read-only: %w", merged, err)
	}
	return nil
}

// Unmount detaches the filesystem mounted at merged. If it is busy, it is
// detached lazily (MNT_DETACH): gone from view now, released when its last
// user leaves. Unmounting a path that is not a mount point, or does not
// exist, is not an error.
func Unmount(merged string) error {
	err := unix.Unmount(merged, 0)
	switch {
	case err == nil, errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOENT):
		return nil
	case errors.Is(err, unix.EBUSY):
		if err := unix.Unmount(merged, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("unmounting %s: %w", merged, err)
		}
		return nil
	default:
		return fmt.Errorf("unmounting %s: %w", merged, err)
	}
}
