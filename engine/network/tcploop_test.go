package network

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// backend listens on 127.0.0.1 and serves each connection with serve.
func backend(t *testing.T, serve func(c *net.TCPConn)) netip.AddrPort {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				serve(c.(*net.TCPConn))
			})
		}
	}()
	return l.Addr().(*net.TCPAddr).AddrPort()
}

// publish starts a TCP proxy on a free port of 127.0.0.1 towards target,
// closed at the end of the test, and returns its address.
func publish(t *testing.T, target netip.AddrPort) (*tcpProxy, string) {
	t.Helper()
	p, port, err := listenTCP(netip.AddrPortFrom(loopback, 0), target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, netip.AddrPortFrom(loopback, port).String()
}

func dial(t *testing.T, addr string) *net.TCPConn {
	t.Helper()
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return c.(*net.TCPConn)
}

// echo copies a connection's input back until its end, then ends its own
// output: the client sees everything it sent, then the end of the stream.
func echo(c *net.TCPConn) {
	_, _ = io.Copy(c, c)
	_ = c.CloseWrite()
}

func TestTCPProxyHalfClose(t *testing.T) {
	target := backend(t, func(c *net.TCPConn) {
		in, _ := io.ReadAll(c)
		_, _ = c.Write(append([]byte("eco:"), in...))
	})
	_, addr := publish(t, target)
	c := dial(t, addr)
	_, _ = c.Write([]byte("hola"))
	_ = c.CloseWrite() // the backend answers only after the end of the request
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "eco:hola" {
		t.Errorf("through the proxy: %q, %v; want %q", got, err, "eco:hola")
	}
}

func TestTCPProxyServerSpeaksFirst(t *testing.T) {
	target := backend(t, func(c *net.TCPConn) {
		_, _ = c.Write([]byte("220 hola\r\n"))
		line := make([]byte, 6)
		if _, err := io.ReadFull(c, line); err == nil {
			_, _ = c.Write(append([]byte("250 "), line...))
		}
	})
	_, addr := publish(t, target)
	c := dial(t, addr)
	greeting := make([]byte, 10)
	if _, err := io.ReadFull(c, greeting); err != nil || string(greeting) != "220 hola\r\n" {
		t.Fatalf("greeting %q, %v", greeting, err)
	}
	_, _ = c.Write([]byte("QUIT\r\n"))
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "250 QUIT\r\n" {
		t.Errorf("answer %q, %v; want %q", got, err, "250 QUIT\r\n")
	}
}

// TestTCPProxyLargeBothWays sends more than the loop's buffer and the
// sockets' buffers hold, both ways at once: writes stop half-way and the
// rest waits for room.
func TestTCPProxyLargeBothWays(t *testing.T) {
	target := backend(t, echo)
	_, addr := publish(t, target)
	c := dial(t, addr)
	data := make([]byte, 16<<20)
	_, _ = rand.Read(data)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		_ = c.CloseWrite()
		errc <- err
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("echoed %d bytes, want the %d sent", len(got), len(data))
	}
}

// TestTCPProxySlowReaderAfterEnd: the client sends a large request and
// ends its side while the backend is not reading yet; nothing may be lost
// when the client's end of the connection is over long before the bytes
// are through.
func TestTCPProxySlowReaderAfterEnd(t *testing.T) {
	target := backend(t, func(c *net.TCPConn) {
		time.Sleep(300 * time.Millisecond)
		n, _ := io.Copy(io.Discard, c)
		_, _ = fmt.Fprint(c, n)
	})
	_, addr := publish(t, target)
	c := dial(t, addr)
	const size = 8 << 20
	if _, err := c.Write(make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	_ = c.CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != strconv.Itoa(size) {
		t.Errorf("the backend read %q bytes, %v; want %d", got, err, size)
	}
}

func TestTCPProxyNothingListens(t *testing.T) {
	// A port that was free a moment ago: connecting to it is refused.
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := l.Addr().(*net.TCPAddr).AddrPort()
	l.Close()
	_, addr := publish(t, target)
	c := dial(t, addr)
	_, _ = c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	got, err := io.ReadAll(c)
	if len(got) != 0 || err != nil && !errors.Is(err, os.ErrDeadlineExceeded) && !isReset(err) {
		t.Errorf("read %q, %v; want the connection closed", got, err)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Error("the proxy kept the client's connection open with nothing behind it")
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "read"
}

func TestTCPProxyManyConnections(t *testing.T) {
	target := backend(t, func(c *net.TCPConn) {
		in, _ := io.ReadAll(c)
		_, _ = c.Write(bytes.ToUpper(in))
	})
	_, addr := publish(t, target)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range 200 {
		wg.Go(func() {
			c, err := net.Dial("tcp4", addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			msg := fmt.Sprintf("peticion %d", i)
			_, _ = c.Write([]byte(msg))
			_ = c.(*net.TCPConn).CloseWrite()
			got, err := io.ReadAll(c)
			if err != nil || string(got) != string(bytes.ToUpper([]byte(msg))) {
				errs <- fmt.Errorf("connection %d: %q, %v", i, got, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestTCPProxyClose: closing the port cuts the connections in flight and
// frees the port at once; with the last port gone, the loop's descriptors
// are closed too.
func TestTCPProxyClose(t *testing.T) {
	target := backend(t, func(c *net.TCPConn) { _, _ = io.Copy(io.Discard, c) })
	before := openFDs(t)
	p, port, err := listenTCP(netip.AddrPortFrom(loopback, 0), target)
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.AddrPortFrom(loopback, port).String()
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write([]byte("algo"))
	time.Sleep(50 * time.Millisecond) // the loop accepts and connects it

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("read after Close: %v; want the connection cut", err)
	}
	l, err := net.Listen("tcp4", addr)
	if err != nil {
		t.Fatalf("the port is still held after Close: %v", err)
	}
	l.Close()
	if err := p.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	c.Close()
	// The backend closes its side when it sees the end of the stream.
	deadline := time.Now().Add(2 * time.Second)
	for openFDs(t) > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := openFDs(t); after > before {
		t.Errorf("%d descriptors open after the last port closed, %d before", after, before)
	}
}

func TestTCPProxyPortInUse(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).AddrPort()
	_, _, err = listen(PortSpec{Proto: "tcp", ContainerPort: 80, HostIP: loopback, HostPort: taken.Port()}, loopback)
	var inUse *PortInUseError
	if !errors.As(err, &inUse) || inUse.HostPort != taken.Port() {
		t.Errorf("listen on a taken port: %v; want a PortInUseError for %d", err, taken.Port())
	}
}

// openFDs counts the process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestTCPProxySocketOptions: both ends of a proxied connection are set as
// Go sets a net.Conn: no Nagle delay, keep-alive probes after 15 s idle.
func TestTCPProxySocketOptions(t *testing.T) {
	accepted := make(chan struct{})
	target := backend(t, func(c *net.TCPConn) {
		close(accepted)
		_, _ = io.Copy(io.Discard, c)
	})
	p, addr := publish(t, target)
	dial(t, addr)
	select {
	case <-accepted:
	case <-time.After(5 * time.Second):
		t.Fatal("the backend never got the connection")
	}
	type opt struct {
		level, name, want int
		label             string
	}
	opts := []opt{
		{unix.IPPROTO_TCP, unix.TCP_NODELAY, 1, "TCP_NODELAY"},
		{unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1, "SO_KEEPALIVE"},
		{unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, keepAliveSeconds, "TCP_KEEPIDLE"},
		{unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, keepAliveSeconds, "TCP_KEEPINTVL"},
	}
	// The backend may accept before the loop has seen its connection
	// complete: wait for the loop to have set up both ends.
	deadline := time.Now().Add(5 * time.Second)
	for {
		connecting := true
		p.loop.do(func() {
			for pr := range p.pairs {
				connecting = pr.connecting
			}
		})
		if !connecting || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	var problems []string
	pairs := 0
	p.loop.do(func() {
		for pr := range p.pairs {
			pairs++
			for _, fd := range []int{pr.client, pr.backend} {
				for _, o := range opts {
					if got, err := unix.GetsockoptInt(fd, o.level, o.name); err != nil || got != o.want {
						problems = append(problems, fmt.Sprintf("fd %d: %s = %d, %v; want %d", fd, o.label, got, err, o.want))
					}
				}
			}
		}
	})
	if pairs != 1 {
		t.Fatalf("%d connections in the proxy, want 1", pairs)
	}
	for _, p := range problems {
		t.Error(p)
	}
}
