package image

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
)

// errgroupWithLimit returns an errgroup that runs at most
// maxConcurrentTransfers functions at a time.
func errgroupWithLimit(ctx context.Context) (*errgroup.Group, context.Context) {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(maxConcurrentTransfers)
	return g, gctx
}

// isCompressed reports whether a layer blob of this media type is stored
// compressed, as a registry sent it.
func isCompressed(mediaType string) bool {
	switch mediaType {
	case ocispec.MediaTypeImageLayer, "application/vnd.docker.image.rootfs.diff.tar":
		return false
	}
	return true
}

// remoteImage returns rec as a ggcr image for pushing: the stored
// manifest and blobs when every layer is stored compressed; otherwise an
// OCI manifest whose uncompressed layers are gzip-compressed on the fly
// (and so get new digests). The config is always the stored bytes, so the
// image ID stays the same.
func (s *Store) remoteImage(rec *record) (v1.Image, error) {
	core := &storedImage{root: s.root, rec: rec, layers: make(map[v1.Hash]partial.CompressedLayer)}
	rebuild := false
	for _, l := range rec.layers {
		if !isCompressed(l.MediaType) {
			rebuild = true
		}
	}
	for _, l := range rec.layers {
		var cl partial.CompressedLayer
		if isCompressed(l.MediaType) {
			cl = &blobLayer{root: s.root, desc: l}
		} else {
			path := blobPath(s.root, l.Digest)
			tl, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return os.Open(path) },
				tarball.WithMediaType(types.OCILayer))
			if err != nil {
				return nil, err
			}
			cl = tl
		}
		h, err := cl.Digest()
		if err != nil {
			return nil, err
		}
		core.layers[h] = cl
		core.order = append(core.order, cl)
	}
	if !rebuild {
		raw, err := readBlob(s.root, rec.manifest.Digest)
		if err != nil {
			return nil, err
		}
		core.manifest = raw
		core.mediaType = types.MediaType(rec.manifest.MediaType)
	}
	return partial.CompressedToImage(core)
}

// storedImage is an image of the store seen by ggcr.
type storedImage struct {
	root      string
	rec       *record
	layers    map[v1.Hash]partial.CompressedLayer
	order     []partial.CompressedLayer
	once      sync.Once
	manifest  []byte
	mediaType types.MediaType
	err       error
}

func (i *storedImage) RawConfigFile() ([]byte, error) { return i.rec.raw, nil }

func (i *storedImage) MediaType() (types.MediaType, error) {
	if _, err := i.RawManifest(); err != nil {
		return "", err
	}
	return i.mediaType, nil
}

// RawManifest returns the stored manifest, or builds an OCI one for the
// compressed layers.
func (i *storedImage) RawManifest() ([]byte, error) {
	i.once.Do(func() {
		if i.manifest != nil {
			return
		}
		m := ocispec.Manifest{
			Versioned: specs.Versioned{SchemaVersion: 2},
			MediaType: ocispec.MediaTypeImageManifest,
			Config: ocispec.Descriptor{
				MediaType: ocispec.MediaTypeImageConfig,
				Digest:    i.rec.id,
				Size:      int64(len(i.rec.raw)),
			},
			Layers: []ocispec.Descriptor{},
		}
		for _, l := range i.order {
			h, err := l.Digest()
			if err != nil {
				i.err = err
				return
			}
			size, err := l.Size()
			if err != nil {
				i.err = err
				return
			}
			mt, err := l.MediaType()
			if err != nil {
				i.err = err
				return
			}
			m.Layers = append(m.Layers, ocispec.Descriptor{MediaType: string(mt), Digest: digest.Digest(h.String()), Size: size})
		}
		i.manifest, i.err = json.Marshal(m)
		i.mediaType = types.OCIManifestSchema1
	})
	return i.manifest, i.err
}

func (i *storedImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if l, ok := i.layers[h]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("image %s has no layer %s", i.rec.id, h)
}

// blobLayer is a compressed layer blob of the store.
type blobLayer struct {
	root string
	desc ocispec.Descriptor
}

func (l *blobLayer) Digest() (v1.Hash, error) { return v1.NewHash(l.desc.Digest.String()) }
func (l *blobLayer) Size() (int64, error)     { return l.desc.Size, nil }
func (l *blobLayer) MediaType() (types.MediaType, error) {
	return types.MediaType(l.desc.MediaType), nil
}
func (l *blobLayer) Compressed() (io.ReadCloser, error) {
	return os.Open(blobPath(l.root, l.desc.Digest))
}
