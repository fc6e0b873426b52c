package server

import (
	"context"
	"net/http"

	apivolume "github.com/moby/moby/api/types/volume"

	"bolsillo/engine/errdefs"
)

// volumeBackend serves the /volumes routes and `rm -v`.
type volumeBackend interface {
	VolumeCreate(req apivolume.CreateRequest) (*apivolume.Volume, error)
	VolumeInspect(name string) (*apivolume.Volume, error)
	VolumeList(filters map[string][]string) (*apivolume.ListResponse, error)
	VolumeRemove(name string, force bool) error
	VolumesPrune(filters map[string][]string) (*apivolume.PruneReport, error)
	// ContainerRemoveVolumes removes a container and then its anonymous
	// volumes (DELETE /containers/{id}?v=1).
	ContainerRemoveVolumes(ctx context.Context, ref string, force bool) error
}

// containerRemover is the backend call for DELETE /containers/{id}: with
// v=1 the container's anonymous volumes go too.
func (s *Server) containerRemover(r *http.Request) func(ctx context.Context, ref string, force bool) error {
	if boolValue(r, "v") {
		return s.backend.ContainerRemoveVolumes
	}
	return s.backend.ContainerRemove
}

func (s *Server) postVolumesCreate(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	var req apivolume.CreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	v, err := s.backend.VolumeCreate(req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) getVolumes(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	filters, err := parseFilters(r.Form.Get("filters"))
	if err != nil {
		return err
	}
	list, err := s.backend.VolumeList(filters)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) getVolume(w http.ResponseWriter, _ *http.Request, vars map[string]string) error {
	v, err := s.backend.VolumeInspect(vars["name"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) deleteVolume(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	if err := s.backend.VolumeRemove(vars["name"], boolValue(r, "force")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) postVolumesPrune(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	filters, err := parseFilters(r.Form.Get("filters"))
	if err != nil {
		return err
	}
	report, err := s.backend.VolumesPrune(filters)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}
