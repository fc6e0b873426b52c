// Package engine wires bolsillo's stores together: images, layers,
// containers and the runtime. It is the only thing engine/server talks to,
// and it speaks in the Docker Engine API's types so the server only moves
// them over HTTP.
package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"bolsillo/engine/container"
	"bolsillo/engine/image"
	"bolsillo/engine/layer"
	"bolsillo/engine/network"
	"bolsillo/engine/runtime"
	"bolsillo/engine/volume"
)

// Version is bolsillod's version.
const Version = "0.1.0"

// Config configures an Engine.
type Config struct {
	// DataRoot holds everything the daemon keeps: image/, layers/,
	// containers/, runtime/. Several engines may run at once on one
	// machine as long as their data roots differ.
	DataRoot string
	// InsecureRegistries may be reached over plain HTTP (a classroom
	// registry on the teacher's machine); loopback registries always may.
	InsecureRegistries []string
	// BridgeCIDR is the bridge network's subnet (--bip); empty derives one.
	BridgeCIDR string
}

// Engine is one daemon's state.
type Engine struct {
	root       string
	id         string // stable per data root; names this daemon's cgroups
	started    time.Time
	layers     *layer.Store
	images     *image.Store
	containers *container.Manager
	volumes    *volume.Store
	bridge     *network.Bridge // the "bridge" network (networks.go)
	runtime    *runtime.Runtime
	events     *eventBus
	lock       *os.File // holds the data root's lock while the engine lives
	// removal makes image removals (rmi, image prune) one at a time: each
	// decides from the store what it may delete (an untagged parent with
	// no child left, the layers no other image uses), and two at once
	// would decide on the same image.
	removal sync.Mutex
}

// New opens (or creates) the data root and reconciles what a previous daemon
// left in it.
func New(cfg Config) (*Engine, error) {
	root, err := filepath.Abs(cfg.DataRoot)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(root, 0o711); err != nil {
		return nil, fmt.Errorf("creating data root: %w", err)
	}
	lock, err := lockDataRoot(root)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(root))
	id := hex.EncodeToString(sum[:])[:12]

	fail := func(err error) (*Engine, error) {
		lock.Close()
		return nil, err
	}
	// A build that a previous daemon did not finish left its step mounts
	// and its extracted context: nothing refers to them.
	if err := cleanBuildDir(filepath.Join(root, buildDir)); err != nil {
		return fail(fmt.Errorf("cleaning interrupted builds: %w", err))
	}
	layers, err := layer.NewStore(filepath.Join(root, "layers"))
	if err != nil {
		return fail(fmt.Errorf("opening layer store: %w", err))
	}
	images, err := image.Open(filepath.Join(root, "image"), layers)
	if err != nil {
		return fail(fmt.Errorf("opening image store: %w", err))
	}
	images.AllowPlainHTTP(cfg.InsecureRegistries...)
	rt, err := runtime.New(filepath.Join(root, "runtime"), "bolsillo-"+id)
	if err != nil {
		return fail(fmt.Errorf("starting runtime: %w", err))
	}
	containers, err := container.New(filepath.Join(root, "containers"), rt)
	if err != nil {
		return fail(fmt.Errorf("opening container store: %w", err))
	}
	// Runtime state that no container owns is a build step a previous
	// daemon was running: kill what is left of it and remove its cgroup.
	if ents, err := os.ReadDir(filepath.Join(root, "runtime")); err == nil {
		for _, ent := range ents {
			if _, err := containers.Get(ent.Name()); err != nil && len(ent.Name()) == 64 {
				if err := rt.Cleanup(ent.Name()); err != nil {
					return fail(fmt.Errorf("cleaning an interrupted build step: %w", err))
				}
			}
		}
	}
	events := newEventBus()
	volumes, err := openVolumes(filepath.Join(root, "volumes"), containers, events)
	if err != nil {
		return fail(err)
	}
	bridge, err := openBridge(id, root, cfg.BridgeCIDR, containers, events)
	if err != nil {
		return fail(err)
	}
	containers.SetExitHook(events.exitEvents)
	containers.SetEventHook(events.managerEvent)
	containers.RestartPolicies()
	return &Engine{
		events:     events,
		root:       root,
		id:         id,
		started:    time.Now(),
		layers:     layers,
		images:     images,
		containers: containers,
		volumes:    volumes,
		bridge:     bridge,
		runtime:    rt,
		lock:       lock,
	}, nil
}

// DataRoot is the absolute data root.
func (e *Engine) DataRoot() string { return e.root }

// Shutdown stops the running containers, so the daemon leaves no process,
// cgroup or mount behind when it exits.
func (e *Engine) Shutdown(ctx context.Context) {
	timeout := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d) / 2
	}
	e.containers.Shutdown(timeout)
	_ = e.bridge.Close()
	// The daemon's parent cgroup goes too: nothing of it stays in the
	// cgroup tree once it has stopped.
	_ = e.runtime.Close()
	_ = e.lock.Close()
}

// ErrDataRootInUse is returned by New when another daemon holds the data root.
var ErrDataRootInUse = errors.New("another bolsillod is using the data root")

// lockDataRoot takes an exclusive lock on the data root: two daemons on
// one data root would each take the other's running containers for
// leftovers of a crash and clean them away.
func lockDataRoot(root string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(root, "bolsillod.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking data root: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrDataRootInUse, root)
		}
		return nil, fmt.Errorf("locking data root: %w", err)
	}
	return f, nil
}

// cleanBuildDir unmounts whatever is mounted under dir, deepest first, and
// removes it.
func cleanBuildDir(dir string) error {
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return err
	}
	var under []string
	for _, line := range strings.Split(string(mounts), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[1], dir+"/") {
			under = append(under, f[1])
		}
	}
	for i := len(under) - 1; i >= 0; i-- {
		if err := layer.Unmount(under[i]); err != nil {
			return err
		}
	}
	return os.RemoveAll(dir)
}
