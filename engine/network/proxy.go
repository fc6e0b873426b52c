package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// PortSpec is a port to publish: the container's port and protocol, and
// where on the host. A zero HostPort asks for a free one; an invalid HostIP
// means every address (0.0.0.0), as Docker.
type PortSpec struct {
	Proto         string // "tcp" or "udp"
	ContainerPort uint16
	HostIP        netip.Addr
	HostPort      uint16
}

// Binding is a published port as bound: the host's side is real now.
type Binding struct {
	Proto         string
	ContainerPort uint16
	HostIP        netip.Addr
	HostPort      uint16
}

// PortInUseError is a host port something else already holds.
type PortInUseError struct {
	HostIP   netip.Addr
	HostPort uint16
	Proto    string
	Err      error
}

// Error is Docker's wording.
func (e *PortInUseError) Error() string {
	return fmt.Sprintf("Bind for %s failed: port is already allocated", netip.AddrPortFrom(e.HostIP, e.HostPort))
}

func (e *PortInUseError) Unwrap() error { return e.Err }

// proxy forwards a host port to a container's port until closed.
type proxy interface{ Close() error }

// dialTimeout bounds a connection attempt to a container.
const dialTimeout = 5 * time.Second

// udpIdle is how long a UDP client's flow lives without traffic.
const udpIdle = 60 * time.Second

// listen binds spec on the host and starts forwarding to ctr's port.
func listen(spec PortSpec, ctr netip.Addr) (proxy, Binding, error) {
	hostIP := spec.HostIP
	if !hostIP.IsValid() {
		hostIP = netip.IPv4Unspecified()
	}
	addr := netip.AddrPortFrom(hostIP, spec.HostPort).String()
	target := netip.AddrPortFrom(ctr, spec.ContainerPort)
	b := Binding{Proto: spec.Proto, ContainerPort: spec.ContainerPort, HostIP: hostIP}
	wrap := func(err error) error {
		if errors.Is(err, syscall.EADDRINUSE) {
			return &PortInUseError{HostIP: hostIP, HostPort: spec.HostPort, Proto: spec.Proto, Err: err}
		}
		return fmt.Errorf("failed to bind host port for %s:%s/%s: %w", addr, target, spec.Proto, err)
	}
	switch spec.Proto {
	case "tcp", "":
		b.Proto = "tcp"
		p, port, err := listenTCP(netip.AddrPortFrom(hostIP, spec.HostPort), target)
		if err != nil {
			return nil, b, wrap(err)
		}
		b.HostPort = port
		return p, b, nil
	case "udp":
		c, err := net.ListenPacket("udp4", addr)
		if err != nil {
			return nil, b, wrap(err)
		}
		b.HostPort = uint16(c.LocalAddr().(*net.UDPAddr).Port)
		p := &udpProxy{c: c.(*net.UDPConn), target: net.UDPAddrFromAddrPort(target), flows: make(map[string]*net.UDPConn)}
		go p.serve()
		return p, b, nil
	}
	return nil, b, fmt.Errorf("unsupported protocol %q", spec.Proto)
}

// udpProxy relays datagrams: each client address gets its own socket
// towards the container, so replies find their way back.
type udpProxy struct {
	c      *net.UDPConn
	target *net.UDPAddr

	mu     sync.Mutex
	flows  map[string]*net.UDPConn
	closed bool
	wg     sync.WaitGroup
}

func (p *udpProxy) serve() {
	buf := make([]byte, 65507)
	for {
		n, from, err := p.c.ReadFromUDP(buf)
		if err != nil {
			return
		}
		flow, err := p.flow(from)
		if err != nil {
			continue
		}
		_, _ = flow.Write(buf[:n])
	}
}

// flow is the socket towards the container for a client, made on its
// first datagram.
func (p *udpProxy) flow(client *net.UDPAddr) (*net.UDPConn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, net.ErrClosed
	}
	key := client.String()
	if f, ok := p.flows[key]; ok {
		return f, nil
	}
	f, err := net.DialUDP("udp4", nil, p.target)
	if err != nil {
		return nil, err
	}
	p.flows[key] = f
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		buf := make([]byte, 65507)
		for {
			_ = f.SetReadDeadline(time.Now().Add(udpIdle))
			n, err := f.Read(buf)
			if err != nil {
				break
			}
			_, _ = p.c.WriteToUDP(buf[:n], client)
		}
		p.mu.Lock()
		delete(p.flows, key)
		p.mu.Unlock()
		f.Close()
	}()
	return f, nil
}

// Close stops listening and ends every flow.
func (p *udpProxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for _, f := range p.flows {
		f.Close()
	}
	p.mu.Unlock()
	err := p.c.Close()
	p.wg.Wait()
	return err
}
