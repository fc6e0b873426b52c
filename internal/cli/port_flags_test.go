package cli

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/moby/moby/api/types/container"
)

func TestParsePublish(t *testing.T) {
	tests := []struct {
		in      string
		want    string // "port host-ip:host-port" per line
		wantErr bool
	}{
		{in: "8080:80", want: "80/tcp :8080"},
		{in: "80", want: "80/tcp :"},
		{in: "127.0.0.1:8080:80", want: "80/tcp 127.0.0.1:8080"},
		{in: "127.0.0.1::80", want: "80/tcp 127.0.0.1:"},
		{in: "5353:53/udp", want: "53/udp :5353"},
		{in: "8080-8081:80-81", want: "80/tcp :8080 81/tcp :8081"},
		{in: "8080-8090:80", want: "80/tcp :8080-8090"},
		{in: "[::1]:8080:80", want: "80/tcp ::1:8080"},
		{in: "80:abc", wantErr: true},
		{in: "0", wantErr: true},
		{in: "70000:80", wantErr: true},
		{in: "8080-8082:80-81", wantErr: true},
		{in: "8080:80/sctpx", wantErr: true},
		{in: "1:2:3:4", wantErr: true},
		{in: "nope:8080:80", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parsePublish(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parsePublish(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			var s string
			for i, p := range got {
				if i > 0 {
					s += " "
				}
				ip := ""
				if p.binding.HostIP != (netip.Addr{}) {
					ip = p.binding.HostIP.String()
				}
				s += fmt.Sprintf("%s %s:%s", p.port, ip, p.binding.HostPort)
			}
			if s != tt.want {
				t.Errorf("parsePublish(%q) = %q, want %q", tt.in, s, tt.want)
			}
		})
	}
}

func TestPortFlagsImplyBridge(t *testing.T) {
	tests := []struct {
		network string
		want    string
		wantErr bool
	}{
		{network: "default", want: "bridge"},
		{network: "", want: "bridge"},
		{network: "bridge", want: "bridge"},
		{network: "none", wantErr: true},
		{network: "host", wantErr: true},
	}
	for _, tt := range tests {
		spec := newTestSpec()
		spec.HostConfig.NetworkMode = containerNetworkMode(tt.network)
		err := portFlags{publish: []string{"8080:80"}}.apply(spec)
		if (err != nil) != tt.wantErr {
			t.Errorf("network %q: error = %v, wantErr %v", tt.network, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && string(spec.HostConfig.NetworkMode) != tt.want {
			t.Errorf("network %q became %q, want %q", tt.network, spec.HostConfig.NetworkMode, tt.want)
		}
	}
}

func newTestSpec() *containerSpec {
	return &containerSpec{Config: &container.Config{}, HostConfig: &container.HostConfig{}}
}

func containerNetworkMode(s string) container.NetworkMode { return container.NetworkMode(s) }
