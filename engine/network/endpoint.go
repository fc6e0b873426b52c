package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// netnsDir holds the containers' network namespaces, bind-mounted on
// files named after the container IDs.
const netnsDir = "netns"

// vethPrefix starts the name of every container's host-side veth.
const vethPrefix = "veth"

// Endpoint is a container attached to the bridge: its namespace, its
// veth pair, its address and its published ports.
type Endpoint struct {
	ContainerID string
	// NetNSPath is the container's network namespace; the runtime joins it.
	NetNSPath string
	// HostVeth is the host end of the veth pair, a port of the bridge.
	HostVeth string
	IP       netip.Addr
	Gateway  netip.Addr
	Prefix   int
	MAC      string
	// Ports are the published ports, bound on the host.
	Ports []Binding

	proxies []proxy
}

// vethName is the host end's name for a container: "veth" and 10 hex
// digits of its ID, within IFNAMSIZ.
func vethName(containerID string) string {
	if len(containerID) > 10 {
		containerID = containerID[:10]
	}
	return vethPrefix + containerID
}

// macFor is Docker's bridge MAC for an address: 02:42 and the IPv4 bytes.
func macFor(ip netip.Addr) net.HardwareAddr {
	b := ip.As4()
	return net.HardwareAddr{0x02, 0x42, b[0], b[1], b[2], b[3]}
}

// Attach connects a container to the bridge: a new network namespace with
// lo up and eth0 holding the next free address, the default route via the
// bridge, and ports bound on the host. On error nothing is left of it.
func (b *Bridge) Attach(containerID string, ports []PortSpec) (_ *Endpoint, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ep, ok := b.endpoints[containerID]; ok {
		return ep, nil
	}
	ip, err := b.ipam.allocate(containerID)
	if err != nil {
		return nil, err
	}
	ep := &Endpoint{
		ContainerID: containerID,
		NetNSPath:   filepath.Join(b.root, netnsDir, containerID),
		HostVeth:    vethName(containerID),
		IP:          ip,
		Gateway:     b.gateway,
		Prefix:      b.subnet.Bits(),
		MAC:         macFor(ip).String(),
	}
	defer func() {
		if err != nil {
			_ = b.teardown(ep)
		}
	}()
	if err := newNetNS(ep.NetNSPath); err != nil {
		return nil, err
	}
	if err := b.plugVeth(ep); err != nil {
		return nil, err
	}
	for _, spec := range ports {
		p, binding, err := listen(spec, ep.IP)
		if err != nil {
			return nil, err
		}
		ep.proxies = append(ep.proxies, p)
		ep.Ports = append(ep.Ports, binding)
	}
	b.endpoints[containerID] = ep
	return ep, nil
}

// Detach undoes Attach: the ports are released, the veth pair and the
// namespace deleted and the address freed. Detaching a container that is
// not attached cleans whatever a crash may have left of it.
func (b *Bridge) Detach(containerID string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	ep, ok := b.endpoints[containerID]
	if !ok {
		ep = &Endpoint{
			ContainerID: containerID,
			NetNSPath:   filepath.Join(b.root, netnsDir, containerID),
			HostVeth:    vethName(containerID),
		}
	}
	delete(b.endpoints, containerID)
	return b.teardown(ep)
}

// Endpoint is the live endpoint of an attached container.
func (b *Bridge) Endpoint(containerID string) (*Endpoint, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ep, ok := b.endpoints[containerID]
	return ep, ok
}

// Reconcile removes what a previous daemon left for containers that are
// not attached now: veths on the bridge, namespaces and addresses.
func (b *Bridge) Reconcile() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []error
	attached := func(name string, id func(*Endpoint) string) bool {
		for _, ep := range b.endpoints {
			if id(ep) == name {
				return true
			}
		}
		return false
	}
	if br, err := netlink.LinkByName(b.name); err == nil {
		links, err := netlink.LinkList()
		if err != nil {
			return err
		}
		for _, l := range links {
			name := l.Attrs().Name
			if l.Attrs().MasterIndex != br.Attrs().Index || !strings.HasPrefix(name, vethPrefix) ||
				attached(name, func(ep *Endpoint) string { return ep.HostVeth }) {
				continue
			}
			errs = append(errs, netlink.LinkDel(l))
		}
	}
	ents, _ := os.ReadDir(filepath.Join(b.root, netnsDir))
	for _, ent := range ents {
		if attached(ent.Name(), func(ep *Endpoint) string { return ep.ContainerID }) {
			continue
		}
		errs = append(errs, removeNetNS(filepath.Join(b.root, netnsDir, ent.Name())))
	}
	for _, id := range b.ipam.owners() {
		if _, ok := b.endpoints[id]; !ok {
			errs = append(errs, b.ipam.release(id))
		}
	}
	return errors.Join(errs...)
}

// teardown releases what ep holds, whatever Attach got to. Callers hold b.mu.
func (b *Bridge) teardown(ep *Endpoint) error {
	var errs []error
	for _, p := range ep.proxies {
		errs = append(errs, p.Close())
	}
	ep.proxies = nil
	if l, err := netlink.LinkByName(ep.HostVeth); err == nil {
		errs = append(errs, netlink.LinkDel(l))
	}
	errs = append(errs, removeNetNS(ep.NetNSPath), b.ipam.release(ep.ContainerID))
	return errors.Join(errs...)
}

// plugVeth creates the veth pair, puts its host end on the bridge and its
// peer in the container's namespace as eth0 with ep's address.
func (b *Bridge) plugVeth(ep *Endpoint) error {
	br, err := netlink.LinkByName(b.name)
	if err != nil {
		return fmt.Errorf("looking up bridge %s: %w", b.name, err)
	}
	peerName := "tmp" + ep.ContainerID[:min(len(ep.ContainerID), 10)]
	attrs := netlink.NewLinkAttrs()
	attrs.Name = ep.HostVeth
	attrs.MasterIndex = br.Attrs().Index
	attrs.MTU = br.Attrs().MTU
	veth := &netlink.Veth{LinkAttrs: attrs, PeerName: peerName}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("creating veth pair %s: %w", ep.HostVeth, err)
	}
	host, err := netlink.LinkByName(ep.HostVeth)
	if err != nil {
		return err
	}
	if err := netlink.LinkSetUp(host); err != nil {
		return fmt.Errorf("bringing %s up: %w", ep.HostVeth, err)
	}
	peer, err := netlink.LinkByName(peerName)
	if err != nil {
		return err
	}
	ns, err := netns.GetFromPath(ep.NetNSPath)
	if err != nil {
		return fmt.Errorf("opening network namespace: %w", err)
	}
	defer ns.Close()
	if err := netlink.LinkSetNsFd(peer, int(ns)); err != nil {
		return fmt.Errorf("moving %s into the container: %w", peerName, err)
	}

	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("netlink in the container's namespace: %w", err)
	}
	defer h.Close()
	lo, err := h.LinkByName("lo")
	if err != nil {
		return err
	}
	if err := h.LinkSetUp(lo); err != nil {
		return fmt.Errorf("bringing lo up: %w", err)
	}
	eth, err := h.LinkByName(peerName)
	if err != nil {
		return err
	}
	if err := h.LinkSetName(eth, "eth0"); err != nil {
		return fmt.Errorf("naming eth0: %w", err)
	}
	if err := h.LinkSetHardwareAddr(eth, macFor(ep.IP)); err != nil {
		return fmt.Errorf("setting eth0's MAC: %w", err)
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: ep.IP.AsSlice(), Mask: net.CIDRMask(ep.Prefix, 32)}}
	if err := h.AddrAdd(eth, addr); err != nil {
		return fmt.Errorf("giving eth0 %s: %w", addr.IPNet, err)
	}
	if err := h.LinkSetUp(eth); err != nil {
		return fmt.Errorf("bringing eth0 up: %w", err)
	}
	route := &netlink.Route{LinkIndex: eth.Attrs().Index, Gw: ep.Gateway.AsSlice()}
	if err := h.RouteAdd(route); err != nil {
		return fmt.Errorf("adding the default route via %s: %w", ep.Gateway, err)
	}
	return nil
}

// newNetNS creates a network namespace and keeps it alive by binding it
// on path. The namespace is made on a thread of its own that is thrown
// away afterwards, so no other goroutine ever runs in it.
func newNetNS(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0o444)
	if err != nil {
		return fmt.Errorf("creating network namespace file: %w", err)
	}
	f.Close()
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the thread ends with the goroutine.
		goruntime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("creating network namespace: %w", err)
			return
		}
		src := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
		if err := unix.Mount(src, path, "", unix.MS_BIND, ""); err != nil {
			errc <- fmt.Errorf("binding network namespace on %s: %w", path, err)
			return
		}
		errc <- nil
	}()
	if err := <-errc; err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

// removeNetNS unbinds and removes a namespace made by newNetNS; it is gone
// once its last process has exited too.
func removeNetNS(path string) error {
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmounting network namespace %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
