package explain

import (
	"strconv"
	"strings"
	"testing"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/image"
)

// imageOutputs calls every images-command explanation with the fixtures.
func imageOutputs(t *testing.T) map[string]string {
	t.Helper()
	f := loadFixtures(t)
	old := f.imported // the image the moved tag used to name
	old.RepoTags = nil
	rows := loadJSON[[]image.HistoryResponseItem](t, "history_app.json")
	return map[string]string{
		"Pull":          Pull(PullData{Ref: "localhost:5000/web:1", Image: f.app, Digest: busyboxDigest, Layers: pulledLayers, Dangling: &old}),
		"PullUpToDate":  Pull(PullData{Ref: "busybox", Image: f.busybox, Digest: busyboxDigest, UpToDate: true}),
		"Push":          Push(PushData{Ref: "localhost:5000/web:1", Image: f.app, Digest: busyboxDigest, Size: 734, Layers: pulledLayers}),
		"Tag":           Tag(f.busybox, "localhost:5000/busybox", &old),
		"Rmi":           Rmi([]string{"web:1"}, []image.InspectResponse{f.app}, nil, []image.DeleteResponse{{Untagged: "web:1"}}),
		"History":       historyAt(f.app, rows, historyNow),
		"ImagePrune":    ImagePrune(image.PruneReport{ImagesDeleted: []image.DeleteResponse{{Untagged: "web:1"}, {Deleted: f.app.ID}}, SpaceReclaimed: 2310144}, false),
		"Save":          Save("imgs.tar", []image.InspectResponse{f.busybox, f.app}, 4546560),
		"Load":          Load([]string{"Loaded image: web:latest"}, []image.InspectResponse{f.app}, []image.InspectResponse{old}),
		"Login":         Login("localhost:5000", "ana", "/root/.docker/config.json"),
		"RegistryServe": RegistryServe("0.0.0.0:5000", "/srv/aula"),
	}
}

// TestImageUsesData checks that the names, IDs, sizes and digests the
// images commands explain come from their input. The wanted strings are
// computed from the fixtures, not written by hand.
func TestImageUsesData(t *testing.T) {
	f := loadFixtures(t)
	old := f.imported
	out := imageOutputs(t)
	size := func(n int64) string { return units.HumanSizeWithPrecision(float64(n), 3) }
	id12 := func(id string) string { return strings.TrimPrefix(id, "sha256:")[:12] }
	rows := loadJSON[[]image.HistoryResponseItem](t, "history_app.json")
	var compressed int64
	for _, l := range pulledLayers {
		compressed += l.Size
	}
	tests := []struct {
		name string
		want []string
	}{
		{"Pull", []string{"localhost:5000/web:1", "`localhost:5000`", pulledLayers[0].ID, pulledLayers[1].ID, pulledLayers[2].ID,
			"Descargó 2 capas", "1 capa ya estaba", size(compressed), size(f.app.Size), busyboxDigest, id12(old.ID) + "`: esa imagen se quedó sin etiqueta", size(old.Size)}},
		{"PullUpToDate", []string{"docker.io/library/busybox:latest", "ya estaba al día", busyboxDigest}},
		{"Push", []string{"Subió 2 capas", "1 capa ya estaba en el registro", "734 bytes", busyboxDigest, id12(f.app.ID)}},
		{"Tag", []string{"localhost:5000/busybox:latest", f.busybox.RepoTags[0], id12(f.busybox.ID), size(f.busybox.Size), "bolsillo push localhost:5000/busybox:latest", "bolsillo rmi " + id12(old.ID), size(old.Size)}},
		{"Rmi", []string{"web:1", "web:latest", id12(f.app.ID)}},
		{"History", []string{strconv.Itoa(len(rows)) + " instrucciones", "3 filas añadieron", "3 filas de `0B`", "5 filas son `<missing>`", size(f.app.Size), "ADD file:6d2b0e4c8a1f in /", "hace 3 minutos", id12(f.app.ID)}},
		{"ImagePrune", []string{size(2310144), "web:1", id12(f.app.ID)}},
		{"Save", []string{"imgs.tar", f.busybox.RepoTags[0], f.app.RepoTags[0], "3 capas distintas", "1 la comparten varias imágenes", size(4546560), "bolsillo load -i imgs.tar", id12(f.busybox.ID)}},
		{"Load", []string{"web:latest", id12(f.app.ID), strconv.Itoa(len(f.app.RootFS.Layers)) + " capas", size(f.app.Size), "bolsillo rmi " + id12(old.ID)}},
		{"Login", []string{"localhost:5000", "`ana`", "/root/.docker/config.json", "bolsillo push localhost:5000/busybox"}},
		{"RegistryServe", []string{"0.0.0.0:5000", "/srv/aula", "`5000`", "bolsillo pull TU_IP:5000/busybox", "bolsillo lab init --registry TU_IP:5000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := out[tt.name]
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output does not contain %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestImageFollowsData changes the input and checks that the old values
// disappear from the explanation and the new ones appear.
func TestImageFollowsData(t *testing.T) {
	f := loadFixtures(t)
	bigger := f.busybox
	bigger.ID = "sha256:99aa77bb55cc33dd11ee99aa77bb55cc33dd11ee99aa77bb55cc33dd11ee0000"
	bigger.Size = 734003200
	layers := []LayerProgress{{ID: "ffff00001111", Status: "Pull complete", Size: 268435456}}
	tests := []struct {
		name          string
		before, after string
		gone, seen    []string
	}{
		{"Pull", Pull(PullData{Ref: "busybox", Image: f.busybox, Layers: pulledLayers, Digest: busyboxDigest}),
			Pull(PullData{Ref: "localhost:5000/otra:2", Image: bigger, Layers: layers, Digest: "sha256:1234"}),
			[]string{"docker.io/library/busybox:latest", pulledLayers[1].ID, busyboxDigest, "1.61MB"},
			[]string{"localhost:5000/otra:2", "ffff00001111", "sha256:1234", "268MB", "734MB"}},
		{"Tag", Tag(f.busybox, "mio/busybox:1.0", nil), Tag(bigger, "otra:3", nil),
			[]string{"mio/busybox:1.0", "75b28b301258", "2.22MB"}, []string{"otra:3", "99aa77bb55cc", "734MB"}},
		{"RegistryServe", RegistryServe("0.0.0.0:5000", "/srv/aula"), RegistryServe("profe.aula:6000", "/mnt/reg"),
			[]string{"TU_IP:5000", "/srv/aula"}, []string{"profe.aula:6000/busybox", "/mnt/reg"}},
		{"ImagePrune", ImagePrune(image.PruneReport{ImagesDeleted: []image.DeleteResponse{{Deleted: f.busybox.ID}}, SpaceReclaimed: 2215936}, false),
			ImagePrune(image.PruneReport{ImagesDeleted: []image.DeleteResponse{{Deleted: bigger.ID}}, SpaceReclaimed: 734003200}, true),
			[]string{"75b28b301258", "2.22MB", "Sin `-a`"}, []string{"99aa77bb55cc", "734MB", "Con `-a`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range tt.gone {
				if !strings.Contains(tt.before, s) {
					t.Errorf("before: output does not contain %q:\n%s", s, tt.before)
				}
				if strings.Contains(tt.after, s) {
					t.Errorf("after: output still contains %q:\n%s", s, tt.after)
				}
			}
			for _, s := range tt.seen {
				if !strings.Contains(tt.after, s) {
					t.Errorf("after: output does not contain %q:\n%s", s, tt.after)
				}
			}
		})
	}
}

// TestImageShape checks the shared form: a title, a blank line and between
// 2 and 8 bullet lines.
func TestImageShape(t *testing.T) {
	for name, got := range imageOutputs(t) {
		t.Run(name, func(t *testing.T) {
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			if len(lines) < 4 || !strings.HasPrefix(lines[0], "# ") || lines[1] != "" {
				t.Fatalf("%s: want a # title, a blank line and at least 2 items:\n%s", name, got)
			}
			items := lines[2:]
			if len(items) > 8 {
				t.Errorf("%s: got %d items, want at most 8:\n%s", name, len(items), got)
			}
			for _, l := range items {
				if !strings.HasPrefix(l, "- ") {
					t.Errorf("%s: line %q is not a bullet", name, l)
				}
			}
		})
	}
}

// TestImageZeroValues calls every images-command explanation with zero
// values: none may panic, and each must still say something.
func TestImageZeroValues(t *testing.T) {
	var img image.InspectResponse
	outputs := map[string]func() string{
		"Pull":           func() string { return Pull(PullData{}) },
		"PullDangling":   func() string { return Pull(PullData{Dangling: &img, Layers: []LayerProgress{{}}}) },
		"Push":           func() string { return Push(PushData{}) },
		"Tag":            func() string { return Tag(img, "", &img) },
		"Rmi":            func() string { return Rmi(nil, nil, nil, nil) },
		"RmiZeroItems":   func() string { return Rmi([]string{""}, []image.InspectResponse{{}}, nil, []image.DeleteResponse{{}}) },
		"History":        func() string { return History(img, nil) },
		"HistoryZeroRow": func() string { return History(img, []image.HistoryResponseItem{{}}) },
		"ImagePrune":     func() string { return ImagePrune(image.PruneReport{}, true) },
		"Save":           func() string { return Save("", nil, 0) },
		"Load":           func() string { return Load(nil, nil, []image.InspectResponse{{}}) },
		"Login":          func() string { return Login("", "", "") },
		"RegistryServe":  func() string { return RegistryServe("", "") },
	}
	for name, fn := range outputs {
		t.Run(name, func(t *testing.T) {
			got := fn()
			if !strings.HasPrefix(got, "# ") || strings.Count(got, "\n- ") == 0 {
				t.Errorf("%s on zero values = %q, want a title and at least one line", name, got)
			}
		})
	}
}
