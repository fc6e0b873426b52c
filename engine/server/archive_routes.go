package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// filesBackend is what `docker cp`, `docker diff` and `docker commit` need:
// a container's files, running or stopped.
type filesBackend interface {
	ContainerStatPath(ref, path string) (*apicontainer.PathStat, error)
	// ContainerArchivePath calls open once the path is found; errors
	// before that are plain API errors.
	ContainerArchivePath(ref, path string, open func(*apicontainer.PathStat) (io.Writer, error)) error
	ContainerExtractToDir(ref, path string, r io.Reader, noOverwriteDirNonDir, copyUIDGID bool) error
	ContainerChanges(ref string) ([]apicontainer.FilesystemChange, error)
	ContainerCommit(ctx context.Context, ref string, opts backend.CommitOptions) (string, error)
}

// pathStatHeader carries a path's stat in HEAD and GET
// /containers/{name}/archive, as base64 of its JSON.
const pathStatHeader = "X-Docker-Container-Path-Stat"

func setPathStat(h http.Header, stat *apicontainer.PathStat) error {
	b, err := json.Marshal(stat)
	if err != nil {
		return err
	}
	h.Set(pathStatHeader, base64.StdEncoding.EncodeToString(b))
	return nil
}

// archivePath is the path query parameter, required by every archive route.
func archivePath(r *http.Request) (string, error) {
	if err := r.ParseForm(); err != nil {
		return "", errdefs.InvalidParameter("%s", err.Error())
	}
	p := r.Form.Get("path")
	if p == "" {
		return "", errdefs.InvalidParameter("path cannot be empty")
	}
	return p, nil
}

func (s *Server) headContainerArchive(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	stat, err := s.backend.ContainerStatPath(vars["name"], p)
	if err != nil {
		return err
	}
	if err := setPathStat(w.Header(), stat); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) getContainerArchive(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	started := false
	err = s.backend.ContainerArchivePath(vars["name"], p, func(stat *apicontainer.PathStat) (io.Writer, error) {
		if err := setPathStat(w.Header(), stat); err != nil {
			return nil, err
		}
		w.Header().Set("Content-Type", "application/x-tar")
		w.WriteHeader(http.StatusOK)
		started = true
		return w, nil
	})
	if err != nil && started {
		// The status is sent: cut the connection so the client sees a
		// broken tar rather than a short one.
		s.log.Warn("archive interrupted", "container", vars["name"], "path", p, "err", err)
		panic(http.ErrAbortHandler)
	}
	return err
}

func (s *Server) putContainerArchive(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	p, err := archivePath(r)
	if err != nil {
		return err
	}
	err = s.backend.ContainerExtractToDir(vars["name"], p, r.Body,
		boolValue(r, "noOverwriteDirNonDir"), boolValue(r, "copyUIDGID"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) getContainerChanges(w http.ResponseWriter, _ *http.Request, vars map[string]string) error {
	changes, err := s.backend.ContainerChanges(vars["name"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, changes)
	return nil
}

func (s *Server) postCommit(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	var cfg *apicontainer.Config
	if err := decodeJSON(r, &cfg); err != nil {
		return err
	}
	opts := backend.CommitOptions{
		Repo:    r.Form.Get("repo"),
		Tag:     r.Form.Get("tag"),
		Comment: r.Form.Get("comment"),
		Author:  r.Form.Get("author"),
		// Docker pauses unless told pause=0.
		Pause:   r.Form.Get("pause") == "" || boolValue(r, "pause"),
		Changes: r.Form["changes"],
		Config:  cfg,
	}
	id, err := s.backend.ContainerCommit(r.Context(), r.Form.Get("container"), opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, apicontainer.CommitResponse{ID: id})
	return nil
}
