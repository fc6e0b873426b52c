package runtime

import (
	"testing"

	"github.com/opencontainers/runtime-spec/specs-go"
)

func TestOCISpecNetworkNamespace(t *testing.T) {
	tests := []struct {
		name     string
		spec     Spec
		wantNet  bool
		wantPath string
	}{
		{"none: a new namespace", Spec{NetworkMode: NetworkNone}, true, ""},
		{"host: the host's", Spec{NetworkMode: NetworkHost}, false, ""},
		{"bridge: the namespace prepared for it", Spec{NetworkMode: "bridge", NetNSPath: "/data/network/netns/abc"}, true, "/data/network/netns/abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.ID, tt.spec.Rootfs, tt.spec.Args = testID, "/r", []string{"true"}
			s, err := ociSpec(tt.spec, execUser{}, "p", fixedHost(false))
			if err != nil {
				t.Fatal(err)
			}
			var net *specs.LinuxNamespace
			for i, ns := range s.Linux.Namespaces {
				if ns.Type == specs.NetworkNamespace {
					net = &s.Linux.Namespaces[i]
				}
			}
			if (net != nil) != tt.wantNet {
				t.Fatalf("network namespace present = %v, want %v", net != nil, tt.wantNet)
			}
			if net != nil && net.Path != tt.wantPath {
				t.Errorf("network namespace path = %q, want %q", net.Path, tt.wantPath)
			}
		})
	}
}
