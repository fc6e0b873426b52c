package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	"golang.org/x/sys/unix"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/layer"
	"bolsillo/engine/runtime"
)

// defaultStopTimeout is Docker's: SIGTERM, then SIGKILL 10 seconds later.
const defaultStopTimeout = 10 * time.Second

// Manager owns the containers of one daemon: their records on disk and the
// processes of the running ones. It is safe for concurrent use.
type Manager struct {
	root string
	rt   *runtime.Runtime

	mu    sync.Mutex
	byID  map[string]*entry
	names map[string]string // name -> ID

	exitHook   func(*Container) // see SetExitHook (resources.go)
	removeHook func(*Container) // see SetRemoveHook (mounts.go)
	// removedAtOpen are the containers Open removed (--rm ones the
	// previous daemon left): the remove hook gets them once it is set.
	removedAtOpen []*Container
	netHooks      NetworkHooks // see SetNetworkHooks (network.go)
	execTable     *execTable   // exec records, see exec.go
	eventHook     EventHook    // see SetEventHook (events.go)
}

// entry is a container record plus what only exists while the daemon runs.
type entry struct {
	c *Container

	proc   *runtime.Container // nil unless running
	stdout *broadcaster
	stderr *broadcaster

	// stdin of the current run, or of the next one when not running.
	stdinR *io.PipeReader
	stdinW *io.PipeWriter

	exit    *exitEvent // fires at the end of the current (or next) run
	removed *exitEvent // fires when the container is removed, with its last exit code
	stopped bool       // a stop or kill asked for this exit

	restartTimer *time.Timer   // a pending restart of the restart policy
	restartDelay time.Duration // the last delay the policy waited

	// joining is held for reading while an exec's process joins the running
	// container (libcontainer takes ~10 ms), and for writing while the end
	// of a run is recorded: the cgroup and the namespaces an exec joins are
	// not torn down under it, and m.mu need not be held meanwhile. Take it
	// before m.mu, never while holding m.mu.
	joining sync.RWMutex
}

// exitEvent is closed when a run ends; code and err are then set.
type exitEvent struct {
	done chan struct{}
	code int
	err  string
}

func newExitEvent() *exitEvent { return &exitEvent{done: make(chan struct{})} }

// New opens the container store at root and reconciles it: containers
// recorded as running belong to a daemon that is gone, so their processes,
// cgroups and mounts are cleaned and they are marked exited (Docker's
// behaviour without live-restore). Containers created with --rm are removed.
func New(root string, rt *runtime.Runtime) (*Manager, error) {
	if err := os.MkdirAll(root, 0o710); err != nil {
		return nil, err
	}
	m := &Manager{root: root, rt: rt, byID: make(map[string]*entry), names: make(map[string]string)}
	dirs, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		if !d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			continue
		}
		dir := filepath.Join(root, d.Name())
		c, err := load(dir)
		if err != nil {
			// A directory without a complete record is a create that never
			// finished: nothing refers to it.
			if cleanupErr := m.cleanupDir(d.Name(), dir); cleanupErr != nil {
				return nil, cleanupErr
			}
			continue
		}
		if err := m.reconcile(c); err != nil {
			return nil, fmt.Errorf("reconciling container %s: %w", c.ID, err)
		}
		if c.State.Status == StatusRemoving || (c.HostConfig.AutoRemove && c.State.Status == StatusExited && c.State.Error == errDaemonDied) {
			if err := m.cleanupDir(c.ID, dir); err != nil {
				return nil, err
			}
			m.removedAtOpen = append(m.removedAtOpen, c)
			continue
		}
		m.add(c)
	}
	return m, nil
}

// RestartPolicies starts, once the daemon is ready (its network and
// volumes wired), the containers whose restart policy outlives the daemon:
// "always" ones, and "unless-stopped" ones nobody stopped.
func (m *Manager) RestartPolicies() {
	m.mu.Lock()
	var ids []string
	for id, e := range m.byID {
		p := e.c.HostConfig.RestartPolicy
		if p.IsAlways() || (p.IsUnlessStopped() && !e.c.ManuallyStopped) {
			ids = append(ids, id)
		}
	}
	m.mu.Unlock()
	for _, id := range ids {
		_ = m.startPolicy(id)
	}
}

// errDaemonDied is the State.Error of containers found running at start-up.
const errDaemonDied = "the daemon stopped while the container was running"

func (m *Manager) reconcile(c *Container) error {
	if c.State.Status == StatusRestarting {
		// A restart the previous daemon had scheduled: the policy decides
		// again below.
		c.State.Status = StatusExited
		if err := c.save(); err != nil {
			return err
		}
	}
	if c.State.Status != StatusRunning && c.State.Status != StatusRemoving {
		// Even a stopped container may have a mount left if the daemon died
		// between the exit and the unmount.
		return layer.Unmount(c.MergedDir())
	}
	if err := m.rt.Cleanup(c.ID); err != nil {
		return err
	}
	if err := layer.Unmount(c.MergedDir()); err != nil {
		return err
	}
	if c.State.Status == StatusRunning {
		c.State.Status = StatusExited
		// A container frozen by pause (or by a commit) when the daemon
		// died is thawed and killed by the cleanup: it is no longer paused.
		c.State.Paused = false
		c.State.Pid = 0
		c.State.ExitCode = 255
		c.State.Error = errDaemonDied
		c.State.FinishedAt = time.Now().UTC()
		return c.save()
	}
	return nil
}

func (m *Manager) cleanupDir(id, dir string) error {
	if err := m.rt.Cleanup(id); err != nil {
		return err
	}
	if err := layer.Unmount(filepath.Join(dir, "merged")); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

func (m *Manager) add(c *Container) *entry {
	e := &entry{
		c:       c,
		stdout:  newBroadcaster(),
		stderr:  newBroadcaster(),
		exit:    newExitEvent(),
		removed: newExitEvent(),
	}
	if c.Config.OpenStdin {
		e.stdinR, e.stdinW = io.Pipe()
	}
	m.byID[c.ID] = e
	m.names[c.Name] = c.ID
	return e
}

// lookup finds a container by full ID, name (with or without the leading
// slash) or unique ID prefix, as Docker does. Callers hold m.mu.
func (m *Manager) lookup(ref string) (*entry, error) {
	if e, ok := m.byID[ref]; ok {
		return e, nil
	}
	if id, ok := m.names[strings.TrimPrefix(ref, "/")]; ok {
		return m.byID[id], nil
	}
	if ref != "" && isHex(ref) {
		var found *entry
		for id, e := range m.byID {
			if strings.HasPrefix(id, ref) {
				if found != nil {
					return nil, errdefs.InvalidParameter("multiple IDs found with provided prefix: %s", ref)
				}
				found = e
			}
		}
		if found != nil {
			return found, nil
		}
	}
	return nil, errdefs.NotFound("No such container: %s", ref)
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Get returns a copy of a container's record.
func (m *Manager) Get(ref string) (*Container, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.lookup(ref)
	if err != nil {
		return nil, err
	}
	return e.c.clone(), nil
}

// List returns copies of all records, newest first.
func (m *Manager) List() []*Container {
	m.mu.Lock()
	out := make([]*Container, 0, len(m.byID))
	for _, e := range m.byID {
		out = append(out, e.c.clone())
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out
}

// Image is what a container needs from the image it is created from.
type Image struct {
	ID        string // "sha256:..."
	Config    dockerspec.DockerOCIImageConfig
	LowerDirs []string // unpacked layers, top first
}

// CreateOptions is a create request as the API receives it.
type CreateOptions struct {
	Name       string
	Config     *container.Config
	HostConfig *container.HostConfig
	Image      Image
	// MountPoints are the volumes and binds, already resolved (mounts.go).
	MountPoints []MountPoint
}

// Create records a new container from an image. Nothing runs yet: its
// writable layer is an empty directory until start.
func (m *Manager) Create(opts CreateOptions) (*Container, error) {
	if opts.Config == nil {
		opts.Config = &container.Config{}
	}
	if opts.HostConfig == nil {
		opts.HostConfig = &container.HostConfig{}
	}
	// Docker checks the request's, before the image's: WORKDIR is always
	// absolute in an image.
	if wd := opts.Config.WorkingDir; wd != "" && !strings.HasPrefix(wd, "/") {
		return nil, errdefs.InvalidParameter("the working directory '%s' is invalid, it needs to be an absolute path", wd)
	}
	cfg := mergeImageConfig(*opts.Config, opts.Image.Config)
	path, args := command(cfg)
	if path == "" {
		return nil, errdefs.InvalidParameter("no command specified")
	}
	if err := validateHostConfig(opts.HostConfig); err != nil {
		return nil, err
	}
	if err := validateRestartPolicy(opts.HostConfig); err != nil {
		return nil, err
	}

	name := strings.TrimPrefix(opts.Name, "/")
	if name != "" && !validName().MatchString(name) {
		return nil, errdefs.InvalidParameter("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", opts.Name)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if name == "" {
		name = randomName(func(n string) bool { _, taken := m.names[n]; return taken })
	} else if id, taken := m.names[name]; taken {
		return nil, errdefs.Conflict("Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.", name, id)
	}

	id := newID()
	if cfg.Hostname == "" {
		cfg.Hostname = id[:12]
	}
	if opts.HostConfig.LogConfig.Type == "" {
		opts.HostConfig.LogConfig.Type = "json-file"
	}
	c := &Container{
		ID:         id,
		Name:       name,
		Created:    time.Now().UTC(),
		Path:       path,
		Args:       args,
		Config:     &cfg,
		HostConfig: opts.HostConfig,
		ImageID:    opts.Image.ID,
		LowerDirs:  opts.Image.LowerDirs,
		State:      State{Status: StatusCreated},
		dir:        filepath.Join(m.root, id),
	}
	c.MountPoints = opts.MountPoints
	if err := os.MkdirAll(c.UpperDir(), 0o755); err != nil {
		return nil, err
	}
	if err := c.save(); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	m.add(c)
	return c.clone(), nil
}

// validateHostConfig rejects what the runtime cannot honour, before any
// state is created.
func validateHostConfig(hc *container.HostConfig) error {
	switch hc.NetworkMode {
	case "", "default":
		hc.NetworkMode = defaultNetworkMode(hc) // network.go
	case "none", "host", NetworkBridge:
	default:
		return errdefs.InvalidParameter("network %s not found", hc.NetworkMode)
	}
	if hc.Memory != 0 && hc.Memory < 6*1024*1024 {
		return errdefs.InvalidParameter("Minimum memory limit allowed is 6MB")
	}
	if hc.CpusetCpus != "" {
		if _, err := parseCPUSet(hc.CpusetCpus); err != nil {
			return errdefs.InvalidParameter("Invalid value %s for cpuset cpus", hc.CpusetCpus)
		}
	}
	if err := validateResources(&hc.Resources, hostCPUs()); err != nil {
		return err
	}
	defaultSwap(&hc.Resources) // resources.go
	return validateSecurity(hc)
}

// maxCPUs bounds the CPU numbers of a cpuset: Linux's largest NR_CPUS.
// Without it "0-2000000000" in a create request would make the daemon
// allocate gigabytes.
const maxCPUs = 8192

// parseCPUSet parses "0-2,4" into its CPU numbers, in order, each once.
func parseCPUSet(s string) ([]int, error) {
	var set [maxCPUs]bool
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		var a, b int
		if _, err := fmt.Sscanf(lo, "%d", &a); err != nil || a < 0 || a >= maxCPUs {
			return nil, fmt.Errorf("invalid cpu %q", lo)
		}
		b = a
		if isRange {
			if _, err := fmt.Sscanf(hi, "%d", &b); err != nil || b < a || b >= maxCPUs {
				return nil, fmt.Errorf("invalid cpu range %q", part)
			}
		}
		for i := a; i <= b; i++ {
			set[i] = true
		}
	}
	var cpus []int
	for i, on := range set {
		if on {
			cpus = append(cpus, i)
		}
	}
	return cpus, nil
}

// mergeImageConfig fills what the create request left empty from the image
// config, with Docker's rules: the request's ENTRYPOINT replaces the image's
// and then the image's CMD is not used; environment variables are merged by
// name, the request winning.
func mergeImageConfig(cfg container.Config, img dockerspec.DockerOCIImageConfig) container.Config {
	if len(cfg.Entrypoint) == 0 {
		if len(cfg.Cmd) == 0 {
			cfg.Cmd = img.Cmd
		}
		if cfg.Entrypoint == nil {
			cfg.Entrypoint = img.Entrypoint
		}
	}
	cfg.Env = mergeEnv(img.Env, cfg.Env)
	mergeExposedPorts(&cfg, img)
	if cfg.WorkingDir == "" {
		cfg.WorkingDir = img.WorkingDir
	}
	if cfg.User == "" {
		cfg.User = img.User
	}
	if cfg.StopSignal == "" {
		cfg.StopSignal = img.StopSignal
	}
	if len(img.Labels) > 0 {
		labels := make(map[string]string, len(img.Labels)+len(cfg.Labels))
		for k, v := range img.Labels {
			labels[k] = v
		}
		for k, v := range cfg.Labels {
			labels[k] = v
		}
		cfg.Labels = labels
	}
	if len(img.Volumes) > 0 {
		vols := make(map[string]struct{}, len(img.Volumes)+len(cfg.Volumes))
		for k := range img.Volumes {
			vols[k] = struct{}{}
		}
		for k := range cfg.Volumes {
			vols[k] = struct{}{}
		}
		cfg.Volumes = vols
	}
	if cfg.Healthcheck == nil && img.Healthcheck != nil {
		hc := *img.Healthcheck
		cfg.Healthcheck = &hc
	}
	if len(cfg.OnBuild) == 0 {
		cfg.OnBuild = img.OnBuild
	}
	if len(cfg.Shell) == 0 {
		cfg.Shell = img.Shell
	}
	return cfg
}

// mergeEnv returns base with the variables of over added or replaced.
func mergeEnv(base, over []string) []string {
	out := append([]string(nil), base...)
	index := make(map[string]int, len(out))
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range over {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}

// command is the main process: ENTRYPOINT followed by CMD.
func command(cfg container.Config) (string, []string) {
	argv := append(append([]string(nil), cfg.Entrypoint...), cfg.Cmd...)
	if len(argv) == 0 {
		return "", nil
	}
	return argv[0], argv[1:]
}

// Start starts a created or exited container's main process on its layers.
// The writable layer is the same one every time: what a previous run wrote
// is still there.
func (m *Manager) Start(ref string) error {
	return m.start(ref, false)
}

// start starts a container; policy says whether its restart policy asked
// (a user's start resets the restart count, as Docker's does).
func (m *Manager) start(ref string, policy bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.lookup(ref)
	if err != nil {
		return err
	}
	c := e.c
	if !policy {
		m.cancelRestart(e)
		c.RestartCount = 0
		c.ManuallyStopped = false
	}
	switch c.State.Status {
	case StatusRunning:
		return errdefs.NotModified("container %s is already running", c.ID)
	case StatusRemoving:
		return errdefs.Conflict("container %s is marked for removal and cannot be started", c.ID)
	}

	// Its first move into a cgroup waits for the kernel: that runs while the
	// layers and the network are set up.
	runtime.PrimeCgroupMove()
	proc, logs, err := m.startProcess(e)
	if err != nil {
		// Docker leaves the container in its state, with the error and the
		// exit code a shell would give, and ends any waiting attach.
		c.State.Error = err.Error()
		c.State.ExitCode = exitCodeFor(err)
		_ = c.save()
		m.fireExit(e, c.State.ExitCode, c.State.Error)
		if c.HostConfig.AutoRemove {
			// --rm: a container that cannot start is removed too, as Docker does.
			_ = m.removeLocked(e)
		}
		return err
	}
	e.proc = proc
	e.stopped = false
	c.State = State{Status: StatusRunning, Pid: proc.Pid(), StartedAt: time.Now().UTC()}
	if err := c.save(); err != nil {
		// The record could not say "running": do not leave a process the
		// record does not know about.
		_ = proc.Signal(syscall.SIGKILL)
	}
	m.notifyEvent(e, "start", nil)
	go m.waitExit(e, proc, logs)
	return nil
}

// exitCodeFor is the exit code Docker records for a start that failed.
func exitCodeFor(err error) int {
	switch {
	case errors.Is(err, runtime.ErrExecNotFound):
		return 127
	case errors.Is(err, runtime.ErrPermission):
		return 126
	default:
		return 128
	}
}

// startProcess mounts the rootfs and starts the main process. On error it
// undoes everything it did. Callers hold m.mu.
func (m *Manager) startProcess(e *entry) (*runtime.Container, []*lineWriter, error) {
	c := e.c
	if err := os.MkdirAll(c.WorkDir(), 0o700); err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(c.MergedDir(), 0o755); err != nil {
		return nil, nil, err
	}
	if err := layer.Mount(c.LowerDirs, c.UpperDir(), c.WorkDir(), c.MergedDir()); err != nil {
		return nil, nil, fmt.Errorf("mounting the container's layers: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = layer.Unmount(c.MergedDir())
		}
	}()
	if err := writeEtcFiles(c); err != nil {
		return nil, nil, err
	}
	if err := populateVolumes(c); err != nil {
		return nil, nil, err
	}
	if err := m.connectNetwork(c); err != nil {
		return nil, nil, err
	}
	defer func() {
		if !ok {
			m.disconnectNetwork(c)
		}
	}()
	log, err := openJSONLog(c.LogPath())
	if err != nil {
		return nil, nil, err
	}
	outLog := &lineWriter{log: log, stream: "stdout"}
	errLog := &lineWriter{log: log, stream: "stderr"}

	stdio := runtime.Stdio{
		Stdout: output{log: outLog, bcast: e.stdout},
		Stderr: output{log: errLog, bcast: e.stderr},
	}
	if c.Config.OpenStdin && e.stdinR != nil {
		stdio.Stdin = e.stdinR
	}
	proc, err := m.rt.Start(m.spec(c), stdio)
	if err != nil {
		log.Close()
		return nil, nil, err
	}
	ok = true
	return proc, []*lineWriter{outLog, errLog}, nil
}

func (m *Manager) spec(c *Container) runtime.Spec {
	hc := c.HostConfig
	return runtime.Spec{
		ID:             c.ID,
		Rootfs:         c.MergedDir(),
		Args:           append([]string{c.Path}, c.Args...),
		Env:            c.Config.Env,
		Cwd:            c.Config.WorkingDir,
		User:           c.Config.User,
		GroupAdd:       hc.GroupAdd,
		Hostname:       c.Config.Hostname,
		Tty:            c.Config.Tty,
		ReadonlyRootfs: hc.ReadonlyRootfs,
		Mounts:         append(c.etcMounts(), c.volumeMounts()...),
		NetworkMode:    string(hc.NetworkMode),
		NetNSPath:      c.netNSPath(),
		Memory:         hc.Memory,
		CpusetCpus:     hc.CpusetCpus,
		CPUShares:      hc.CPUShares,
		PidsLimit:      derefInt64(hc.PidsLimit),
		MemorySwap:     hc.MemorySwap,
		NanoCPUs:       hc.NanoCPUs,
		Security:       securityOf(hc),
	}
}

func derefInt64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// waitExit runs for the whole life of a main process and records its end.
func (m *Manager) waitExit(e *entry, proc *runtime.Container, logs []*lineWriter) {
	code, waitErr := proc.Wait()

	// An exec still joining the dead container finishes first (it fails).
	e.joining.Lock()
	defer e.joining.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	c := e.c
	for _, l := range logs {
		_ = l.flush()
	}
	if len(logs) > 0 {
		_ = logs[0].log.Close()
	}
	m.recordExit(e, proc)
	_ = proc.Destroy()
	_ = layer.Unmount(c.MergedDir())
	m.disconnectNetwork(c)

	e.proc = nil
	c.State.Status = StatusExited
	c.State.Pid = 0
	c.State.ExitCode = code
	c.State.FinishedAt = time.Now().UTC()
	if waitErr != nil {
		c.State.Error = waitErr.Error()
	}
	_ = c.save()

	// A fresh stdin for the next run: the old one belonged to this process.
	if e.stdinW != nil {
		e.stdinW.Close()
		e.stdinR, e.stdinW = io.Pipe()
	}
	m.fireExit(e, code, c.State.Error)
	m.notifyExit(e)

	if shouldRestart(c, e.stopped, code) {
		m.scheduleRestart(e, c.State.FinishedAt.Sub(c.State.StartedAt))
		return
	}
	if c.HostConfig.AutoRemove {
		_ = m.removeLocked(e)
	}
}

// fireExit ends the current run's exit event and arms the next one.
// Callers hold m.mu.
func (m *Manager) fireExit(e *entry, code int, errMsg string) {
	ev := e.exit
	ev.code, ev.err = code, errMsg
	close(ev.done)
	e.exit = newExitEvent()
}

// Wait returns a channel that receives one result when cond is met. It is
// registered before Wait returns, so a caller that waits and then starts the
// container does not miss the exit. The channel is closed without a value
// if ctx ends first.
func (m *Manager) Wait(ctx context.Context, ref string, cond backend.WaitCondition) (<-chan backend.WaitResult, error) {
	m.mu.Lock()
	e, err := m.lookup(ref)
	if err != nil {
		m.mu.Unlock()
		return nil, err
	}
	out := make(chan backend.WaitResult, 1)
	switch cond {
	case backend.WaitNotRunning, "":
		if !e.c.State.Running() {
			out <- backend.WaitResult{StatusCode: e.c.State.ExitCode}
			close(out)
			m.mu.Unlock()
			return out, nil
		}
		fallthrough
	case backend.WaitNextExit:
		ev := e.exit
		m.mu.Unlock()
		go func() {
			defer close(out)
			select {
			case <-ev.done:
				out <- backend.WaitResult{StatusCode: ev.code, Error: ev.err}
			case <-ctx.Done():
			}
		}()
	case backend.WaitRemoved:
		removed := e.removed
		m.mu.Unlock()
		go func() {
			defer close(out)
			select {
			case <-removed.done:
				out <- backend.WaitResult{StatusCode: removed.code}
			case <-ctx.Done():
			}
		}()
	default:
		m.mu.Unlock()
		return nil, errdefs.InvalidParameter("invalid condition: %q", cond)
	}
	return out, nil
}

// Stop sends the stop signal, waits up to timeout (nil: the container's
// StopTimeout or 10 s), then kills. Stopping a stopped container is
// NotModified, as in Docker.
func (m *Manager) Stop(ctx context.Context, ref string, timeout *int, signal string) error {
	return m.stop(ctx, ref, timeout, signal, true)
}

// stop is Stop; manual says whether a user asked for it (then no restart
// policy brings the container back, not even after a daemon restart with
// unless-stopped) or the daemon is shutting down.
func (m *Manager) stop(ctx context.Context, ref string, timeout *int, signal string, manual bool) error {
	m.mu.Lock()
	e, err := m.lookup(ref)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	if manual {
		if !e.c.ManuallyStopped {
			e.c.ManuallyStopped = true
			_ = e.c.save()
		}
		if m.cancelRestart(e) {
			m.mu.Unlock()
			return nil
		}
	}
	if !e.c.State.Running() {
		m.mu.Unlock()
		return errdefs.NotModified("container %s is already stopped", e.c.ID)
	}
	if signal == "" {
		signal = e.c.Config.StopSignal
	}
	sig, err := ParseSignal(signal, syscall.SIGTERM)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	wait := defaultStopTimeout
	switch {
	case timeout != nil:
		wait = time.Duration(*timeout) * time.Second
	case e.c.Config.StopTimeout != nil:
		wait = time.Duration(*e.c.Config.StopTimeout) * time.Second
	}
	ev, proc := e.exit, e.proc
	e.stopped = true
	// Signalled under the lock, so the kill event comes before the die.
	sigErr := proc.Signal(sig)
	if sigErr == nil {
		m.notifyEvent(e, "kill", signalAttrs(sig))
	}
	m.mu.Unlock()

	if wait < 0 { // -1: wait for ever
		wait = 1<<63 - 1
	}
	if sigErr == nil {
		select {
		case <-ev.done:
			return nil
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	m.mu.Lock()
	select {
	case <-ev.done: // it exited just now
	default:
		if proc.Signal(syscall.SIGKILL) == nil {
			m.notifyEvent(e, "kill", signalAttrs(syscall.SIGKILL))
		}
	}
	m.mu.Unlock()
	select {
	case <-ev.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Kill sends a signal (default SIGKILL) to the main process.
func (m *Manager) Kill(ref, signal string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.lookup(ref)
	if err != nil {
		return err
	}
	sig, err := ParseSignal(signal, syscall.SIGKILL)
	if err != nil {
		return err
	}
	if !e.c.State.Running() {
		return errNotRunning(e.c.ID)
	}
	e.stopped = true
	e.c.ManuallyStopped = true
	_ = e.c.save()
	if err := e.proc.Signal(sig); err != nil {
		return err
	}
	m.notifyEvent(e, "kill", signalAttrs(sig))
	return nil
}

// Restart stops the container if it runs and starts it again.
func (m *Manager) Restart(ctx context.Context, ref string, timeout *int, signal string) error {
	if err := m.Stop(ctx, ref, timeout, signal); err != nil && !errdefs.IsNotModified(err) {
		return err
	}
	// Stop returns once the exit event fired, and waitExit records the
	// exited state before it fires it: Start sees a stopped container.
	// RestartCount is left alone: Docker counts only the restarts its
	// restart policy makes, not the ones asked for.
	return m.Start(ref)
}

// ParseSignal accepts "HUP", "SIGHUP" or "1"; "" gives def.
func ParseSignal(s string, def syscall.Signal) (syscall.Signal, error) {
	if s == "" {
		return def, nil
	}
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err == nil && fmt.Sprint(n) == s {
		if n <= 0 || n > 64 {
			return 0, errdefs.InvalidParameter("Invalid signal: %s", s)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	sig := unix.SignalNum(name)
	if sig == 0 {
		return 0, errdefs.InvalidParameter("Invalid signal: %s", s)
	}
	return sig, nil
}

// Remove deletes a container and its writable layer. A running container
// needs force, which kills it first.
func (m *Manager) Remove(ctx context.Context, ref string, force bool) error {
	m.mu.Lock()
	e, err := m.lookup(ref)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	if e.c.State.Status == StatusRemoving {
		m.mu.Unlock()
		return errdefs.Conflict("removal of container %s is already in progress", e.c.ID)
	}
	if e.c.State.Status == StatusRestarting {
		if !force {
			m.mu.Unlock()
			return errdefs.Conflict("cannot remove container \"/%s\": container is restarting: stop the container before removing or force remove", e.c.Name)
		}
		m.cancelRestart(e)
	}
	if e.c.State.Running() {
		if !force {
			m.mu.Unlock()
			return errdefs.Conflict("cannot remove container \"/%s\": container is running: stop the container before removing or force remove", e.c.Name)
		}
		ev, proc := e.exit, e.proc
		e.stopped = true
		e.c.HostConfig.AutoRemove = false // we remove it here, not waitExit
		if proc.Signal(syscall.SIGKILL) == nil {
			m.notifyEvent(e, "kill", signalAttrs(syscall.SIGKILL))
		}
		m.mu.Unlock()
		select {
		case <-ev.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		m.mu.Lock()
		if _, stillThere := m.byID[e.c.ID]; !stillThere {
			m.mu.Unlock()
			return nil
		}
	}
	defer m.mu.Unlock()
	return m.removeLocked(e)
}

// removeLocked deletes a stopped container. Callers hold m.mu.
func (m *Manager) removeLocked(e *entry) error {
	c := e.c
	c.State.Status = StatusRemoving
	if err := c.save(); err != nil {
		return err
	}
	if err := layer.Unmount(c.MergedDir()); err != nil {
		return err
	}
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("removing %s: %w", c.dir, err)
	}
	delete(m.byID, c.ID)
	delete(m.names, c.Name)
	m.disconnectNetwork(c)
	if m.removeHook != nil {
		m.removeHook(c.clone())
	}
	if e.stdinW != nil {
		e.stdinW.Close()
	}
	e.removed.code = c.State.ExitCode
	close(e.removed.done)
	return nil
}

// Shutdown stops every running container (SIGTERM, then SIGKILL after
// timeout), so a daemon that exits leaves no process, cgroup or mount.
func (m *Manager) Shutdown(timeout time.Duration) {
	t := int(timeout / time.Second)
	var wg sync.WaitGroup
	for _, c := range m.List() {
		if c.State.Running() {
			wg.Add(1)
			go func(id string) {
				defer wg.Done()
				_ = m.stop(context.Background(), id, &t, "", false)
			}(c.ID)
		}
	}
	wg.Wait()
	// Exits are recorded asynchronously; give waitExit its turn.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		running := false
		for _, c := range m.List() {
			running = running || c.State.Running()
		}
		if !running {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func errNotRunning(id string) error {
	return errdefs.Conflict("container %s is not running", id)
}
