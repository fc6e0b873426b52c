package runtime

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/opencontainers/runc/libcontainer"
	"github.com/opencontainers/runc/libcontainer/configs"
	"github.com/opencontainers/runc/libcontainer/specconv"
	"github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Stdio connects a container's init process to the daemon.
type Stdio struct {
	// Stdin feeds the process; nil means /dev/null. Copying stops when the
	// process exits, but a Read already in progress is the caller's to
	// unblock (close the source after Wait returns).
	Stdin io.Reader
	// Stdout receives the process's standard output, or everything the
	// pseudo-terminal prints with Spec.Tty.
	Stdout io.Writer
	// Stderr receives the standard error; it is unused with Spec.Tty,
	// where both streams go through the terminal.
	Stderr io.Writer
}

// Container is a started container: its libcontainer container and init
// process. Its methods are safe for concurrent use.
type Container struct {
	id      string
	lc      *libcontainer.Container
	process *libcontainer.Process
	pid     int
	console *os.File // pty master, nil without Tty

	exited   chan struct{} // closed when the init process has been reaped
	done     chan struct{} // closed when, in addition, all output has been copied
	exitCode int
	waitErr  error

	mu        sync.Mutex
	destroyed bool
}

// waitTimeout bounds how long Destroy waits for a killed init to be reaped.
const waitTimeout = 10 * time.Second

// Start creates the container described by spec and starts its init
// process. With spec.Tty the process gets a pseudo-terminal: Stdout
// receives what it prints and Stdin feeds it.
//
// A missing executable gives an error matching ErrExecNotFound, one that
// cannot be executed ErrPermission. On any error nothing is left behind.
func (r *Runtime) Start(spec Spec, stdio Stdio) (_ *Container, retErr error) {
	if !idRE().MatchString(spec.ID) {
		return nil, fmt.Errorf("invalid container id %q", spec.ID)
	}
	if spec.Rootfs == "" {
		return nil, fmt.Errorf("starting container %s: no root filesystem", spec.ID)
	}
	u, err := resolveUser(spec.Rootfs, spec.User, spec.GroupAdd)
	if err != nil {
		// As Docker reports it: the message names the user or group.
		return nil, err
	}
	oci, err := ociSpec(spec, u, r.cgroupParent, r.host)
	if err != nil {
		return nil, fmt.Errorf("starting container %s: %w", spec.ID, err)
	}
	if err := prepareCwd(spec.Rootfs, oci.Process.Cwd); err != nil {
		return nil, fmt.Errorf("starting container %s: %w", spec.ID, err)
	}
	config, err := specconv.CreateLibcontainerConfig(&specconv.CreateOpts{
		CgroupName: spec.ID,
		Spec:       oci,
	})
	if err != nil {
		return nil, fmt.Errorf("configuring container %s: %w", spec.ID, err)
	}
	lc, err := libcontainer.Create(r.stateRoot, spec.ID, config)
	if err != nil {
		return nil, fmt.Errorf("creating container %s: %w", spec.ID, err)
	}
	defer func() {
		if retErr != nil {
			if err := lc.Destroy(); err != nil {
				retErr = errors.Join(retErr, err)
			}
		}
	}()

	process, err := newProcess(oci.Process)
	if err != nil {
		return nil, fmt.Errorf("starting container %s: %w", spec.ID, err)
	}
	pio, err := newProcessIO(process, spec.Tty, stdio)
	if err != nil {
		return nil, fmt.Errorf("starting container %s: %w", spec.ID, err)
	}
	if err := lc.Run(process); err != nil {
		pio.closeAll()
		closeExecFifo(lc)
		return nil, classify(fmt.Errorf("starting container %s: %w", spec.ID, err))
	}
	// The init process holds its own copies now; without closing ours,
	// readers would never see EOF.
	pio.closeChildEnds()

	c := &Container{
		id:      spec.ID,
		lc:      lc,
		process: process,
		exited:  make(chan struct{}),
		done:    make(chan struct{}),
	}
	if c.pid, err = process.Pid(); err != nil {
		pio.closeAll()
		_ = process.Signal(unix.SIGKILL)
		_, _ = process.Wait()
		return nil, fmt.Errorf("starting container %s: %w", spec.ID, err)
	}
	if spec.Tty {
		if c.console, err = recvConsole(pio.consoleParent); err != nil {
			pio.closeAll()
			_ = process.Signal(unix.SIGKILL)
			_, _ = process.Wait()
			return nil, fmt.Errorf("starting container %s: %w", spec.ID, err)
		}
		_ = pio.consoleParent.Close()
	}
	go c.wait(pio, stdio)
	return c, nil
}

// closeExecFifo closes the handle on the container's exec FIFO that
// libcontainer opens for an init process and closes only once the process
// started: when it fails to start (a missing command, say), the handle is
// left to the garbage collector, and until a collection runs the daemon
// holds one descriptor per failed start. libcontainer does not export it.
func closeExecFifo(lc *libcontainer.Container) {
	v := reflect.ValueOf(lc).Elem().FieldByName("fifo")
	if !v.IsValid() || v.Type() != reflect.TypeFor[*os.File]() {
		return
	}
	if f := *(**os.File)(unsafe.Pointer(v.UnsafeAddr())); f != nil {
		_ = f.Close()
	}
}

// newProcess returns the libcontainer process for the OCI process p.
// specconv does not carry args, env, user or rlimits into the container
// configuration, so they are set here.
func newProcess(p *specs.Process) (*libcontainer.Process, error) {
	process := &libcontainer.Process{
		Args: p.Args,
		Env:  p.Env,
		UID:  int(p.User.UID),
		GID:  int(p.User.GID),
		Cwd:  p.Cwd,
		Init: true,
	}
	for _, g := range p.User.AdditionalGids {
		process.AdditionalGroups = append(process.AdditionalGroups, int(g))
	}
	for _, rl := range p.Rlimits {
		typ, ok := rlimitTypes[rl.Type]
		if !ok {
			return nil, fmt.Errorf("unknown rlimit %s", rl.Type)
		}
		process.Rlimits = append(process.Rlimits, configs.Rlimit{Type: typ, Hard: rl.Hard, Soft: rl.Soft})
	}
	return process, nil
}

// rlimitTypes maps the rlimits ociSpec sets to their numbers.
var rlimitTypes = map[string]int{
	"RLIMIT_NOFILE": unix.RLIMIT_NOFILE,
}

// classify marks err with ErrExecNotFound or ErrPermission when the init
// process could not execute the command. The cause crosses a process
// boundary as text, so, like Docker, this matches on the message; unlike
// Docker, only on the message of the executable lookup (`exec: "name": ...`),
// so that, say, a missing mount source is not reported as a missing command.
func classify(err error) error {
	msg := err.Error()
	if !strings.Contains(msg, `exec: "`) {
		return err
	}
	switch {
	case strings.Contains(msg, "executable file not found"),
		strings.Contains(msg, "no such file or directory"),
		strings.Contains(msg, "not a directory"):
		return &startError{kind: ErrExecNotFound, err: err}
	case strings.Contains(msg, "permission denied"),
		strings.Contains(msg, "is a directory"):
		return &startError{kind: ErrPermission, err: err}
	}
	return err
}

// startError is a start failure of a known kind.
type startError struct {
	kind error // ErrExecNotFound or ErrPermission
	err  error
}

func (e *startError) Error() string   { return e.err.Error() }
func (e *startError) Unwrap() []error { return []error{e.kind, e.err} }

// processIO holds the daemon's and the container's ends of the init
// process's stdio while it starts.
type processIO struct {
	stdinR, stdinW   *os.File // nil when Stdin is nil or with a TTY
	stdoutR, stdoutW *os.File // nil with a TTY
	stderrR, stderrW *os.File // nil with a TTY

	consoleParent, consoleChild *os.File // only with a TTY
}

// newProcessIO creates the pipes (or the console socket) for process.
func newProcessIO(process *libcontainer.Process, tty bool, stdio Stdio) (_ *processIO, retErr error) {
	pio := &processIO{}
	defer func() {
		if retErr != nil {
			pio.closeAll()
		}
	}()
	if tty {
		var err error
		if pio.consoleParent, pio.consoleChild, err = newConsoleSocket(); err != nil {
			return nil, err
		}
		process.ConsoleSocket = pio.consoleChild
		return pio, nil
	}
	var err error
	if stdio.Stdin != nil {
		if pio.stdinR, pio.stdinW, err = os.Pipe(); err != nil {
			return nil, fmt.Errorf("creating stdin pipe: %w", err)
		}
		process.Stdin = pio.stdinR
	}
	if pio.stdoutR, pio.stdoutW, err = os.Pipe(); err != nil {
		return nil, fmt.Errorf("creating stdout pipe: %w", err)
	}
	process.Stdout = pio.stdoutW
	if pio.stderrR, pio.stderrW, err = os.Pipe(); err != nil {
		return nil, fmt.Errorf("creating stderr pipe: %w", err)
	}
	process.Stderr = pio.stderrW
	return pio, nil
}

// closeChildEnds closes the ends the init process inherited.
func (p *processIO) closeChildEnds() {
	closeFiles(p.stdinR, p.stdoutW, p.stderrW, p.consoleChild)
}

// closeAll closes every end.
func (p *processIO) closeAll() {
	closeFiles(p.stdinR, p.stdinW, p.stdoutR, p.stdoutW, p.stderrR, p.stderrW, p.consoleParent, p.consoleChild)
}

func closeFiles(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			_ = f.Close()
		}
	}
}

// wait copies the process's stdio, reaps it, and records its exit code.
func (c *Container) wait(pio *processIO, stdio Stdio) {
	c.exitCode, c.waitErr = pump(c.process, c.console, pio, stdio, c.exited)
	close(c.done)
}

// pump copies a process's output to stdio and stdio.Stdin to it, reaps
// it, closes exited as soon as it has exited, and returns once all its
// output has been copied, with its exit code. It serves the main process
// and exec'd ones alike.
func pump(proc *libcontainer.Process, console *os.File, pio *processIO, stdio Stdio, exited chan<- struct{}) (int, error) {
	var copies sync.WaitGroup
	copyOut := func(w io.Writer, r *os.File) {
		if w == nil {
			w = io.Discard
		}
		copies.Go(func() {
			// A pty master reports EIO once the terminal has no process
			// left: that is its end of file.
			_, _ = io.Copy(w, r)
			_ = r.Close()
		})
	}
	var stdin io.WriteCloser
	if console != nil {
		copyOut(stdio.Stdout, console)
		if stdio.Stdin != nil {
			stdin = console
		}
	} else {
		copyOut(stdio.Stdout, pio.stdoutR)
		copyOut(stdio.Stderr, pio.stderrR)
		if stdio.Stdin != nil {
			stdin = pio.stdinW
		}
	}
	if stdin != nil {
		go func() {
			_, _ = io.Copy(stdin, stdio.Stdin)
			if console == nil {
				// Closing the pipe gives the process EOF. A terminal has no
				// such thing: it stays open until the process exits.
				_ = stdin.Close()
			}
		}()
	}

	state, err := proc.Wait()
	code, waitErr := exitCode(state, err)
	close(exited)
	if console == nil && pio.stdinW != nil {
		_ = pio.stdinW.Close()
	}
	copies.Wait()
	return code, waitErr
}

// exitCode returns the exit code of a reaped process as Docker reports it:
// its exit status, or 128 plus the signal that killed it.
func exitCode(state *os.ProcessState, err error) (int, error) {
	if state == nil {
		if err == nil {
			err = errors.New("no process state")
		}
		return -1, fmt.Errorf("waiting for init process: %w", err)
	}
	ws, ok := state.Sys().(syscall.WaitStatus)
	if !ok {
		return state.ExitCode(), nil
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ws.ExitStatus(), nil
}

// ID returns the container ID.
func (c *Container) ID() string { return c.id }

// Pid returns the host PID of the init process.
func (c *Container) Pid() int { return c.pid }

// Wait waits until the init process has exited and all its output has been
// copied, and returns its exit code as Docker reports it (128+signal when a
// signal killed it). It may be called more than once.
func (c *Container) Wait() (exitCode int, err error) {
	<-c.done
	return c.exitCode, c.waitErr
}

// Exited returns a channel closed when the init process has exited (its
// output may still be in flight; Wait waits for that too).
func (c *Container) Exited() <-chan struct{} { return c.exited }

// Signal sends sig to the init process.
func (c *Container) Signal(sig os.Signal) error {
	select {
	case <-c.exited:
		return fmt.Errorf("signaling container %s: %w", c.id, libcontainer.ErrNotRunning)
	default:
	}
	// libcontainer's Signal also thaws a paused container for SIGKILL.
	if err := c.lc.Signal(sig); err != nil {
		return fmt.Errorf("signaling container %s: %w", c.id, err)
	}
	return nil
}

// Resize sets the size of the container's terminal. It fails without Tty.
func (c *Container) Resize(rows, cols uint16) error {
	if c.console == nil {
		return fmt.Errorf("resizing container %s: no terminal", c.id)
	}
	if err := resizeConsole(c.console, rows, cols); err != nil {
		return fmt.Errorf("resizing container %s: %w", c.id, err)
	}
	return nil
}

// Destroy kills every process of the container, and removes its cgroup and
// libcontainer state. Calling it again does nothing.
func (c *Container) Destroy() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.destroyed {
		return nil
	}
	select {
	case <-c.exited:
	default:
		// SIGKILL to the init of a PID namespace kills the whole namespace.
		_ = c.lc.Signal(unix.SIGKILL)
		select {
		case <-c.exited:
		case <-time.After(waitTimeout):
			return fmt.Errorf("destroying container %s: init process %d did not exit", c.id, c.pid)
		}
	}
	if err := c.lc.Destroy(); err != nil {
		return fmt.Errorf("destroying container %s: %w", c.id, err)
	}
	c.destroyed = true
	return nil
}
