package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"

	"bolsillo/engine/backend"
	"bolsillo/engine/build"
	"bolsillo/engine/container"
	"bolsillo/engine/image"
	"bolsillo/engine/layer"
	"bolsillo/internal/imageref"
)

// buildDir is where builds keep their extracted contexts and the
// mounts of their steps, under the data root: <root>/build.
const buildDir = "build"

// Build is POST /build: the classic builder.
func (e *Engine) Build(ctx context.Context, opts backend.BuildOptions, out func(backend.JSONMessage) error) error {
	if err := container.ValidStepNetwork(opts.Network); err != nil {
		return err
	}
	_, err := e.builder(opts.Auth).Build(ctx, opts, out)
	return err
}

// builder is a build.Builder over the engine's stores; auth holds the
// registry credentials for the FROM pulls.
func (e *Engine) builder(auth map[string]backend.AuthConfig) *build.Builder {
	tmp := filepath.Join(e.root, buildDir)
	return &build.Builder{
		Images:    buildImages{e: e, auth: auth},
		Workspace: buildWorkspace{layers: e.layers, images: e.images, dir: tmp},
		Runner:    buildRunner{e.containers},
		TempDir:   tmp,
	}
}

// buildImages is the image store as the builder sees it.
type buildImages struct {
	e    *Engine
	auth map[string]backend.AuthConfig
}

func (b buildImages) Get(ref string) (*image.Image, error) { return b.e.images.Get(ref) }

func (b buildImages) Create(ctx context.Context, opts image.CreateOptions) (*image.CreateResult, error) {
	return b.e.images.Create(ctx, opts)
}

func (b buildImages) FindChild(parent digest.Digest, createdBy string, cfg dockerspec.DockerOCIImageConfig) (*image.Image, error) {
	return b.e.images.FindChild(parent, createdBy, cfg)
}

func (b buildImages) Tag(id digest.Digest, ref string) (digest.Digest, error) {
	dangling, err := b.e.images.Tag(id, ref)
	if err == nil {
		b.e.publishImage("tag", id.String(), familiarTagged(ref))
	}
	return dangling, err
}

// Pull pulls ref as POST /images/create does, with the credentials the
// client sent for its registry, and streams the same messages.
func (b buildImages) Pull(ctx context.Context, ref string, out func(backend.JSONMessage) error) (*image.Image, error) {
	named, err := imageref.ParseNormalizedNamed(ref)
	if err != nil {
		return nil, fmt.Errorf("invalid reference format: %w", err)
	}
	named = imageref.TagNameOnly(named)
	if err := b.e.ImagePull(ctx, backend.PullOptions{
		Image: imageref.FamiliarString(named),
		Auth:  b.credentials(imageref.Domain(named)),
	}, out); err != nil {
		return nil, err
	}
	return b.e.images.Get(imageref.FamiliarString(named))
}

// credentials finds the auth of a registry in X-Registry-Config, keyed
// by host or, for Docker Hub, by its index URL.
func (b buildImages) credentials(domain string) backend.AuthConfig {
	keys := []string{domain, "https://" + domain, "http://" + domain}
	if domain == "docker.io" {
		keys = append(keys, "https://index.docker.io/v1/", "index.docker.io", "registry-1.docker.io")
	}
	for _, k := range keys {
		if a, ok := b.auth[k]; ok {
			return a
		}
	}
	return backend.AuthConfig{}
}

// buildWorkspace mounts the root filesystems of build steps: the image's
// layers under the init layer (the runtime's mount points) under a fresh
// writable layer, in <root>/build/step-*.
type buildWorkspace struct {
	layers *layer.Store
	images *image.Store
	dir    string
}

func (w buildWorkspace) Mount(img *image.Image) (*build.Rootfs, error) {
	initDir, err := w.layers.InitDir()
	if err != nil {
		return nil, err
	}
	lowers := []string{initDir}
	if img != nil {
		dirs, err := w.images.LayerDirs(img)
		if err != nil {
			return nil, err
		}
		lowers = append(lowers, dirs...)
	}
	if err := os.MkdirAll(w.dir, 0o700); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(w.dir, "step-")
	if err != nil {
		return nil, err
	}
	merged := filepath.Join(dir, "merged")
	upper := filepath.Join(dir, "upper")
	if err := layer.Mount(lowers, upper, filepath.Join(dir, "work"), merged); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &build.Rootfs{
		Path:  merged,
		Upper: upper,
		Release: func() error {
			if err := layer.Unmount(merged); err != nil {
				return err
			}
			return os.RemoveAll(dir)
		},
	}, nil
}

// buildRunner runs RUN steps with the container manager.
type buildRunner struct{ m *container.Manager }

func (r buildRunner) Run(ctx context.Context, s build.Step) (int, error) {
	return r.m.RunStep(ctx, container.StepSpec{
		ID:      s.ID,
		Rootfs:  s.Rootfs,
		Args:    s.Args,
		Env:     s.Env,
		User:    s.User,
		WorkDir: s.WorkDir,
		Network: s.Network,
		Stdout:  s.Stdout,
		Stderr:  s.Stderr,
	})
}
