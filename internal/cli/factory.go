package cli

import (
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/client"
	"golang.org/x/term"

	"bolsillo/explain"
)

// DefaultHost is where bolsillod listens unless told otherwise.
const DefaultHost = "unix:///run/bolsillo.sock"

// Environment variables read by the CLI.
const (
	envHost     = "BOLSILLO_HOST"
	envExplicar = "BOLSILLO_EXPLICAR"
)

// streams holds the standard streams of one invocation. Tests replace them
// with buffers.
type streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// isTerminal reports whether v is a terminal file descriptor.
func isTerminal(v any) (uintptr, bool) {
	f, ok := v.(*os.File)
	if !ok {
		return 0, false
	}
	fd := f.Fd()
	return fd, term.IsTerminal(int(fd))
}

// factory carries what every command needs: streams, global options, a
// lazily built API client, the clock and the environment.
type factory struct {
	streams

	// host is the daemon address given with -H/--host (empty: not given).
	host string
	// explicar mirrors --explicar; explicarSet tells whether the flag was given.
	explicar    bool
	explicarSet bool
	// explicarAPI mirrors --explicar-api: print every API request.
	explicarAPI bool

	getenv func(string) string
	now    func() time.Time

	// newClient builds the API client; tests replace it.
	newClient func(host string) (client.APIClient, error)

	once    sync.Once
	client  client.APIClient
	errInit error
	printer *explain.Printer
}

// newFactory returns a factory wired to the process's streams and environment.
func newFactory() *factory {
	return &factory{
		streams:   streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr},
		explicar:  true,
		getenv:    os.Getenv,
		now:       time.Now,
		newClient: newAPIClient,
	}
}

// newAPIClient builds a moby client for host with API version negotiation.
func newAPIClient(host string) (client.APIClient, error) {
	return client.New(
		client.WithHost(host),
		client.WithAPIVersionNegotiation(),
		client.WithUserAgent("bolsillo/"+Version),
	)
}

// Host returns the daemon address: -H, then BOLSILLO_HOST, then DefaultHost.
func (f *factory) Host() string {
	if f.host != "" {
		return f.host
	}
	if h := f.getenv(envHost); h != "" {
		return h
	}
	return DefaultHost
}

// Explaining reports whether explanations are on: --explicar when given,
// otherwise BOLSILLO_EXPLICAR (0/false/no/off turn it off), otherwise true.
func (f *factory) Explaining() bool {
	if f.explicarSet {
		return f.explicar
	}
	switch strings.ToLower(strings.TrimSpace(f.getenv(envExplicar))) {
	case "0", "false", "no", "off":
		return false
	}
	return true
}

// Client returns the API client, building it on first use.
func (f *factory) Client() (client.APIClient, error) {
	f.once.Do(func() {
		newClient := f.newClient
		if f.explicarAPI {
			newClient = f.newTracingClient // apitrace.go
		}
		f.client, f.errInit = newClient(f.Host())
	})
	return f.client, f.errInit
}

// Printer returns the explanation printer writing to stderr.
func (f *factory) Printer() *explain.Printer {
	if f.printer == nil {
		f.printer = explain.NewPrinter(f.Err, f.Explaining())
	}
	return f.printer
}

// explain prints markdown through the printer.
func (f *factory) explain(markdown string) {
	f.Printer().Print(markdown)
}
