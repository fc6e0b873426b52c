package image

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// CreateOptions describe an image made on top of another, by a build step
// or a commit.
type CreateOptions struct {
	// Parent is the image the new one is built on; nil for FROM scratch.
	Parent *Image
	// Layer is an uncompressed layer tar, as layer.Diff writes it; nil for a
	// step that only changes the config. An empty tar (a RUN that wrote
	// nothing) still makes a layer, as in Docker.
	Layer io.Reader
	// Config is the new image's runtime config: Env, Cmd, Entrypoint,
	// WorkingDir, User, ExposedPorts, Volumes, Labels, StopSignal,
	// Healthcheck, OnBuild, Shell, ArgsEscaped.
	Config dockerspec.DockerOCIImageConfig
	// CreatedBy is the history's created_by: the instruction, as
	// "/bin/sh -c #(nop)  ENV A=b" or "/bin/sh -c echo hola".
	CreatedBy string
	// Comment is the history's comment: empty for build steps, the
	// message of a commit.
	Comment string
	// Author is the image's author (MAINTAINER, commit --author).
	Author string
	// Created is the creation time; zero means now.
	Created time.Time
	// Ref is the reference to tag the new image with, as the user typed
	// it; empty for an intermediate image, which stays untagged.
	Ref string
}

// CreateResult is what Create made.
type CreateResult struct {
	// Image is the new image.
	Image *Image
	// Dangling is the image that Ref named before and that lost its last
	// tag to the new one; empty if none.
	Dangling digest.Digest
}

// Create makes an image on top of opts.Parent: the parent's layers plus
// opts.Layer if any, the parent's history plus one entry (empty_layer
// without a layer), the parent's OS and architecture (the host's for
// FROM scratch) and opts.Config. The parent is recorded, so that History
// shows the IDs of locally built ancestors, Children and `images -a` see
// the chain, and FindChild finds the image again as a cached step.
//
// An invalid Ref is reported before anything is written. If a later step
// fails, the store does not list the image.
func (s *Store) Create(ctx context.Context, opts CreateOptions) (*CreateResult, error) {
	var ref string
	if opts.Ref != "" {
		tagged, err := tagRef(opts.Ref)
		if err != nil {
			return nil, err
		}
		ref = tagged.String()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Held shared so that a Delete does not collect the parent's layers,
	// nor the new layer, before the new image is listed.
	op := s.startStoring()
	defer op.done()

	var parent *record
	if opts.Parent != nil {
		s.mu.RLock()
		parent = s.images[opts.Parent.ID]
		s.mu.RUnlock()
		if parent == nil {
			return nil, noSuchImage(opts.Parent.ID.String())
		}
	}

	created := opts.Created.UTC()
	if opts.Created.IsZero() {
		created = s.now().UTC()
	}
	var config dockerspec.DockerOCIImage
	config.Created = &created
	config.Author = opts.Author
	config.Config = opts.Config
	config.RootFS = ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{}}
	config.Platform = s.platform
	layers := []ocispec.Descriptor{}
	var size int64
	if parent != nil {
		config.Platform = parent.config.Platform
		config.RootFS.DiffIDs = slices.Clone(parent.config.RootFS.DiffIDs)
		config.History = slices.Clone(parent.config.History)
		layers = append(layers, parent.layers...)
		size = parent.size
	}
	history := ocispec.History{
		Created:    &created,
		CreatedBy:  opts.CreatedBy,
		Author:     opts.Author,
		Comment:    opts.Comment,
		EmptyLayer: opts.Layer == nil,
	}
	config.History = append(config.History, history)

	if opts.Layer != nil {
		desc, err := s.importLayer(ctx, opts.Layer)
		if err != nil {
			return nil, fmt.Errorf("creating image: storing layer: %w", err)
		}
		layerSize, err := s.layers.Size(desc.Digest)
		if err != nil {
			return nil, fmt.Errorf("creating image: %w", err)
		}
		config.RootFS.DiffIDs = append(config.RootFS.DiffIDs, desc.Digest)
		layers = append(layers, desc)
		size += layerSize
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	rec, err := s.writeImage(config, layers, size)
	if err != nil {
		return nil, fmt.Errorf("creating image: %w", err)
	}
	if parent != nil {
		rec.parent = parent.id
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if parent != nil && s.images[parent.id] == nil {
		return nil, noSuchImage(parent.id.String())
	}
	rec, err = s.add(rec)
	if err != nil {
		return nil, fmt.Errorf("creating image: %w", err)
	}
	op.listed = true
	res := &CreateResult{}
	if ref != "" {
		if res.Dangling, err = s.tag(rec.id, ref); err != nil {
			return nil, err
		}
	}
	res.Image = s.image(rec)
	return res, nil
}

// FindChild is the build cache: it returns the image built directly on
// parent by the instruction createdBy with the runtime config cfg, or nil if
// there is none. parent "" looks for images built FROM scratch.
//
// A child qualifies when its recorded parent is parent, its history is the
// parent's plus one entry whose created_by is exactly createdBy, its layers
// are the parent's plus at most that entry's one, and its runtime config
// encodes to the same JSON as cfg. Among several, the newest wins.
func (s *Store) FindChild(parent digest.Digest, createdBy string, cfg dockerspec.DockerOCIImageConfig) (*Image, error) {
	want, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encoding image config: %w", err)
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	var base *record
	if parent != "" {
		if base = s.images[parent]; base == nil {
			return nil, nil
		}
	}
	var found *record
	for _, rec := range s.images {
		if rec.parent != parent || !extends(rec, base, createdBy) {
			continue
		}
		got, err := json.Marshal(rec.config.Config)
		if err != nil || !bytes.Equal(got, want) {
			continue
		}
		if found == nil || newer(rec, found) {
			found = rec
		}
	}
	if found == nil {
		return nil, nil
	}
	return s.image(found), nil
}

// extends reports whether rec is base (nil for scratch) plus one history
// entry made by createdBy, with the layer that entry says it added.
func extends(rec, base *record, createdBy string) bool {
	var baseHistory []ocispec.History
	var baseLayers []digest.Digest
	if base != nil {
		baseHistory, baseLayers = base.config.History, base.config.RootFS.DiffIDs
	}
	h, layers := rec.config.History, rec.config.RootFS.DiffIDs
	if len(h) != len(baseHistory)+1 || h[len(h)-1].CreatedBy != createdBy {
		return false
	}
	added := 1
	if h[len(h)-1].EmptyLayer {
		added = 0
	}
	return len(layers) == len(baseLayers)+added && slices.Equal(layers[:len(baseLayers)], baseLayers)
}

// newer orders records by creation time, then by ID so the choice is
// stable.
func newer(a, b *record) bool {
	var ta, tb time.Time
	if a.config.Created != nil {
		ta = *a.config.Created
	}
	if b.config.Created != nil {
		tb = *b.config.Created
	}
	if c := ta.Compare(tb); c != 0 {
		return c > 0
	}
	return cmp.Less(a.id, b.id)
}
