package container

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	apicontainer "github.com/moby/moby/api/types/container"
	"github.com/moby/sys/user"

	"bolsillo/engine/errdefs"
	"bolsillo/engine/layer"
)

// The files of a container, running or stopped: what `docker cp` and
// `docker diff` read and write.
//
// A running container's files are reached through /proc/<pid>/root, its
// root as its own processes see it, with the files bound into it
// (/etc/hostname, /etc/hosts, /etc/resolv.conf). A stopped container's
// layers are mounted at its merged directory for the length of the
// operation and unmounted after; the manager's lock is held meanwhile so
// that no start mounts them too, and what goes in or out is spooled to a
// temporary file so that a slow client does not hold the lock.

// ExtractOptions are the switches of PUT /containers/{name}/archive.
type ExtractOptions struct {
	// NoOverwriteDirNonDir refuses to replace a directory with a
	// non-directory or the other way round.
	NoOverwriteDirNonDir bool
	// CopyUIDGID gives every extracted file to the container's user
	// (`docker cp -a`); otherwise each keeps the owner the tar says.
	CopyUIDGID bool
}

// fileNotFound is Docker's error for a path missing in a container.
func fileNotFound(p, ref string) error {
	return errdefs.NotFound("Could not find the file %s in container %s", p, ref)
}

// StatPath describes the path p of the container ref: what HEAD
// /containers/{name}/archive puts in X-Docker-Container-Path-Stat.
func (m *Manager) StatPath(ref, p string) (*apicontainer.PathStat, error) {
	var stat *apicontainer.PathStat
	err := m.withRoot(ref, func(c *Container, root string, _ bool) error {
		resolved, abs, err := resolvePath(root, p)
		if err != nil {
			return err
		}
		stat, err = statPath(root, resolved, abs)
		return err
	})
	if err != nil {
		return nil, pathError(err, p, ref)
	}
	return stat, nil
}

// ArchivePath writes the path p of the container ref as a tar whose top
// entry is p's base name. open is called once p is found, with its stat,
// and gives the writer: an error before it is still a plain API error.
func (m *Manager) ArchivePath(ref, p string, open func(*apicontainer.PathStat) (io.Writer, error)) error {
	var (
		stat  *apicontainer.PathStat
		spool *os.File
	)
	defer func() {
		if spool != nil {
			spool.Close()
		}
	}()
	err := m.withRoot(ref, func(c *Container, root string, locked bool) error {
		resolved, abs, err := resolvePath(root, p)
		if err != nil {
			return err
		}
		if stat, err = statPath(root, resolved, abs); err != nil {
			return err
		}
		rebase := path.Base(abs)
		if rebase == "/" {
			rebase = "."
		}
		if !locked {
			w, err := open(stat)
			if err != nil {
				return err
			}
			return writeTar(w, resolved, rebase)
		}
		if spool, err = m.spoolFile(); err != nil {
			return err
		}
		return writeTar(spool, resolved, rebase)
	})
	if err != nil {
		return pathError(err, p, ref)
	}
	if spool == nil {
		return nil
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w, err := open(stat)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, spool)
	return err
}

// ExtractToDir unpacks the tar r into the directory p of the container
// ref. p may be reached through symlinks, resolved inside the container;
// it must exist and be a directory.
func (m *Manager) ExtractToDir(ref, p string, r io.Reader, opts ExtractOptions) error {
	// Read the whole upload first: a stopped container's layers stay
	// mounted, and the lock held, only while the files are written.
	spool, err := m.spoolFile()
	if err != nil {
		return err
	}
	defer spool.Close()
	if _, err := io.Copy(spool, r); err != nil {
		return fmt.Errorf("reading the archive: %w", err)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	err = m.withRoot(ref, func(c *Container, root string, _ bool) error {
		if c.HostConfig.ReadonlyRootfs {
			return errdefs.Classify(errdefs.KindForbidden, errors.New("container rootfs is marked read-only"))
		}
		abs := containerPath(p)
		resolved, err := securejoin.SecureJoin(root, abs)
		if err != nil {
			return err
		}
		fi, err := os.Lstat(resolved)
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return errdefs.InvalidParameter("extraction point is not a directory")
		}
		rel, err := filepath.Rel(root, resolved)
		if err != nil {
			return err
		}
		xo := extractOptions{NoOverwriteDirNonDir: opts.NoOverwriteDirNonDir}
		if opts.CopyUIDGID {
			owner, err := containerUser(root, c.Config.User)
			if err != nil {
				return err
			}
			xo.Owner = &owner
		}
		if err := extractTar(spool, root, path.Join("/", filepath.ToSlash(rel)), xo); err != nil {
			return errdefs.InvalidParameter("%s", err.Error())
		}
		return nil
	})
	return pathError(err, p, ref)
}

// Changes lists what the container ref changed in its writable layer, as
// `docker diff` shows it: compared with the layers below, the init layer
// included, so the mount points the runtime binds over are not listed.
func (m *Manager) Changes(ref string) ([]layer.Change, error) {
	c, err := m.Get(ref)
	if err != nil {
		return nil, err
	}
	return layer.Changes(c.UpperDir(), c.LowerDirs)
}

// withRoot calls fn with the container's record and the host path of its
// root directory. locked tells fn that the manager's lock is held (a
// stopped container, mounted for fn) and that it must not wait on anyone.
func (m *Manager) withRoot(ref string, fn func(c *Container, root string, locked bool) error) error {
	m.mu.Lock()
	e, err := m.lookup(ref)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	c := e.c.clone()
	if e.proc != nil {
		pid := e.proc.Pid()
		m.mu.Unlock()
		return fn(c, filepath.Join("/proc", strconv.Itoa(pid), "root"), false)
	}
	defer m.mu.Unlock()
	if c.State.Status == StatusRemoving {
		return errdefs.Conflict("container %s is marked for removal", c.ID)
	}
	if err := layer.Mount(c.LowerDirs, c.UpperDir(), c.WorkDir(), c.MergedDir()); err != nil {
		return fmt.Errorf("mounting the container's layers: %w", err)
	}
	if err = mountVolumes(c); err == nil {
		err = fn(c, c.MergedDir(), true)
	}
	if uerr := layer.Unmount(c.MergedDir()); uerr != nil && err == nil {
		err = uerr
	}
	return err
}

// spoolFile returns an unlinked temporary file in the manager's root,
// where the containers' layers are: nothing is left if the daemon dies.
func (m *Manager) spoolFile() (*os.File, error) {
	f, err := os.CreateTemp(m.root, ".archive-")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// pathError turns a missing file into Docker's 404 and keeps the other
// classified errors.
func pathError(err error, p, ref string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fileNotFound(p, ref)
	}
	if errors.Is(err, syscall.ENOTDIR) {
		return errdefs.InvalidParameter("%s is not a directory in container %s", path.Dir(containerPath(p)), ref)
	}
	return err
}

// containerUser returns the uid and gid of the user spec ("", "name",
// "uid", "name:group", "uid:gid"), looked up in the container's own
// /etc/passwd and /etc/group.
func containerUser(root, spec string) ([2]int, error) {
	passwd, err := securejoin.SecureJoin(root, "/etc/passwd")
	if err != nil {
		return [2]int{}, err
	}
	group, err := securejoin.SecureJoin(root, "/etc/group")
	if err != nil {
		return [2]int{}, err
	}
	u, err := user.GetExecUserPath(spec, &user.ExecUser{}, passwd, group)
	if err != nil {
		return [2]int{}, errdefs.InvalidParameter("%s", err.Error())
	}
	return [2]int{u.Uid, u.Gid}, nil
}
