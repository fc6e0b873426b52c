package image

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// DefaultImportMessage is the history comment of an imported image when
// ImportOptions.Message is empty, as `docker import -` writes it.
const DefaultImportMessage = "Imported from -"

// ImportOptions are the options of Import.
type ImportOptions struct {
	// Ref is the reference to tag the image with, as the user typed it:
	// "mi-imagen", "mi-imagen:1.0". Empty leaves the image dangling.
	Ref string
	// Changes are Dockerfile instructions applied to the config, as with
	// `docker import --change`: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
	// ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR.
	Changes []string
	// Message is the history comment; DefaultImportMessage if empty.
	Message string
}

// Import creates a one-layer image from a filesystem tar (uncompressed or
// gzip), as `docker import` does, and tags it with opts.Ref. The config has
// the host's OS and architecture, the creation time, no environment, and
// opts.Changes applied. An invalid reference or change is reported before
// anything is written; if a later step fails, the store does not list the
// image.
func (s *Store) Import(ctx context.Context, r io.Reader, opts ImportOptions) (*Image, error) {
	var ref string
	if opts.Ref != "" {
		tagged, err := tagRef(opts.Ref)
		if err != nil {
			return nil, err
		}
		ref = tagged.String()
	}
	var config dockerspec.DockerOCIImage
	if err := applyChanges(&config.Config, opts.Changes); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	op := s.startStoring()
	defer op.done()

	layerDesc, err := s.importLayer(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("importing layer: %w", err)
	}
	size, err := s.layers.Size(layerDesc.Digest)
	if err != nil {
		return nil, fmt.Errorf("importing layer: %w", err)
	}

	created := s.now().UTC()
	message := opts.Message
	if message == "" {
		message = DefaultImportMessage
	}
	config.Created = &created
	config.Platform = s.platform
	config.RootFS = ocispec.RootFS{Type: "layers", DiffIDs: []digest.Digest{layerDesc.Digest}}
	config.History = []ocispec.History{{Created: &created, Comment: message}}

	rec, err := s.writeImage(config, []ocispec.Descriptor{layerDesc}, size)
	if err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err = s.add(rec)
	if err != nil {
		return nil, err
	}
	op.listed = true
	if ref != "" {
		// The image is listed, dangling; the tag is a separate step, as in
		// `docker import` followed by `docker tag`.
		if _, err := s.tag(rec.id, ref); err != nil {
			return nil, err
		}
	}
	return s.image(rec), nil
}

// add lists rec in the index and returns the record now listed under its
// ID: rec, or the record already there, which is kept as it is (same ID,
// same config and layers). The caller holds s.mu.
func (s *Store) add(rec *record) (*record, error) {
	if old, ok := s.images[rec.id]; ok {
		return old, nil
	}
	rec.manifest.Annotations = rec.annotations()
	s.images[rec.id] = rec
	if err := s.writeIndex(); err != nil {
		delete(s.images, rec.id)
		return nil, err
	}
	return rec, nil
}

// importLayer unpacks the layer tar in r into the layer store and stores
// its uncompressed bytes as a blob, in one pass.
func (s *Store) importLayer(ctx context.Context, r io.Reader) (ocispec.Descriptor, error) {
	br := bufio.NewReader(ctxReader{ctx, r})
	var stream io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		defer gz.Close()
		stream = gz
	}
	bw, err := newBlobWriter(s.root)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	diffID, _, err := s.layers.Unpack(io.TeeReader(stream, bw))
	if err != nil {
		bw.Discard()
		return ocispec.Descriptor{}, err
	}
	return bw.Commit(ocispec.MediaTypeImageLayer, diffID)
}

// writeImage writes the config and manifest blobs of a new image and
// returns its record, not yet listed.
func (s *Store) writeImage(config dockerspec.DockerOCIImage, layers []ocispec.Descriptor, size int64) (*record, error) {
	raw, err := json.Marshal(config)
	if err != nil {
		return nil, fmt.Errorf("encoding image config: %w", err)
	}
	return s.writeImageRaw(raw, config, layers, size)
}

// writeImageRaw is writeImage for a config given as bytes, kept verbatim
// so that the image ID stays the same.
func (s *Store) writeImageRaw(raw []byte, config dockerspec.DockerOCIImage, layers []ocispec.Descriptor, size int64) (*record, error) {
	configDesc, err := writeBlob(s.root, ocispec.MediaTypeImageConfig, raw)
	if err != nil {
		return nil, err
	}
	manifest, err := json.Marshal(ocispec.Manifest{
		Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispec.MediaTypeImageManifest,
		Config:    configDesc,
		Layers:    layers,
	})
	if err != nil {
		return nil, fmt.Errorf("encoding image manifest: %w", err)
	}
	manifestDesc, err := writeBlob(s.root, ocispec.MediaTypeImageManifest, manifest)
	if err != nil {
		return nil, err
	}
	return &record{
		id:       configDesc.Digest,
		manifest: manifestDesc,
		layers:   layers,
		config:   config,
		raw:      raw,
		size:     size,
	}, nil
}

// ctxReader stops reading when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
