package server

import (
	"net/http"

	apinetwork "github.com/moby/moby/api/types/network"

	"bolsillo/engine/errdefs"
)

// networkBackend serves the /networks routes.
type networkBackend interface {
	NetworkList(filters map[string][]string) ([]apinetwork.Summary, error)
	NetworkInspect(ref string) (*apinetwork.Inspect, error)
}

func (s *Server) getNetworks(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	filters, err := parseFilters(r.Form.Get("filters"))
	if err != nil {
		return err
	}
	list, err := s.backend.NetworkList(filters)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

func (s *Server) getNetwork(w http.ResponseWriter, r *http.Request, vars map[string]string) error {
	n, err := s.backend.NetworkInspect(vars["name"])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n)
	return nil
}

// postNetworksPrune is docker network prune, and a step of docker system
// prune. bolsillod has only Docker's three default networks, which prune
// never removes: there is nothing to prune, and the answer says so.
func (s *Server) postNetworksPrune(w http.ResponseWriter, r *http.Request, _ map[string]string) error {
	if err := r.ParseForm(); err != nil {
		return errdefs.InvalidParameter("%s", err.Error())
	}
	if _, err := parseFilters(r.Form.Get("filters")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apinetwork.PruneReport{NetworksDeleted: []string{}})
	return nil
}
