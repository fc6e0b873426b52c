package server

import (
	"encoding/json"
	"net/http"

	"bolsillo/engine/backend"
	"bolsillo/engine/errdefs"
)

// jsonMessage is one line of Docker's JSON message stream. Errors carry
// both errorDetail (what the docker CLI reads) and error (what docker-py
// reads).
type jsonMessage struct {
	Status      string           `json:"status,omitempty"`
	ID          string           `json:"id,omitempty"`
	Stream      string           `json:"stream,omitempty"`
	ErrorDetail *errorDetail     `json:"errorDetail,omitempty"`
	Error       string           `json:"error,omitempty"`
	Aux         *json.RawMessage `json:"aux,omitempty"`
}

type errorDetail struct {
	Code    int    `json:"code,omitempty"`
	Message string `json:"message"`
}

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
		writeJSON(w, http.StatusOK, jsonMessage{Status: id})
		return nil
	}
	from := r.Form.Get("fromImage")
	if from == "" {
		return errdefs.InvalidParameter("fromImage or fromSrc is required")
	}
	// Pulling from registries arrives with the image distribution work;
	// until then the stream says so, as a failed pull does in Docker
	// (in-stream, after a 200, which docker-py relies on).
	ref := from
	if tag := r.Form.Get("tag"); tag != "" {
		ref += ":" + tag
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	msg := "cannot pull " + ref + ": bolsillod does not pull images from registries yet; create the image with \"bolsillo lab init\" or \"docker import\""
	return json.NewEncoder(w).Encode(jsonMessage{ErrorDetail: &errorDetail{Message: msg}, Error: msg})
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
