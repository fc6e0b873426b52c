package runtime

import (
	"errors"
	"fmt"
	"os"
	"path"
	"slices"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ProcessSpec describes a second process to run in a running container,
// what `docker exec` starts: it joins the namespaces and the cgroup of the
// container's init process and sees the same root filesystem.
type ProcessSpec struct {
	// Args is the argv. Args[0] is resolved against the PATH of Env.
	Args []string
	// Env holds KEY=VALUE pairs: the container's environment with the
	// exec's own on top. As Docker does, Exec adds PATH when missing and,
	// with Tty, TERM=xterm.
	Env []string
	// Cwd is the working directory, "/" when empty. Unlike Spec.Cwd it is
	// not created: a missing directory fails the exec, as in Docker.
	Cwd string
	// User is "", "name", "uid", "name:group" or "uid:gid", resolved
	// against the container's /etc/passwd and /etc/group. Empty means root.
	User string
	// GroupAdd are the container's --group-add groups: an exec's process
	// gets them too, as in Docker.
	GroupAdd []string
	// Tty gives the process a pseudo-terminal of its own.
	Tty bool
	// ConsoleRows and ConsoleCols are the initial size of the terminal;
	// zero leaves the kernel's default.
	ConsoleRows, ConsoleCols uint16
}

// Process is a process started by Container.Exec. Its methods are safe for
// concurrent use.
type Process struct {
	containerID string
	process     *libcontainer.Process
	pid         int
	console     *os.File // pty master, nil without Tty

	exited   chan struct{} // closed when the process has been reaped
	done     chan struct{} // closed when, in addition, all output has been copied
	exitCode int
	waitErr  error
}

// Exec starts a process in the running container c. The process ends on
// its own, by a signal, or when the container's init process exits (the
// kernel then kills every process of the PID namespace). A missing
// executable gives an error matching ErrExecNotFound, one that cannot be
// executed ErrPermission.
func (c *Container) Exec(spec ProcessSpec, stdio Stdio) (*Process, error) {
	select {
	case <-c.exited:
		return nil, fmt.Errorf("exec in container %s: %w", c.id, libcontainer.ErrNotRunning)
	default:
	}
	if len(spec.Args) == 0 {
		return nil, fmt.Errorf("exec in container %s: no command specified", c.id)
	}
	cwd := spec.Cwd
	if cwd == "" {
		cwd = "/"
	}
	if !path.IsAbs(cwd) {
		return nil, fmt.Errorf("exec in container %s: working directory %q is not an absolute path", c.id, cwd)
	}
	u, err := resolveUser(c.lc.Config().Rootfs, spec.User, spec.GroupAdd)
	if err != nil {
		// As Docker reports it: the message names the user or group.
		return nil, err
	}
	oci := &specs.Process{
		User: specs.User{UID: u.UID, GID: u.GID, AdditionalGids: u.AdditionalGIDs},
		Args: slices.Clone(spec.Args),
		Env:  containerEnv(Spec{Env: spec.Env, Tty: spec.Tty}),
		Cwd:  path.Clean(cwd),
		// The same limit the init process got: without it the process
		// would inherit the daemon's.
		Rlimits: []specs.POSIXRlimit{{
			Type: "RLIMIT_NOFILE",
			Hard: min(defaultNofile, nofileHard()),
			Soft: min(defaultNofile, nofileHard()),
		}},
	}
	process, err := newProcess(oci)
	if err != nil {
		return nil, fmt.Errorf("exec in container %s: %w", c.id, err)
	}
	// Not the init: libcontainer joins the existing namespaces and cgroup,
	// and the capabilities, masked paths and the rest come from the
	// container's configuration.
	process.Init = false
	process.ConsoleHeight, process.ConsoleWidth = spec.ConsoleRows, spec.ConsoleCols

	pio, err := newProcessIO(process, spec.Tty, stdio)
	if err != nil {
		return nil, fmt.Errorf("exec in container %s: %w", c.id, err)
	}
	if err := c.lc.Run(process); err != nil {
		pio.closeAll()
		return nil, classify(fmt.Errorf("exec in container %s: %w", c.id, err))
	}
	pio.closeChildEnds()

	p := &Process{
		containerID: c.id,
		process:     process,
		exited:      make(chan struct{}),
		done:        make(chan struct{}),
	}
	kill := func(err error) (*Process, error) {
		pio.closeAll()
		_ = process.Signal(unix.SIGKILL)
		_, _ = process.Wait()
		return nil, fmt.Errorf("exec in container %s: %w", c.id, err)
	}
	if p.pid, err = process.Pid(); err != nil {
		return kill(err)
	}
	if spec.Tty {
		if p.console, err = recvConsole(pio.consoleParent); err != nil {
			return kill(err)
		}
		_ = pio.consoleParent.Close()
	}
	go p.wait(pio, stdio)
	return p, nil
}

// nofileHard is the daemon's hard RLIMIT_NOFILE: no process it starts can
// have more.
func nofileHard() uint64 {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return defaultNofile
	}
	return rl.Max
}

// wait copies the process's stdio, reaps it and records its exit code. With
// a TTY, stdin feeds the terminal and stays open until the process exits;
// without one, the end of stdin closes the process's stdin.
func (p *Process) wait(pio *processIO, stdio Stdio) {
	p.exitCode, p.waitErr = pump(p.process, p.console, pio, stdio, p.exited)
	close(p.done)
}

// Pid returns the host PID of the process.
func (p *Process) Pid() int { return p.pid }

// Wait waits until the process has exited and all its output has been
// copied, and returns its exit code as Docker reports it (128+signal when a
// signal killed it). It may be called more than once.
func (p *Process) Wait() (exitCode int, err error) {
	<-p.done
	return p.exitCode, p.waitErr
}

// Exited returns a channel closed when the process has exited (its output
// may still be in flight; Wait waits for that too).
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Signal sends sig to the process.
func (p *Process) Signal(sig os.Signal) error {
	select {
	case <-p.exited:
		return fmt.Errorf("signaling exec process %d of container %s: %w", p.pid, p.containerID, errProcessDone)
	default:
	}
	if err := p.process.Signal(sig); err != nil {
		return fmt.Errorf("signaling exec process %d of container %s: %w", p.pid, p.containerID, err)
	}
	return nil
}

// errProcessDone is returned when signaling a process that has exited.
var errProcessDone = errors.New("process already finished")

// Resize sets the size of the process's terminal. It fails without Tty.
func (p *Process) Resize(rows, cols uint16) error {
	if p.console == nil {
		return fmt.Errorf("resizing exec process %d of container %s: no terminal", p.pid, p.containerID)
	}
	if err := resizeConsole(p.console, rows, cols); err != nil {
		return fmt.Errorf("resizing exec process %d of container %s: %w", p.pid, p.containerID, err)
	}
	return nil
}
