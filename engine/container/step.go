package container

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/moby/moby/api/types/container"

	"bolsillo/engine/errdefs"
	"bolsillo/engine/runtime"
)

// StepSpec is a process to run on a root filesystem the caller has mounted
// and will take the changes of: a RUN step of a build. It is not a
// container record: no name, no log, nothing in ps.
type StepSpec struct {
	ID       string // 64 hex; "" picks one. Docker shows its first 12 as "Running in ..."
	Rootfs   string // mounted; the process's writes land in the caller's upper dir
	Args     []string
	Env      []string
	User     string
	WorkDir  string
	Hostname string // "" is the first 12 of ID
	// Network is "", "default" or "bridge" (the daemon's bridge, as
	// Docker's builder: RUN apt-get update reaches the internet), "none"
	// or "host".
	Network string
	Stdout  io.Writer
	Stderr  io.Writer
}

// NewStepID returns an ID for a StepSpec.
func NewStepID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

// ValidStepNetwork checks a build's network mode (docker build --network).
func ValidStepNetwork(mode string) error {
	switch mode {
	case "", "default", NetworkBridge, "none", "host":
		return nil
	}
	return errdefs.NotFound("network %s not found", mode)
}

// RunStep runs s to its end and returns its exit code. Cancelling ctx kills
// it. Its runtime state and cgroup are gone when RunStep returns; the files
// it wrote stay in the caller's rootfs.
func (m *Manager) RunStep(ctx context.Context, s StepSpec) (int, error) {
	if s.ID == "" {
		s.ID = NewStepID()
	}
	if s.Hostname == "" {
		s.Hostname = s.ID[:12]
	}
	if err := ValidStepNetwork(s.Network); err != nil {
		return 0, err
	}
	mode := container.NetworkMode(s.Network)
	if mode == "" || mode == "default" {
		mode = NetworkBridge
	}
	// /etc/hostname, /etc/hosts and /etc/resolv.conf as for a container, in
	// a scratch directory outside the rootfs so they are not part of the
	// step's layer.
	dir, err := os.MkdirTemp(m.root, ".step-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	tmp := &Container{
		ID:         s.ID,
		dir:        dir,
		Config:     &container.Config{Hostname: s.Hostname},
		HostConfig: &container.HostConfig{NetworkMode: mode},
	}
	if err := writeEtcFiles(tmp); err != nil {
		return 0, err
	}
	m.mu.Lock()
	err = m.connectNetwork(tmp)
	m.mu.Unlock()
	if err != nil {
		return 0, err
	}
	defer func() {
		m.mu.Lock()
		m.disconnectNetwork(tmp)
		m.mu.Unlock()
	}()
	runtimeMode := "none"
	if mode == "host" {
		runtimeMode = "host"
	}
	proc, err := m.rt.Start(runtime.Spec{
		ID:          s.ID,
		Rootfs:      s.Rootfs,
		Args:        s.Args,
		Env:         s.Env,
		Cwd:         s.WorkDir,
		User:        s.User,
		Hostname:    s.Hostname,
		Mounts:      tmp.etcMounts(),
		NetworkMode: runtimeMode,
		NetNSPath:   tmp.netNSPath(),
	}, runtime.Stdio{Stdout: s.Stdout, Stderr: s.Stderr})
	if err != nil {
		return exitCodeFor(err), err
	}
	defer proc.Destroy()
	done := make(chan struct{})
	var code int
	var waitErr error
	go func() {
		code, waitErr = proc.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		_ = proc.Signal(syscall.SIGKILL)
		<-done
		return code, ctx.Err()
	}
	if waitErr != nil {
		return code, fmt.Errorf("waiting for step %s: %w", s.ID[:12], waitErr)
	}
	return code, nil
}

// defaultHosts is /etc/hosts of a container with its own network namespace.
const defaultHosts = "127.0.0.1\tlocalhost\n" +
	"::1\tlocalhost ip6-localhost ip6-loopback\n" +
	"fe00::0\tip6-localnet\n" +
	"ff00::0\tip6-mcastprefix\n" +
	"ff02::1\tip6-allnodes\n" +
	"ff02::2\tip6-allrouters\n"
