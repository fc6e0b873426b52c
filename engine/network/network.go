// Package network is the daemon's "bridge" network: a Linux bridge owned
// by one bolsillod, a veth pair per container whose inner end is eth0 in a
// network namespace created here, addresses from one /24, outbound NAT
// with iptables, and published ports served by a userland proxy.
//
// It is the only package that talks netlink or runs iptables. Every
// address it configures is either the bridge's (the containers' gateway)
// or a container's inside a namespace this package created.
package network

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"

	"github.com/vishvananda/netlink"
)

// Name is the network's name in the API, as Docker's default network.
const Name = "bridge"

// Config configures a bridge network.
type Config struct {
	// DaemonID is the daemon's stable id (hex); it names the bridge and
	// seeds the default subnet, so several daemons never collide.
	DaemonID string
	// Root keeps the network's state: the address allocations and the
	// containers' network namespaces.
	Root string
	// Subnet is the bridge's /24 (--bip); invalid when zero: one is
	// derived from DaemonID that overlaps no route of the host.
	Subnet netip.Prefix
	// Log receives warnings (no iptables, a rule that could not be removed).
	Log *slog.Logger
}

// Bridge is the bridge network of one daemon. It is safe for concurrent use.
type Bridge struct {
	name    string       // the Linux bridge, "bsl" + 8 hex
	subnet  netip.Prefix // e.g. 10.47.12.0/24
	gateway netip.Addr   // the bridge's address, .1 of the subnet
	root    string
	log     *slog.Logger
	nat     *nat // nil when iptables is missing

	mu        sync.Mutex
	ipam      *ipam
	endpoints map[string]*Endpoint // container ID -> its endpoint
	spares    []*Endpoint          // plugged and ready for the next Attach
	busy      map[string]bool      // keys of endpoints being made or deleted
	closed    bool

	refill   chan struct{}  // asks makeSpares for more
	quit     chan struct{}  // closed by Close
	bg       sync.WaitGroup // makeSpares
	deleting sync.WaitGroup // the deletions in flight
}

// BridgeName is the Linux bridge's name for a daemon id: "bsl" and the
// first 8 hex digits, within IFNAMSIZ.
func BridgeName(daemonID string) string {
	if len(daemonID) > 8 {
		daemonID = daemonID[:8]
	}
	return "bsl" + daemonID
}

// Open creates the bridge (or adopts the one a crashed daemon left),
// gives it the subnet's first address, turns on IP forwarding and adds the
// NAT rules. Close undoes all of it.
func Open(cfg Config) (*Bridge, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	name := BridgeName(cfg.DaemonID)
	subnet := cfg.Subnet
	if !subnet.IsValid() {
		// A bridge left by a crashed daemon keeps its subnet: its address
		// is a route of the host now, so choosing again would skip it.
		if prev, err := bridgeSubnet(name); err == nil {
			subnet = prev
		} else {
			routes, err := hostRoutes(name)
			if err != nil {
				return nil, err
			}
			if subnet, err = chooseSubnet(cfg.DaemonID, routes); err != nil {
				return nil, err
			}
		}
	}
	subnet = subnet.Masked()
	if !subnet.Addr().Is4() || subnet.Bits() > 30 {
		return nil, fmt.Errorf("bridge subnet %s: want an IPv4 network of at least 4 addresses", subnet)
	}
	if err := os.MkdirAll(filepath.Join(cfg.Root, netnsDir), 0o700); err != nil {
		return nil, err
	}
	a, err := openIPAM(filepath.Join(cfg.Root, ipamFile), subnet)
	if err != nil {
		return nil, err
	}
	b := &Bridge{
		name:      name,
		subnet:    subnet,
		gateway:   subnet.Addr().Next(),
		root:      cfg.Root,
		log:       cfg.Log,
		ipam:      a,
		endpoints: make(map[string]*Endpoint),
		busy:      make(map[string]bool),
		refill:    make(chan struct{}, 1),
		quit:      make(chan struct{}),
	}
	if err := b.up(); err != nil {
		return nil, err
	}
	if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1\n"), 0o644); err != nil {
		b.log.Warn("no se pudo activar el reenvío IP: los contenedores no saldrán a internet", "err", err)
	}
	n, err := newNAT(name, subnet)
	switch {
	case errors.Is(err, errNoIptables):
		b.log.Warn("no hay iptables: los contenedores se ven entre sí y los puertos publicados funcionan, pero no salen a internet")
	case err != nil:
		_ = b.down()
		return nil, err
	default:
		b.nat = n
	}
	b.bg.Add(1)
	go b.makeSpares()
	return b, nil
}

// Name is the Linux bridge's interface name.
func (b *Bridge) Name() string { return b.name }

// Subnet is the bridge's network, e.g. 10.47.12.0/24.
func (b *Bridge) Subnet() netip.Prefix { return b.subnet }

// Gateway is the bridge's own address, the containers' default route.
func (b *Bridge) Gateway() netip.Addr { return b.gateway }

// Close waits for the deletions in flight, deletes every endpoint still
// attached and the spares, removes the NAT rules and deletes the bridge.
func (b *Bridge) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	close(b.quit)
	b.bg.Wait()
	b.deleting.Wait()

	b.mu.Lock()
	eps := b.spares
	b.spares = nil
	for id, ep := range b.endpoints {
		eps = append(eps, ep)
		delete(b.endpoints, id)
	}
	b.mu.Unlock()
	var errs []error
	for _, ep := range eps {
		for _, p := range ep.proxies {
			errs = append(errs, p.Close())
		}
		errs = append(errs, b.destroy(ep))
	}
	if b.nat != nil {
		errs = append(errs, b.nat.remove())
	}
	errs = append(errs, b.down())
	return errors.Join(errs...)
}

// up creates the bridge with its address, or adopts an existing one.
func (b *Bridge) up() error {
	link, err := netlink.LinkByName(b.name)
	if err != nil {
		var notFound netlink.LinkNotFoundError
		if !errors.As(err, &notFound) {
			return fmt.Errorf("looking up bridge %s: %w", b.name, err)
		}
		attrs := netlink.NewLinkAttrs()
		attrs.Name = b.name
		link = &netlink.Bridge{LinkAttrs: attrs}
		if err := netlink.LinkAdd(link); err != nil {
			return fmt.Errorf("creating bridge %s: %w", b.name, err)
		}
		if link, err = netlink.LinkByName(b.name); err != nil {
			return fmt.Errorf("looking up bridge %s: %w", b.name, err)
		}
	} else if link.Type() != "bridge" {
		return fmt.Errorf("interface %s exists and is not a bridge", b.name)
	}
	addr := &netlink.Addr{IPNet: &net.IPNet{IP: b.gateway.AsSlice(), Mask: net.CIDRMask(b.subnet.Bits(), 32)}}
	addrs, err := netlink.AddrList(link, netlink.FAMILY_V4)
	if err != nil {
		return fmt.Errorf("listing addresses of %s: %w", b.name, err)
	}
	have := false
	for _, a := range addrs {
		if a.IPNet.String() == addr.IPNet.String() {
			have = true
			continue
		}
		// A different address is a previous daemon's --bip.
		_ = netlink.AddrDel(link, &a)
	}
	if !have {
		if err := netlink.AddrAdd(link, addr); err != nil {
			return fmt.Errorf("giving bridge %s the address %s: %w", b.name, addr.IPNet, err)
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("bringing bridge %s up: %w", b.name, err)
	}
	return nil
}

// down deletes the bridge; its veths' host ends go with their peers.
func (b *Bridge) down() error {
	link, err := netlink.LinkByName(b.name)
	if err != nil {
		var notFound netlink.LinkNotFoundError
		if errors.As(err, &notFound) {
			return nil
		}
		return err
	}
	if err := netlink.LinkDel(link); err != nil {
		return fmt.Errorf("deleting bridge %s: %w", b.name, err)
	}
	return nil
}

// bridgeSubnet is the IPv4 network of an existing bridge.
func bridgeSubnet(name string) (netip.Prefix, error) {
	link, err := netlink.LinkByName(name)
	if err != nil {
		return netip.Prefix{}, err
	}
	addrs, err := netlink.AddrList(link, netlink.FAMILY_V4)
	if err != nil || len(addrs) == 0 {
		return netip.Prefix{}, fmt.Errorf("bridge %s has no address", name)
	}
	ip, _ := netip.AddrFromSlice(addrs[0].IP.To4())
	bits, _ := addrs[0].Mask.Size()
	return netip.PrefixFrom(ip, bits).Masked(), nil
}

// hostRoutes are the destinations of the host's IPv4 routes, all tables,
// except those through the interface skip (our own bridge).
func hostRoutes(skip string) ([]netip.Prefix, error) {
	routes, err := netlink.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: 0}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, fmt.Errorf("listing the host's routes: %w", err)
	}
	skipIndex := -1
	if l, err := netlink.LinkByName(skip); err == nil {
		skipIndex = l.Attrs().Index
	}
	var out []netip.Prefix
	for _, r := range routes {
		if r.Dst == nil || r.LinkIndex == skipIndex {
			continue // the default route overlaps everything by design
		}
		ip, ok := netip.AddrFromSlice(r.Dst.IP.To4())
		if !ok {
			continue
		}
		bits, _ := r.Dst.Mask.Size()
		if bits == 0 {
			continue // a default route, as 0.0.0.0/0
		}
		out = append(out, netip.PrefixFrom(ip, bits).Masked())
	}
	return out, nil
}

// chooseSubnet derives a 10.X.Y.0/24 from the daemon id and walks on
// from it until one overlaps none of routes.
func chooseSubnet(daemonID string, routes []netip.Prefix) (netip.Prefix, error) {
	var seed uint16
	for i := 0; i+1 < len(daemonID) && i < 4; i += 2 {
		var v byte
		if _, err := fmt.Sscanf(daemonID[i:i+2], "%02x", &v); err != nil {
			return netip.Prefix{}, fmt.Errorf("daemon id %q is not hex", daemonID)
		}
		seed = seed<<8 | uint16(v)
	}
	for i := 0; i < 1<<16; i++ {
		n := seed + uint16(i)
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(n >> 8), byte(n), 0}), 24)
		if !overlapsAny(p, routes) {
			return p, nil
		}
	}
	return netip.Prefix{}, errors.New("every 10.X.Y.0/24 overlaps a route of the host: choose one with --bip")
}

func overlapsAny(p netip.Prefix, routes []netip.Prefix) bool {
	for _, r := range routes {
		if p.Overlaps(r) {
			return true
		}
	}
	return false
}
