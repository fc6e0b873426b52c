package cli

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/storage"
)

const (
	capasWebID  = "sha256:3abc2103c48b53b7c96959481096abf542c2c5bb43aeb9984d2a4e6f44c33b6a"
	capasBaseID = "sha256:d7b7900c394d354149e40cd1e392c378105ed1838d022f8db4e27bae56081e65"
	capasCtrID  = "4b5e57f6eb2f42b9039b3d1e13929295f231749c510cbe341cd68036d9af97e2"
)

// capasTar is what GET /images/get streams for web:2: busybox's layer,
// a layer that wrote /grande and one that deleted it.
func capasTar(t *testing.T) []byte {
	t.Helper()
	layer := func(files map[string]int) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(files[n]), Typeflag: tar.TypeReg}); err != nil {
				t.Fatal(err)
			}
			if _, err := tw.Write(make([]byte, files[n])); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	manifest, _ := json.Marshal([]map[string]any{{"Config": "c.json", "RepoTags": []string{"web:2"}, "Layers": []string{"a/layer.tar", "b/layer.tar", "c/layer.tar"}}})
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range []struct {
		name string
		body []byte
	}{
		{"a/layer.tar", layer(map[string]int{"bin/busybox": 1000})},
		{"b/layer.tar", layer(map[string]int{"grande": 3000})},
		{"c/layer.tar", layer(map[string]int{".wh.grande": 0})},
		{"manifest.json", manifest},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// capasDaemon answers what `capas` asks for web:2, busybox and the
// container web; the container exists only when withContainer is set.
func capasDaemon(t *testing.T, withContainer bool, webSize int64) *fakeDaemon {
	d := newFakeDaemon(t)
	web := image.InspectResponse{ID: capasWebID, RepoTags: []string{"web:2"}, Size: webSize,
		RootFS: image.RootFS{Type: "layers", Layers: []string{"sha256:l1", "sha256:l2", "sha256:l3"}}}
	base := image.InspectResponse{ID: capasBaseID, RepoTags: []string{"busybox:latest"}, Size: 1000,
		RootFS: image.RootFS{Type: "layers", Layers: []string{"sha256:l1"}}}
	for _, ref := range []string{"web:2", capasWebID} {
		d.json("GET /images/"+ref+"/json", http.StatusOK, web)
	}
	d.json("GET /images/"+capasBaseID+"/json", http.StatusOK, base)
	d.json("GET /images/json", http.StatusOK, []image.Summary{{ID: capasBaseID, RepoTags: []string{"busybox:latest"}}, {ID: capasWebID, RepoTags: []string{"web:2"}}})
	d.json("GET /images/"+capasWebID+"/history", http.StatusOK, []image.HistoryResponseItem{
		{ID: capasWebID, CreatedBy: "/bin/sh -c rm /grande", Size: 0},
		{ID: "<missing>", CreatedBy: "/bin/sh -c #(nop)  ENV MODO=aula", Size: 0},
		{ID: "<missing>", CreatedBy: "/bin/sh -c dd if=/dev/zero of=/grande bs=1000 count=3", Size: 3000},
		{ID: capasBaseID, CreatedBy: "", Comment: "Imported from -", Size: 1000},
	})
	tarball := capasTar(t)
	d.handle("GET /images/get", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-tar")
		_, _ = w.Write(tarball)
	})
	if withContainer {
		sizeRw := int64(12288)
		d.json("GET /containers/web/json", http.StatusOK, container.InspectResponse{
			ID: capasCtrID, Name: "/web", Image: capasWebID, SizeRw: &sizeRw,
			Config:      &container.Config{Image: "web:2"},
			GraphDriver: &storage.DriverData{Name: "overlay", Data: map[string]string{"UpperDir": "/var/lib/bolsillo/containers/" + capasCtrID + "/rw"}},
		})
		d.json("GET /containers/"+capasCtrID+"/changes", http.StatusOK, []container.FilesystemChange{
			{Kind: container.ChangeModify, Path: "/tmp"}, {Kind: container.ChangeAdd, Path: "/tmp/nota.txt"}, {Kind: container.ChangeDelete, Path: "/www/hola.txt"},
		})
	} else {
		for _, n := range []string{"web", "web:2", "nada"} {
			d.json("GET /containers/"+n+"/json", http.StatusNotFound, map[string]string{"message": "No such container: " + n})
		}
	}
	return d
}

func TestCapas(t *testing.T) {
	tests := []struct {
		name          string
		args          []string
		withContainer bool
		webSize       int64
		wantCalls     []string // in order, among others
		noCalls       []string
	}{
		{name: "image", args: []string{"capas", "web:2"}, webSize: 4000,
			wantCalls: []string{"GET /containers/web:2/json?size=1", "GET /images/web:2/json", "GET /images/" + capasWebID + "/history", "GET /images/json", "GET /images/" + capasBaseID + "/json", "GET /images/get?names=" + strings.ReplaceAll(capasWebID, ":", "%3A")}},
		{name: "container", args: []string{"capas", "web"}, withContainer: true, webSize: 4000,
			wantCalls: []string{"GET /containers/web/json?size=1", "GET /images/" + capasWebID + "/json", "GET /containers/" + capasCtrID + "/changes"}},
		{name: "forced_image", args: []string{"capas", "--imagen", "web:2"}, withContainer: true, webSize: 4000,
			wantCalls: []string{"GET /images/web:2/json"}, noCalls: []string{"GET /containers/web:2/json?size=1"}},
		{name: "large_image", args: []string{"capas", "web:2"}, webSize: wasteAutoLimit + 1,
			noCalls: []string{"GET /images/get?names=" + strings.ReplaceAll(capasWebID, ":", "%3A")}},
		{name: "waste_off", args: []string{"capas", "--desperdicio=false", "web:2"}, webSize: 4000,
			noCalls: []string{"GET /images/get?names=" + strings.ReplaceAll(capasWebID, ":", "%3A")}},
		{name: "waste_forced", args: []string{"capas", "--desperdicio", "web:2"}, webSize: wasteAutoLimit + 1,
			wantCalls: []string{"GET /images/get?names=" + strings.ReplaceAll(capasWebID, ":", "%3A")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := capasDaemon(t, tt.withContainer, tt.webSize)
			f, out, errOut := testFactory(d.host, nil)
			if code := execute(t.Context(), f, tt.args); code != 0 {
				t.Fatalf("exit code = %d, want 0; stderr:\n%s", code, errOut)
			}
			calls := d.requests()
			last := -1
			for _, w := range tt.wantCalls {
				i := slices.Index(calls, w)
				if i < 0 || i < last {
					t.Errorf("call %q missing or out of order; calls = %q", w, calls)
				}
				last = i
			}
			for _, w := range tt.noCalls {
				if slices.Contains(calls, w) {
					t.Errorf("unexpected call %q", w)
				}
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr = %q, want nothing: the diagram goes to stdout", errOut)
			}
			assertGolden(t, "TestCapas/"+tt.name, out.String())
		})
	}
}

func TestCapasErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"not found", []string{"capas", "nada"}, exitGeneric, "No hay ningún contenedor ni ninguna imagen `nada`"},
		{"forced container", []string{"capas", "--contenedor", "web:2"}, exitGeneric, "No such container: web:2"},
		{"both forced", []string{"capas", "--imagen", "--contenedor", "web"}, exitDaemonError, "Elige una sola"},
		{"no argument", []string{"capas"}, exitDaemonError, "capas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := capasDaemon(t, false, 4000)
			d.json("GET /images/nada/json", http.StatusNotFound, map[string]string{"message": "No such image: nada"})
			f, out, errOut := testFactory(d.host, nil)
			if code := execute(t.Context(), f, tt.args); code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, errOut)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantErr)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}
