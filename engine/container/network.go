package container

import (
	"fmt"
	"os"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

// NetworkBridge is the network mode of containers on the daemon's bridge.
const NetworkBridge = "bridge"

// defaultNetworkMode is what "" and "default" mean: the bridge, as in
// Docker.
func defaultNetworkMode(*container.HostConfig) container.NetworkMode {
	return NetworkBridge
}

// NetworkSettings is a running container's place on the bridge network.
// It is recorded at start and cleared when the container stops.
type NetworkSettings struct {
	Network     string // "bridge"
	EndpointID  string
	NetNSPath   string // the network namespace the container joins
	IPAddress   string
	Gateway     string
	IPPrefixLen int
	MacAddress  string
	Ports       []PortBinding
}

// PortBinding is a published port as bound on the host.
type PortBinding struct {
	Proto         string // "tcp" or "udp"
	ContainerPort uint16
	HostIP        string
	HostPort      uint16
}

// NetworkHooks connect containers to a network the manager does not own.
// Both are called with the manager's lock held and must not call back
// into it.
type NetworkHooks struct {
	// Connect prepares the network of a bridge container about to start.
	Connect func(c *Container) (*NetworkSettings, error)
	// Disconnect releases it again when the container has stopped or is
	// removed; it must accept a container that is not connected.
	Disconnect func(c *Container)
}

// SetNetworkHooks sets the bridge network's hooks.
func (m *Manager) SetNetworkHooks(h NetworkHooks) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.netHooks = h
}

// connectNetwork attaches a bridge container before its process starts
// and adds its address to its /etc/hosts. Callers hold m.mu.
func (m *Manager) connectNetwork(c *Container) error {
	c.NetworkSettings = nil
	if c.HostConfig.NetworkMode != NetworkBridge {
		return nil
	}
	if m.netHooks.Connect == nil {
		return fmt.Errorf("network %s is not available in this daemon", NetworkBridge)
	}
	ns, err := m.netHooks.Connect(c.clone())
	if err != nil {
		return err
	}
	c.NetworkSettings = ns
	f, err := os.OpenFile(c.HostsPath(), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = fmt.Fprintf(f, "%s\t%s\n", ns.IPAddress, c.Config.Hostname)
		if closeErr := f.Close(); err == nil {
			err = closeErr
		}
	}
	if err != nil {
		m.disconnectNetwork(c)
		return fmt.Errorf("writing /etc/hosts: %w", err)
	}
	return nil
}

// disconnectNetwork detaches a container from the bridge. Callers hold m.mu.
func (m *Manager) disconnectNetwork(c *Container) {
	if c.NetworkSettings == nil {
		return
	}
	if m.netHooks.Disconnect != nil {
		m.netHooks.Disconnect(c.clone())
	}
	c.NetworkSettings = nil
}

// netNSPath is the network namespace a starting container joins; empty
// gives it a new one (none) or the host's.
func (c *Container) netNSPath() string {
	if c.NetworkSettings == nil {
		return ""
	}
	return c.NetworkSettings.NetNSPath
}

// mergeExposedPorts adds the image's EXPOSEd ports to the container's.
func mergeExposedPorts(cfg *container.Config, img dockerspec.DockerOCIImageConfig) {
	for s := range img.ExposedPorts {
		p, err := network.ParsePort(s)
		if err != nil {
			continue
		}
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = network.PortSet{}
		}
		cfg.ExposedPorts[p] = struct{}{}
	}
}
