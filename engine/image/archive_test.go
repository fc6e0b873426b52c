package image

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/opencontainers/go-digest"

	"bolsillo/engine/errdefs"
)

func TestSaveLoad(t *testing.T) {
	reg := newTestRegistry(t, nil)
	reg.put(t, reg.ref("lab/web:1.0"), randomImage(t, 2))
	s := newTestStore(t)
	pulled, err := s.Pull(context.Background(), reg.ref("lab/web:1.0"), PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	imported := s.mustImport(t, makeTar(t, "hola.txt"), ImportOptions{Ref: "mio/hola:1.0"})
	if _, err := s.Tag(imported.ID, "mio/hola:2.0"); err != nil {
		t.Fatal(err)
	}
	untagged := s.mustImport(t, makeTar(t, "suelta.txt"), ImportOptions{})

	var archive bytes.Buffer
	refs := []string{reg.ref("lab/web:1.0"), "mio/hola", untagged.ID.String()}
	if err := s.Save(context.Background(), &archive, refs); err != nil {
		t.Fatalf("Save: %v", err)
	}

	// ggcr reads it as docker load would, with the same image IDs.
	opener := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(archive.Bytes())), nil }
	tag, _ := name.NewTag("mio/hola:2.0")
	gimg, err := tarball.Image(opener, &tag)
	if err != nil {
		t.Fatalf("tarball.Image: %v", err)
	}
	if got := imageID(t, gimg); got != imported.ID {
		t.Errorf("ggcr reads mio/hola:2.0 as %s, want %s", got, imported.ID)
	}
	if err := validate.Image(gimg); err != nil {
		t.Errorf("validate.Image: %v", err)
	}

	fresh := newTestStore(t)
	var progress actions
	res, err := fresh.Load(context.Background(), bytes.NewReader(archive.Bytes()), progress.add)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	wantRefs := []string{reg.ref("lab/web:1.0"), "mio/hola:1.0", "mio/hola:2.0"}
	if got := slices.Sorted(slices.Values(res.Refs)); !slices.Equal(got, wantRefs) {
		t.Errorf("loaded refs = %v, want %v", got, wantRefs)
	}
	if !slices.Equal(res.IDs, []digest.Digest{untagged.ID}) || len(res.Dangling) != 0 {
		t.Errorf("loaded IDs %v, dangling %v; want [%s], none", res.IDs, res.Dangling, untagged.ID)
	}
	if n := progress.count(ActionLoadingLayer); n < 4 {
		t.Errorf("%d Loading layer reports, want at least one per layer (4)", n)
	}
	for _, id := range []digest.Digest{pulled.Image.ID, imported.ID} {
		want, err := s.Get(id.String())
		if err != nil {
			t.Fatal(err)
		}
		got, err := fresh.Get(id.String())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.RawConfig, want.RawConfig) || got.Size != want.Size || !slices.Equal(got.RepoTags, want.RepoTags) {
			t.Errorf("loaded %s: tags %v size %d; want tags %v size %d, same config", want.ID, got.RepoTags, got.Size, want.RepoTags, want.Size)
		}
		fresh.checkStoredImage(t, want.ID)
	}

	// Saving the same images twice gives the same bytes.
	var again bytes.Buffer
	if err := s.Save(context.Background(), &again, refs); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), archive.Bytes()) {
		t.Error("two saves of the same images differ")
	}
}

func TestLoadMovesTag(t *testing.T) {
	s := newTestStore(t)
	old := s.mustImport(t, makeTar(t, "v1"), ImportOptions{Ref: "web:1"})
	other := newTestStore(t)
	other.mustImport(t, makeTar(t, "v2"), ImportOptions{Ref: "web:1"})
	var archive bytes.Buffer
	if err := other.Save(context.Background(), &archive, []string{"web:1"}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Load(context.Background(), &archive, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Dangling, []digest.Digest{old.ID}) {
		t.Errorf("Dangling = %v, want [%s]", res.Dangling, old.ID)
	}
}

func TestLoadOCILayout(t *testing.T) {
	img := randomImage(t, 2)
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		annotationContainerName: "docker.io/library/oci:1.0",
		annotationRefName:       "1.0",
	})); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.AddFS(os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	tw.Close()

	s := newTestStore(t)
	res, err := s.Load(context.Background(), &buf, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !slices.Equal(res.Refs, []string{"oci:1.0"}) {
		t.Errorf("Refs = %v, want [oci:1.0]", res.Refs)
	}
	got, err := s.Get("oci:1.0")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != imageID(t, img) {
		t.Errorf("ID = %s, want %s", got.ID, imageID(t, img))
	}
	s.checkStoredImage(t, got.ID)
	// The manifest is kept as it was: the store's view has its digest.
	s.mu.RLock()
	md := s.images[got.ID].manifest.Digest
	s.mu.RUnlock()
	if want := manifestDigest(t, img); md != want {
		t.Errorf("stored manifest %s, want %s", md, want)
	}
}

func TestLoadInvalid(t *testing.T) {
	s := newTestStore(t)
	s.mustImport(t, makeTar(t, "a.txt"), ImportOptions{Ref: "web:1"})
	var good bytes.Buffer
	if err := s.Save(context.Background(), &good, []string{"web:1"}); err != nil {
		t.Fatal(err)
	}
	tamperedLayer := func() []byte {
		// A layer whose bytes do not match the config's diff ID.
		var out bytes.Buffer
		tr := tar.NewReader(bytes.NewReader(good.Bytes()))
		tw := tar.NewWriter(&out)
		for {
			hdr, err := tr.Next()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(tr)
			if strings.HasSuffix(hdr.Name, "/layer.tar") {
				data = makeTar(t, "otro.txt")
				hdr.Size = int64(len(data))
			}
			tw.WriteHeader(hdr)
			tw.Write(data)
		}
		tw.Close()
		return out.Bytes()
	}

	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"empty", nil, "the tar is empty"},
		{"garbage", bytes.Repeat([]byte("no soy un tar "), 100), "reading tar"},
		{"truncated", good.Bytes()[:good.Len()/2], "reading tar"},
		{"files but no image", makeTar(t, "hola.txt"), "no manifest.json or index.json"},
		{"layer does not match", tamperedLayer(), "its config says"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh := newTestStore(t)
			_, err := fresh.Load(context.Background(), bytes.NewReader(tt.data), nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Load error = %v, want one containing %q", err, tt.wantErr)
			}
			if !errors.Is(err, ErrInvalidArchive) || !errdefs.IsInvalidParameter(err) {
				t.Errorf("error %v: want ErrInvalidArchive and invalid parameter", err)
			}
			fresh.checkEmpty(t)
			leftovers, _ := filepath.Glob(filepath.Join(fresh.dataRoot, "image", tempPrefix+"*"))
			if len(leftovers) != 0 {
				t.Errorf("temp files left: %v", leftovers)
			}
		})
	}
}

func TestSaveMissing(t *testing.T) {
	s := newTestStore(t)
	err := s.Save(context.Background(), io.Discard, []string{"nada:1"})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Save of a missing image: error = %v, want ErrNotFound", err)
	}
}
