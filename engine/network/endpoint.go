package network

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
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

// spareCount is how many endpoints the bridge keeps plugged and ready.
// Creating a namespace and a veth pair costs tens of milliseconds, and so
// does deleting them: both happen off the container's start and exit
// paths, so a container on the bridge starts about as fast as one without
// a network.
const spareCount = 1

// Endpoint is a container's place on the bridge: its namespace, its veth
// pair, its address and its published ports.
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

	// key names the namespace file, the host veth and the address
	// allocation. Endpoints are made before they have a container.
	key     string
	proxies []proxy
}

// newKey returns a random endpoint key: 16 hex digits.
func newKey() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return hex.EncodeToString(b)
}

// vethName is the host end's name for an endpoint key: "veth" and 10 hex
// digits, within IFNAMSIZ.
func vethName(key string) string {
	if len(key) > 10 {
		key = key[:10]
	}
	return vethPrefix + key
}

// macFor is Docker's bridge MAC for an address: 02:42 and the IPv4 bytes.
func macFor(ip netip.Addr) net.HardwareAddr {
	b := ip.As4()
	return net.HardwareAddr{0x02, 0x42, b[0], b[1], b[2], b[3]}
}

// Attach connects a container to the bridge: a network namespace with lo
// up and eth0 holding a free address, the default route via the bridge,
// and ports bound on the host. The namespace is a spare made beforehand
// when there is one. On error nothing is left of it.
func (b *Bridge) Attach(containerID string, ports []PortSpec) (*Endpoint, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, errors.New("the bridge network is closed")
	}
	if ep, ok := b.endpoints[containerID]; ok {
		b.mu.Unlock()
		return ep, nil
	}
	var ep *Endpoint
	if n := len(b.spares); n > 0 {
		ep, b.spares = b.spares[n-1], b.spares[:n-1]
	}
	b.mu.Unlock()
	if ep == nil {
		var err error
		if ep, err = b.prepare(); err != nil {
			return nil, err
		}
	}
	b.wantSpares()
	ep.ContainerID = containerID
	for _, spec := range ports {
		p, binding, err := listen(spec, ep.IP)
		if err != nil {
			b.retire(ep)
			return nil, err
		}
		ep.proxies = append(ep.proxies, p)
		ep.Ports = append(ep.Ports, binding)
	}
	b.mu.Lock()
	b.endpoints[containerID] = ep
	b.mu.Unlock()
	return ep, nil
}

// Detach undoes Attach: the ports are released at once; the veth pair and
// the namespace are deleted and the address freed in the background.
// Detaching a container that is not attached does nothing: what a crashed
// daemon left is Reconcile's.
func (b *Bridge) Detach(containerID string) error {
	b.mu.Lock()
	ep, ok := b.endpoints[containerID]
	delete(b.endpoints, containerID)
	b.mu.Unlock()
	if !ok {
		return nil
	}
	b.retire(ep)
	return nil
}

// Endpoint is the live endpoint of an attached container.
func (b *Bridge) Endpoint(containerID string) (*Endpoint, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ep, ok := b.endpoints[containerID]
	return ep, ok
}

// knownKeys returns the keys of every endpoint this bridge holds: attached
// to a container, spare, or being made or deleted. The caller holds b.mu.
func (b *Bridge) knownKeys() map[string]bool {
	known := make(map[string]bool, len(b.endpoints)+len(b.spares)+len(b.busy))
	for _, ep := range b.endpoints {
		known[ep.key] = true
	}
	for _, ep := range b.spares {
		known[ep.key] = true
	}
	for key := range b.busy {
		known[key] = true
	}
	return known
}

// Reconcile removes what a previous daemon left: veths on the bridge,
// namespaces and addresses that belong to no endpoint of this one. Then it
// starts making spares.
func (b *Bridge) Reconcile() error {
	b.mu.Lock()
	var errs []error
	known := b.knownKeys()
	knownVeth := make(map[string]bool, len(known))
	for key := range known {
		knownVeth[vethName(key)] = true
	}
	if br, err := netlink.LinkByName(b.name); err == nil {
		links, err := netlink.LinkList()
		if err != nil {
			b.mu.Unlock()
			return err
		}
		for _, l := range links {
			name := l.Attrs().Name
			if l.Attrs().MasterIndex != br.Attrs().Index || !strings.HasPrefix(name, vethPrefix) || knownVeth[name] {
				continue
			}
			errs = append(errs, netlink.LinkDel(l))
		}
	}
	ents, _ := os.ReadDir(filepath.Join(b.root, netnsDir))
	for _, ent := range ents {
		if !known[ent.Name()] {
			errs = append(errs, removeNetNS(filepath.Join(b.root, netnsDir, ent.Name())))
		}
	}
	for _, key := range b.ipam.owners() {
		if !known[key] {
			errs = append(errs, b.ipam.release(key))
		}
	}
	b.mu.Unlock()
	b.wantSpares()
	return errors.Join(errs...)
}

// prepare makes a new endpoint without a container: an address, a
// namespace and a veth pair plugged into the bridge.
func (b *Bridge) prepare() (_ *Endpoint, err error) {
	key := newKey()
	b.mu.Lock()
	ip, err := b.ipam.allocate(key)
	if err == nil {
		b.busy[key] = true
	}
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	ep := &Endpoint{
		NetNSPath: filepath.Join(b.root, netnsDir, key),
		HostVeth:  vethName(key),
		IP:        ip,
		Gateway:   b.gateway,
		Prefix:    b.subnet.Bits(),
		MAC:       macFor(ip).String(),
		key:       key,
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, b.destroy(ep))
		}
		b.mu.Lock()
		delete(b.busy, key)
		b.mu.Unlock()
	}()
	if err := newNetNS(ep.NetNSPath); err != nil {
		return nil, err
	}
	if err := b.plugVeth(ep); err != nil {
		return nil, err
	}
	return ep, nil
}

// retire releases an endpoint's ports at once and deletes the rest in the
// background; Close waits for it. Once the bridge is closing, it deletes
// in the foreground.
func (b *Bridge) retire(ep *Endpoint) {
	for _, p := range ep.proxies {
		if err := p.Close(); err != nil {
			b.log.Warn("no se pudo cerrar un puerto publicado", "container", ep.ContainerID, "err", err)
		}
	}
	ep.proxies = nil
	b.mu.Lock()
	closed := b.closed
	if !closed {
		b.busy[ep.key] = true
		b.deleting.Add(1)
	}
	b.mu.Unlock()
	if closed {
		if err := b.destroy(ep); err != nil {
			b.log.Warn("no se pudo borrar la red de un contenedor", "container", ep.ContainerID, "err", err)
		}
		return
	}
	go func() {
		defer b.deleting.Done()
		if err := b.destroy(ep); err != nil {
			b.log.Warn("no se pudo borrar la red de un contenedor", "container", ep.ContainerID, "err", err)
		}
		b.mu.Lock()
		delete(b.busy, ep.key)
		b.mu.Unlock()
	}()
}

// destroy deletes an endpoint's veth pair and namespace and frees its
// address, whatever prepare got to.
func (b *Bridge) destroy(ep *Endpoint) error {
	var errs []error
	if l, err := netlink.LinkByName(ep.HostVeth); err == nil {
		errs = append(errs, netlink.LinkDel(l))
	}
	errs = append(errs, removeNetNS(ep.NetNSPath))
	b.mu.Lock()
	errs = append(errs, b.ipam.release(ep.key))
	b.mu.Unlock()
	return errors.Join(errs...)
}

// wantSpares asks the spare maker for more, without waiting.
func (b *Bridge) wantSpares() {
	select {
	case b.refill <- struct{}{}:
	default:
	}
}

// makeSpares keeps spareCount endpoints ready until the bridge closes.
func (b *Bridge) makeSpares() {
	defer b.bg.Done()
	for {
		select {
		case <-b.quit:
			return
		case <-b.refill:
		}
		for {
			b.mu.Lock()
			need := !b.closed && len(b.spares) < spareCount
			b.mu.Unlock()
			if !need {
				break
			}
			ep, err := b.prepare()
			if err != nil {
				b.log.Warn("no se pudo preparar la red del próximo contenedor", "err", err)
				break
			}
			b.mu.Lock()
			if b.closed {
				b.mu.Unlock()
				_ = b.destroy(ep)
				return
			}
			b.spares = append(b.spares, ep)
			b.mu.Unlock()
		}
	}
}

// plugVeth creates the veth pair, puts its host end on the bridge and its
// peer in the container's namespace as eth0 with ep's address.
func (b *Bridge) plugVeth(ep *Endpoint) error {
	br, err := netlink.LinkByName(b.name)
	if err != nil {
		return fmt.Errorf("looking up bridge %s: %w", b.name, err)
	}
	peerName := "tmp" + ep.key[:min(len(ep.key), 10)]
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
		if err := disableIPv6ByDefault(); err != nil {
			errc <- err
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

// disableIPv6ByDefault turns IPv6 off for every interface that later enters
// the network namespace of the calling thread (eth0, moved in from the
// host), as Docker does on a network without IPv6: no link-local address,
// and an idle container sends nothing (router solicitations and the like
// would show in its NET I/O). lo, already there, keeps ::1. A kernel
// without IPv6 has nothing to turn off.
func disableIPv6ByDefault() error {
	// /proc/sys/net shows the namespace of the thread that opens it.
	err := os.WriteFile("/proc/sys/net/ipv6/conf/default/disable_ipv6", []byte("1"), 0)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("turning IPv6 off in the network namespace: %w", err)
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
