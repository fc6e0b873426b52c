package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"bolsillo/engine/atomicfile"
)

// tempPrefix starts the names of files being written; Open removes the ones
// an interrupted write left behind.
const tempPrefix = atomicfile.TempPrefix

// blobPath returns the path of the blob d in the layout at root.
func blobPath(root string, d digest.Digest) string {
	return filepath.Join(root, ocispec.ImageBlobsDir, d.Algorithm().String(), d.Encoded())
}

// writeBlob stores data as a blob and returns its descriptor. A blob that is
// already there is left as it is: blobs are content-addressed.
func writeBlob(root, mediaType string, data []byte) (ocispec.Descriptor, error) {
	desc := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data))}
	p := blobPath(root, desc.Digest)
	if _, err := os.Stat(p); err == nil {
		return desc, nil
	}
	if err := atomicfile.WriteFile(p, data, 0o644); err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("writing blob %s: %w", desc.Digest, err)
	}
	return desc, nil
}

// blobWriter streams a blob to a temp file in the blobs directory and
// computes its digest; Commit verifies the digest and renames the file into
// place.
type blobWriter struct {
	root     string
	f        *os.File
	digester digest.Digester
	size     int64
}

func newBlobWriter(root string) (*blobWriter, error) {
	f, err := os.CreateTemp(filepath.Join(root, ocispec.ImageBlobsDir, "sha256"), tempPrefix)
	if err != nil {
		return nil, err
	}
	return &blobWriter{root: root, f: f, digester: digest.SHA256.Digester()}, nil
}

func (w *blobWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.digester.Hash().Write(p[:n])
	w.size += int64(n)
	return n, err
}

// Commit stores the blob under its digest, which must be want.
func (w *blobWriter) Commit(mediaType string, want digest.Digest) (ocispec.Descriptor, error) {
	got := w.digester.Digest()
	if got != want {
		w.Discard()
		return ocispec.Descriptor{}, fmt.Errorf("blob digest is %s, want %s", got, want)
	}
	if err := w.f.Sync(); err != nil {
		w.Discard()
		return ocispec.Descriptor{}, err
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.f.Name())
		return ocispec.Descriptor{}, err
	}
	if err := os.Chmod(w.f.Name(), 0o644); err != nil {
		os.Remove(w.f.Name())
		return ocispec.Descriptor{}, err
	}
	dir := filepath.Dir(w.f.Name())
	if err := os.Rename(w.f.Name(), blobPath(w.root, got)); err != nil {
		os.Remove(w.f.Name())
		return ocispec.Descriptor{}, err
	}
	if err := atomicfile.SyncDir(dir); err != nil {
		return ocispec.Descriptor{}, err
	}
	return ocispec.Descriptor{MediaType: mediaType, Digest: got, Size: w.size}, nil
}

// Discard removes the temp file.
func (w *blobWriter) Discard() {
	w.f.Close()
	os.Remove(w.f.Name())
}

// readBlob reads the blob d and checks its digest.
func readBlob(root string, d digest.Digest) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(blobPath(root, d))
	if err != nil {
		return nil, err
	}
	if got := d.Algorithm().FromBytes(b); got != d {
		return nil, fmt.Errorf("blob %s is corrupt: its digest is %s", d, got)
	}
	return b, nil
}

// blobExists reports whether the blob d is stored.
func blobExists(root string, d digest.Digest) bool {
	if d.Validate() != nil {
		return false
	}
	_, err := os.Stat(blobPath(root, d))
	return err == nil
}

// initLayout creates the OCI layout skeleton at root if missing and removes
// temp files left by interrupted writes.
func initLayout(root string) error {
	blobs := filepath.Join(root, ocispec.ImageBlobsDir, "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return err
	}
	for _, dir := range []string{root, blobs} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), tempPrefix) {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	layoutFile := filepath.Join(root, ocispec.ImageLayoutFile)
	if _, err := os.Stat(layoutFile); errors.Is(err, fs.ErrNotExist) {
		if err := atomicfile.WriteJSON(layoutFile, ocispec.ImageLayout{Version: ocispec.ImageLayoutVersion}, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// readJSON decodes the file name into v. A missing file leaves v untouched
// and is not an error.
func readJSON(name string, v any) error {
	b, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parsing %s: %w", filepath.Base(name), err)
	}
	return nil
}
