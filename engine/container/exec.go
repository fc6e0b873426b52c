package container

import (
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/runtime"
)

// execRecord is one `docker exec`: a process to start, or started, in a
// running container. Records live in memory only, as Docker's do, and only
// as long as the run of the container they were created in.
type execRecord struct {
	id          string
	containerID string
	config      apicontainer.ExecCreateRequest
	detachKeys  []byte
	run         *exitEvent // the container run this exec belongs to
	created     time.Time

	// The fields below change as the exec runs; the Manager's lock guards them.
	starting bool             // ExecStart took it and is starting the process
	started  chan struct{}    // closed once the process runs, or failed to start
	proc     *runtime.Process // nil until started
	running  bool             // the process has not exited yet
	exitCode *int             // set once it has exited (or failed to start)
	finished chan struct{}    // closed once exitCode is set
}

// execTable holds the exec records of one Manager.
type execTable struct {
	byID map[string]*execRecord
}

// execs returns m's exec table: runtime state, never persisted. Callers
// hold m.mu.
func (m *Manager) execs() *execTable {
	if m.execTable == nil {
		m.execTable = &execTable{byID: make(map[string]*execRecord)}
	}
	return m.execTable
}

// execResizeTimeout bounds how long a resize waits for the exec process to
// start: the docker CLI resizes right after it sends the start.
const execResizeTimeout = 10 * time.Second

// ExecCreate records an exec in a running container and returns its ID.
// Nothing runs until ExecStart. A container that is not running is
// Docker's 409 "container X is not running".
func (m *Manager) ExecCreate(ref string, opts backend.ExecCreateOptions) (string, error) {
	cfg := opts.Config
	if len(cfg.Cmd) == 0 || cfg.Cmd[0] == "" {
		return "", errdefs.InvalidParameter("No exec command specified")
	}
	if cfg.Privileged {
		return "", errdefs.InvalidParameter("privileged exec is not supported")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.lookup(ref)
	if err != nil {
		return "", err
	}
	if !e.c.State.Running() || e.proc == nil {
		return "", errNotRunning(e.c.ID)
	}
	rec := &execRecord{
		id:          newID(),
		containerID: e.c.ID,
		config:      cfg,
		detachKeys:  opts.DetachKeys,
		run:         e.exit,
		created:     time.Now(),
		started:     make(chan struct{}),
		finished:    make(chan struct{}),
	}
	rec.config.Cmd = append([]string(nil), cfg.Cmd...)
	rec.config.Env = append([]string(nil), cfg.Env...)
	m.execs().byID[rec.id] = rec
	// The exec's process will be moved into the container's cgroup: the
	// kernel's slow part of that is paid now, while the client sends the
	// start.
	runtime.PrimeCgroupMove()

	// The record goes when the run it belongs to ends, with the container's
	// removal at the latest.
	removed := e.removed
	go func() {
		select {
		case <-rec.run.done:
		case <-removed.done:
		}
		m.mu.Lock()
		delete(m.execs().byID, rec.id)
		m.mu.Unlock()
	}()
	return rec.id, nil
}

// execLookup finds an exec record by its full ID. Callers hold m.mu.
func (m *Manager) execLookup(id string) (*execRecord, error) {
	rec, ok := m.execs().byID[id]
	if !ok {
		return nil, errdefs.NotFound("No such exec instance: %s", id)
	}
	return rec, nil
}

// ExecStart starts an exec's process. With opts.Detach it returns once the
// process runs; otherwise it connects the client's streams and returns when
// the process has exited (its exit code recorded and all its output
// delivered), when the client types the detach keys or ends its input on a
// TTY, or when ctx is done. In the last three cases the process goes on.
func (m *Manager) ExecStart(ctx context.Context, id string, opts backend.ExecStartOptions) error {
	m.mu.Lock()
	rec, err := m.execLookup(id)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	switch {
	case rec.exitCode != nil:
		m.mu.Unlock()
		return errdefs.Conflict("Error: Exec command %s has already run", rec.id)
	case rec.starting || rec.running || rec.proc != nil:
		m.mu.Unlock()
		return errdefs.Conflict("Error: Exec command %s is already running", rec.id)
	}
	e, ok := m.byID[rec.containerID]
	if !ok || e.proc == nil || e.exit != rec.run {
		m.mu.Unlock()
		return errNotRunning(rec.containerID)
	}
	cfg := rec.config
	spec := runtime.ProcessSpec{
		Args:     cfg.Cmd,
		Env:      mergeEnv(mergeEnv([]string{"HOSTNAME=" + e.c.Config.Hostname}, e.c.Config.Env), cfg.Env),
		Cwd:      firstNonEmpty(cfg.WorkingDir, e.c.Config.WorkingDir),
		User:     firstNonEmpty(cfg.User, e.c.Config.User),
		GroupAdd: e.c.HostConfig.GroupAdd,
		Tty:      cfg.Tty,
	}
	size := cfg.ConsoleSize
	if opts.ConsoleSize != nil {
		size = opts.ConsoleSize
	}
	if size != nil && cfg.Tty {
		spec.ConsoleRows, spec.ConsoleCols = uint16(size[0]), uint16(size[1])
	}

	// The client's writers are cut off when ExecStart returns, so that a
	// process still running after a detach never writes to a connection
	// the server has closed; its output is then dropped.
	stdout := &cutWriter{w: opts.Stdout}
	stderr := &cutWriter{w: opts.Stderr}
	defer stdout.cut()
	defer stderr.cut()
	stdio := runtime.Stdio{}
	if !opts.Detach {
		if cfg.AttachStdout {
			stdio.Stdout = stdout
		}
		if cfg.AttachStderr && !cfg.Tty {
			stdio.Stderr = stderr
		}
	}
	// inputEnded is closed when the client's input ends with the detach
	// keys, or at all with a TTY: the attachment is over then, as in Docker.
	inputEnded := make(chan struct{})
	if !opts.Detach && cfg.AttachStdin && opts.Stdin != nil {
		in := &endReader{r: opts.Stdin, end: func() {}}
		if cfg.Tty {
			keys := rec.detachKeys
			if keys == nil {
				keys = DefaultDetachKeys
			}
			in.r = &detachReader{r: opts.Stdin, keys: keys}
			in.end = sync.OnceFunc(func() { close(inputEnded) })
		}
		stdio.Stdin = in
	}

	m.notifyEvent(e, execAction("exec_start", cfg.Cmd), map[string]string{"execID": rec.id})
	rec.starting = true
	ctr, run := e.proc, rec.run
	m.mu.Unlock()

	// The process joins the container outside m.mu, so that the rest of the
	// API does not wait for libcontainer. e.joining keeps the container's
	// end from being recorded, and its cgroup destroyed, meanwhile.
	e.joining.RLock()
	m.mu.Lock()
	stillRunning := e.proc == ctr && e.exit == run
	m.mu.Unlock()
	var proc *runtime.Process
	if stillRunning {
		proc, err = ctr.Exec(spec, stdio)
	} else {
		err = errNotRunning(rec.containerID)
	}
	e.joining.RUnlock()

	m.mu.Lock()
	rec.starting = false
	if err != nil {
		code := execExitCode(err)
		rec.exitCode = &code
		close(rec.started)
		close(rec.finished)
		m.mu.Unlock()
		if !stillRunning {
			return err
		}
		return startError(err)
	}
	rec.proc = proc
	rec.running = true
	close(rec.started)
	m.mu.Unlock()

	go func() {
		code, _ := proc.Wait()
		m.mu.Lock()
		rec.running = false
		rec.exitCode = &code
		m.notifyEvent(e, "exec_die", map[string]string{"execID": rec.id, "exitCode": strconv.Itoa(code)})
		m.mu.Unlock()
		close(rec.finished)
	}()
	if opts.Detach {
		return nil
	}
	select {
	case <-rec.finished:
	case <-inputEnded:
	case <-ctx.Done():
	}
	return nil
}

// execExitCode is the exit code Docker records for an exec that could not
// start: 127 for a missing command, 126 otherwise.
func execExitCode(err error) int {
	if errors.Is(err, runtime.ErrExecNotFound) {
		return 127
	}
	return 126
}

// startError classifies a failed exec as Docker does: a missing command or
// one that cannot be run is the caller's mistake.
func startError(err error) error {
	if errors.Is(err, runtime.ErrExecNotFound) || errors.Is(err, runtime.ErrPermission) {
		return errdefs.Classify(errdefs.KindInvalidParameter, err)
	}
	return err
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ExecInspect returns what GET /exec/{id}/json shows. ExitCode is nil while
// the process runs or before it starts.
func (m *Manager) ExecInspect(id string) (*apicontainer.ExecInspectResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, err := m.execLookup(id)
	if err != nil {
		return nil, err
	}
	cfg := rec.config
	privileged := cfg.Privileged
	res := &apicontainer.ExecInspectResponse{
		ID:      rec.id,
		Running: rec.running,
		ProcessConfig: &apicontainer.ExecProcessConfig{
			Tty:        cfg.Tty,
			Entrypoint: cfg.Cmd[0],
			Arguments:  append([]string{}, cfg.Cmd[1:]...),
			Privileged: &privileged,
			User:       cfg.User,
		},
		OpenStdin:   cfg.AttachStdin,
		OpenStdout:  cfg.AttachStdout,
		OpenStderr:  cfg.AttachStderr,
		ContainerID: rec.containerID,
		DetachKeys:  rec.detachKeys,
	}
	if rec.exitCode != nil {
		code := *rec.exitCode
		res.ExitCode = &code
	}
	if rec.proc != nil {
		res.Pid = rec.proc.Pid()
	}
	return res, nil
}

// ExecResize changes the terminal size of an exec process. A resize that
// arrives while the process is starting waits for it, as the docker CLI
// resizes right after the start request.
func (m *Manager) ExecResize(id string, height, width uint16) error {
	m.mu.Lock()
	rec, err := m.execLookup(id)
	m.mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case <-rec.started:
	case <-time.After(execResizeTimeout):
		return errors.New("timeout waiting for exec session ready")
	}
	m.mu.Lock()
	proc, running, tty := rec.proc, rec.running, rec.config.Tty
	m.mu.Unlock()
	if proc == nil || !running {
		return errdefs.Conflict("Exec process %s is not running", rec.id)
	}
	if !tty {
		return nil
	}
	return proc.Resize(height, width)
}

// cutWriter passes writes on until cut, then drops them. A write error also
// cuts it: the process never sees its client go away.
type cutWriter struct {
	mu  sync.Mutex
	w   io.Writer
	off bool
}

func (c *cutWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.off || c.w == nil {
		return len(p), nil
	}
	if _, err := c.w.Write(p); err != nil {
		c.off = true
	}
	return len(p), nil
}

func (c *cutWriter) cut() {
	c.mu.Lock()
	c.off = true
	c.mu.Unlock()
}

// endReader calls end once its reader reports an error or EOF.
type endReader struct {
	r   io.Reader
	end func()
}

func (e *endReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.end()
	}
	return n, err
}
