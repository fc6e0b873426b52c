package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	registryStartTimeout = 10 * time.Second
	registryStopTimeout  = 10 * time.Second
	// registryStartTries bounds how often a start is retried when the free
	// port it was given is taken before the registry binds it.
	registryStartTries = 3
)

// localRegistry is the classroom registry, bolsillo-registry, that this
// program starts on 127.0.0.1 with a temporary root. It runs with
// --verbose, so its log has one line per request: that is how the
// benchmark checks that every pull downloaded every layer.
type localRegistry struct {
	*child
	host string // 127.0.0.1:PORT, the registry part of image references
}

// startRegistry starts bin/bolsillo-registry on a free port of 127.0.0.1,
// with its root and log in dir, and waits until it answers /v2/.
func startRegistry(ctx context.Context, bin, dir string) (*localRegistry, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var err error
	for range registryStartTries {
		var r *localRegistry
		if r, err = tryStartRegistry(ctx, bin, dir); !errors.Is(err, errExitedAtStart) {
			return r, err
		}
	}
	return nil, err
}

// errExitedAtStart is returned when the registry ends before it answers,
// as it does when another program took its port first.
var errExitedAtStart = errors.New("bolsillo-registry exited at start")

func tryStartRegistry(ctx context.Context, bin, dir string) (*localRegistry, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	r := &localRegistry{host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	argv := []string{filepath.Join(bin, "bolsillo-registry"), "--addr", r.host, "--root", filepath.Join(dir, "root"), "--verbose"}
	if r.child, err = startChild(argv, filepath.Join(dir, "registry.log")); err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: time.Second}
	deadline := time.After(registryStartTimeout)
	for {
		if answers(ctx, client, "http://"+r.host+"/v2/") {
			return r, nil
		}
		if gone, err := r.exited(); gone {
			return nil, fmt.Errorf("%w (%v): %s", errExitedAtStart, err, r.logTail())
		}
		select {
		case <-deadline:
			r.stop()
			return nil, fmt.Errorf("bolsillo-registry did not answer on %s within %s: %s", r.host, registryStartTimeout, r.logTail())
		case <-ctx.Done():
			r.stop()
			return nil, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// answers reports whether a GET of url returns 200 OK.
func answers(ctx context.Context, client *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// freePort returns a TCP port of 127.0.0.1 that nothing listened on a
// moment ago. Another program may take it before the registry binds it;
// startRegistry then tries again.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// stop ends the registry and waits up to registryStopTimeout.
func (r *localRegistry) stop() error { return r.child.stop(registryStopTimeout) }

// logSize returns how many bytes the registry has logged so far: a mark
// for logSince.
func (r *localRegistry) logSize() (int64, error) {
	info, err := os.Stat(r.log)
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

// logSince returns what the registry logged after mark.
func (r *localRegistry) logSince(mark int64) ([]byte, error) {
	f, err := os.Open(r.log)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(mark, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

// blobsServed returns the blobs of repository repo that the registry's
// access log shows served whole or in part (a 2xx answer to GET), each
// digest once. A line of that log reads:
//
//	2025-01-02 15:04:05 127.0.0.1:40412 GET /v2/bench/cinco/blobs/sha256:ab… 200 3ms
//
// Other lines, such as distribution's own messages, are ignored.
func blobsServed(log []byte, repo string) (map[string]bool, error) {
	prefix := "/v2/" + repo + "/blobs/"
	served := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 7 || f[3] != http.MethodGet {
			continue
		}
		digest, ok := strings.CutPrefix(f[4], prefix)
		if !ok || strings.ContainsAny(digest, "/?") {
			continue
		}
		if status, err := strconv.Atoi(f[5]); err == nil && status >= 200 && status < 300 {
			served[digest] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the registry log: %w", err)
	}
	return served, nil
}

// errNotAllLayers is returned when a pull did not download every layer
// of the image: the previous rmi left some of them in the engine.
var errNotAllLayers = errors.New("the pull did not download every layer")
