package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	apinetwork "github.com/moby/moby/api/types/network"

	"bolsillo/engine/errdefs"
)

// The fake knows Docker's three predefined networks.

func (f *fakeBackend) NetworkList(filters map[string][]string) ([]apinetwork.Summary, error) {
	out := []apinetwork.Summary{}
	for _, name := range []string{"bridge", "host", "none"} {
		if want := filters["name"]; len(want) > 0 && want[0] != name {
			continue
		}
		out = append(out, apinetwork.Summary{Network: apinetwork.Network{Name: name, ID: name + "-id", Driver: name, Scope: "local"}})
	}
	return out, nil
}

func (f *fakeBackend) NetworkInspect(ref string) (*apinetwork.Inspect, error) {
	switch ref {
	case "bridge", "host", "none":
		return &apinetwork.Inspect{Network: apinetwork.Network{Name: ref, ID: ref + "-id"}, Containers: map[string]apinetwork.EndpointResource{}}, nil
	}
	return nil, errdefs.NotFound("network %s not found", ref)
}

func TestNetworkRoutes(t *testing.T) {
	srv := httptest.NewServer(New(&fakeBackend{}, nil))
	defer srv.Close()
	tests := []struct {
		name     string
		path     string
		wantCode int
		wantBody string
	}{
		{"list", "/v1.50/networks", http.StatusOK, `"Name":"host"`},
		{"list filtered", `/networks?filters={"name":["none"]}`, http.StatusOK, `[{"Name":"none"`},
		{"inspect by name", "/v1.50/networks/bridge", http.StatusOK, `"Id":"bridge-id"`},
		{"inspect unknown", "/networks/nada", http.StatusNotFound, `{"message":"network nada not found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, "GET", srv.URL+strings.ReplaceAll(tt.path, `"`, "%22"), "")
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantCode {
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tt.wantCode, body)
			}
			if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body = %s, want it to contain %s", body, tt.wantBody)
			}
		})
	}
}

func TestNetworkListIsAnArray(t *testing.T) {
	srv := httptest.NewServer(New(&fakeBackend{}, nil))
	defer srv.Close()
	resp := do(t, "GET", srv.URL+"/networks", "")
	defer resp.Body.Close()
	var got []apinetwork.Summary
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Errorf("got %d networks, want 3", len(got))
	}
}
