package server

import (
	"net/http"
)

func (s *Server) ping(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	h := w.Header()
	h.Set("Builder-Version", "1")
	h.Set("Swarm", "inactive")
	h.Set("Cache-Control", "no-cache, no-store, must-revalidate")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write([]byte("OK"))
	}
	return nil
}

func (s *Server) getVersion(w http.ResponseWriter, _ *http.Request, _ map[string]string) error {
	writeJSON(w, http.StatusOK, s.backend.Version())
	return nil
}

func (s *Server) getInfo(w http.ResponseWriter, _ *http.Request, _ map[string]string) error {
	writeJSON(w, http.StatusOK, s.backend.Info())
	return nil
}

// getDiskUsage is docker system df. The answer has the shape API versions
// before 1.52 give it, the newest this server speaks.
func (s *Server) getDiskUsage(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	du, err := s.backend.DiskUsage(r.URL.Query()["type"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, du)
	return nil
}
