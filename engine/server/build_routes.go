package server

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	apibuild "github.com/moby/moby/api/types/build"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// postBuild is POST /build, the classic builder that docker CLI 28 uses with
// DOCKER_BUILDKIT=0 (or without buildx) and docker-py's images.build.
func (s *Server) postBuild(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	opts := backend.BuildOptions{
		Context:    r.Body,
		Dockerfile: r.Form.Get("dockerfile"),
		Tags:       r.Form["t"],
		NoCache:    boolValue(r, "nocache"),
		Remove:     r.Form.Get("rm") == "" || boolValue(r, "rm"),
		ForceRm:    boolValue(r, "forcerm"),
		Pull:       boolValue(r, "pull"),
		Quiet:      boolValue(r, "q"),
		Target:     r.Form.Get("target"),
		Network:    r.Form.Get("networkmode"),
	}
	if v := r.Form.Get("buildargs"); v != "" {
		if err := json.Unmarshal([]byte(v), &opts.BuildArgs); err != nil {
			return errdefs.InvalidParameter("invalid buildargs: %s", err.Error())
		}
	}
	if v := r.Form.Get("labels"); v != "" {
		if err := json.Unmarshal([]byte(v), &opts.Labels); err != nil {
			return errdefs.InvalidParameter("invalid labels: %s", err.Error())
		}
	}
	if h := r.Header.Get("X-Registry-Config"); h != "" {
		raw, err := base64.URLEncoding.DecodeString(h)
		if err != nil {
			raw, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(h, "="))
		}
		if err == nil {
			_ = json.Unmarshal(raw, &opts.Auth) // credentials are optional: a bad header only means none
		}
	}
	out := newJSONStream(w)
	return out.finish(s.backend.Build(r.Context(), opts, out.send))
}

// postBuildPrune is docker builder prune, and a step of docker system
// prune. The classic builder's cache is the intermediate images of each
// step, which image prune removes: this cache holds nothing of its own.
func (s *Server) postBuildPrune(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	if _, err := parseFilters(r.Form.Get("filters")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apibuild.CachePruneReport{CachesDeleted: []string{}})
	return nil
}
