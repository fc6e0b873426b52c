// Package build turns a Dockerfile and its build context into images, the
// way Docker's classic builder (POST /build) does: one intermediate image
// per instruction, which is also the build cache, and the stream of
// "Step N/M : ..." messages the docker CLI prints.
//
// The Dockerfile is parsed with BuildKit's frontend/dockerfile packages
// (parser, instructions, shell). The builder reaches the stores through
// the small interfaces declared here (Images, Workspace, Runner); the engine
// implements them over its image, layer and container stores.
package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"

	"bolsillo/engine/backend"
	"bolsillo/engine/image"
)

// Images is the image store as the builder uses it.
type Images interface {
	// Get finds a local image by reference or ID; errors wrap
	// image.ErrNotFound when there is none.
	Get(ref string) (*image.Image, error)
	// Pull fetches ref from its registry, streaming Docker's pull
	// messages to out, and returns the stored image.
	Pull(ctx context.Context, ref string, out func(backend.JSONMessage) error) (*image.Image, error)
	// Create stores a new image (see image.Store.Create).
	Create(ctx context.Context, opts image.CreateOptions) (*image.CreateResult, error)
	// FindChild is the build cache (see image.Store.FindChild).
	FindChild(parent digest.Digest, createdBy string, cfg dockerspec.DockerOCIImageConfig) (*image.Image, error)
	// Tag points ref at id and returns the image that lost its last tag
	// because of it, "" if none.
	Tag(id digest.Digest, ref string) (dangling digest.Digest, err error)
}

// Workspace gives a build step a root filesystem to change.
type Workspace interface {
	// Mount stacks the layers of img (nil: FROM scratch) read-only under a
	// fresh, empty writable layer.
	Mount(img *image.Image) (*Rootfs, error)
}

// Rootfs is a mounted root filesystem whose changes land in Upper.
type Rootfs struct {
	// Path is the merged view: the image's files plus the changes.
	Path string
	// Upper is the writable layer: only what the step changed, in overlay
	// format (whiteouts for deletions), ready for layer.Diff.
	Upper string
	// Release unmounts Path and removes the writable layer.
	Release func() error
}

// Runner runs the process of a RUN step.
type Runner interface {
	// Run runs s on its mounted rootfs to its end and returns its exit
	// code. Cancelling ctx kills it.
	Run(ctx context.Context, s Step) (int, error)
}

// Step is the process of a RUN step.
type Step struct {
	ID      string // 64 hex: Docker shows the first 12 as "Running in ..."
	Rootfs  string // mounted
	Args    []string
	Env     []string
	User    string
	WorkDir string
	Network string // as BuildOptions.Network
	Stdout  io.Writer
	Stderr  io.Writer
}

// Builder builds images. Its fields are set once; Build may be called
// concurrently.
type Builder struct {
	Images    Images
	Workspace Workspace
	Runner    Runner
	// TempDir holds the extracted build contexts while builds run; it
	// should be on the data root's filesystem.
	TempDir string
	// HTTPClient downloads the URLs of ADD; nil is http.DefaultClient.
	HTTPClient *http.Client
}

// Result is what a successful build made.
type Result struct {
	// ID is the final image.
	ID digest.Digest
	// Tags are the tags set on it, familiar form.
	Tags []string
	// Dangling are the images that lost their last tag to this build.
	Dangling []digest.Digest
	// Steps are the steps run, in order.
	Steps []StepResult
}

// StepResult is what one instruction did.
type StepResult struct {
	Stage       int    // index of the stage in the Dockerfile
	Instruction string // as written: "COPY hola.txt ."
	Image       digest.Digest
	Cached      bool // the image came from the build cache
	Layer       bool // the step added a filesystem layer
}

// RunError is a RUN step that exited with a non-zero code.
type RunError struct {
	Command string // the command as Docker shows it: "/bin/sh -c exit 3"
	Code    int
}

func (e *RunError) Error() string {
	return fmt.Sprintf("The command '%s' returned a non-zero code: %d", e.Command, e.Code)
}

// ExitCode is the step's exit code; the API server sends it as the
// errorDetail code, which the docker CLI exits with.
func (e *RunError) ExitCode() int { return e.Code }

// InstructionError is an error of one Dockerfile instruction: parsing it
// or running it.
type InstructionError struct {
	File        string // the Dockerfile's path in the context
	Line        int    // 1-based
	Instruction string // the instruction as written
	Err         error
}

func (e *InstructionError) Error() string {
	return fmt.Sprintf("%s:%d: %s: %v", e.File, e.Line, e.Instruction, e.Err)
}

func (e *InstructionError) Unwrap() error { return e.Err }

// Build runs a build and streams Docker's classic builder messages to out.
// On failure nothing is tagged and no step's mount or writable layer is
// left; the intermediate images of the steps that succeeded stay, as the
// cache.
func (b *Builder) Build(ctx context.Context, opts backend.BuildOptions, out func(backend.JSONMessage) error) (*Result, error) {
	if opts.Context == nil {
		return nil, errors.New("build: no context")
	}
	if err := os.MkdirAll(b.TempDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating build directory: %w", err)
	}
	bctx, err := extractContext(ctx, opts.Context, b.TempDir)
	if err != nil {
		return nil, err
	}
	defer bctx.remove()

	name := opts.Dockerfile
	if name == "" {
		name = "Dockerfile"
	}
	df, err := bctx.readDockerfile(name)
	if err != nil {
		return nil, err
	}
	if err := bctx.applyIgnore(name); err != nil {
		return nil, err
	}
	plan, err := parseDockerfile(name, df, opts)
	if err != nil {
		return nil, err
	}

	st := &stream{send: out, quiet: opts.Quiet}
	r := &run{b: b, opts: opts, ctx: bctx, plan: plan, out: st, results: map[int]*image.Image{}}
	res, err := r.build(ctx)
	if err != nil {
		return nil, err
	}
	if err := st.flushErr(); err != nil {
		return nil, err
	}
	if unused := plan.unusedArgs(r.usedArgs); len(unused) > 0 {
		st.printf("[Warning] One or more build-args [%s] were not consumed\n", strings.Join(unused, " "))
	}
	if opts.Quiet {
		if err := out(backend.JSONMessage{Stream: res.ID.String() + "\n"}); err != nil {
			return nil, err
		}
	} else {
		if err := out(backend.JSONMessage{Aux: map[string]string{"ID": res.ID.String()}}); err != nil {
			return nil, err
		}
		st.printf("Successfully built %s\n", short(res.ID))
	}
	for _, t := range opts.Tags {
		ref, err := image.NormalizeRef(t)
		if err != nil {
			return nil, fmt.Errorf("invalid tag %q: %w", t, err)
		}
		dangling, err := b.Images.Tag(res.ID, ref)
		if err != nil {
			return nil, fmt.Errorf("tagging %s: %w", t, err)
		}
		if dangling != "" {
			res.Dangling = append(res.Dangling, dangling)
		}
		res.Tags = append(res.Tags, image.FamiliarRef(ref))
		st.printf("Successfully tagged %s\n", image.FamiliarRef(ref))
	}
	return res, st.flushErr()
}

// short is the 12 hex digits Docker shows of an ID.
func short(id digest.Digest) string {
	e := id.Encoded()
	if len(e) > 12 {
		return e[:12]
	}
	return e
}

// stream sends the build's output as JSON messages, one line or chunk per
// message. It is safe for concurrent use (a RUN's stdout and stderr).
type stream struct {
	send  func(backend.JSONMessage) error
	quiet bool

	mu  sync.Mutex
	err error
}

func (s *stream) write(text string) {
	if s.quiet || text == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = s.send(backend.JSONMessage{Stream: text})
	}
}

// message forwards a message of another stream (a pull's progress).
func (s *stream) message(m backend.JSONMessage) {
	if s.quiet {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = s.send(m)
	}
}

func (s *stream) printf(format string, args ...any) { s.write(fmt.Sprintf(format, args...)) }

// flushErr is the first error sending a message (the client went away).
func (s *stream) flushErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// writer returns an io.Writer for a RUN's output; stderr is shown in red,
// as Docker does.
func (s *stream) writer(stderr bool) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		if stderr {
			s.write("\x1b[91m" + string(p) + "\x1b[0m")
		} else {
			s.write(string(p))
		}
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
