package image

import (
	"bytes"
	"context"
	"io"
	"slices"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// What an interrupted pull, commit or delete left (a blob and an unpacked
// layer that no image lists) is removed when the store is opened again;
// the listed images keep all of theirs.
func TestOpenCollectsUnusedBlobsAndLayers(t *testing.T) {
	s := newTestStore(t)
	kept := s.mustImport(t, makeTar(t, "queda"), ImportOptions{Ref: "queda"})
	wantBlobs, wantLayers := s.blobs(t), s.layerDirs(t)

	// A whole blob and an unpacked layer of an image that never got listed.
	if _, err := writeBlob(s.root, ocispec.MediaTypeImageLayer, makeTar(t, "huerfano")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.layers.Unpack(bytes.NewReader(makeTar(t, "huerfano"))); err != nil {
		t.Fatal(err)
	}
	if len(s.blobs(t)) != len(wantBlobs)+1 || len(s.layerDirs(t)) != len(wantLayers)+1 {
		t.Fatalf("the test did not leave an unused blob and layer: blobs %v, layers %v", s.blobs(t), s.layerDirs(t))
	}

	reopened := openTestStore(t, s.dataRoot)
	if got := reopened.blobs(t); !slices.Equal(got, wantBlobs) {
		t.Errorf("blobs after reopening = %v, want %v", got, wantBlobs)
	}
	if got := reopened.layerDirs(t); !slices.Equal(got, wantLayers) {
		t.Errorf("layers after reopening = %v, want %v", got, wantLayers)
	}
	img, err := reopened.Get("queda")
	if err != nil || img.ID != kept.ID {
		t.Fatalf("Get(queda) = %v, %v; want %s", img, err, kept.ID)
	}
	if _, err := reopened.LayerDirs(img); err != nil {
		t.Errorf("the listed image lost a layer: %v", err)
	}
}

// cancelAtEOF cancels a context when its reader is exhausted: the layer is
// stored, then the operation that stored it is canceled.
type cancelAtEOF struct {
	r      io.Reader
	cancel context.CancelFunc
}

func (c *cancelAtEOF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		c.cancel()
	}
	return n, err
}

// A create canceled after its layer was stored gives the blob and the
// layer back at once: on a full disk, the space is what the user needs.
func TestFailedCreateFreesItsLayer(t *testing.T) {
	s := newTestStore(t)
	base := s.mustImport(t, makeTar(t, "base"), ImportOptions{Ref: "base"})
	wantBlobs, wantLayers := s.blobs(t), s.layerDirs(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := s.Create(ctx, CreateOptions{Parent: base, Layer: &cancelAtEOF{r: bytes.NewReader(makeTar(t, "nuevo")), cancel: cancel}, CreatedBy: "RUN x"})
	if err == nil {
		t.Fatal("Create with a canceled context succeeded")
	}
	if got := s.blobs(t); !slices.Equal(got, wantBlobs) {
		t.Errorf("blobs after the failed Create = %v, want %v", got, wantBlobs)
	}
	if got := s.layerDirs(t); !slices.Equal(got, wantLayers) {
		t.Errorf("layers after the failed Create = %v, want %v", got, wantLayers)
	}
	if images, _ := s.List(); len(images) != 1 {
		t.Errorf("List after the failed Create = %d images, want 1", len(images))
	}
}
