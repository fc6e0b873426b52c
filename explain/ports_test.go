package explain

import (
	"net/netip"
	"strings"
	"testing"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/network"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// portsContainer is `web` publishing ctr on host (asked: what -p said).
func portsContainer(ctr, host, asked string) container.InspectResponse {
	p := network.MustParsePort(ctr)
	return container.InspectResponse{
		ID:         strings.Repeat("ab", 32),
		Name:       "/web",
		HostConfig: &container.HostConfig{PortBindings: network.PortMap{p: {{HostPort: asked}}}},
		NetworkSettings: &container.NetworkSettings{
			Ports:    network.PortMap{p: {{HostIP: netip.IPv4Unspecified(), HostPort: host}}},
			Networks: map[string]*network.EndpointSettings{"bridge": {IPAddress: netip.MustParseAddr("10.1.2.2")}},
		},
	}
}

func exposing(ports ...string) image.InspectResponse {
	set := map[string]struct{}{}
	for _, p := range ports {
		set[p] = struct{}{}
	}
	return image.InspectResponse{Config: &dockerspec.DockerOCIImageConfig{ImageConfig: ocispec.ImageConfig{ExposedPorts: set}}}
}

func TestPorts(t *testing.T) {
	tests := []struct {
		name    string
		data    PortsData
		want    []string
		notWant []string
	}{
		{
			name:    "the mapping, in the student's numbers",
			data:    PortsData{Container: portsContainer("80/tcp", "8080", "8080"), Image: exposing("80/tcp"), Listening: map[string]bool{"8080/tcp": true}},
			want:    []string{"Tu puerto 8080 lleva al puerto 80 del contenedor `web`", "`curl http://127.0.0.1:8080/`", "`-p PUERTO_TUYO:PUERTO_DEL_CONTENEDOR`", "`10.1.2.2`"},
			notWant: []string{"nada escucha", "EXPOSE"},
		},
		{
			name: "reversed order",
			data: PortsData{Container: portsContainer("8080/tcp", "80", "80"), Image: exposing("80/tcp"), Listening: map[string]bool{"80/tcp": false}},
			want: []string{"no declara el puerto 8080 con `EXPOSE`", "al revés? Lo habitual sería `-p 8080:80`", "nada escucha en el puerto 8080"},
		},
		{
			name: "a free port",
			data: PortsData{Container: portsContainer("80/tcp", "32768", "")},
			want: []string{"Tu puerto 32768 lleva al puerto 80", "se tomó uno libre (lo ves con `bolsillo port web`)"},
		},
		{
			name:    "udp is not probed",
			data:    PortsData{Container: portsContainer("53/udp", "5353", "5353")},
			want:    []string{"al puerto 53 del contenedor `web` (UDP)."},
			notWant: []string{"curl", "nada escucha"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Ports(tt.data)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in:\n%s", w, got)
				}
			}
		})
	}
	if got := Ports(PortsData{Container: container.InspectResponse{Name: "/x"}}); got != "" {
		t.Errorf("Ports without published ports = %q, want empty", got)
	}
}

func TestPortInUse(t *testing.T) {
	msg := "Error response from daemon: driver failed programming external connectivity on endpoint web2 (abc): Bind for 0.0.0.0:8080 failed: port is already allocated"
	web := container.Summary{Names: []string{"/web"}, Ports: []container.PortSummary{{PrivatePort: 80, PublicPort: 8080, Type: "tcp"}}}
	other := container.Summary{Names: []string{"/otro"}, Ports: []container.PortSummary{{PrivatePort: 80, PublicPort: 9090, Type: "tcp"}}}
	tests := []struct {
		name    string
		running []container.Summary
	}{
		{"held_by_container", []container.Summary{other, web}},
		{"held_by_host_program", []container.Summary{other}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PortInUse(msg, tt.running)
			if !ok {
				t.Fatal("PortInUse did not recognise the error")
			}
			assertGolden(t, got)
		})
	}
	if _, ok := PortInUse("No such container: web", nil); ok {
		t.Error("PortInUse recognised an unrelated error")
	}
}

func TestNetworkList(t *testing.T) {
	nets := []network.Summary{
		{Network: network.Network{Name: "bridge", Driver: "bridge", IPAM: network.IPAM{Config: []network.IPAMConfig{{Subnet: netip.MustParsePrefix("10.42.7.0/24")}}}}},
		{Network: network.Network{Name: "host", Driver: "host"}},
		{Network: network.Network{Name: "none", Driver: "null"}},
	}
	assertGolden(t, NetworkList(nets))
}
