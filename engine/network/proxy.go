package network

import (
	"errors"
	"fmt"
	"io"
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
		l, err := net.Listen("tcp4", addr)
		if err != nil {
			return nil, b, wrap(err)
		}
		b.HostPort = uint16(l.Addr().(*net.TCPAddr).Port)
		p := &tcpProxy{l: l, target: target.String(), conns: make(map[net.Conn]struct{})}
		go p.serve()
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

// tcpProxy accepts on the host port and, per connection, dials the
// container and copies both ways, passing each side's end of stream on.
type tcpProxy struct {
	l      net.Listener
	target string

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

func (p *tcpProxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			c.Close()
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.untrack(c)
			p.forward(c)
		}()
	}
}

func (p *tcpProxy) forward(client net.Conn) {
	backend, err := net.DialTimeout("tcp4", p.target, dialTimeout)
	if err != nil {
		return // the client sees its connection closed: nothing listens there
	}
	if !p.track(backend) {
		backend.Close()
		return
	}
	defer p.untrack(backend)
	var wg sync.WaitGroup
	wg.Add(2)
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		_, _ = io.Copy(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
	}
	go pipe(backend, client)
	go pipe(client, backend)
	wg.Wait()
}

func (p *tcpProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *tcpProxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

// Close stops listening and cuts the connections in flight.
func (p *tcpProxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.l.Close()
	p.wg.Wait()
	return err
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
