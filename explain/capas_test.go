package explain

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/muesli/termenv"
)

// capasFixtures: web:2 is web:1 (3 layers, over busybox's one) plus a RUN
// that wrote /grande (5 MiB) and a RUN that deleted it.
type capasFixtures struct {
	img     image.InspectResponse
	history []image.HistoryResponseItem
	others  []image.InspectResponse
	waste   WasteReport
	ctr     container.InspectResponse
	changes []container.FilesystemChange
}

func loadCapas(t *testing.T) capasFixtures {
	t.Helper()
	f := loadFixtures(t)
	img := loadJSON[image.InspectResponse](t, "capas_image.json")
	ctr := f.running
	ctr.Config.Image = "web:2"
	ctr.Image = img.ID
	size := int64(12288)
	ctr.SizeRw = &size
	return capasFixtures{
		img:     img,
		history: loadJSON[[]image.HistoryResponseItem](t, "capas_history.json"),
		others:  []image.InspectResponse{f.busybox, f.app, img},
		waste:   FindWaste(webTwoLayers()),
		ctr:     ctr,
		changes: []container.FilesystemChange{
			{Kind: container.ChangeModify, Path: "/tmp"},
			{Kind: container.ChangeAdd, Path: "/tmp/nota.txt"},
			{Kind: container.ChangeAdd, Path: "/tmp/otra.txt"},
			{Kind: container.ChangeDelete, Path: "/app/index.html"},
		},
	}
}

// webTwoLayers are the contents of web:2's five layers.
func webTwoLayers() []LayerContents {
	return []LayerContents{
		{Files: []LayerFile{{Path: "/bin", Dir: true}, {Path: "/bin/busybox", Size: 2211000}, {Path: "/bin/sh"}}},
		{Files: []LayerFile{{Path: "/app", Dir: true}, {Path: "/app/index.html", Size: 5}}},
		{Files: []LayerFile{{Path: "/app/entrypoint.sh", Size: 94000}}},
		{Files: []LayerFile{{Path: "/grande", Size: 5242880}}},
		{Files: []LayerFile{{Path: "/.wh.grande"}}},
	}
}

func TestLayersDiagram(t *testing.T) {
	c := loadCapas(t)
	f := loadFixtures(t)
	imported := f.imported
	imported.RootFS.Layers = append(imported.RootFS.Layers, "sha256:ff")
	tests := []struct {
		name string
		data LayersData
	}{
		{"image_with_waste", LayersData{Image: c.img, History: c.history, Others: c.others, Waste: &c.waste}},
		{"image_not_scanned", LayersData{Image: c.img, History: c.history, Others: c.others}},
		{"image_no_waste", LayersData{Image: f.app, History: loadJSON[[]image.HistoryResponseItem](t, "history_app.json"), Others: c.others, Waste: &WasteReport{}}},
		{"container", LayersData{Image: c.img, History: c.history, Others: c.others, Container: &c.ctr, Changes: c.changes, Waste: &c.waste}},
		{"container_no_size", LayersData{Image: f.busybox, Container: &f.running}},
		{"short_history", LayersData{Image: imported, History: []image.HistoryResponseItem{{CreatedBy: "Imported from -", Size: 1048576}}}},
		{"zero", LayersData{}},
	}
	for _, tt := range tests {
		d := Layers(tt.data)
		t.Run(tt.name+"/plain", func(t *testing.T) { assertGolden(t, d.Plain()) })
		t.Run(tt.name+"/styled", func(t *testing.T) {
			got := d.Styled(72, termenv.ANSI)
			for i, line := range strings.Split(strings.TrimSuffix(ansi.Strip(got), "\n"), "\n") {
				// The heading and the sentences under the boxes are not cut.
				if w := ansi.StringWidth(line); w > 72 && strings.ContainsAny(line, "│║╭╮╰╯╔╗╚╝") {
					t.Errorf("line %d is %d columns wide, want at most 72: %q", i, w, line)
				}
			}
			assertGolden(t, strings.ReplaceAll(got, "\x1b", `\x1b`))
		})
	}
}

// TestLayersDiagramData checks that the numbers and names drawn are the
// fixture's, and that the styled form says the same as the plain one.
func TestLayersDiagramData(t *testing.T) {
	c := loadCapas(t)
	d := Layers(LayersData{Image: c.img, History: c.history, Others: c.others, Container: &c.ctr, Changes: c.changes, Waste: &c.waste})
	want := []string{
		"contenedor web", "imagen web:2", "12.3kB", c.ctr.GraphDriver.Data["UpperDir"],
		"2 añadidos (A), 1 cambiado (C), 1 borrado (D)",
		"capa 5", "RUN rm /grande", "RUN dd if=/dev/zero of=/grande bs=1M count=5", "5.24MB",
		"compartida con busybox:latest y web:1", "compartida con web:1",
		"Total: 5 capas de solo lectura, 7.55MB.",
		"/grande  5.24MB: añadido en la capa 4 y borrado en la capa 5",
		`CMD ["sh"]`,
	}
	plain := d.Plain()
	styled := ansi.Strip(d.Styled(100, termenv.TrueColor))
	// A long path wraps inside its box: read the boxes' text as one line.
	unboxed := strings.NewReplacer("\n", "", "║", "", "│", "", " ", "").Replace(styled)
	for _, w := range want {
		if !strings.Contains(plain, w) {
			t.Errorf("plain diagram lacks %q:\n%s", w, plain)
		}
		if !strings.Contains(styled, w) && !strings.Contains(unboxed, strings.ReplaceAll(w, " ", "")) {
			t.Errorf("styled diagram lacks %q:\n%s", w, styled)
		}
	}
	if n := strings.Count(plain, "sin capa (solo metadatos)"); n != 3 {
		t.Errorf("plain diagram has %d metadata-only rows, want 3:\n%s", n, plain)
	}
	// Newest on top: the rm layer is drawn before the dd layer, the
	// base last.
	if i, j, k := strings.Index(plain, "RUN rm"), strings.Index(plain, "RUN dd"), strings.Index(plain, "ADD file"); !(i < j && j < k) {
		t.Errorf("layers are not drawn newest first:\n%s", plain)
	}
	if strings.Contains(d.Styled(80, termenv.Ascii), "\x1b[") {
		t.Error("Styled with the Ascii profile wrote escape sequences")
	}
}

func TestAlignHistory(t *testing.T) {
	row := func(createdBy string, size int64) image.HistoryResponseItem {
		return image.HistoryResponseItem{CreatedBy: createdBy, Size: size}
	}
	tests := []struct {
		name    string
		layers  int
		history []image.HistoryResponseItem // newest first
		want    []int                       // layer of each step, base first; -1 metadata
	}{
		{"sizes tell", 2, []image.HistoryResponseItem{row("/bin/sh -c #(nop)  CMD [\"sh\"]", 0), row("/bin/sh -c echo hola > /x", 6), row("/bin/sh -c #(nop) ADD file:1 in /", 10)}, []int{0, 1, -1}},
		{"empty RUN layer", 3, []image.HistoryResponseItem{row("/bin/sh -c #(nop)  CMD [\"sh\"]", 0), row("/bin/sh -c rm /x", 0), row("/bin/sh -c echo hola > /x", 6), row("/bin/sh -c #(nop) ADD file:1 in /", 10)}, []int{0, 1, 2, -1}},
		{"buildkit WORKDIR layer", 2, []image.HistoryResponseItem{row("ENV A=1", 0), row("WORKDIR /app", 0), row("ADD rootfs.tar / # buildkit", 10)}, []int{0, 1, -1}},
		{"no history", 2, nil, []int{0, 1}},
		{"more rows with size than layers", 1, []image.HistoryResponseItem{row("/bin/sh -c a", 1), row("/bin/sh -c b", 1)}, []int{0, -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			layers := make([]string, tt.layers)
			var got []int
			for _, s := range alignHistory(layers, tt.history) {
				got = append(got, s.layer)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("alignHistory(%d layers) = %v, want %v", tt.layers, got, tt.want)
			}
		})
	}
}

func TestSharedLayers(t *testing.T) {
	img := image.InspectResponse{ID: "sha256:a", RootFS: image.RootFS{Layers: []string{"l1", "l2", "l3"}}}
	others := []image.InspectResponse{
		{ID: "sha256:a", RepoTags: []string{"mismo:1"}, RootFS: image.RootFS{Layers: []string{"l1", "l2", "l3"}}}, // the same image: not sharing
		{ID: "sha256:b", RepoTags: []string{"base:1"}, RootFS: image.RootFS{Layers: []string{"l1"}}},
		{ID: "sha256:c", RepoTags: []string{"hermana:1"}, RootFS: image.RootFS{Layers: []string{"l1", "l2", "x3"}}},
		{ID: "sha256:d", RepoTags: []string{"otra:1"}, RootFS: image.RootFS{Layers: []string{"x1", "l2", "l3"}}}, // same diff, other chain
	}
	got := sharedLayers(img, others)
	want := [][]string{{"base:1", "hermana:1"}, {"hermana:1"}, nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sharedLayers = %q, want %q", got, want)
	}
}

func TestFindWaste(t *testing.T) {
	file := func(p string, size int64) LayerFile { return LayerFile{Path: p, Size: size} }
	dir := func(p string) LayerFile { return LayerFile{Path: p, Dir: true} }
	tests := []struct {
		name   string
		layers []LayerContents
		want   []WastedFile
	}{
		{"deleted later", []LayerContents{{Files: []LayerFile{file("/grande", 100)}}, {Files: []LayerFile{file("/.wh.grande", 0)}}},
			[]WastedFile{{Path: "/grande", Size: 100, Files: 1, AddedIn: []int{0}, RemovedIn: 1}}},
		{"deleted in the same layer", []LayerContents{{Files: []LayerFile{file("/a", 5)}}, {Files: []LayerFile{file("/grande", 100), file("/.wh.grande", 0)}}},
			nil},
		{"directory deleted", []LayerContents{
			{Files: []LayerFile{dir("/var/cache"), file("/var/cache/a", 10)}},
			{Files: []LayerFile{file("/var/cache/b", 20), file("/var/cachex", 7)}},
			{Files: []LayerFile{dir("/var"), file("/var/.wh.cache", 0)}}},
			[]WastedFile{{Path: "/var/cache", Size: 30, Files: 2, AddedIn: []int{0, 1}, RemovedIn: 2}}},
		{"opaque directory", []LayerContents{
			{Files: []LayerFile{file("/etc/x/a", 3), file("/etc/y", 4)}},
			{Files: []LayerFile{dir("/etc/x"), file("/etc/x/.wh..wh..opq", 0), file("/etc/x/b", 1)}}},
			[]WastedFile{{Path: "/etc/x", Size: 3, Files: 1, AddedIn: []int{0}, RemovedIn: 1}}},
		{"replaced", []LayerContents{{Files: []LayerFile{file("/app/app.bin", 50)}}, {Files: []LayerFile{file("/app/app.bin", 60)}}},
			[]WastedFile{{Path: "/app/app.bin", Size: 50, Files: 1, AddedIn: []int{0}, RemovedIn: 1, Replaced: true}}},
		{"empty files do not count", []LayerContents{{Files: []LayerFile{file("/vacio", 0)}}, {Files: []LayerFile{file("/.wh.vacio", 0)}}},
			nil},
		{"whiteout of nothing", []LayerContents{{Files: []LayerFile{file("/.wh.nada", 0)}}}, nil},
		{"largest first", []LayerContents{{Files: []LayerFile{file("/a", 1), file("/b", 9)}}, {Files: []LayerFile{file("/.wh.a", 0), file("/.wh.b", 0)}}},
			[]WastedFile{{Path: "/b", Size: 9, Files: 1, AddedIn: []int{0}, RemovedIn: 1}, {Path: "/a", Size: 1, Files: 1, AddedIn: []int{0}, RemovedIn: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindWaste(tt.layers)
			if !reflect.DeepEqual(got.Items, tt.want) {
				t.Errorf("FindWaste items = %+v, want %+v", got.Items, tt.want)
			}
			var total int64
			for _, w := range tt.want {
				total += w.Size
			}
			if got.Total != total {
				t.Errorf("FindWaste total = %d, want %d", got.Total, total)
			}
		})
	}
}

// tarEntry is one entry written by writeTar.
type tarEntry struct {
	name     string
	body     []byte
	typeflag byte
	link     string
}

func writeTar(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: e.typeflag, Linkname: e.link}
		if e.typeflag == 0 {
			hdr.Typeflag = tar.TypeReg
		}
		if hdr.Typeflag != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.body); hdr.Size > 0 && err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func manifestJSON(t *testing.T, layers ...string) []byte {
	t.Helper()
	b, err := json.Marshal([]saveManifest{{Config: "cfg.json", RepoTags: []string{"web:2"}, Layers: layers}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadSavedLayers(t *testing.T) {
	base := writeTar(t, []tarEntry{{name: "bin/", typeflag: tar.TypeDir}, {name: "bin/busybox", body: make([]byte, 300)}})
	big := writeTar(t, []tarEntry{{name: "./grande", body: make([]byte, 2000)}})
	rm := writeTar(t, []tarEntry{{name: ".wh.grande", body: nil}})
	wantFiles := [][]LayerFile{
		{{Path: "/bin", Dir: true}, {Path: "/bin/busybox", Size: 300}},
		{{Path: "/grande", Size: 2000}},
		{{Path: "/.wh.grande"}},
	}
	tests := []struct {
		name  string
		tar   []byte
		want  [][]LayerFile
		unred []bool
	}{
		// bolsillod and Docker's legacy layout: manifest.json last.
		{"legacy", writeTar(t, []tarEntry{
			{name: "cfg.json", body: []byte(`{"architecture":"amd64"}`)},
			{name: "aaa/layer.tar", body: base}, {name: "bbb/layer.tar", body: big}, {name: "ccc/layer.tar", body: rm},
			{name: "manifest.json", body: manifestJSON(t, "aaa/layer.tar", "bbb/layer.tar", "ccc/layer.tar")},
		}), wantFiles, []bool{false, false, false}},
		// Docker's OCI layout, manifest first, compressed blobs, a JSON blob
		// that is not a layer, and a repeated layer saved as a link.
		{"oci gzip", writeTar(t, []tarEntry{
			{name: "manifest.json", body: manifestJSON(t, "blobs/sha256/11", "blobs/sha256/22", "blobs/sha256/33", "dup/layer.tar")},
			{name: "oci-layout", body: []byte(`{"imageLayoutVersion":"1.0.0"}`)},
			{name: "blobs/sha256/00", body: []byte(`{"schemaVersion":2}`)},
			{name: "blobs/sha256/11", body: gzipBytes(t, base)}, {name: "blobs/sha256/22", body: big}, {name: "blobs/sha256/33", body: gzipBytes(t, rm)},
			{name: "dup/layer.tar", typeflag: tar.TypeSymlink, link: "../blobs/sha256/22"},
		}), append(wantFiles, wantFiles[1]), []bool{false, false, false, false}},
		{"zstd and missing", writeTar(t, []tarEntry{
			{name: "blobs/sha256/11", body: append([]byte{0x28, 0xb5, 0x2f, 0xfd}, make([]byte, 20)...)},
			{name: "manifest.json", body: manifestJSON(t, "blobs/sha256/11", "blobs/sha256/99")},
		}), [][]LayerFile{nil, nil}, []bool{true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadSavedLayers(bytes.NewReader(tt.tar))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ReadSavedLayers returned %d layers, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i].Files, tt.want[i]) || got[i].Unreadable != tt.unred[i] {
					t.Errorf("layer %d = %+v, want files %+v unreadable %v", i, got[i], tt.want[i], tt.unred[i])
				}
			}
		})
	}
	t.Run("waste from the archive", func(t *testing.T) {
		layers, err := ReadSavedLayers(bytes.NewReader(tests[0].tar))
		if err != nil {
			t.Fatal(err)
		}
		w := FindWaste(layers)
		if w.Total != 2000 || len(w.Items) != 1 || w.Items[0].Path != "/grande" {
			t.Errorf("FindWaste = %+v, want /grande wasting 2000 bytes", w)
		}
	})
	for name, b := range map[string][]byte{
		"no manifest": writeTar(t, []tarEntry{{name: "aaa/layer.tar", body: base}}),
		"not a tar":   []byte("esto no es un tar, es texto suelto que no cabe en ninguna cabecera de tar de 512 bytes............................................................................................................................................................................................................................................................................................................................................................................................................."),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ReadSavedLayers(bytes.NewReader(b)); err == nil {
				t.Error("ReadSavedLayers succeeded, want an error")
			}
		})
	}
}

func TestStacks(t *testing.T) {
	c := loadCapas(t)
	f := loadFixtures(t)
	committed := c.img
	tests := []struct {
		name  string
		stack Stack
	}{
		{"run", ContainerStack(f.running, f.busybox, "busybox")},
		{"commit", CommitStack(committed, c.history, f.running, "web:2")},
		{"build", ImageStack(c.img, c.history, "web:2")},
		{"build_one_layer", ImageStack(f.busybox, nil, "")},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/plain", func(t *testing.T) { assertGolden(t, tt.stack.Plain()) })
		t.Run(tt.name+"/styled", func(t *testing.T) {
			got := tt.stack.Styled(termenv.ANSI)
			if ansi.Strip(got) == got {
				t.Errorf("styled stack has no colors: %q", got)
			}
			assertGolden(t, strings.ReplaceAll(got, "\x1b", `\x1b`))
		})
	}
}

// The title names the image as the student did when it has several tags.
func TestLayersTitleUsesTheNameGiven(t *testing.T) {
	img := image.InspectResponse{ID: "sha256:" + strings.Repeat("ab", 32), RepoTags: []string{"aula:1", "busybox:latest"}}
	tests := []struct{ ref, want string }{
		{"busybox", "Capas de la imagen busybox:latest (ababababab"},
		{"aula:1", "Capas de la imagen aula:1 (ababababab"},
		{"", "Capas de la imagen aula:1 (ababababab"},
		{"otra", "Capas de la imagen aula:1 (ababababab"},
	}
	for _, tt := range tests {
		if got := Layers(LayersData{Image: img, Ref: tt.ref}).Title; !strings.HasPrefix(got, tt.want) {
			t.Errorf("ref %q: title %q, want it to start with %q", tt.ref, got, tt.want)
		}
	}
}
