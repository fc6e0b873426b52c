package cli

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/moby/moby/client"

	"bolsillo/explain"
)

// apiTracer prints, for --explicar-api, each request the client sends to
// the daemon as its answer arrives: method, path, status, duration and what
// it asked, in Spanish. It sits in the moby client's request and response
// hooks, which see the ordinary requests and also the attach and exec start
// requests whose connection is taken over (their answer is the 101).
type apiTracer struct {
	w   io.Writer
	now func() time.Time

	mu sync.Mutex
	// pending holds the start times of requests still waiting for their
	// answer, oldest first, by "METHOD URI".
	pending map[string][]time.Time
}

func newAPITracer(w io.Writer, now func() time.Time) *apiTracer {
	return &apiTracer{w: w, now: now, pending: map[string][]time.Time{}}
}

func traceKey(req *http.Request) string { return req.Method + " " + req.URL.RequestURI() }

// request notes when req leaves.
func (t *apiTracer) request(req *http.Request) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := traceKey(req)
	t.pending[k] = append(t.pending[k], t.now())
	return nil
}

// response prints the line of the request resp answers.
func (t *apiTracer) response(resp *http.Response) {
	req := resp.Request
	if req == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	k := traceKey(req)
	var d time.Duration
	if starts := t.pending[k]; len(starts) > 0 {
		d = t.now().Sub(starts[0])
		if len(starts) == 1 {
			delete(t.pending, k)
		} else {
			t.pending[k] = starts[1:]
		}
	}
	fmt.Fprintf(t.w, "→ %s\n", explain.APILine(req.Method, req.URL.RequestURI(), resp.StatusCode, d))
}

// newTracingClient is newAPIClient with every request printed to stderr.
func (f *factory) newTracingClient(host string) (client.APIClient, error) {
	t := newAPITracer(f.Err, f.now)
	return client.New(
		client.WithHost(host),
		client.WithAPIVersionNegotiation(),
		client.WithUserAgent("bolsillo/"+Version),
		client.WithHTTPRequestHook(t.request),
		client.WithHTTPResponseHook(t.response),
	)
}
