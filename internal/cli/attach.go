package cli

import (
	"context"
	"io"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// streamer copies a hijacked attach connection to and from the CLI's
// streams: raw bytes with a TTY, stdcopy frames without one.
type streamer struct {
	f         *factory
	resp      client.HijackedResponse
	tty       bool
	stdin     bool
	once      sync.Once
	restoreFn func()
	detached  atomic.Bool
}

// attach opens the hijacked attach connection for the streams cfg asks for.
func attach(ctx context.Context, f *factory, api client.APIClient, id string, cfg *container.Config) (*streamer, error) {
	res, err := api.ContainerAttach(ctx, id, client.ContainerAttachOptions{
		Stream: true,
		Stdin:  cfg.AttachStdin,
		Stdout: cfg.AttachStdout,
		Stderr: cfg.AttachStderr,
	})
	if err != nil {
		return nil, err
	}
	return &streamer{f: f, resp: res.HijackedResponse, tty: cfg.Tty, stdin: cfg.AttachStdin}, nil
}

// Stream starts copying. The returned channel yields the output copy's
// result once the daemon closes the connection.
func (s *streamer) Stream() <-chan error {
	if s.stdin && s.tty {
		if fd, ok := isTerminal(s.f.In); ok {
			if state, err := term.MakeRaw(int(fd)); err == nil {
				s.restoreFn = func() { _ = term.Restore(int(fd), state) }
			}
		}
	}
	if s.stdin {
		in := s.f.In
		if s.tty {
			// The daemon detaches on ctrl-p ctrl-q; note that it happened,
			// so the end of the stream is not taken for the end of the
			// container.
			in = &detachWatcher{r: in, keys: defaultDetachKeys, seen: &s.detached}
		}
		go func() {
			_, _ = io.Copy(s.resp.Conn, in)
			_ = s.resp.CloseWrite()
		}()
	}
	done := make(chan error, 1)
	go func() {
		var err error
		if s.tty {
			_, err = io.Copy(s.f.Out, s.resp.Reader)
		} else {
			_, err = stdcopy.StdCopy(s.f.Out, s.f.Err, s.resp.Reader)
		}
		s.restoreTerminal()
		done <- err
	}()
	return done
}

// Detached reports whether the user typed the detach keys.
func (s *streamer) Detached() bool { return s.detached.Load() }

// defaultDetachKeys is docker's ctrl-p,ctrl-q.
var defaultDetachKeys = []byte{0x10, 0x11}

// detachWatcher passes input through unchanged and records when the detach
// sequence goes by.
type detachWatcher struct {
	r       io.Reader
	keys    []byte
	matched int
	seen    *atomic.Bool
}

func (w *detachWatcher) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	for _, c := range p[:n] {
		switch {
		case c == w.keys[w.matched]:
			w.matched++
		case c == w.keys[0]:
			w.matched = 1
		default:
			w.matched = 0
		}
		if w.matched == len(w.keys) {
			w.seen.Store(true)
			w.matched = 0
		}
	}
	return n, err
}

func (s *streamer) restoreTerminal() {
	if s.restoreFn != nil {
		s.restoreFn()
	}
}

// Close restores the terminal and closes the connection; it is idempotent.
func (s *streamer) Close() {
	s.once.Do(func() {
		s.restoreTerminal()
		s.resp.Close()
	})
}

// forwardSignals relays SIGINT and SIGTERM to the container as kill
// requests, like docker's sig-proxy. The returned func stops relaying.
func forwardSignals(ctx context.Context, api client.APIClient, id string) func() {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	ctx = context.WithoutCancel(ctx)
	go func() {
		for {
			select {
			case <-done:
				return
			case sig := <-ch:
				name := unix.SignalName(sig.(syscall.Signal))
				_, _ = api.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: name})
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// monitorTTYSize gives the container's terminal the size of ours, now and on
// every SIGWINCH. It does nothing when stdout is not a terminal.
func monitorTTYSize(ctx context.Context, f *factory, api client.APIClient, id string) func() {
	return followTerminalSize(f, func(h, w uint) {
		_, _ = api.ContainerResize(ctx, id, client.ContainerResizeOptions{Height: h, Width: w})
	})
}

// followTerminalSize calls resize with the size of our terminal now and
// on every SIGWINCH, until the returned func is called. It does nothing when
// stdout is not a terminal.
func followTerminalSize(f *factory, resize func(height, width uint)) func() {
	fd, ok := isTerminal(f.Out)
	if !ok {
		return func() {}
	}
	apply := func() {
		w, h, err := term.GetSize(int(fd))
		if err != nil || w == 0 || h == 0 {
			return
		}
		resize(uint(h), uint(w))
	}
	apply()
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-ch:
				apply()
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
