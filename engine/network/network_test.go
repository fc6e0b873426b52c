package network

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

func TestChooseSubnet(t *testing.T) {
	p := netip.MustParsePrefix
	tests := []struct {
		name   string
		id     string
		routes []netip.Prefix
		want   netip.Prefix
	}{
		{"from the id", "2a07ff", nil, p("10.42.7.0/24")},
		{"skips an overlapping route", "2a07ff", []netip.Prefix{p("10.42.7.128/25")}, p("10.42.8.0/24")},
		{"skips a covering route", "2a07ff", []netip.Prefix{p("10.42.0.0/16")}, p("10.43.0.0/24")},
		{"wraps around", "ffff", nil, p("10.255.255.0/24")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := chooseSubnet(tt.id, tt.routes)
			if err != nil || got != tt.want {
				t.Errorf("chooseSubnet(%q) = %v, %v; want %v", tt.id, got, err, tt.want)
			}
		})
	}
	if _, err := chooseSubnet("ab", []netip.Prefix{p("10.0.0.0/8")}); err == nil {
		t.Error("chooseSubnet with 10/8 taken: want an error")
	}
}

func TestIPAM(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ipam.json")
	subnet := netip.MustParsePrefix("10.9.9.0/30") // .1 gateway, .2 the only address, .3 broadcast
	a, err := openIPAM(path, subnet)
	if err != nil {
		t.Fatal(err)
	}
	ip, err := a.allocate("c1")
	if err != nil || ip != netip.MustParseAddr("10.9.9.2") {
		t.Fatalf("allocate(c1) = %v, %v; want 10.9.9.2", ip, err)
	}
	if again, _ := a.allocate("c1"); again != ip {
		t.Errorf("allocate(c1) again = %v, want the same %v", again, ip)
	}
	if _, err := a.allocate("c2"); err == nil {
		t.Error("allocate(c2) in a full subnet: want an error")
	}
	// A restarted daemon sees the address as taken.
	b, err := openIPAM(path, subnet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.allocate("c2"); err == nil {
		t.Error("after reopening, c1's address was handed out again")
	}
	if err := b.release("c1"); err != nil {
		t.Fatal(err)
	}
	if got, err := b.allocate("c2"); err != nil || got != ip {
		t.Errorf("allocate(c2) after release = %v, %v; want %v", got, err, ip)
	}
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates a bridge, veths and network namespaces")
	}
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n/2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// openTestBridge opens a bridge for a random daemon id; the test fails if
// Close leaves it, its veths or its NAT rules behind.
func openTestBridge(t *testing.T) *Bridge {
	t.Helper()
	needRoot(t)
	b, err := Open(Config{DaemonID: randomHex(t, 12), Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if _, err := netlink.LinkByName(b.Name()); err == nil {
			t.Errorf("bridge %s left behind", b.Name())
		}
		if out, _ := exec.Command("iptables-save").Output(); strings.Contains(string(out), b.Name()) {
			t.Errorf("iptables rules of %s left behind", b.Name())
		}
	})
	return b
}

// inNetNS runs fn on a thread inside the namespace at path; the thread is
// thrown away afterwards.
func inNetNS(t *testing.T, path string, fn func() error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		goruntime.LockOSThread() // never unlocked: the thread dies with the goroutine
		ns, err := netns.GetFromPath(path)
		if err != nil {
			errc <- err
			return
		}
		defer ns.Close()
		if err := netns.Set(ns); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestBridgeUpAndDown(t *testing.T) {
	b := openTestBridge(t)
	link, err := netlink.LinkByName(b.Name())
	if err != nil {
		t.Fatalf("bridge not created: %v", err)
	}
	if link.Type() != "bridge" || link.Attrs().Flags&net.FlagUp == 0 {
		t.Errorf("bridge %s: type %s, flags %v; want an up bridge", b.Name(), link.Type(), link.Attrs().Flags)
	}
	if got, err := bridgeSubnet(b.Name()); err != nil || got != b.Subnet() {
		t.Errorf("bridge address subnet = %v, %v; want %v", got, err, b.Subnet())
	}
	if len(b.Name()) > 15 {
		t.Errorf("bridge name %q is longer than IFNAMSIZ allows", b.Name())
	}
}

func TestAttachGivesEth0AndServesPorts(t *testing.T) {
	b := openTestBridge(t)
	id := randomHex(t, 64)
	ep, err := b.Attach(id, []PortSpec{{Proto: "tcp", ContainerPort: 80}, {Proto: "udp", ContainerPort: 53}})
	if err != nil {
		t.Fatal(err)
	}
	if ep.IP != b.Gateway().Next() {
		t.Errorf("first address = %v, want %v", ep.IP, b.Gateway().Next())
	}

	// Inside: lo and eth0 up, the address, the default route; a TCP
	// server that answers once and a UDP echo server.
	var tcpL net.Listener
	var udpC net.PacketConn
	inNetNS(t, ep.NetNSPath, func() error {
		h, err := netlink.NewHandle()
		if err != nil {
			return err
		}
		defer h.Close()
		links, err := h.LinkList()
		if err != nil {
			return err
		}
		var names []string
		for _, l := range links {
			if l.Attrs().Flags&net.FlagUp != 0 {
				names = append(names, l.Attrs().Name)
			}
		}
		if strings.Join(names, ",") != "lo,eth0" {
			t.Errorf("interfaces up in the namespace = %v, want lo,eth0", names)
		}
		routes, err := h.RouteList(nil, netlink.FAMILY_V4)
		if err != nil {
			return err
		}
		hasDefault := false
		for _, r := range routes {
			hasDefault = hasDefault || (r.Dst == nil || r.Dst.IP.IsUnspecified()) && r.Gw.Equal(b.Gateway().AsSlice())
		}
		if !hasDefault {
			t.Errorf("no default route via %v: %v", b.Gateway(), routes)
		}
		// IPv6 off on eth0, as in Docker: not even a link-local address.
		if v, err := os.ReadFile("/proc/sys/net/ipv6/conf/eth0/disable_ipv6"); err == nil && strings.TrimSpace(string(v)) != "1" {
			t.Errorf("eth0's disable_ipv6 = %q, want 1", v)
		}
		eth0, err := h.LinkByName("eth0")
		if err != nil {
			return err
		}
		if addrs, err := h.AddrList(eth0, netlink.FAMILY_V6); err != nil || len(addrs) > 0 {
			t.Errorf("eth0's IPv6 addresses = %v, %v; want none", addrs, err)
		}
		if tcpL, err = net.Listen("tcp4", ep.IP.String()+":80"); err != nil {
			return err
		}
		udpC, err = net.ListenPacket("udp4", ep.IP.String()+":53")
		return err
	})
	defer tcpL.Close()
	defer udpC.Close()
	go func() {
		for {
			c, err := tcpL.Accept()
			if err != nil {
				return
			}
			// Read to the client's end of stream (half-close), then answer.
			got, _ := io.ReadAll(c)
			_, _ = c.Write(append([]byte("eco:"), got...))
			c.Close()
		}
	}()
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := udpC.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = udpC.WriteTo(append([]byte("eco:"), buf[:n]...), from)
		}
	}()

	var tcpPort, udpPort uint16
	for _, p := range ep.Ports {
		if p.HostPort == 0 || p.HostIP != netip.IPv4Unspecified() {
			t.Errorf("binding %+v: want a real port on 0.0.0.0", p)
		}
		if p.Proto == "tcp" {
			tcpPort = p.HostPort
		} else {
			udpPort = p.HostPort
		}
	}

	conn, err := net.Dial("tcp4", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), tcpPort).String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = conn.Write([]byte("hola"))
	_ = conn.(*net.TCPConn).CloseWrite()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(conn)
	conn.Close()
	if err != nil || string(got) != "eco:hola" {
		t.Errorf("TCP through the proxy = %q, %v; want %q", got, err, "eco:hola")
	}

	uc, err := net.Dial("udp4", netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), udpPort).String())
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	_, _ = uc.Write([]byte("dns"))
	_ = uc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 64)
	n, err := uc.Read(buf)
	if err != nil || string(buf[:n]) != "eco:dns" {
		t.Errorf("UDP through the proxy = %q, %v; want %q", buf[:n], err, "eco:dns")
	}

	// A second container on a host port the first holds fails and leaves
	// nothing: no veth, no namespace, no address.
	other := randomHex(t, 64)
	_, err = b.Attach(other, []PortSpec{{Proto: "tcp", ContainerPort: 80, HostPort: tcpPort}})
	var inUse *PortInUseError
	if !errors.As(err, &inUse) || inUse.HostPort != tcpPort {
		t.Fatalf("Attach on a taken port: %v, want a PortInUseError", err)
	}
	if want := "Bind for 0.0.0.0:"; !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "failed: port is already allocated") {
		t.Errorf("error = %q, want Docker's wording", err)
	}
	if left := leftovers(t, b); len(left) > 0 {
		t.Errorf("the failed attach left %v", left)
	}

	if err := b.Detach(id); err != nil {
		t.Fatal(err)
	}
	// The ports are free at once; the rest goes in the background.
	if l, err := net.Listen("tcp4", netip.AddrPortFrom(netip.IPv4Unspecified(), tcpPort).String()); err != nil {
		t.Errorf("host port still held right after Detach: %v", err)
	} else {
		l.Close()
	}
	b.deleting.Wait()
	if _, err := netlink.LinkByName(ep.HostVeth); err == nil {
		t.Error("veth left after Detach")
	}
	if _, err := os.Stat(ep.NetNSPath); err == nil {
		t.Error("namespace left after Detach")
	}
	if left := leftovers(t, b); len(left) > 0 {
		t.Errorf("Detach left %v", left)
	}
}

// leftovers lists the namespaces, host veths and addresses of b that
// belong to no attached endpoint, no spare and nothing being made; it
// waits for the deletions in flight first.
func leftovers(t *testing.T, b *Bridge) []string {
	t.Helper()
	b.deleting.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	known := b.knownKeys()
	var out []string
	ents, _ := os.ReadDir(filepath.Join(b.root, netnsDir))
	for _, e := range ents {
		if !known[e.Name()] {
			out = append(out, "namespace "+e.Name())
		}
	}
	for _, key := range b.ipam.owners() {
		if !known[key] {
			out = append(out, "address of "+key)
		}
	}
	br, err := netlink.LinkByName(b.name)
	if err != nil {
		t.Fatal(err)
	}
	links, _ := netlink.LinkList()
	for _, l := range links {
		name := l.Attrs().Name
		if l.Attrs().MasterIndex != br.Attrs().Index {
			continue
		}
		mine := false
		for key := range known {
			mine = mine || vethName(key) == name
		}
		if !mine {
			out = append(out, "veth "+name)
		}
	}
	return out
}

// Attach takes a spare made beforehand, and another is made for the next.
func TestAttachUsesSpares(t *testing.T) {
	b := openTestBridge(t)
	if err := b.Reconcile(); err != nil { // starts the spares
		t.Fatal(err)
	}
	spare := waitSpare(t, b)
	ep, err := b.Attach(randomHex(t, 64), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ep.key != spare.key || ep.NetNSPath != spare.NetNSPath {
		t.Errorf("Attach made endpoint %s, want the spare %s", ep.key, spare.key)
	}
	if next := waitSpare(t, b); next.key == ep.key {
		t.Error("the attached endpoint is still a spare")
	}
}

// waitSpare waits for b to have a spare ready and returns it.
func waitSpare(t *testing.T, b *Bridge) *Endpoint {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b.mu.Lock()
		if len(b.spares) > 0 {
			ep := b.spares[0]
			b.mu.Unlock()
			return ep
		}
		b.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no spare endpoint after 10 s")
	return nil
}

func TestReconcileRemovesWhatACrashLeft(t *testing.T) {
	b := openTestBridge(t)
	id := randomHex(t, 64)
	ep, err := b.Attach(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A new daemon on the same root and bridge knows no endpoint.
	b.mu.Lock()
	delete(b.endpoints, id)
	b.mu.Unlock()
	if err := b.Reconcile(); err != nil {
		t.Fatal(err)
	}
	if _, err := netlink.LinkByName(ep.HostVeth); err == nil {
		t.Error("veth survived Reconcile")
	}
	if _, err := os.Stat(ep.NetNSPath); err == nil {
		t.Error("namespace survived Reconcile")
	}
	b.mu.Lock()
	_, held := b.ipam.lookup(ep.key)
	b.mu.Unlock()
	if held {
		t.Error("address survived Reconcile")
	}
}
