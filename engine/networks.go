package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	apicontainer "github.com/moby/moby/api/types/container"
	apinetwork "github.com/moby/moby/api/types/network"

	"bolsillo/engine/container"
	"bolsillo/engine/errdefs"
	"bolsillo/engine/network"
)

// openBridge creates the daemon's bridge network (cidr is --bip: "" to
// derive one), clears what a crashed daemon left of its containers'
// endpoints and connects the manager's bridge containers to it.
func openBridge(id, root, cidr string, containers *container.Manager, events *eventBus) (*network.Bridge, error) {
	subnet, err := parseBIP(cidr)
	if err != nil {
		return nil, err
	}
	b, err := network.Open(network.Config{DaemonID: id, Root: filepath.Join(root, "network"), Subnet: subnet, Log: slog.Default()})
	if err != nil {
		return nil, fmt.Errorf("creating the bridge network: %w", err)
	}
	if err := b.Reconcile(); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("cleaning the bridge network: %w", err)
	}
	netID := hashID("network", id, network.Name) // as Engine.networkID
	containers.SetNetworkHooks(container.NetworkHooks{
		Connect: func(c *container.Container) (*container.NetworkSettings, error) {
			ns, err := connectBridge(b, c)
			if err == nil {
				events.publish(networkEvent("connect", netID, network.Name, c.ID))
			}
			return ns, err
		},
		Disconnect: func(c *container.Container) {
			_ = b.Detach(c.ID)
			events.publish(networkEvent("disconnect", netID, network.Name, c.ID))
		},
	})
	return b, nil
}

// parseBIP parses --bip as Docker does: the bridge's address and prefix
// ("10.99.0.1/24"); a network address is accepted too.
func parseBIP(cidr string) (netip.Prefix, error) {
	if cidr == "" {
		return netip.Prefix{}, nil
	}
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("invalid --bip %q: want an IPv4 CIDR such as 10.99.0.1/24", cidr)
	}
	return p.Masked(), nil
}

// connectBridge attaches a starting container with its published ports.
func connectBridge(b *network.Bridge, c *container.Container) (*container.NetworkSettings, error) {
	specs, err := PortSpecs(c.HostConfig, c.Config)
	if err != nil {
		return nil, err
	}
	ep, err := b.Attach(c.ID, specs)
	if err != nil {
		var inUse *network.PortInUseError
		if errors.As(err, &inUse) {
			return nil, fmt.Errorf("driver failed programming external connectivity on endpoint %s (%s): %w", c.Name, endpointID(c.ID), err)
		}
		return nil, err
	}
	ns := &container.NetworkSettings{
		Network:     network.Name,
		EndpointID:  endpointID(c.ID),
		NetNSPath:   ep.NetNSPath,
		IPAddress:   ep.IP.String(),
		Gateway:     ep.Gateway.String(),
		IPPrefixLen: ep.Prefix,
		MacAddress:  ep.MAC,
	}
	for _, p := range ep.Ports {
		ns.Ports = append(ns.Ports, container.PortBinding{Proto: p.Proto, ContainerPort: p.ContainerPort, HostIP: p.HostIP.String(), HostPort: p.HostPort})
	}
	return ns, nil
}

// PortSpecs are the ports a container publishes: its PortBindings and,
// with PublishAllPorts (-P), every other exposed port on a free host port.
func PortSpecs(hc *apicontainer.HostConfig, cfg *apicontainer.Config) ([]network.PortSpec, error) {
	var out []network.PortSpec
	for port, bindings := range hc.PortBindings {
		if !port.IsValid() {
			return nil, errdefs.InvalidParameter(`invalid port specification: ""`)
		}
		if len(bindings) == 0 {
			bindings = []apinetwork.PortBinding{{}}
		}
		for _, pb := range bindings {
			s := network.PortSpec{Proto: string(port.Proto()), ContainerPort: port.Num(), HostIP: pb.HostIP}
			if s.HostIP.IsValid() && !s.HostIP.Is4() {
				continue // IPv6 host addresses: only IPv4 is proxied
			}
			if pb.HostPort != "" {
				lo, hi, isRange := strings.Cut(pb.HostPort, "-")
				n, err := strconv.ParseUint(lo, 10, 16)
				if err == nil && isRange {
					// A host range for one port: its first port is taken.
					_, err = strconv.ParseUint(hi, 10, 16)
				}
				if err != nil {
					return nil, errdefs.InvalidParameter("invalid port specification: %q", pb.HostPort)
				}
				s.HostPort = uint16(n)
			}
			out = append(out, s)
		}
	}
	if hc.PublishAllPorts && cfg != nil {
		for port := range cfg.ExposedPorts {
			if _, bound := hc.PortBindings[port]; !bound && port.IsValid() {
				out = append(out, network.PortSpec{Proto: string(port.Proto()), ContainerPort: port.Num()})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ContainerPort != out[j].ContainerPort {
			return out[i].ContainerPort < out[j].ContainerPort
		}
		return out[i].Proto < out[j].Proto
	})
	return out, nil
}

// endpointID is the stable id of a container's endpoint on the bridge.
func endpointID(containerID string) string { return hashID("endpoint", containerID) }

// networkID is the id of one of the daemon's networks.
func (e *Engine) networkID(name string) string { return hashID("network", e.id, name) }

func hashID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// networkSettings is the NetworkSettings of container inspect: published
// ports (exposed ones with null) and the container's network endpoint.
func (e *Engine) networkSettings(c *container.Container) *apicontainer.NetworkSettings {
	out := &apicontainer.NetworkSettings{Ports: apinetwork.PortMap{}, Networks: map[string]*apinetwork.EndpointSettings{}}
	mode := string(c.HostConfig.NetworkMode)
	ns := c.NetworkSettings
	if !c.State.Running() {
		ns = nil // a crashed daemon's record may still hold one
	}
	if mode != "" {
		out.Networks[mode] = e.endpointSettings(mode, ns)
	}
	if ns != nil {
		out.SandboxKey = ns.NetNSPath
		out.SandboxID = hashID("sandbox", c.ID)
	}
	if mode != container.NetworkBridge {
		return out
	}
	for p := range c.Config.ExposedPorts {
		out.Ports[p] = nil
	}
	if ns == nil {
		return out
	}
	for _, b := range ns.Ports {
		p, ok := apinetwork.PortFrom(b.ContainerPort, apinetwork.IPProtocol(b.Proto))
		if !ok {
			continue
		}
		ip, _ := netip.ParseAddr(b.HostIP)
		out.Ports[p] = append(out.Ports[p], apinetwork.PortBinding{HostIP: ip, HostPort: strconv.Itoa(int(b.HostPort))})
	}
	return out
}

// endpointSettings is a container's entry in NetworkSettings.Networks.
func (e *Engine) endpointSettings(mode string, ns *container.NetworkSettings) *apinetwork.EndpointSettings {
	es := &apinetwork.EndpointSettings{NetworkID: e.networkID(mode)}
	if ns == nil {
		return es
	}
	es.EndpointID = ns.EndpointID
	es.IPAddress, _ = netip.ParseAddr(ns.IPAddress)
	es.Gateway, _ = netip.ParseAddr(ns.Gateway)
	es.IPPrefixLen = ns.IPPrefixLen
	if mac, err := net.ParseMAC(ns.MacAddress); err == nil {
		es.MacAddress = apinetwork.HardwareAddr(mac)
	}
	return es
}

// portSummary is the Ports of docker ps: bound ports, then exposed ones
// that are not published.
func (e *Engine) portSummary(c *container.Container) []apicontainer.PortSummary {
	out := []apicontainer.PortSummary{}
	bound := map[apinetwork.Port]bool{}
	if ns := c.NetworkSettings; ns != nil && c.State.Running() {
		for _, b := range ns.Ports {
			ip, _ := netip.ParseAddr(b.HostIP)
			out = append(out, apicontainer.PortSummary{IP: ip, PrivatePort: b.ContainerPort, PublicPort: b.HostPort, Type: b.Proto})
			if p, ok := apinetwork.PortFrom(b.ContainerPort, apinetwork.IPProtocol(b.Proto)); ok {
				bound[p] = true
			}
		}
	}
	for p := range c.Config.ExposedPorts {
		if !bound[p] {
			out = append(out, apicontainer.PortSummary{PrivatePort: p.Num(), Type: string(p.Proto())})
		}
	}
	return out
}

// networkSummary is the NetworkSettings of docker ps.
func (e *Engine) networkSummary(c *container.Container) *apicontainer.NetworkSettingsSummary {
	return &apicontainer.NetworkSettingsSummary{Networks: e.networkSettings(c).Networks}
}

// NetworkList is GET /networks: bridge, host and none, as Docker's
// predefined networks.
func (e *Engine) NetworkList(filters map[string][]string) ([]apinetwork.Summary, error) {
	out := []apinetwork.Summary{}
	for _, name := range []string{container.NetworkBridge, "host", "none"} {
		n := e.network(name)
		if !matchNetwork(n, filters) {
			continue
		}
		out = append(out, apinetwork.Summary{Network: n.Network})
	}
	return out, nil
}

// matchNetwork applies the name, id and driver filters of network ls.
func matchNetwork(n *apinetwork.Inspect, filters map[string][]string) bool {
	for key, vals := range filters {
		ok := false
		for _, v := range vals {
			switch key {
			case "name":
				ok = ok || strings.Contains(n.Name, v)
			case "id":
				ok = ok || strings.HasPrefix(n.ID, v)
			case "driver":
				ok = ok || n.Driver == v
			default:
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// NetworkInspect is GET /networks/{id}: by name, full id or id prefix.
func (e *Engine) NetworkInspect(ref string) (*apinetwork.Inspect, error) {
	for _, name := range []string{container.NetworkBridge, "host", "none"} {
		id := e.networkID(name)
		if ref == name || ref == id || (len(ref) >= 1 && strings.HasPrefix(id, ref)) {
			return e.network(name), nil
		}
	}
	return nil, errdefs.NotFound("network %s not found", ref)
}

// network describes one of the daemon's networks and its running containers.
func (e *Engine) network(name string) *apinetwork.Inspect {
	n := &apinetwork.Inspect{
		Network: apinetwork.Network{
			Name:       name,
			ID:         e.networkID(name),
			Created:    e.started.Truncate(time.Second),
			Scope:      "local",
			Driver:     name,
			EnableIPv4: true,
			IPAM:       apinetwork.IPAM{Driver: "default", Config: []apinetwork.IPAMConfig{}},
			Options:    map[string]string{},
			Labels:     map[string]string{},
		},
		Containers: map[string]apinetwork.EndpointResource{},
	}
	if name == "none" {
		n.Driver = "null"
	}
	if name == container.NetworkBridge && e.bridge != nil {
		n.IPAM.Config = []apinetwork.IPAMConfig{{Subnet: e.bridge.Subnet(), Gateway: e.bridge.Gateway()}}
		n.Options = map[string]string{
			"com.docker.network.bridge.name":                 e.bridge.Name(),
			"com.docker.network.bridge.enable_ip_masquerade": "true",
		}
	}
	for _, c := range e.containers.List() {
		if string(c.HostConfig.NetworkMode) != name || !c.State.Running() {
			continue
		}
		r := apinetwork.EndpointResource{Name: c.Name}
		if ns := c.NetworkSettings; ns != nil {
			r.EndpointID = ns.EndpointID
			if ip, err := netip.ParseAddr(ns.IPAddress); err == nil {
				r.IPv4Address = netip.PrefixFrom(ip, ns.IPPrefixLen)
			}
			if mac, err := net.ParseMAC(ns.MacAddress); err == nil {
				r.MacAddress = apinetwork.HardwareAddr(mac)
			}
		}
		n.Containers[c.ID] = r
	}
	return n
}
