package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// runcBench runs `true` with the runc CLI, no daemon in between, on a copy
// of the same busybox rootfs bolsillo uses.
type runcBench struct {
	state  string // runc --root: where runc keeps container state
	bundle string // config.json and rootfs/
	prefix string // of container IDs, unique to this process
}

// prepareRunc builds an OCI bundle in dir from a copy of rootfs. Its
// config.json is the one `runc spec` writes, with the default namespaces
// (network included), changed to run `true` without a terminal on a
// read-only root.
func prepareRunc(ctx context.Context, dir, rootfs string) (*runcBench, error) {
	r := &runcBench{
		state:  filepath.Join(dir, "state"),
		bundle: filepath.Join(dir, "bundle"),
		prefix: fmt.Sprintf("bench-%d-", os.Getpid()),
	}
	if err := os.MkdirAll(r.bundle, 0o755); err != nil {
		return nil, err
	}
	if err := copyTree(rootfs, filepath.Join(r.bundle, "rootfs")); err != nil {
		return nil, fmt.Errorf("copying the busybox rootfs: %w", err)
	}
	if _, err := output(ctx, []string{"runc", "spec", "--bundle", r.bundle}, nil); err != nil {
		return nil, err
	}
	configPath := filepath.Join(r.bundle, "config.json")
	raw, err := os.ReadFile(configPath)
	if err != nil {
		return nil, err
	}
	raw, err = runTrueSpec(raw)
	if err != nil {
		return nil, fmt.Errorf("editing %s: %w", configPath, err)
	}
	if err := os.WriteFile(configPath, raw, 0o644); err != nil {
		return nil, err
	}
	return r, nil
}

// runTrueSpec rewrites the config.json of `runc spec` to run `true` with
// no terminal on a read-only root; the rest stays as runc wrote it.
func runTrueSpec(config []byte) ([]byte, error) {
	var spec specs.Spec
	if err := json.Unmarshal(config, &spec); err != nil {
		return nil, err
	}
	if spec.Process == nil || spec.Root == nil {
		return nil, errors.New("no process or root section")
	}
	spec.Process.Args = []string{"true"}
	spec.Process.Terminal = false
	spec.Root.Readonly = true
	return json.MarshalIndent(&spec, "", "\t")
}

// argv is the timed command for container id.
func (r *runcBench) argv(id string) []string {
	return []string{"runc", "--root", r.state, "run", "--bundle", r.bundle, id}
}

// run times one `runc run` in the foreground: create, start, wait, and
// delete at exit. It then checks that runc kept no state of the container.
func (r *runcBench) run(ctx context.Context, i int) (time.Duration, error) {
	id := fmt.Sprintf("%s%d", r.prefix, i)
	d, err := timeExec(ctx, r.argv(id), nil)
	if err != nil {
		return 0, err
	}
	if _, err := os.Stat(filepath.Join(r.state, id)); !errors.Is(err, os.ErrNotExist) {
		return 0, fmt.Errorf("runc kept the state of container %s after it exited (stat: %v)", id, err)
	}
	return d, nil
}

// leftovers lists the containers runc still knows of in its state root.
func (r *runcBench) leftovers(ctx context.Context) ([]string, error) {
	out, err := output(ctx, []string{"runc", "--root", r.state, "list", "--quiet"}, nil)
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// runcVersion returns the first line of `runc --version`.
func runcVersion(ctx context.Context) string {
	out, err := output(ctx, []string{"runc", "--version"}, nil)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}
