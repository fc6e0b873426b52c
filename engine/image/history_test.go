package image

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// buildOn stores an image made of base plus history entries, as a build
// step would: each entry with a non-nil layer adds that layer.
func (s testStore) buildOn(t *testing.T, base *Image, ref string, steps []buildStep) *Image {
	t.Helper()
	config := base.Config
	config.RootFS.DiffIDs = slices.Clone(config.RootFS.DiffIDs)
	config.History = slices.Clone(config.History)
	s.mu.RLock()
	layers := slices.Clone(s.images[base.ID].layers)
	size := s.images[base.ID].size
	s.mu.RUnlock()
	for _, st := range steps {
		created := fixedTime
		h := ocispec.History{Created: &created, CreatedBy: st.createdBy, EmptyLayer: st.layer == nil}
		if st.layer != nil {
			desc, err := s.importLayer(context.Background(), bytes.NewReader(st.layer))
			if err != nil {
				t.Fatal(err)
			}
			n, _ := s.layers.Size(desc.Digest)
			size += n
			layers = append(layers, desc)
			config.RootFS.DiffIDs = append(config.RootFS.DiffIDs, desc.Digest)
		}
		config.History = append(config.History, h)
	}
	rec, err := s.writeImage(config, layers, size)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	rec, err = s.add(rec)
	if err == nil && ref != "" {
		var key string
		if key, err = NormalizeRef(ref); err == nil {
			_, err = s.tag(rec.id, key)
		}
	}
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	img, err := s.Get(rec.id.String())
	if err != nil {
		t.Fatal(err)
	}
	return img
}

type buildStep struct {
	createdBy string
	layer     []byte
}

func TestHistory(t *testing.T) {
	s := newTestStore(t)
	baseTar := makeTar(t, "base.txt")
	base := s.mustImport(t, baseTar, ImportOptions{Ref: "base:1"})
	runTar := makeTar(t, "run-output.txt")
	child := s.buildOn(t, base, "child:1", []buildStep{
		{createdBy: "/bin/sh -c #(nop)  ENV X=1", layer: nil},
		{createdBy: "/bin/sh -c echo hola > /run-output.txt", layer: runTar},
	})
	baseSize, runSize := base.Size, child.Size-base.Size

	withoutParent := []HistoryEntry{
		{ID: child.ID.String(), CreatedBy: "/bin/sh -c echo hola > /run-output.txt", Tags: []string{"child:1"}, Size: runSize},
		{ID: MissingID, CreatedBy: "/bin/sh -c #(nop)  ENV X=1"},
		{ID: MissingID, Comment: DefaultImportMessage, Size: baseSize},
	}
	withParent := slices.Clone(withoutParent)
	withParent[2] = HistoryEntry{ID: base.ID.String(), Comment: DefaultImportMessage, Tags: []string{"base:1"}, Size: baseSize}

	check := func(name string, want []HistoryEntry) {
		t.Helper()
		got, err := s.History("child:1")
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			got[i].Created = got[i].Created.UTC()
		}
		for i := range want {
			want[i].Created = fixedTime
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows, want %d: %+v", name, len(got), len(want), got)
		}
		for i := range want {
			if got[i].ID != want[i].ID || got[i].CreatedBy != want[i].CreatedBy || got[i].Size != want[i].Size ||
				got[i].Comment != want[i].Comment || !slices.Equal(got[i].Tags, want[i].Tags) || !got[i].Created.Equal(want[i].Created) {
				t.Errorf("%s: row %d = %+v, want %+v", name, i, got[i], want[i])
			}
		}
	}
	check("no parent", withoutParent)

	if err := s.SetParent(child.ID, base.ID); err != nil {
		t.Fatal(err)
	}
	check("parent", withParent)
	if got := s.Children(base.ID); !slices.Equal(got, []digest.Digest{child.ID}) {
		t.Errorf("Children(base) = %v, want [%s]", got, child.ID)
	}
	reopened := openTestStore(t, s.dataRoot)
	if got, _ := reopened.Get(child.ID.String()); got.Parent != base.ID {
		t.Errorf("Parent after reopening = %q, want %s", got.Parent, base.ID)
	}

	if err := s.SetParent(base.ID, child.ID); err == nil {
		t.Error("SetParent(base, child) succeeded, want an error: child's layers are not base's first layers")
	}
	if _, err := s.History("nada"); !errors.Is(err, ErrNotFound) {
		t.Errorf("History of a missing image: error = %v, want ErrNotFound", err)
	}
}

func TestHistoryPulled(t *testing.T) {
	reg := newTestRegistry(t, nil)
	reg.put(t, reg.ref("lab/web:1.0"), randomImage(t, 3))
	s := newTestStore(t)
	res, err := s.Pull(context.Background(), reg.ref("lab/web:1.0"), PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.History(res.Image.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var total int64
	for _, r := range rows {
		ids = append(ids, r.ID)
		total += r.Size
	}
	if want := []string{res.Image.ID.String(), MissingID, MissingID}; !slices.Equal(ids, want) {
		t.Errorf("IDs = %v, want %v", ids, want)
	}
	if total != res.Image.Size {
		t.Errorf("sum of row sizes = %d, want the image size %d", total, res.Image.Size)
	}
}

func TestTagDangling(t *testing.T) {
	s := newTestStore(t)
	a := s.mustImport(t, makeTar(t, "a"), ImportOptions{Ref: "web:1"})
	b := s.mustImport(t, makeTar(t, "b"), ImportOptions{})
	c := s.mustImport(t, makeTar(t, "c"), ImportOptions{Ref: "c:1"})
	if _, err := s.Tag(c.ID, "c:2"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name         string
		id           digest.Digest
		ref          string
		wantDangling digest.Digest
	}{
		{"new tag", b.ID, "web:2", ""},
		{"same image again", b.ID, "web:2", ""},
		{"moves the last tag", b.ID, "web:1", a.ID},
		{"moves one of two tags", b.ID, "c:1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Tag(tt.id, tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.wantDangling {
				t.Errorf("Tag(%s, %s) dangling = %q, want %q", tt.id, tt.ref, got, tt.wantDangling)
			}
		})
	}

	untagTests := []struct {
		ref    string
		wantID digest.Digest
	}{
		{"web:2", b.ID},
		{"docker.io/library/c:2", c.ID},
	}
	for _, tt := range untagTests {
		got, err := s.Untag(tt.ref)
		if err != nil || got != tt.wantID {
			t.Errorf("Untag(%s) = %s, %v; want %s", tt.ref, got, err, tt.wantID)
		}
	}
	if _, err := s.Untag("web:2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Untag of a missing tag: error = %v, want ErrNotFound", err)
	}
}
