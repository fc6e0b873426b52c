package layer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/opencontainers/go-digest"
)

func TestUnpackSharedLayerOnce(t *testing.T) {
	s := newTestStore(t)
	tarball := makeTar(t, entry{name: "hola.txt", body: "hola\n"})

	const n = 4
	ids := make([]digest.Digest, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { ids[i], _, errs[i] = s.Unpack(bytes.NewReader(tarball)) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Unpack #%d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Errorf("Unpack #%d diff ID = %s, want %s", i, ids[i], ids[0])
		}
	}
	if got, want := storeEntries(t, s), []string{ids[0].Encoded()}; !slices.Equal(got, want) {
		t.Errorf("store entries = %v, want %v", got, want)
	}
	links, err := os.ReadDir(filepath.Join(s.Root(), linksDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 {
		t.Errorf("short links = %d, want 1", len(links))
	}
}

func TestLowerDirs(t *testing.T) {
	s := newTestStore(t)
	var ids []digest.Digest
	for _, body := range []string{"base", "middle", "top"} {
		id, _, err := s.Unpack(bytes.NewReader(makeTar(t, entry{name: "capa", body: body})))
		if err != nil {
			t.Fatalf("Unpack: %v", err)
		}
		ids = append(ids, id)
	}

	dirs, err := s.LowerDirs(ids)
	if err != nil {
		t.Fatalf("LowerDirs: %v", err)
	}
	if len(dirs) != len(ids) {
		t.Fatalf("LowerDirs returned %d dirs, want %d", len(dirs), len(ids))
	}
	for i, want := range []string{"top", "middle", "base"} {
		if got := filepath.Dir(dirs[i]); got != filepath.Join(s.Root(), linksDir) {
			t.Errorf("dirs[%d] = %s, want a path under %s", i, dirs[i], filepath.Join(s.Root(), linksDir))
		}
		if got := len(filepath.Base(dirs[i])); got != shortLen {
			t.Errorf("dirs[%d] short name has %d characters, want %d", i, got, shortLen)
		}
		b, err := os.ReadFile(filepath.Join(dirs[i], "capa"))
		if err != nil || string(b) != want {
			t.Errorf("dirs[%d]/capa = %q, %v; want %q", i, b, err, want)
		}
	}

	missing := digest.FromString("missing")
	if _, err := s.LowerDirs([]digest.Digest{ids[0], missing}); !errors.Is(err, ErrNotFound) {
		t.Errorf("LowerDirs with a missing layer: error = %v, want ErrNotFound", err)
	}
	if _, err := s.LowerDirs([]digest.Digest{"sha256:../../etc"}); err == nil {
		t.Errorf("LowerDirs with an invalid digest succeeded, want an error")
	}
}

func TestRemove(t *testing.T) {
	s := newTestStore(t)
	keep, _, err := s.Unpack(bytes.NewReader(makeTar(t, entry{name: "a", body: "a"})))
	if err != nil {
		t.Fatal(err)
	}
	gone, _, err := s.Unpack(bytes.NewReader(makeTar(t, entry{name: "b", body: "b"})))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(gone); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if s.Exists(gone) {
		t.Errorf("Exists(%s) = true after Remove", gone)
	}
	if !s.Exists(keep) {
		t.Errorf("Exists(%s) = false, want true: Remove took another layer", keep)
	}
	if got, want := storeEntries(t, s), []string{keep.Encoded()}; !slices.Equal(got, want) {
		t.Errorf("store entries = %v, want %v", got, want)
	}
	links, _ := os.ReadDir(filepath.Join(s.Root(), linksDir))
	if len(links) != 1 {
		t.Errorf("short links = %d, want 1", len(links))
	}
	if err := s.Remove(gone); err != nil {
		t.Errorf("second Remove: %v, want nil", err)
	}
	if _, err := s.Size(gone); !errors.Is(err, ErrNotFound) {
		t.Errorf("Size of a removed layer: error = %v, want ErrNotFound", err)
	}
}

func TestNewStoreCleansLeftovers(t *testing.T) {
	root := filepath.Join(t.TempDir(), "layers")
	s, err := NewStore(root)
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := s.Unpack(bytes.NewReader(makeTar(t, entry{name: "a", body: "a"})))
	if err != nil {
		t.Fatal(err)
	}
	// What a crash in the middle of Unpack leaves: a temp dir and a short
	// link to a layer that never got its name.
	if err := os.MkdirAll(filepath.Join(root, tempPrefix+"unpack-123", "diff"), 0o755); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(root, linksDir, "DANGLINGDANGLINGDANGLING00")
	if err := os.Symlink("../"+digest.FromString("x").Encoded()+"/diff", dangling); err != nil {
		t.Fatal(err)
	}

	s, err = NewStore(root)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	if got, want := storeEntries(t, s), []string{id.Encoded()}; !slices.Equal(got, want) {
		t.Errorf("store entries = %v, want %v", got, want)
	}
	if _, err := os.Lstat(dangling); err == nil {
		t.Errorf("dangling short link survived NewStore")
	}
	if dirs, err := s.LowerDirs([]digest.Digest{id}); err != nil || len(dirs) != 1 {
		t.Errorf("LowerDirs after reopening = %v, %v", dirs, err)
	}
}
