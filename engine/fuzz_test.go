package engine

import (
	"encoding/json"
	"path"
	"testing"

	"bolsillo/engine/backend"
)

// FuzzCreateRequest: no POST /containers/create body, decoded as the
// server decodes it, makes the engine's parsing of its ports (PortSpecs,
// with network.ParsePort behind every PortBindings key) or of its mounts
// (mountSpecs: binds, --mount, volumes) panic; what they accept is sound:
// a protocol, IPv4 or no host address, absolute and distinct mount
// destinations.
func FuzzCreateRequest(f *testing.F) {
	for _, body := range []string{
		`{"Image":"busybox","ExposedPorts":{"80/tcp":{}},"HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]},"PublishAllPorts":true}}`,
		`{"HostConfig":{"PortBindings":{"53/udp":[{"HostPort":"5300-5310"}],"1/sctp":[],"65535":[{"HostIp":"::","HostPort":"-1"}]}}}`,
		`{"HostConfig":{"PortBindings":{"0/tcp":[{"HostPort":"99999"}],"80-90/tcp":[{"HostPort":"1-"}]}}}`,
		`{"HostConfig":{"Binds":["datos:/data","/srv:/src:ro","/:/host:rw,z","../x:/y","a:b:c:d",":/x","/x:"]}}`,
		`{"HostConfig":{"Mounts":[{"Type":"bind","Source":"/etc","Target":"/etc"},{"Type":"volume","Target":"/etc/"},{"Type":"tmpfs","Target":"relative"}]}}`,
		`{"Volumes":{"/data":{},"data":{},"/":{},"/../..":{}}}`,
	} {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var req backend.CreateRequest
		if json.Unmarshal([]byte(body), &req) != nil || req.HostConfig == nil {
			return
		}
		specs, err := PortSpecs(req.HostConfig, &req.Config)
		if err == nil {
			for _, s := range specs {
				// An unknown protocol is refused by the proxy at start;
				// none at all would be taken for tcp, port 0.
				if s.Proto == "" {
					t.Errorf("port spec without protocol: %+v", s)
				}
				if s.HostIP.IsValid() && !s.HostIP.Is4() {
					t.Errorf("port spec with host address %s", s.HostIP)
				}
			}
		}
		mounts, err := mountSpecs(req.HostConfig, &req.Config, nil)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, m := range mounts {
			if !path.IsAbs(m.Destination) {
				t.Errorf("mount destination %q is not absolute", m.Destination)
			}
			if d := path.Clean(m.Destination); seen[d] {
				t.Errorf("two mounts on %s", d)
			} else {
				seen[d] = true
			}
		}
	})
}
