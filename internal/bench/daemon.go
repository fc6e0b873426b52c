package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

const (
	daemonStartTimeout = 10 * time.Second
	daemonStopTimeout  = 30 * time.Second
)

// daemon is the bolsillod this program starts on its own data root and
// socket, so that the figures do not depend on an engine already running.
type daemon struct {
	*child
	bin  string // directory with bolsillod and bolsillo
	root string // data root
	sock string
}

// startDaemon starts bolsillod with its data root, socket and log in dir
// and waits until its socket accepts connections.
func startDaemon(ctx context.Context, bin, dir string) (*daemon, error) {
	d := &daemon{
		bin:  bin,
		root: filepath.Join(dir, "root"),
		sock: filepath.Join(dir, "api.sock"),
	}
	var err error
	argv := []string{filepath.Join(bin, "bolsillod"), "--data-root", d.root, "--host", d.host()}
	if d.child, err = startChild(argv, filepath.Join(dir, "bolsillod.log")); err != nil {
		return nil, err
	}
	deadline := time.After(daemonStartTimeout)
	for {
		if c, err := net.Dial("unix", d.sock); err == nil {
			c.Close()
			return d, nil
		}
		if gone, err := d.exited(); gone {
			return nil, fmt.Errorf("bolsillod exited at start (%v): %s", err, d.logTail())
		}
		select {
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

// cli returns the argv of the bolsillo CLI against this daemon, explanations off.
func (d *daemon) cli(args ...string) []string {
	return append([]string{filepath.Join(d.bin, "bolsillo"), "-H", d.host(), "--explicar=false"}, args...)
}

// stop ends the daemon with SIGTERM and waits up to daemonStopTimeout.
func (d *daemon) stop() error { return d.child.stop(daemonStopTimeout) }

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
