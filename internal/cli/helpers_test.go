package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"bolsillo/internal/golden"
)

// assertGolden compares got with testdata/<name>.golden.
func assertGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Assert(t, golden.Path(name), []byte(got))
}

// fixedNow is the clock every test uses for "ago" strings.
var fixedNow = time.Date(2025, time.June, 1, 12, 0, 0, 0, time.UTC)

// testFactory returns a factory with buffer streams, a fixed clock and the
// given environment, talking to host through BOLSILLO_HOST.
func testFactory(host string, env map[string]string) (*factory, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	f := newFactory()
	f.streams = streams{In: strings.NewReader(""), Out: &out, Err: &errOut}
	vars := map[string]string{envHost: host}
	for k, v := range env {
		vars[k] = v
	}
	f.getenv = func(k string) string { return vars[k] }
	f.now = func() time.Time { return fixedNow }
	return f, &out, &errOut
}

// request is one HTTP call the fake daemon received.
type request struct {
	Method string
	Path   string // without the /vX.Y prefix
	Query  string
	Body   string
}

// fakeDaemon is an Engine API server on a unix socket: routes answer with
// fixed JSON and every call is recorded.
type fakeDaemon struct {
	t      *testing.T
	host   string
	mu     sync.Mutex
	calls  []request
	routes map[string]http.HandlerFunc // "METHOD /path" -> handler
}

func newFakeDaemon(t *testing.T) *fakeDaemon {
	t.Helper()
	dir, err := os.MkdirTemp("", "bolsillo-cli")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "d.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	d := &fakeDaemon{t: t, host: "unix://" + sock, routes: map[string]http.HandlerFunc{}}
	srv := &http.Server{Handler: d}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return d
}

// handle registers a handler for "METHOD /path" (unversioned path).
func (d *fakeDaemon) handle(route string, h http.HandlerFunc) { d.routes[route] = h }

// json registers a route answering status with v encoded as JSON.
func (d *fakeDaemon) json(route string, status int, v any) {
	d.handle(route, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	})
}

func (d *fakeDaemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Api-Version", "1.50")
	path := r.URL.Path
	if strings.HasPrefix(path, "/v1.") {
		path = path[strings.Index(path[1:], "/")+1:]
	}
	if path == "/_ping" {
		_, _ = io.WriteString(w, "OK")
		return
	}
	body, _ := io.ReadAll(r.Body)
	d.mu.Lock()
	d.calls = append(d.calls, request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Body: string(body)})
	d.mu.Unlock()
	if h, ok := d.routes[r.Method+" "+path]; ok {
		h(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, `{"message":"page not found"}`)
}

// requests returns "METHOD /path?query" for every recorded call.
func (d *fakeDaemon) requests() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]string, len(d.calls))
	for i, c := range d.calls {
		out[i] = c.Method + " " + c.Path
		if c.Query != "" {
			out[i] += "?" + c.Query
		}
	}
	return out
}

// call returns the first recorded call to METHOD path.
func (d *fakeDaemon) call(method, path string) (request, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.calls {
		if c.Method == method && c.Path == path {
			return c, true
		}
	}
	return request{}, false
}
