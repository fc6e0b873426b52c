package server

import (
	"io"
	"net/http"

	apiimage "github.com/moby/moby/api/types/image"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

func (s *Server) postImagesCreate(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	if src := r.Form.Get("fromSrc"); src != "" {
		if src != "-" {
			return errdefs.NotImplemented("importing from a URL is not supported: send the tar in the request body (fromSrc=-)")
		}
		id, err := s.backend.ImageImport(r.Context(), r.Body, backend.ImportOptions{
			Repo:    r.Form.Get("repo"),
			Tag:     r.Form.Get("tag"),
			Message: r.Form.Get("message"),
			Changes: r.Form["changes"],
		})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, backend.JSONMessage{Status: id})
		return nil
	}
	from := r.Form.Get("fromImage")
	if from == "" {
		return errdefs.InvalidParameter("fromImage or fromSrc is required")
	}
	auth, err := registryAuth(r)
	if err != nil {
		return err
	}
	out := newJSONStream(w)
	err = s.backend.ImagePull(r.Context(), backend.PullOptions{
		Image:    from,
		Tag:      r.Form.Get("tag"),
		Platform: r.Form.Get("platform"),
		Auth:     auth,
	}, out.send)
	return out.finish(err)
}

func (s *Server) getImagesJSON(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	filters, err := parseFilters(r.Form.Get("filters"))
	if err != nil {
		return err
	}
	if ref := r.Form.Get("filter"); ref != "" { // API < 1.41
		filters["reference"] = append(filters["reference"], ref)
	}
	list, err := s.backend.ImageList(backend.ImageListOptions{All: boolValue(r, "all"), Filters: filters})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) getImageJSON(w http.ResponseWriter, _ *http.Request, vars map[string]string) error {
	img, err := s.backend.ImageInspect(vars["name"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, img)
	return nil
}

func (s *Server) postImagePush(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	auth, err := registryAuth(r)
	if err != nil {
		return err
	}
	out := newJSONStream(w)
	err = s.backend.ImagePush(r.Context(), backend.PushOptions{Name: vars["name"], Tag: r.Form.Get("tag"), Auth: auth}, out.send)
	return out.finish(err)
}

func (s *Server) postImageTag(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	if err := s.backend.ImageTag(vars["name"], r.Form.Get("repo"), r.Form.Get("tag")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

func (s *Server) deleteImage(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	items, err := s.backend.ImageDelete(r.Context(), vars["name"], boolValue(r, "force"), !boolValue(r, "noprune"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items)
	return nil
}

func (s *Server) getImageHistory(w http.ResponseWriter, _ *http.Request, vars map[string]string) error {
	items, err := s.backend.ImageHistory(vars["name"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items)
	return nil
}

func (s *Server) postImagesPrune(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	filters, err := parseFilters(r.Form.Get("filters"))
	if err != nil {
		return err
	}
	report, err := s.backend.ImagesPrune(r.Context(), filters)
	if err != nil {
		return err
	}
	if report.ImagesDeleted == nil {
		report.ImagesDeleted = []apiimage.DeleteResponse{}
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}

// getImagesGet is GET /images/get?names=a&names=b (the docker CLI) and
// GET /images/{name}/get (docker-py): a docker-archive tar.
func (s *Server) getImagesGet(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	names := r.Form["names"]
	if n := vars["name"]; n != "" {
		names = []string{n}
	}
	if len(names) == 0 {
		return errdefs.InvalidParameter("no images to save: give at least one name")
	}
	return s.backend.ImageSave(r.Context(), names, func() io.Writer {
		w.Header().Set("Content-Type", "application/x-tar")
		w.WriteHeader(http.StatusOK)
		return w
	})
}

func (s *Server) postImagesLoad(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	out := newJSONStream(w)
	err := s.backend.ImageLoad(r.Context(), r.Body, boolValue(r, "quiet"), out.send)
	return out.finish(err)
}

// authResponse is the body of POST /auth.
type authResponse struct {
	Status        string
	IdentityToken string `json:",omitempty"`
}

func (s *Server) postAuth(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	var auth backend.AuthConfig
	if err := decodeJSON(r, &auth); err != nil {
		return err
	}
	status, token, err := s.backend.AuthLogin(r.Context(), auth)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, authResponse{Status: status, IdentityToken: token})
	return nil
}
