// Package registry serves the classroom registry: a CNCF distribution
// registry that keeps blobs and manifests in a directory on disk, so that
// they survive a restart, and speaks the OCI distribution API on plain HTTP.
//
// It lives apart from the daemon and the CLI because distribution pulls in
// hundreds of packages that only the bolsillo-registry binary should pay for.
package registry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem" // the "filesystem" storage driver
	"github.com/sirupsen/logrus"
)

// Options configures a Server.
type Options struct {
	// Root is the directory holding blobs and manifests. It is created
	// when missing; a relative path is taken from the working directory.
	Root string
	// Log receives the registry's warnings and errors and, when Verbose is
	// set, one line per request. Nil discards everything.
	Log io.Writer
	// Verbose logs every request and distribution's informational messages.
	Verbose bool
}

// Server is one registry. Create it with New, start it with Serve and stop
// it with Shutdown; a Server cannot be restarted, but a new one on the same
// Root serves everything the old one stored.
type Server struct {
	app  *handlers.App
	http *http.Server
}

// New builds a registry storing its data under opts.Root. Distribution logs
// through logrus's standard logger, which New configures: the last Server
// created decides where the process's registry logs go.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.Root == "" {
		return nil, errors.New("registry root directory not set")
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("resolving registry root: %w", err)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("creating registry root: %w", err)
	}
	secret, err := randomSecret()
	if err != nil {
		return nil, err
	}
	configureLogging(opts.Log, opts.Verbose)
	app, err := newApp(ctx, config(root, secret))
	if err != nil {
		return nil, err
	}
	var handler http.Handler = app
	if opts.Verbose && opts.Log != nil {
		handler = accessLog(opts.Log, handler)
	}
	return &Server{
		app: app,
		http: &http.Server{
			Handler:           handler,
			ReadHeaderTimeout: 30 * time.Second,
		},
	}, nil
}

// Serve answers requests on ln until Shutdown is called, then returns nil.
func (s *Server) Serve(ln net.Listener) error {
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("serving registry: %w", err)
}

// Shutdown stops accepting connections, waits for the requests in flight
// (until ctx ends) and releases distribution's background work.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if appErr := s.app.Shutdown(); appErr != nil {
		err = errors.Join(err, appErr)
	}
	if err != nil {
		return fmt.Errorf("stopping registry: %w", err)
	}
	return nil
}

// config is the distribution configuration of the classroom registry: the
// filesystem driver under root, deletes enabled (so that `DELETE` of a
// manifest works as on Docker Hub's registry), and secret signing the
// state of blob uploads.
func config(root, secret string) *configuration.Configuration {
	cfg := &configuration.Configuration{
		Version: configuration.CurrentVersion,
		Storage: configuration.Storage{
			"filesystem": configuration.Parameters{"rootdirectory": root},
			"delete":     configuration.Parameters{"enabled": true},
		},
	}
	cfg.HTTP.Secret = secret
	cfg.Log.AccessLog.Disabled = true
	return cfg
}

// newApp calls handlers.NewApp, which reports a bad configuration or an
// unusable storage driver by panicking, and turns that panic into an error.
func newApp(ctx context.Context, cfg *configuration.Configuration) (app *handlers.App, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting distribution: %v", r)
		}
	}()
	return handlers.NewApp(ctx, cfg), nil
}

// randomSecret returns a fresh secret for upload state. Uploads in
// progress when the registry stops must be started again; finished blobs
// and manifests do not depend on it.
func randomSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating upload secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// configureLogging points logrus's standard logger, which distribution
// uses, at w. Quiet, it shows only errors of the registry itself: a 404 for
// a blob the client asks about before uploading it is how every push
// starts, not a problem. Verbose, it shows everything from Info up.
func configureLogging(w io.Writer, verbose bool) {
	if w == nil {
		w = io.Discard
	}
	var f logrus.Formatter = &logrus.TextFormatter{DisableColors: true, FullTimestamp: true, TimestampFormat: time.DateTime}
	level := logrus.InfoLevel
	if !verbose {
		f, level = serverErrorsOnly{f}, logrus.ErrorLevel
	}
	logrus.SetOutput(w)
	logrus.SetFormatter(f)
	logrus.SetLevel(level)
}

// serverErrorsOnly drops the entries distribution writes for requests
// answered with a client error (4xx), which it logs at error level.
type serverErrorsOnly struct{ next logrus.Formatter }

func (s serverErrorsOnly) Format(e *logrus.Entry) ([]byte, error) {
	if status, ok := e.Data["http.response.status"].(int); ok && status < http.StatusInternalServerError {
		return nil, nil
	}
	return s.next.Format(e)
}
