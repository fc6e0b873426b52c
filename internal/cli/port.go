package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// newPortCommand is `port CONTAINER [PORT[/PROTO]]`.
func newPortCommand(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "port CONTENEDOR [PUERTO[/PROTOCOLO]]",
		Short: "Muestra qué puertos de tu máquina llevan a los del contenedor",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPort(cmd.Context(), f, args)
		},
	}
}

func runPort(ctx context.Context, f *factory, args []string) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	res, err := api.ContainerInspect(ctx, args[0], client.ContainerInspectOptions{})
	if err != nil {
		return err
	}
	c := res.Container
	lines, err := portLines(c, args[1:])
	if err != nil {
		return err
	}
	for _, l := range lines {
		fmt.Fprintln(f.Out, l)
	}
	f.explain(explain.PortCommand(c))
	return nil
}

// portLines are docker port's lines: "80/tcp -> 0.0.0.0:8080" for every
// port, or "0.0.0.0:8080" for the one asked for.
func portLines(c container.InspectResponse, filter []string) ([]string, error) {
	var ports network.PortMap
	if c.NetworkSettings != nil {
		ports = c.NetworkSettings.Ports
	}
	if len(filter) == 1 {
		want := filter[0]
		if !strings.Contains(want, "/") {
			want += "/tcp"
		}
		p, err := network.ParsePort(want)
		if err != nil {
			return nil, invalidFlag(fmt.Sprintf("`%s` no es un puerto: escribe por ejemplo `80` o `53/udp`.", filter[0]), err)
		}
		bindings := ports[p]
		if len(bindings) == 0 {
			return nil, fmt.Errorf("no public port '%s' published for %s", want, strings.TrimPrefix(c.Name, "/"))
		}
		var out []string
		for _, b := range bindings {
			out = append(out, hostAddr(b))
		}
		return out, nil
	}
	var out []string
	keys := make([]network.Port, 0, len(ports))
	for p := range ports {
		keys = append(keys, p)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, p := range keys {
		for _, b := range ports[p] {
			out = append(out, p.String()+" -> "+hostAddr(b))
		}
	}
	return out, nil
}

// hostAddr is a binding's host side, "0.0.0.0:8080" or "[::]:8080".
func hostAddr(b network.PortBinding) string {
	ip := b.HostIP
	if !ip.IsValid() {
		ip = netip.IPv4Unspecified()
	}
	return net.JoinHostPort(ip.String(), b.HostPort)
}

// explainPorts explains a started container's published ports, after
// probing whether something answers behind each TCP one.
func explainPorts(ctx context.Context, f *factory, data explain.RunData) {
	f.explain(explain.Ports(explain.PortsData{
		Container: data.Container,
		Image:     data.Image,
		Listening: probePorts(ctx, data.Container),
	}))
}

// probeWindow is how long a just-started program gets to start listening.
const probeWindow = time.Second

// probePorts tries each published TCP port through 127.0.0.1 (or its own
// address when bound to one loopback address). The proxy accepts every
// connection and closes it at once when nothing listens in the container,
// so "answered" means the connection stayed open for a moment.
func probePorts(ctx context.Context, c container.InspectResponse) map[string]bool {
	out := map[string]bool{}
	if c.NetworkSettings == nil {
		return out
	}
	for p, bindings := range c.NetworkSettings.Ports {
		if p.Proto() != network.TCP {
			continue
		}
		for _, b := range bindings {
			host := "127.0.0.1"
			if b.HostIP.IsValid() && !b.HostIP.IsUnspecified() {
				if !b.HostIP.IsLoopback() {
					continue
				}
				host = b.HostIP.String()
			}
			out[b.HostPort+"/tcp"] = answers(ctx, net.JoinHostPort(host, b.HostPort))
		}
	}
	return out
}

// answers reports whether a connection to addr is accepted and kept open,
// retrying for probeWindow.
func answers(ctx context.Context, addr string) bool {
	deadline := time.Now().Add(probeWindow)
	for {
		if probeOnce(ctx, addr) {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func probeOnce(ctx context.Context, addr string) bool {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	_, err = conn.Read(make([]byte, 1))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true // open and silent, as a server waiting for a request
	}
	return err == nil || !errors.Is(err, io.EOF) && !isReset(err)
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

// withPortHint gives a start that failed on a taken host port its
// Spanish explanation, naming the container that holds the port.
func withPortHint(ctx context.Context, api client.APIClient, err error) error {
	if err == nil || !strings.Contains(err.Error(), "port is already allocated") {
		return err
	}
	var running []container.Summary
	if list, lerr := api.ContainerList(ctx, client.ContainerListOptions{}); lerr == nil {
		running = list.Items
	}
	if hint, ok := explain.PortInUse(err.Error(), running); ok {
		return hintedError{hint: hint, err: err}
	}
	return err
}
