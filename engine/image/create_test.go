package image

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"bolsillo/engine/errdefs"
)

// emptyLayer is the tar of a step that changed nothing: only the
// end-of-archive marker. Its digest is the well-known empty layer's.
var emptyLayer = make([]byte, 1024)

const emptyLayerDiffID = digest.Digest("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef")

func (s testStore) mustCreate(t *testing.T, opts CreateOptions) *CreateResult {
	t.Helper()
	res, err := s.Create(context.Background(), opts)
	if err != nil {
		t.Fatalf("Create(%q): %v", opts.CreatedBy, err)
	}
	return res
}

func runtimeConfig(env ...string) dockerspec.DockerOCIImageConfig {
	var c dockerspec.DockerOCIImageConfig
	c.Env = env
	c.Cmd = []string{"sh"}
	return c
}

func TestCreate(t *testing.T) {
	s := newTestStore(t)
	base := s.mustImport(t, makeTar(t, "base.txt"), ImportOptions{Ref: "base"})
	appTar := makeTar(t, "app/hola.txt")
	appDiffID := digest.FromBytes(appTar)
	healthy := runtimeConfig("SALUDO=hola")
	healthy.Healthcheck = &dockerspec.HealthcheckConfig{Test: []string{"CMD", "true"}, Interval: time.Second}
	healthy.OnBuild = []string{"RUN echo hijo"}
	healthy.Labels = map[string]string{"curso": "docker"}

	tests := []struct {
		name      string
		parent    *Image
		layer     []byte
		config    dockerspec.DockerOCIImageConfig
		createdBy string
		comment   string
		author    string
		created   time.Time

		wantDiffIDs []digest.Digest
		wantEmpty   bool
		wantSize    int64
		wantOS      string
	}{
		{
			name: "layer on a parent", parent: base, layer: appTar, config: healthy,
			createdBy:   "/bin/sh -c #(nop) COPY file:3f2a in /app/ ",
			wantDiffIDs: append(slices.Clone(base.Config.RootFS.DiffIDs), appDiffID),
			wantSize:    base.Size + int64(len("app/hola.txt")),
		},
		{
			name: "metadata only", parent: base, config: runtimeConfig("A=b"),
			createdBy:   "/bin/sh -c #(nop)  ENV A=b",
			wantDiffIDs: base.Config.RootFS.DiffIDs, wantEmpty: true, wantSize: base.Size,
		},
		{
			name: "RUN that wrote nothing", parent: base, layer: emptyLayer, config: runtimeConfig(),
			createdBy:   "/bin/sh -c echo hola",
			wantDiffIDs: append(slices.Clone(base.Config.RootFS.DiffIDs), emptyLayerDiffID),
			wantSize:    base.Size,
		},
		{
			name: "commit", parent: base, layer: appTar, config: runtimeConfig(),
			createdBy: "sh", comment: "mi cambio", author: "Ana <ana@example.com>",
			created:     time.Date(2025, 2, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600)),
			wantDiffIDs: append(slices.Clone(base.Config.RootFS.DiffIDs), appDiffID),
			wantSize:    base.Size + int64(len("app/hola.txt")),
		},
		{
			name: "FROM scratch", layer: appTar, config: runtimeConfig(),
			createdBy:   "/bin/sh -c #(nop) COPY file:3f2a in / ",
			wantDiffIDs: []digest.Digest{appDiffID}, wantSize: int64(len("app/hola.txt")),
		},
		{
			name: "FROM scratch, metadata only", config: runtimeConfig(),
			createdBy:   `/bin/sh -c #(nop)  CMD ["sh"]`,
			wantDiffIDs: []digest.Digest{}, wantEmpty: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := CreateOptions{
				Parent: tt.parent, Config: tt.config, CreatedBy: tt.createdBy,
				Comment: tt.comment, Author: tt.author, Created: tt.created,
			}
			if tt.layer != nil {
				opts.Layer = bytes.NewReader(tt.layer)
			}
			res := s.mustCreate(t, opts)
			img := res.Image
			if res.Dangling != "" {
				t.Errorf("Dangling = %s, want none", res.Dangling)
			}
			if got, want := img.ID, digest.FromBytes(img.RawConfig); got != want {
				t.Errorf("ID = %s, want the digest of the config %s", got, want)
			}
			var wantParent digest.Digest
			var wantHistory []ocispec.History
			if tt.parent != nil {
				wantParent = tt.parent.ID
				wantHistory = slices.Clone(tt.parent.Config.History)
			}
			if img.Parent != wantParent {
				t.Errorf("Parent = %q, want %q", img.Parent, wantParent)
			}
			created := tt.created.UTC()
			if tt.created.IsZero() {
				created = fixedTime
			}
			wantHistory = append(wantHistory, ocispec.History{
				Created: &created, CreatedBy: tt.createdBy, Comment: tt.comment, Author: tt.author, EmptyLayer: tt.wantEmpty,
			})
			if got, want := jsonString(t, img.Config.History), jsonString(t, wantHistory); got != want {
				t.Errorf("history = %s\nwant %s", got, want)
			}
			if !slices.Equal(img.Config.RootFS.DiffIDs, tt.wantDiffIDs) || img.Config.RootFS.Type != "layers" {
				t.Errorf("rootfs = %+v, want layers %v", img.Config.RootFS, tt.wantDiffIDs)
			}
			if got, want := jsonString(t, img.Config.Config), jsonString(t, tt.config); got != want {
				t.Errorf("config = %s, want %s", got, want)
			}
			if img.Config.Created == nil || !img.Config.Created.Equal(created) || img.Config.Author != tt.author {
				t.Errorf("created, author = %v, %q; want %v, %q", img.Config.Created, img.Config.Author, created, tt.author)
			}
			if img.Config.OS != "linux" || img.Config.Architecture != "amd64" {
				t.Errorf("platform = %s/%s, want linux/amd64", img.Config.OS, img.Config.Architecture)
			}
			if img.Size != tt.wantSize {
				t.Errorf("Size = %d, want %d", img.Size, tt.wantSize)
			}
			if len(img.RepoTags) != 0 {
				t.Errorf("RepoTags = %v, want none", img.RepoTags)
			}

			// What the store lists, and lists again after reopening, is
			// the same image.
			for _, st := range []testStore{s, openTestStore(t, s.dataRoot)} {
				got, err := st.Get(img.ID.String())
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if got.Parent != img.Parent || got.Size != img.Size || !bytes.Equal(got.RawConfig, img.RawConfig) {
					t.Errorf("stored image = parent %q size %d, want parent %q size %d", got.Parent, got.Size, img.Parent, img.Size)
				}
				if tt.parent != nil && !slices.Contains(st.Children(tt.parent.ID), img.ID) {
					t.Errorf("Children(parent) = %v, want it to hold %s", st.Children(tt.parent.ID), img.ID)
				}
				if _, err := st.LayerDirs(got); err != nil {
					t.Errorf("LayerDirs: %v", err)
				}
			}
		})
	}
}

// TestCreateConfig pins the config JSON, and so the image ID, of a built
// image.
func TestCreateConfig(t *testing.T) {
	s := newTestStore(t)
	base := s.mustImport(t, makeTar(t, "base.txt"), ImportOptions{Ref: "base"})
	cfg := runtimeConfig("PATH=/usr/bin:/bin", "SALUDO=hola")
	cfg.WorkingDir = "/app"
	cfg.ExposedPorts = map[string]struct{}{"80/tcp": {}}
	res := s.mustCreate(t, CreateOptions{
		Parent: base, Layer: bytes.NewReader(makeTar(t, "app/hola.txt")), Config: cfg,
		CreatedBy: "/bin/sh -c #(nop) COPY file:3f2a in . ",
	})
	var out bytes.Buffer
	if err := json.Indent(&out, res.Image.RawConfig, "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteString("\n" + res.Image.ID.String() + "\n")
	checkGolden(t, out.Bytes())
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCreateTag(t *testing.T) {
	s := newTestStore(t)
	base := s.mustImport(t, makeTar(t, "base.txt"), ImportOptions{Ref: "base"})
	first := s.mustCreate(t, CreateOptions{Parent: base, Config: runtimeConfig("V=1"), CreatedBy: "ENV V=1", Ref: "web:1"})
	if first.Dangling != "" || !slices.Equal(first.Image.RepoTags, []string{"web:1"}) {
		t.Fatalf("first build: tags %v, dangling %q; want [web:1] and none", first.Image.RepoTags, first.Dangling)
	}
	second := s.mustCreate(t, CreateOptions{Parent: base, Config: runtimeConfig("V=2"), CreatedBy: "ENV V=2", Ref: "web:1"})
	if second.Dangling != first.Image.ID {
		t.Errorf("rebuild: Dangling = %q, want the first image %s", second.Dangling, first.Image.ID)
	}
	old, err := s.Get(first.Image.ID.String())
	if err != nil || len(old.RepoTags) != 0 {
		t.Errorf("first image after the rebuild: %v, %v; want it untagged", old, err)
	}
	// The same tag on the same image moves nothing.
	third := s.mustCreate(t, CreateOptions{Parent: base, Config: runtimeConfig("V=2"), CreatedBy: "ENV V=2", Ref: "web:1"})
	if third.Image.ID != second.Image.ID || third.Dangling != "" {
		t.Errorf("identical build: ID %s dangling %q; want %s and none", third.Image.ID, third.Dangling, second.Image.ID)
	}
}

// failingReader returns its data, then an error.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestCreateFailsCleanly(t *testing.T) {
	s := newTestStore(t)
	base := s.mustImport(t, makeTar(t, "base.txt"), ImportOptions{Ref: "base"})
	gone := s.mustImport(t, makeTar(t, "gone.txt"), ImportOptions{})
	if err := s.Delete(gone.ID); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	errBroken := errors.New("connection reset")
	layerTar := makeTar(t, "app/hola.txt")

	tests := []struct {
		name string
		ctx  context.Context
		opts CreateOptions
		want func(error) bool
	}{
		{"invalid tag", context.Background(),
			CreateOptions{Parent: base, Layer: bytes.NewReader(layerTar), Ref: "Web:1"},
			func(err error) bool { return errdefs.IsInvalidParameter(err) }},
		{"digest tag", context.Background(),
			CreateOptions{Parent: base, Ref: "web@" + base.ID.String()},
			func(err error) bool { return errdefs.IsInvalidParameter(err) }},
		{"parent not in the store", context.Background(),
			CreateOptions{Parent: gone, Layer: bytes.NewReader(layerTar)},
			func(err error) bool { return errors.Is(err, ErrNotFound) }},
		{"broken layer stream", context.Background(),
			CreateOptions{Parent: base, Layer: &failingReader{data: layerTar[:700], err: errBroken}},
			func(err error) bool { return errors.Is(err, errBroken) }},
		{"not a tar", context.Background(),
			CreateOptions{Parent: base, Layer: bytes.NewReader(bytes.Repeat([]byte("x"), 2000))},
			func(err error) bool { return err != nil }},
		{"canceled", canceled,
			CreateOptions{Parent: base, Layer: bytes.NewReader(layerTar)},
			func(err error) bool { return errors.Is(err, context.Canceled) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imagesBefore, _ := s.List()
			layersBefore := s.layerDirs(t)
			res, err := s.Create(tt.ctx, tt.opts)
			if !tt.want(err) {
				t.Fatalf("Create = %v, %v; not the error wanted", res, err)
			}
			imagesAfter, _ := s.List()
			if len(imagesAfter) != len(imagesBefore) {
				t.Errorf("images: %d after a failed Create, want %d", len(imagesAfter), len(imagesBefore))
			}
			if got := s.layerDirs(t); !slices.Equal(got, layersBefore) {
				t.Errorf("layers after a failed Create = %v, want %v", got, layersBefore)
			}
			if got := s.Children(base.ID); len(got) != 0 {
				t.Errorf("Children(base) = %v, want none", got)
			}
		})
	}
}

func TestFindChild(t *testing.T) {
	s := newTestStore(t)
	base := s.mustImport(t, makeTar(t, "base.txt"), ImportOptions{Ref: "base"})
	other := s.mustImport(t, makeTar(t, "other.txt"), ImportOptions{Ref: "other"})
	cfg := runtimeConfig("SALUDO=hola")
	run := s.mustCreate(t, CreateOptions{Parent: base, Layer: bytes.NewReader(makeTar(t, "info.txt")), Config: cfg,
		CreatedBy: "/bin/sh -c echo hola > info.txt"}).Image
	env := s.mustCreate(t, CreateOptions{Parent: run, Config: runtimeConfig("SALUDO=hola", "B=2"),
		CreatedBy: "/bin/sh -c #(nop)  ENV B=2"}).Image
	scratch := s.mustCreate(t, CreateOptions{Layer: bytes.NewReader(makeTar(t, "hola.txt")), Config: cfg,
		CreatedBy: "/bin/sh -c #(nop) COPY file:ab in / "}).Image
	// The same step run again later: the newest is the cache hit.
	s.now = func() time.Time { return fixedTime.Add(time.Hour) }
	rerun := s.mustCreate(t, CreateOptions{Parent: base, Layer: bytes.NewReader(makeTar(t, "info.txt", "more.txt")), Config: cfg,
		CreatedBy: "/bin/sh -c echo hola > info.txt"}).Image
	// An image that only looks like a child: its history and config match,
	// but it has the layers of another image.
	s.buildOn(t, other, "", []buildStep{{createdBy: "/bin/sh -c #(nop)  ENV B=2"}})

	withLabel := cfg
	withLabel.Labels = map[string]string{"curso": "docker"}

	tests := []struct {
		name      string
		parent    digest.Digest
		createdBy string
		cfg       dockerspec.DockerOCIImageConfig
		want      digest.Digest
	}{
		{"hit, newest of two", base.ID, "/bin/sh -c echo hola > info.txt", cfg, rerun.ID},
		{"hit, metadata only", run.ID, "/bin/sh -c #(nop)  ENV B=2", runtimeConfig("SALUDO=hola", "B=2"), env.ID},
		{"hit, FROM scratch", "", "/bin/sh -c #(nop) COPY file:ab in / ", cfg, scratch.ID},
		{"other instruction", base.ID, "/bin/sh -c echo adios > info.txt", cfg, ""},
		{"instruction differs in spacing", base.ID, "/bin/sh -c echo hola >  info.txt", cfg, ""},
		{"other config", base.ID, "/bin/sh -c echo hola > info.txt", withLabel, ""},
		{"other env order", run.ID, "/bin/sh -c #(nop)  ENV B=2", runtimeConfig("B=2", "SALUDO=hola"), ""},
		{"other parent", other.ID, "/bin/sh -c echo hola > info.txt", cfg, ""},
		{"grandparent", base.ID, "/bin/sh -c #(nop)  ENV B=2", runtimeConfig("SALUDO=hola", "B=2"), ""},
		{"parent not built locally", other.ID, "/bin/sh -c #(nop)  ENV B=2", runtimeConfig("SALUDO=hola", "B=2"), ""},
		{"scratch is not any image without a parent", "", "/bin/sh -c #(nop)  ENV B=2", other.Config.Config, ""},
		{"unknown parent", digest.FromString("nada"), "/bin/sh -c echo hola > info.txt", cfg, ""},
	}
	check := func(t *testing.T, s testStore) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				img, err := s.FindChild(tt.parent, tt.createdBy, tt.cfg)
				if err != nil {
					t.Fatalf("FindChild: %v", err)
				}
				var got digest.Digest
				if img != nil {
					got = img.ID
				}
				if got != tt.want {
					t.Errorf("FindChild = %q, want %q", got, tt.want)
				}
			})
		}
	}
	check(t, s)
	t.Run("reopened", func(t *testing.T) { check(t, openTestStore(t, s.dataRoot)) })
}

// TestCreateChainHistoryAndDelete builds a chain of images and checks what
// history shows, and that deleting the top of the chain leaves the rest
// whole.
func TestCreateChainHistoryAndDelete(t *testing.T) {
	s := newTestStore(t)
	base := s.mustImport(t, makeTar(t, "base.txt"), ImportOptions{Ref: "base"})
	step1 := s.mustCreate(t, CreateOptions{Parent: base, Config: runtimeConfig("A=1"), CreatedBy: "ENV A=1"}).Image
	step2 := s.mustCreate(t, CreateOptions{Parent: step1, Layer: bytes.NewReader(makeTar(t, "app/a")), Config: runtimeConfig("A=1"), CreatedBy: "COPY a /app/"}).Image
	// A sibling sharing step2's layer.
	sibling := s.mustCreate(t, CreateOptions{Parent: step1, Layer: bytes.NewReader(makeTar(t, "app/a")), Config: runtimeConfig("A=1", "B=2"), CreatedBy: "COPY a /app/"}).Image
	top := s.mustCreate(t, CreateOptions{Parent: step2, Layer: bytes.NewReader(makeTar(t, "app/b")), Config: runtimeConfig("A=1"), CreatedBy: "COPY b /app/", Ref: "web:1"}).Image

	rows, err := s.History("web:1")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	want := []string{top.ID.String(), step2.ID.String(), step1.ID.String(), base.ID.String()}
	if !slices.Equal(ids, want) {
		t.Errorf("history IDs = %v, want %v", ids, want)
	}

	for _, d := range []digest.Digest{top.ID, step2.ID} {
		if err := s.Delete(d); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	for _, st := range []testStore{s, openTestStore(t, s.dataRoot)} {
		for _, img := range []*Image{base, step1, sibling} {
			got, err := st.Get(img.ID.String())
			if err != nil {
				t.Fatalf("Get(%s) after deleting its descendants: %v", img.ID, err)
			}
			dirs, err := st.LayerDirs(got)
			if err != nil || len(dirs) != len(img.Config.RootFS.DiffIDs) {
				t.Errorf("LayerDirs(%s) = %v, %v", img.ID, dirs, err)
			}
		}
		if got := st.Children(step1.ID); !slices.Equal(got, []digest.Digest{sibling.ID}) {
			t.Errorf("Children(step1) = %v, want [%s]", got, sibling.ID)
		}
		if got := st.Children(step2.ID); len(got) != 0 {
			t.Errorf("Children(deleted step2) = %v, want none", got)
		}
		if st.layers.Exists(top.Config.RootFS.DiffIDs[len(top.Config.RootFS.DiffIDs)-1]) {
			t.Errorf("the layer only the deleted top image had is still there")
		}
	}
}

// TestCreateParentDeleted deletes the parent of an image, as a forced
// removal would, and checks that the child keeps its layers and history.
func TestCreateParentDeleted(t *testing.T) {
	s := newTestStore(t)
	base := s.mustImport(t, makeTar(t, "base.txt"), ImportOptions{Ref: "base"})
	step := s.mustCreate(t, CreateOptions{Parent: base, Layer: bytes.NewReader(makeTar(t, "a")), Config: runtimeConfig(), CreatedBy: "COPY a /"}).Image
	child := s.mustCreate(t, CreateOptions{Parent: step, Config: runtimeConfig("B=1"), CreatedBy: "ENV B=1", Ref: "web:1"}).Image
	if err := s.Delete(step.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	for _, st := range []testStore{s, openTestStore(t, s.dataRoot)} {
		got, err := st.Get("web:1")
		if err != nil {
			t.Fatalf("Get(child): %v", err)
		}
		if got.Parent != step.ID || got.Size != child.Size {
			t.Errorf("child = parent %s size %d, want parent %s size %d", got.Parent, got.Size, step.ID, child.Size)
		}
		if dirs, err := st.LayerDirs(got); err != nil || len(dirs) != 2 {
			t.Errorf("LayerDirs(child) = %v, %v; want 2 dirs", dirs, err)
		}
		rows, err := st.History("web:1")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if want := []string{child.ID.String(), MissingID, MissingID}; !slices.Equal(ids, want) {
			t.Errorf("history IDs = %v, want %v", ids, want)
		}
	}
}
