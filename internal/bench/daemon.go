package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const (
	daemonStartTimeout = 10 * time.Second
	daemonStopTimeout  = 30 * time.Second
)

// daemon is the bolsillod this program starts on its own data root and
// socket, so that the figures do not depend on an engine already running.
type daemon struct {
	bin  string // directory with bolsillod and bolsillo
	root string // data root
	sock string
	log  string // file with the daemon's output
	cmd  *exec.Cmd
	done chan error // receives the exit once
}

// startDaemon starts bolsillod with its data root, socket and log in dir
// and waits until its socket accepts connections.
func startDaemon(ctx context.Context, bin, dir string) (*daemon, error) {
	d := &daemon{
		bin:  bin,
		root: filepath.Join(dir, "root"),
		sock: filepath.Join(dir, "api.sock"),
		log:  filepath.Join(dir, "bolsillod.log"),
	}
	logFile, err := os.Create(d.log)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	d.cmd = exec.Command(filepath.Join(bin, "bolsillod"), "--data-root", d.root, "--host", d.host())
	d.cmd.Stdout, d.cmd.Stderr = logFile, logFile
	// Its own process group: a Ctrl-C in the terminal reaches this program,
	// which then stops the daemon in order, not the daemon directly.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting bolsillod: %w", err)
	}
	d.done = make(chan error, 1)
	go func() { d.done <- d.cmd.Wait() }()

	deadline := time.After(daemonStartTimeout)
	for {
		if c, err := net.Dial("unix", d.sock); err == nil {
			c.Close()
			return d, nil
		}
		select {
		case err := <-d.done:
			d.done <- err
			return nil, fmt.Errorf("bolsillod exited at start (%v): %s", err, d.logTail())
		case <-deadline:
			d.stop()
			return nil, fmt.Errorf("bolsillod did not answer on %s within %s: %s", d.sock, daemonStartTimeout, d.logTail())
		case <-ctx.Done():
			d.stop()
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// host is the address clients use.
func (d *daemon) host() string { return "unix://" + d.sock }

// pid is the daemon's process ID.
func (d *daemon) pid() int { return d.cmd.Process.Pid }

// cli returns the argv of the bolsillo CLI against this daemon, explanations off.
func (d *daemon) cli(args ...string) []string {
	return append([]string{filepath.Join(d.bin, "bolsillo"), "-H", d.host(), "--explicar=false"}, args...)
}

// stop ends the daemon with SIGTERM, as systemd would, and waits for it.
// If it is still there after daemonStopTimeout it is killed, and that is
// an error.
func (d *daemon) stop() error {
	select {
	case err := <-d.done: // already gone
		d.done <- err
		return nil
	default:
	}
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping bolsillod (PID %d): %w", d.pid(), err)
	}
	select {
	case err := <-d.done:
		d.done <- err
		return nil
	case <-time.After(daemonStopTimeout):
		_ = d.cmd.Process.Kill()
		d.done <- <-d.done
		return fmt.Errorf("bolsillod (PID %d) did not stop within %s of SIGTERM; killed", d.pid(), daemonStopTimeout)
	}
}

// logTail returns the last line the daemon printed.
func (d *daemon) logTail() string {
	b, _ := os.ReadFile(d.log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// imageLowerDir asks the daemon's API where the read-only layer of a
// single-layer image is unpacked: GraphDriver.Data.LowerDir of the image
// inspect, as `docker image inspect` shows it.
func (d *daemon) imageLowerDir(ctx context.Context, image string) (string, error) {
	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var dialer net.Dialer
				return dialer.DialContext(ctx, "unix", d.sock)
			},
		},
	}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://bolsillod/images/"+url.PathEscape(image)+"/json", nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("inspecting image %s: %w", image, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("inspecting image %s: %s", image, resp.Status)
	}
	var inspect struct {
		GraphDriver struct {
			Data map[string]string
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&inspect); err != nil {
		return "", fmt.Errorf("inspecting image %s: %w", image, err)
	}
	lower := inspect.GraphDriver.Data["LowerDir"]
	switch {
	case lower == "":
		return "", fmt.Errorf("image %s: no GraphDriver.Data.LowerDir", image)
	case strings.Contains(lower, ":"):
		return "", fmt.Errorf("image %s has more than one layer (%s); a single layer is a whole rootfs", image, lower)
	}
	return lower, nil
}
