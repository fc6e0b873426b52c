package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"bolsillo/internal/golden"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"bolsillo/engine/errdefs"
	"bolsillo/engine/layer"
)

// fixedTime is the clock of test stores.
var fixedTime = time.Date(2025, 1, 15, 10, 0, 0, 0, time.UTC)

// testStore is an image store on a temp data root.
type testStore struct {
	*Store
	dataRoot string
	layers   *layer.Store
}

func openTestStore(t *testing.T, dataRoot string) testStore {
	t.Helper()
	layers, err := layer.NewStore(filepath.Join(dataRoot, "layers"))
	if err != nil {
		t.Fatalf("layer.NewStore: %v", err)
	}
	s, err := Open(filepath.Join(dataRoot, "image"), layers)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	s.now = func() time.Time { return fixedTime }
	s.platform = ocispec.Platform{OS: "linux", Architecture: "amd64"}
	return testStore{Store: s, dataRoot: dataRoot, layers: layers}
}

func newTestStore(t *testing.T) testStore {
	t.Helper()
	return openTestStore(t, t.TempDir())
}

// makeTar returns a tar with one regular file per name, holding its name.
func makeTar(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range names {
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(name)), ModTime: fixedTime}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (s testStore) mustImport(t *testing.T, tarball []byte, opts ImportOptions) *Image {
	t.Helper()
	img, err := s.Import(context.Background(), bytes.NewReader(tarball), opts)
	if err != nil {
		t.Fatalf("Import(%+v): %v", opts, err)
	}
	return img
}

// blobs lists the digests of the stored blobs.
func (s testStore) blobs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(s.root, "blobs", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, "sha256:"+e.Name())
	}
	return names
}

// layerDirs lists the layer directories, without l/.
func (s testStore) layerDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(s.layers.Root())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != "l" {
			names = append(names, "sha256:"+e.Name())
		}
	}
	return names
}

// checkGolden compares got with testdata/<TestName>.golden.
func checkGolden(t *testing.T, got []byte) {
	t.Helper()
	golden.Assert(t, golden.Path(t.Name()), got)
}

func TestImport(t *testing.T) {
	s := newTestStore(t)
	tarball := makeTar(t, "bin/hola")
	img := s.mustImport(t, tarball, ImportOptions{
		Ref:     "mi-imagen:1.0",
		Changes: []string{`CMD ["/bin/hola"]`, "ENV SALUDO=hola", "EXPOSE 8080", "WORKDIR /app", "USER nobody"},
	})

	checkGolden(t, img.RawConfig)

	sum := sha256.Sum256(img.RawConfig)
	if want := digest.Digest("sha256:" + hex.EncodeToString(sum[:])); img.ID != want {
		t.Errorf("ID = %s, want sha256 of the config %s", img.ID, want)
	}
	if got, err := os.ReadFile(blobPath(s.root, img.ID)); err != nil || !bytes.Equal(got, img.RawConfig) {
		t.Errorf("config blob = %q, %v; want the raw config", got, err)
	}
	diffID := digest.FromBytes(tarball)
	if got := img.Config.RootFS.DiffIDs; !slices.Equal(got, []digest.Digest{diffID}) {
		t.Errorf("diff IDs = %v, want [%s]", got, diffID)
	}
	if got, err := os.ReadFile(blobPath(s.root, diffID)); err != nil || !bytes.Equal(got, tarball) {
		t.Errorf("layer blob differs from the imported tar (err %v)", err)
	}
	if got, want := img.RepoTags, []string{"mi-imagen:1.0"}; !slices.Equal(got, want) {
		t.Errorf("RepoTags = %v, want %v", got, want)
	}
	if img.Size != int64(len("bin/hola")) {
		t.Errorf("Size = %d, want %d", img.Size, len("bin/hola"))
	}
	if !s.layers.Exists(diffID) {
		t.Errorf("layer %s is not unpacked", diffID)
	}

	var index ocispec.Index
	if err := readJSON(filepath.Join(s.root, "index.json"), &index); err != nil {
		t.Fatal(err)
	}
	if len(index.Manifests) != 1 || index.Manifests[0].Annotations[AnnotationImageID] != img.ID.String() {
		t.Fatalf("index.json manifests = %+v, want one annotated with %s", index.Manifests, img.ID)
	}
	var m ocispec.Manifest
	b, err := readBlob(s.root, index.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Config.Digest != img.ID || len(m.Layers) != 1 || m.Layers[0].Digest != diffID ||
		m.Layers[0].MediaType != ocispec.MediaTypeImageLayer || m.Layers[0].Size != int64(len(tarball)) {
		t.Errorf("manifest = %+v, want config %s and one uncompressed layer %s", m, img.ID, diffID)
	}
}

func TestImportGzip(t *testing.T) {
	s := newTestStore(t)
	tarball := makeTar(t, "a")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tarball)
	zw.Close()
	img := s.mustImport(t, gz.Bytes(), ImportOptions{})
	if got, want := img.Config.RootFS.DiffIDs[0], digest.FromBytes(tarball); got != want {
		t.Errorf("diff ID = %s, want %s (digest of the uncompressed tar)", got, want)
	}
	if len(img.RepoTags) != 0 {
		t.Errorf("RepoTags = %v, want none (dangling)", img.RepoTags)
	}
	if got := img.Config.History[0].Comment; got != DefaultImportMessage {
		t.Errorf("history comment = %q, want %q", got, DefaultImportMessage)
	}
}

func TestImportFailsCleanly(t *testing.T) {
	tests := []struct {
		name    string
		input   []byte
		opts    ImportOptions
		invalid bool // an invalid-parameter error
	}{
		{"bad change", makeTar(t, "a"), ImportOptions{Changes: []string{"RUN echo hola"}}, true},
		{"malformed change", makeTar(t, "a"), ImportOptions{Changes: []string{"EXPOSE ochenta"}}, true},
		{"bad reference", makeTar(t, "a"), ImportOptions{Ref: "Mi-Imagen"}, true},
		{"digest reference", makeTar(t, "a"), ImportOptions{Ref: "x@sha256:" + fmt.Sprintf("%064d", 0)}, true},
		{"not a tar", []byte("esto no es un tar, es una frase bastante larga para que no parezca vacía......" +
			string(make([]byte, 512))), ImportOptions{Ref: "roto"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			_, err := s.Import(context.Background(), bytes.NewReader(tt.input), tt.opts)
			if err == nil {
				t.Fatalf("Import succeeded, want an error")
			}
			if got := errdefs.IsInvalidParameter(err); got != tt.invalid {
				t.Errorf("IsInvalidParameter(%v) = %v, want %v", err, got, tt.invalid)
			}
			if got := s.blobs(t); len(got) != 0 {
				t.Errorf("blobs after a failed Import = %v, want none", got)
			}
			if got := s.layerDirs(t); len(got) != 0 {
				t.Errorf("layers after a failed Import = %v, want none", got)
			}
			if images, _ := s.List(); len(images) != 0 {
				t.Errorf("List after a failed Import = %d images, want 0", len(images))
			}
		})
	}
}

func TestImportCanceled(t *testing.T) {
	s := newTestStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Import(ctx, bytes.NewReader(makeTar(t, "a")), ImportOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Import with a canceled context: error = %v, want context.Canceled", err)
	}
}

func TestGet(t *testing.T) {
	s := newTestStore(t)
	busybox := s.mustImport(t, makeTar(t, "bin/busybox"), ImportOptions{Ref: "busybox"})
	local := s.mustImport(t, makeTar(t, "x"), ImportOptions{Ref: "localhost:5000/x:y"})
	id := busybox.ID.Encoded()

	tests := []struct {
		ref  string
		want digest.Digest // "" means not found
	}{
		{"busybox", busybox.ID},
		{"busybox:latest", busybox.ID},
		{"docker.io/library/busybox:latest", busybox.ID},
		{"library/busybox", busybox.ID},
		{"localhost:5000/x:y", local.ID},
		{busybox.ID.String(), busybox.ID},
		{id, busybox.ID},
		{id[:12], busybox.ID},
		{"sha256:" + id[:12], busybox.ID},
		{"busybox:1.0", ""},
		{"localhost:5000/x", ""},
		{"nada", ""},
		{"Busybox", ""},
		{"", ""},
		{"sha256:" + fmt.Sprintf("%064d", 0), ""},
		{fmt.Sprintf("%064d", 0), ""},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			img, err := s.Get(tt.ref)
			if tt.want == "" {
				if !errors.Is(err, ErrNotFound) || !errdefs.IsNotFound(err) {
					t.Errorf("Get(%q) = %v, %v; want a not-found error", tt.ref, img, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get(%q): %v", tt.ref, err)
			}
			if img.ID != tt.want {
				t.Errorf("Get(%q).ID = %s, want %s", tt.ref, img.ID, tt.want)
			}
		})
	}
}

func TestGetNotFoundMessage(t *testing.T) {
	s := newTestStore(t)
	tests := []struct{ ref, want string }{
		{"busybox", "No such image: busybox:latest"},
		{"docker.io/library/busybox:1.36", "No such image: busybox:1.36"},
		{"abc123", "No such image: abc123:latest"},
		{"Busybox", "No such image: Busybox"},
	}
	for _, tt := range tests {
		if _, err := s.Get(tt.ref); err == nil || err.Error() != tt.want {
			t.Errorf("Get(%q) error = %v, want %q", tt.ref, err, tt.want)
		}
	}
}

func TestGetAmbiguousPrefix(t *testing.T) {
	s := newTestStore(t)
	// With 17 images, two IDs share their first hex digit.
	byFirst := make(map[byte]*Image)
	var a, b *Image
	for i := 0; a == nil; i++ {
		img := s.mustImport(t, makeTar(t, "a"), ImportOptions{Message: fmt.Sprint("imagen ", i)})
		if other, ok := byFirst[img.ID.Encoded()[0]]; ok {
			a, b = other, img
		}
		byFirst[img.ID.Encoded()[0]] = img
	}
	n := 0
	for a.ID.Encoded()[n] == b.ID.Encoded()[n] {
		n++
	}
	shared := a.ID.Encoded()[:n]

	_, err := s.Get(shared)
	if !errors.Is(err, ErrAmbiguous) || !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(%q) error = %v, want ErrAmbiguous and ErrNotFound", shared, err)
	}
	for _, img := range []*Image{a, b} {
		prefix := img.ID.Encoded()[:n+1]
		got, err := s.Get(prefix)
		if err != nil || got.ID != img.ID {
			t.Errorf("Get(%q) = %v, %v; want %s", prefix, got, err, img.ID)
		}
	}
}

func TestTagMoves(t *testing.T) {
	s := newTestStore(t)
	first := s.mustImport(t, makeTar(t, "v1"), ImportOptions{Ref: "web"})
	second := s.mustImport(t, makeTar(t, "v2"), ImportOptions{})

	if _, err := s.Tag(second.ID, "web:latest"); err != nil {
		t.Fatalf("Tag: %v", err)
	}
	if _, err := s.Tag(second.ID, "web:2"); err != nil {
		t.Fatalf("Tag: %v", err)
	}
	tests := []struct {
		id   digest.Digest
		tags []string
	}{
		{first.ID, nil},
		{second.ID, []string{"web:2", "web:latest"}},
	}
	for _, tt := range tests {
		img, err := s.Get(tt.id.String())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(img.RepoTags, tt.tags) {
			t.Errorf("RepoTags of %s = %v, want %v", tt.id, img.RepoTags, tt.tags)
		}
	}
	if img, err := s.Get("web"); err != nil || img.ID != second.ID {
		t.Errorf("Get(web) = %v, %v; want %s", img, err, second.ID)
	}

	if _, err := s.Tag(digest.FromString("nada"), "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Tag of a missing image: error = %v, want ErrNotFound", err)
	}
	if _, err := s.Tag(second.ID, "Web"); !errdefs.IsInvalidParameter(err) {
		t.Errorf("Tag with an invalid reference: error = %v, want invalid parameter", err)
	}
}

func TestUntag(t *testing.T) {
	s := newTestStore(t)
	img := s.mustImport(t, makeTar(t, "a"), ImportOptions{Ref: "web:1"})
	if _, err := s.Tag(img.ID, "web:2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Untag("docker.io/library/web:1"); err != nil {
		t.Fatalf("Untag: %v", err)
	}
	got, err := s.Get(img.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"web:2"}; !slices.Equal(got.RepoTags, want) {
		t.Errorf("RepoTags = %v, want %v", got.RepoTags, want)
	}
	if _, err := s.Untag("web:1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Untag: error = %v, want ErrNotFound", err)
	}
}

func TestDelete(t *testing.T) {
	s := newTestStore(t)
	shared := makeTar(t, "base")
	keep := s.mustImport(t, shared, ImportOptions{Ref: "keep", Message: "keep"})
	gone := s.mustImport(t, shared, ImportOptions{Ref: "gone", Message: "gone"})
	if _, err := s.Tag(gone.ID, "gone:2"); err != nil {
		t.Fatal(err)
	}
	own := s.mustImport(t, makeTar(t, "own"), ImportOptions{Ref: "own"})

	blobsOf := func(img *Image) []digest.Digest {
		var m []digest.Digest
		s.mu.RLock()
		rec := s.images[img.ID]
		m = append(m, rec.manifest.Digest, rec.id)
		for _, l := range rec.layers {
			m = append(m, l.Digest)
		}
		s.mu.RUnlock()
		return m
	}
	keepBlobs, goneBlobs, ownBlobs := blobsOf(keep), blobsOf(gone), blobsOf(own)

	if err := s.Delete(gone.ID); err != nil {
		t.Fatalf("Delete(gone): %v", err)
	}
	if err := s.Delete(own.ID); err != nil {
		t.Fatalf("Delete(own): %v", err)
	}

	tests := []struct {
		name   string
		digest digest.Digest
		want   bool
	}{
		{"kept manifest", keepBlobs[0], true},
		{"kept config", keepBlobs[1], true},
		{"shared layer blob", keepBlobs[2], true},
		{"deleted manifest", goneBlobs[0], false},
		{"deleted config", goneBlobs[1], false},
		{"own manifest", ownBlobs[0], false},
		{"own config", ownBlobs[1], false},
		{"own layer blob", ownBlobs[2], false},
	}
	for _, tt := range tests {
		if got := blobExists(s.root, tt.digest); got != tt.want {
			t.Errorf("%s: blob %s exists = %v, want %v", tt.name, tt.digest, got, tt.want)
		}
	}
	if !s.layers.Exists(keep.Config.RootFS.DiffIDs[0]) {
		t.Errorf("shared layer was removed")
	}
	if s.layers.Exists(own.Config.RootFS.DiffIDs[0]) {
		t.Errorf("unused layer was kept")
	}
	for _, ref := range []string{"gone", "gone:2", "own"} {
		if _, err := s.Get(ref); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) after Delete: error = %v, want ErrNotFound", ref, err)
		}
	}
	if err := s.Delete(gone.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Delete: error = %v, want ErrNotFound", err)
	}
	images, _ := s.List()
	if len(images) != 1 || images[0].ID != keep.ID {
		t.Errorf("List after Delete = %d images, want only %s", len(images), keep.ID)
	}
}

func TestList(t *testing.T) {
	s := newTestStore(t)
	var want []digest.Digest
	for i := range 3 {
		now := fixedTime.Add(time.Duration(i) * time.Hour)
		s.now = func() time.Time { return now }
		img := s.mustImport(t, makeTar(t, fmt.Sprint(i)), ImportOptions{})
		want = append([]digest.Digest{img.ID}, want...)
	}
	images, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var got []digest.Digest
	for _, img := range images {
		got = append(got, img.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("List order = %v, want newest first %v", got, want)
	}
}

func TestReopen(t *testing.T) {
	s := newTestStore(t)
	s.mustImport(t, makeTar(t, "a"), ImportOptions{Ref: "a:1", Changes: []string{"CMD sh"}})
	b := s.mustImport(t, makeTar(t, "b"), ImportOptions{Ref: "localhost:5000/b"})
	s.mustImport(t, makeTar(t, "c"), ImportOptions{})
	if _, err := s.Tag(b.ID, "b2"); err != nil {
		t.Fatal(err)
	}
	before, _ := s.List()

	reopened := openTestStore(t, s.dataRoot)
	after, err := reopened.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("reopened store lists %d images, want %d", len(after), len(before))
	}
	for i := range before {
		x, y := before[i], after[i]
		if x.ID != y.ID || !slices.Equal(x.RepoTags, y.RepoTags) || x.Size != y.Size || !bytes.Equal(x.RawConfig, y.RawConfig) {
			t.Errorf("image %d after reopening = %s %v %d, want %s %v %d", i, y.ID, y.RepoTags, y.Size, x.ID, x.RepoTags, x.Size)
		}
	}
}

func TestOpenDropsBrokenImages(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(t *testing.T, s testStore, img *Image)
	}{
		{"config blob missing", func(t *testing.T, s testStore, img *Image) {
			if err := os.Remove(blobPath(s.root, img.ID)); err != nil {
				t.Fatal(err)
			}
		}},
		{"config blob corrupt", func(t *testing.T, s testStore, img *Image) {
			if err := os.WriteFile(blobPath(s.root, img.ID), []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"layer blob missing", func(t *testing.T, s testStore, img *Image) {
			if err := os.Remove(blobPath(s.root, img.Config.RootFS.DiffIDs[0])); err != nil {
				t.Fatal(err)
			}
		}},
		{"unpacked layer missing", func(t *testing.T, s testStore, img *Image) {
			if err := s.layers.Remove(img.Config.RootFS.DiffIDs[0]); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestStore(t)
			broken := s.mustImport(t, makeTar(t, "roto"), ImportOptions{Ref: "roto"})
			good := s.mustImport(t, makeTar(t, "bien"), ImportOptions{Ref: "bien"})
			tt.corrupt(t, s, broken)

			reopened := openTestStore(t, s.dataRoot)
			images, err := reopened.List()
			if err != nil {
				t.Fatal(err)
			}
			if len(images) != 1 || images[0].ID != good.ID {
				t.Errorf("List after reopening = %d images, want only %s", len(images), good.ID)
			}
			if _, err := reopened.Get("roto"); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get(roto) error = %v, want ErrNotFound", err)
			}
			var repos repositories
			if err := readJSON(filepath.Join(reopened.root, repositoriesFile), &repos); err != nil {
				t.Fatal(err)
			}
			if _, ok := repos.Repositories["docker.io/library/roto"]; ok {
				t.Errorf("repositories.json still names the broken image: %v", repos.Repositories)
			}
		})
	}
}

func TestConcurrentImportDelete(t *testing.T) {
	s := newTestStore(t)
	shared := makeTar(t, "base")
	first := s.mustImport(t, shared, ImportOptions{Message: "first"})

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := s.Import(context.Background(), bytes.NewReader(shared), ImportOptions{
				Ref:     fmt.Sprint("img:", i),
				Message: fmt.Sprint("import ", i),
			}); err != nil {
				t.Errorf("Import %d: %v", i, err)
			}
		})
	}
	wg.Go(func() {
		if err := s.Delete(first.ID); err != nil {
			t.Errorf("Delete: %v", err)
		}
	})
	wg.Go(func() {
		for range 20 {
			if _, err := s.List(); err != nil {
				t.Errorf("List: %v", err)
			}
		}
	})
	wg.Wait()

	images, _ := s.List()
	if len(images) != 8 {
		t.Errorf("List = %d images, want 8", len(images))
	}
	for _, img := range images {
		if _, err := s.LayerDirs(img); err != nil {
			t.Errorf("image %s lost its layer: %v", img.ID, err)
		}
		if !blobExists(s.root, img.Config.RootFS.DiffIDs[0]) {
			t.Errorf("image %s lost its layer blob", img.ID)
		}
	}
}
