package container

import (
	"context"
	"io"
	"os"
	"strings"

	"bolsillo/engine/backend"
	"bolsillo/engine/runtime"
)

// Attach connects a client to the main process and returns when the current
// run ends (or the next one, if the container is not running yet: the
// docker CLI attaches before it starts), when the client types the detach
// keys, or when ctx is done. All output written before the process ended
// has been delivered when Attach returns.
func (m *Manager) Attach(ctx context.Context, ref string, opts backend.AttachOptions) error {
	m.mu.Lock()
	e, err := m.lookup(ref)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	ev, removed := e.exit, e.removed
	stdinW := e.stdinW
	stdinOnce := e.c.Config.StdinOnce
	tty := e.c.Config.Tty
	var outs []*attachedWriter
	var bcasts []*broadcaster
	if opts.Stdout != nil {
		outs = append(outs, e.stdout.add(opts.Stdout))
		bcasts = append(bcasts, e.stdout)
	}
	if opts.Stderr != nil && !tty {
		outs = append(outs, e.stderr.add(opts.Stderr))
		bcasts = append(bcasts, e.stderr)
	}
	m.mu.Unlock()
	defer func() {
		for i, a := range outs {
			bcasts[i].remove(a)
		}
	}()
	if opts.Attached != nil {
		opts.Attached()
	}

	// stdinDone ends the attach when the client's stdin ends with the
	// detach keys, or at all with a TTY (as moby: the terminal is the
	// client's, and a TTY process sees ^D, not EOF). Without a TTY and with
	// StdinOnce, the end of the client's stdin closes the process's.
	stdinDone := make(chan struct{})
	var detached bool // set before stdinDone closes
	if opts.Stdin != nil && stdinW != nil {
		keys := opts.DetachKeys
		if keys == nil {
			keys = DefaultDetachKeys
		}
		go func() {
			dr := &detachReader{r: opts.Stdin, keys: keys}
			_, _ = io.Copy(stdinW, dr)
			switch {
			case dr.detached || tty:
				detached = dr.detached
				close(stdinDone)
			case stdinOnce:
				stdinW.Close()
			}
		}()
	}

	// A client whose connection breaks is dropped by the broadcaster; stop
	// waiting for it then too.
	var broken <-chan struct{}
	if len(outs) > 0 {
		broken = outs[0].done
	}
	select {
	case <-ev.done:
	case <-removed.done:
	case <-stdinDone:
		if detached {
			m.mu.Lock()
			if cur, ok := m.byID[e.c.ID]; ok && cur == e {
				m.notifyEvent(e, "detach", nil)
			}
			m.mu.Unlock()
		}
	case <-broken:
	case <-ctx.Done():
	}
	return nil
}

// Resize changes the terminal size of a container started with a TTY.
func (m *Manager) Resize(ref string, height, width uint16) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, err := m.lookup(ref)
	if err != nil {
		return err
	}
	if e.proc == nil {
		return errNotRunning(e.c.ID)
	}
	if !e.c.Config.Tty {
		return nil
	}
	return e.proc.Resize(height, width)
}

// Logs sends the logged output of a container to fn.
func (m *Manager) Logs(ctx context.Context, ref string, opts backend.LogOptions, fn func(backend.LogMessage) error) error {
	m.mu.Lock()
	e, err := m.lookup(ref)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	path := e.c.LogPath()
	m.mu.Unlock()
	running := func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		return e.c.State.Running()
	}
	return readLogs(ctx, path, opts, running, fn)
}

// writeEtcFiles writes the files bound at /etc/hostname, /etc/hosts and
// /etc/resolv.conf, as Docker does, so the image's own are not changed.
func writeEtcFiles(c *Container) error {
	hosts := defaultHosts
	if c.HostConfig.NetworkMode == "host" {
		if b, err := os.ReadFile("/etc/hosts"); err == nil {
			hosts = string(b)
		}
	}
	files := map[string]string{
		c.HostnamePath():   c.Config.Hostname + "\n",
		c.HostsPath():      hosts,
		c.ResolvConfPath(): resolvConf(),
	}
	for path, content := range files {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// etcMounts bind the files writeEtcFiles wrote over the image's own.
func (c *Container) etcMounts() []runtime.Mount {
	return []runtime.Mount{
		{Source: c.HostnamePath(), Destination: "/etc/hostname"},
		{Source: c.HostsPath(), Destination: "/etc/hosts"},
		{Source: c.ResolvConfPath(), Destination: "/etc/resolv.conf"},
	}
}

// resolvConf is the host's resolver configuration without loopback
// nameservers, which mean nothing inside the container's own network.
func resolvConf() string {
	b, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return ""
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" && (strings.HasPrefix(f[1], "127.") || f[1] == "::1") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
