package e2e

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// A UDP port published with -p HOST:CTR/udp relays datagrams both ways.
func TestPublishedUDPPort(t *testing.T) {
	d := startDaemon(t)
	d.labInit()
	dir := buildStatic(t, "udpeco")
	port := freeUDPPort(t)
	d.must("run", "-d", "--name", "eco", "-p", fmt.Sprintf("%d:5353/udp", port), "-v", dir+":/eco:ro", "busybox", "/eco/udpeco")
	defer d.bolsillo("rm", "-f", "eco")

	if got, want := d.must("--explicar=false", "port", "eco").stdout, fmt.Sprintf("5353/udp -> 0.0.0.0:%d\n", port); got != want {
		t.Errorf("port eco = %q, want %q", got, want)
	}
	c, err := net.Dial("udp4", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The server may not be listening yet: ask until it answers.
	buf := make([]byte, 64)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, err := c.Write([]byte("hola")); err != nil && time.Now().After(deadline) {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := c.Read(buf)
		if err == nil {
			if got := string(buf[:n]); got != "eco:hola" {
				t.Errorf("UDP answer through the published port = %q, want %q", got, "eco:hola")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no UDP answer through port %d: %v\n%s", port, err, d.bolsillo("logs", "eco"))
		}
	}
	if ps := d.must("--explicar=false", "ps", "--format", "{{.Ports}}").stdout; !strings.Contains(ps, fmt.Sprintf("0.0.0.0:%d->5353/udp", port)) {
		t.Errorf("ps PORTS = %q", ps)
	}
}

// freeUDPPort returns a UDP port nothing is bound to right now.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}
