package image

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// collectGarbage removes the blobs and unpacked layers that no image of the
// store uses: what a pull, build, commit or delete interrupted by a crash
// left behind. Nobody lists them, so without this their space could never
// be freed. It runs from Open, before any operation can be writing new
// blobs or layers that are not listed yet.
func (s *Store) collectGarbage() error {
	usedBlobs := make(map[string]bool)
	usedLayers := make(map[string]bool)
	for _, rec := range s.images {
		usedBlobs[rec.manifest.Digest.Encoded()] = true
		usedBlobs[rec.id.Encoded()] = true
		for _, l := range rec.layers {
			usedBlobs[l.Digest.Encoded()] = true
		}
		for _, d := range rec.config.RootFS.DiffIDs {
			usedLayers[d.Encoded()] = true
		}
	}
	var errs []error
	blobs := filepath.Join(s.root, ocispec.ImageBlobsDir, digest.SHA256.String())
	entries, err := os.ReadDir(blobs)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if usedBlobs[e.Name()] || digest.SHA256.Validate(e.Name()) != nil {
			continue
		}
		if err := os.Remove(filepath.Join(blobs, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("removing unused blob %s: %w", e.Name(), err))
		}
	}
	entries, err = os.ReadDir(s.layers.Root())
	if err != nil {
		return err
	}
	for _, e := range entries {
		if usedLayers[e.Name()] || digest.SHA256.Validate(e.Name()) != nil {
			continue
		}
		if err := s.layers.Remove(digest.NewDigestFromEncoded(digest.SHA256, e.Name())); err != nil {
			errs = append(errs, fmt.Errorf("removing unused layer %s: %w", e.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// storing is an operation that writes blobs and layers before it lists the
// image they belong to (pull, load, import, create). It holds s.gc shared,
// so that Delete does not collect them in the meantime.
type storing struct {
	s      *Store
	listed bool
}

// startStoring begins an operation that stores blobs and layers.
func (s *Store) startStoring() *storing {
	s.gc.RLock()
	return &storing{s: s}
}

// done ends the operation. If it failed before its image was listed (a
// full disk, a canceled pull), the blobs and layers it stored, which no
// image uses, are removed at once when no other operation is storing; the
// space is given back now, not at the next start of the daemon.
func (op *storing) done() {
	op.s.gc.RUnlock()
	if op.listed || !op.s.gc.TryLock() {
		return
	}
	defer op.s.gc.Unlock()
	op.s.mu.RLock()
	defer op.s.mu.RUnlock()
	_ = op.s.collectGarbage()
}
