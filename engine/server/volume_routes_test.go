package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	apivolume "github.com/moby/moby/api/types/volume"

	"bolsillo/engine/errdefs"
)

// The fake knows two volumes: "datos", used by container "abc", and
// "libre", used by nobody.

func fakeVolume(name string) *apivolume.Volume {
	return &apivolume.Volume{Name: name, Driver: "local", Scope: "local", Mountpoint: "/v/" + name + "/_data", Labels: map[string]string{}}
}

func (f *fakeBackend) VolumeCreate(req apivolume.CreateRequest) (*apivolume.Volume, error) {
	if req.Driver != "" && req.Driver != "local" {
		return nil, errdefs.NotFound("error looking up volume plugin %s: plugin %q not found", req.Driver, req.Driver)
	}
	return fakeVolume(req.Name), nil
}

func (f *fakeBackend) VolumeInspect(name string) (*apivolume.Volume, error) {
	if name != "datos" && name != "libre" {
		return nil, errdefs.NotFound("get %s: no such volume", name)
	}
	return fakeVolume(name), nil
}

func (f *fakeBackend) VolumeList(filters map[string][]string) (*apivolume.ListResponse, error) {
	out := &apivolume.ListResponse{Volumes: []apivolume.Volume{}, Warnings: []string{}}
	for _, name := range []string{"datos", "libre"} {
		if d := filters["dangling"]; len(d) == 1 && (d[0] == "true") == (name == "datos") {
			continue
		}
		out.Volumes = append(out.Volumes, *fakeVolume(name))
	}
	return out, nil
}

func (f *fakeBackend) VolumeRemove(name string, force bool) error {
	switch name {
	case "datos":
		return errdefs.Conflict("remove datos: volume is in use - [abc]")
	case "libre":
		return nil
	}
	if force {
		return nil
	}
	return errdefs.NotFound("remove %s: no such volume", name)
}

func (f *fakeBackend) VolumesPrune(filters map[string][]string) (*apivolume.PruneReport, error) {
	if len(filters["all"]) > 0 {
		return &apivolume.PruneReport{VolumesDeleted: []string{"libre"}, SpaceReclaimed: 5}, nil
	}
	return &apivolume.PruneReport{VolumesDeleted: []string{}}, nil
}

func (f *fakeBackend) ContainerRemoveVolumes(ctx context.Context, ref string, force bool) error {
	if ref != "abc" {
		return errdefs.NotFound("No such container: %s", ref)
	}
	return nil
}

func TestVolumeRoutes(t *testing.T) {
	srv := httptest.NewServer(New(&fakeBackend{}, nil))
	defer srv.Close()
	tests := []routeCase{
		{"POST", "/v1.50/volumes/create", `{"Name":"nuevo"}`, http.StatusCreated, `"Name":"nuevo","Options":null,"Scope":"local"`},
		{"POST", "/volumes/create", `{"Name":"x","Driver":"nfs"}`, http.StatusNotFound, `plugin \"nfs\" not found`},
		{"POST", "/volumes/create", `{`, http.StatusBadRequest, "invalid JSON"},
		{"GET", "/volumes", "", http.StatusOK, `"Warnings":[]`},
		{"GET", "/volumes?filters=" + `{"dangling":{"true":true}}`, "", http.StatusOK, `"Volumes":[{"Driver":"local","Labels":{},"Mountpoint":"/v/libre/_data","Name":"libre"`},
		{"GET", "/volumes?filters=" + `{"dangling":["false"]}`, "", http.StatusOK, `"Name":"datos"`},
		{"GET", "/volumes/datos", "", http.StatusOK, `"Mountpoint":"/v/datos/_data"`},
		{"GET", "/volumes/nada", "", http.StatusNotFound, `{"message":"get nada: no such volume"}`},
		{"DELETE", "/volumes/datos", "", http.StatusConflict, `"remove datos: volume is in use - [abc]"`},
		{"DELETE", "/volumes/datos?force=1", "", http.StatusConflict, "in use"},
		{"DELETE", "/volumes/libre", "", http.StatusNoContent, ""},
		{"DELETE", "/volumes/nada", "", http.StatusNotFound, "no such volume"},
		{"DELETE", "/volumes/nada?force=true", "", http.StatusNoContent, ""},
		{"POST", "/volumes/prune", "", http.StatusOK, `{"VolumesDeleted":[],"SpaceReclaimed":0}`},
		{"POST", "/volumes/prune?filters=" + `{"all":["true"]}`, "", http.StatusOK, `{"VolumesDeleted":["libre"],"SpaceReclaimed":5}`},
		// rm -v goes to ContainerRemoveVolumes; plain rm to ContainerRemove,
		// whose fake always fails.
		{"DELETE", "/containers/abc?v=1", "", http.StatusNoContent, ""},
		{"DELETE", "/containers/abc?v=0", "", http.StatusInternalServerError, "disk on fire"},
		{"DELETE", "/containers/zzz?v=true", "", http.StatusNotFound, "No such container: zzz"},
	}
	checkRoutes(t, srv.URL, tests)
}

// TestVolumeListShape checks the JSON the docker CLI and docker-py decode.
func TestVolumeListShape(t *testing.T) {
	srv := httptest.NewServer(New(&fakeBackend{}, nil))
	defer srv.Close()
	resp := do(t, "GET", srv.URL+"/volumes", "")
	var got apivolume.ListResponse
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got.Volumes) != 2 || got.Volumes[0].Name != "datos" || got.Volumes[1].Scope != "local" || got.Warnings == nil {
		t.Errorf("list = %+v", got)
	}
}
