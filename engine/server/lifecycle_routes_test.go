package server

import (
	"context"
	"encoding/json"
	"testing"

	apicontainer "github.com/moby/moby/api/types/container"

	"bolsillo/engine/errdefs"
)

func (f *fakeBackend) ContainerRename(ref, newName string) error {
	if newName == "ocupado" {
		return errdefs.Conflict(`Conflict. The container name "/ocupado" is already in use by container "abc".`)
	}
	return nil
}

func (f *fakeBackend) ContainersPrune(context.Context, map[string][]string) (*apicontainer.PruneReport, error) {
	return &apicontainer.PruneReport{ContainersDeleted: []string{"abc"}, SpaceReclaimed: 12}, nil
}

func TestLegacyNetworkSettings(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]any
	}{
		{"on the bridge",
			`{"Id":"a","NetworkSettings":{"Networks":{"bridge":{"IPAddress":"10.1.2.3","IPPrefixLen":24,"Gateway":"10.1.2.1","MacAddress":"02:42:0a:01:02:03"}}}}`,
			map[string]any{"IPAddress": "10.1.2.3", "IPPrefixLen": float64(24), "Gateway": "10.1.2.1", "MacAddress": "02:42:0a:01:02:03"}},
		{"network none",
			`{"Id":"a","NetworkSettings":{"Networks":{"none":{}}}}`,
			map[string]any{"IPAddress": "", "IPPrefixLen": 0, "Gateway": "", "MacAddress": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in map[string]any
			if err := json.Unmarshal([]byte(tt.in), &in); err != nil {
				t.Fatal(err)
			}
			got, err := withLegacyNetworkSettings(in)
			if err != nil {
				t.Fatal(err)
			}
			ns := got["NetworkSettings"].(map[string]any)
			for k, want := range tt.want {
				if ns[k] != want {
					t.Errorf("NetworkSettings.%s = %v, want %v", k, ns[k], want)
				}
			}
		})
	}
}
