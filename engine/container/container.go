// Package container keeps container records and drives their lifecycle:
// create, start, attach, wait, stop, kill, restart, remove, logs.
//
// A container record lives in <root>/<id>/ as config.v2.json (the record,
// its state included) and hostconfig.json, next to the container's writable
// layer (rw/, the overlay upperdir), the overlay work/ and merged/ dirs, the
// files bound at /etc/hostname, /etc/hosts and /etc/resolv.conf, and the
// json-file log <id>-json.log. A student can open that directory and find
// each thing the lesson talks about.
package container

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/moby/moby/api/types/container"

	"bolsillo/engine/atomicfile"
)

// Status is the lifecycle state of a container, with Docker's names.
type Status string

// The states a container goes through. Paused, restarting and dead exist in
// Docker too; they arrive with the features that produce them.
const (
	StatusCreated  Status = "created"
	StatusRunning  Status = "running"
	StatusRemoving Status = "removing"
	StatusExited   Status = "exited"
)

// State is the part of a record that changes as the container runs.
type State struct {
	Status     Status
	Pid        int
	ExitCode   int
	Error      string
	OOMKilled  bool
	Paused     bool // frozen by pause; Status stays running
	StartedAt  time.Time
	FinishedAt time.Time
}

// Running reports whether the main process is alive.
func (s State) Running() bool { return s.Status == StatusRunning }

// Container is a container record. It is persisted as JSON; the zero value
// of a time means "never".
type Container struct {
	ID      string
	Name    string // without Docker's leading slash
	Created time.Time

	// Path and Args are the main process: the image's ENTRYPOINT and CMD
	// resolved with the overrides given at create time.
	Path string
	Args []string

	Config     *container.Config     `json:"Config"`
	HostConfig *container.HostConfig `json:"-"` // persisted in hostconfig.json

	// ImageID is the "sha256:..." ID of the image the container was created
	// from; Config.Image keeps the name as the user typed it.
	ImageID string

	// LowerDirs are the image's unpacked read-only layers, top first, as
	// given to overlay.
	LowerDirs []string

	// MountPoints are the container's volumes and bind mounts (mounts.go).
	MountPoints []MountPoint `json:",omitempty"`

	// NetworkSettings is set while the container runs on the bridge (network.go).
	NetworkSettings *NetworkSettings `json:",omitempty"`

	State        State
	RestartCount int

	// ManuallyStopped is set by a user's stop or kill and cleared by their
	// start: restart policies leave such a container alone.
	ManuallyStopped bool

	dir string
}

// Dir is the container's directory in the data root.
func (c *Container) Dir() string { return c.dir }

// UpperDir is the writable layer: every file the container writes lands here.
func (c *Container) UpperDir() string { return filepath.Join(c.dir, "rw") }

// SizeRw is the bytes of the files in the writable layer (docker ps -s).
func (c *Container) SizeRw() int64 { return dirSize(c.UpperDir()) }

// WorkDir is overlay's scratch directory for this container.
func (c *Container) WorkDir() string { return filepath.Join(c.dir, "work") }

// MergedDir is where the layers are stacked: the container's root filesystem.
func (c *Container) MergedDir() string { return filepath.Join(c.dir, "merged") }

// LogPath is the json-file log of the main process's stdout and stderr.
func (c *Container) LogPath() string { return filepath.Join(c.dir, c.ID+"-json.log") }

// HostnamePath, HostsPath and ResolvConfPath are bound into the container.
func (c *Container) HostnamePath() string   { return filepath.Join(c.dir, "hostname") }
func (c *Container) HostsPath() string      { return filepath.Join(c.dir, "hosts") }
func (c *Container) ResolvConfPath() string { return filepath.Join(c.dir, "resolv.conf") }

const (
	configFile     = "config.v2.json"
	hostConfigFile = "hostconfig.json"
)

// save persists the record atomically.
func (c *Container) save() error {
	if err := atomicfile.WriteJSON(filepath.Join(c.dir, configFile), c, 0o600); err != nil {
		return err
	}
	return atomicfile.WriteJSON(filepath.Join(c.dir, hostConfigFile), c.HostConfig, 0o600)
}

// load reads a record from dir.
func load(dir string) (*Container, error) {
	c := &Container{dir: dir}
	if err := readJSON(filepath.Join(dir, configFile), c); err != nil {
		return nil, err
	}
	c.HostConfig = &container.HostConfig{}
	if err := readJSON(filepath.Join(dir, hostConfigFile), c.HostConfig); err != nil {
		return nil, err
	}
	if c.Config == nil {
		c.Config = &container.Config{}
	}
	return c, nil
}

// clone returns a deep enough copy for callers that read a record outside
// the manager's lock.
func (c *Container) clone() *Container {
	cp := *c
	cp.Args = append([]string(nil), c.Args...)
	cp.LowerDirs = append([]string(nil), c.LowerDirs...)
	cp.MountPoints = append([]MountPoint(nil), c.MountPoints...)
	if c.Config != nil {
		cfg := *c.Config
		cp.Config = &cfg
	}
	if c.HostConfig != nil {
		hc := *c.HostConfig
		cp.HostConfig = &hc
	}
	return &cp
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decoding %s: %w", path, err)
	}
	return nil
}

// newID returns a random 64-hex container ID.
func newID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}
