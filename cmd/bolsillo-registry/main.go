// Command bolsillo-registry is the classroom registry: an OCI distribution
// registry (CNCF distribution) on plain HTTP that keeps its images in a
// directory, so that a room of machines can pull from the teacher's.
//
//	bolsillo-registry --addr 0.0.0.0:5000 --root /srv/aula
//
// It is a binary of its own because distribution links hundreds of
// packages that neither the daemon nor the CLI should load.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"bolsillo/internal/registry"
)

// Defaults of the flags; `bolsillo registry` uses the same ones.
const (
	defaultAddr = "0.0.0.0:5000"
	defaultRoot = "/var/lib/bolsillo-registry"
)

// shutdownTimeout bounds how long a stop waits for pushes and pulls in flight.
const shutdownTimeout = 10 * time.Second

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "bolsillo-registry: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bolsillo-registry", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		addr    = fs.String("addr", defaultAddr, "dirección IP:PUERTO donde escucha el registro")
		root    = fs.String("root", defaultRoot, "directorio donde se guardan las capas y los manifiestos")
		verbose = fs.Bool("verbose", false, "escribe en stderr una línea por cada petición")
	)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Uso: bolsillo-registry [--addr IP:PUERTO] [--root DIRECTORIO] [--verbose]\n\n"+
			"Sirve un registro de imágenes por HTTP para el aula.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("argumento de más: %q", fs.Arg(0))
	}

	if abs, err := filepath.Abs(*root); err == nil {
		*root = abs
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv, err := registry.New(ctx, registry.Options{Root: *root, Log: stderr, Verbose: *verbose})
	if err != nil {
		return fmt.Errorf("no pude preparar el directorio %s: %w", *root, err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("no pude escuchar en %s (¿hay otro registro en ese puerto?): %w", *addr, err)
	}
	ifaces, _ := net.InterfaceAddrs()
	fmt.Fprint(stdout, banner(ln.Addr().String(), *root, pullHost(ln.Addr().String(), ifaces)))

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	stop() // a second Ctrl-C ends the process at once
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-served; err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Registro detenido. Las imágenes siguen en "+*root+".")
	return nil
}

// banner is the startup text: where the registry listens, where it keeps
// the images and the command students type.
func banner(listen, root, host string) string {
	return fmt.Sprintf("Registro del aula escuchando en http://%s; las imágenes se guardan en %s.\n"+
		"Súbele imágenes con: bolsillo push %s/NOMBRE   o   bolsillo lab init --registry %s\n"+
		"Tus estudiantes descargan con: bolsillo pull %s/busybox\n"+
		"Ctrl-C lo detiene; lo subido se conserva para la próxima vez.\n",
		listen, root, host, host, host)
}

// pullHost is the HOST:PORT students should use for a registry listening on
// listen. A wildcard address (0.0.0.0, ::) is replaced by the first
// non-loopback IPv4 address among addrs, since that is what other machines
// reach; "localhost" is used when there is none.
func pullHost(listen string, addrs []net.Addr) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	ip := net.ParseIP(host)
	if host != "" && (ip == nil || !ip.IsUnspecified()) {
		return net.JoinHostPort(host, port)
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.IsLoopback() || n.IP.To4() == nil || n.IP.IsLinkLocalUnicast() {
			continue
		}
		return net.JoinHostPort(n.IP.String(), port)
	}
	return net.JoinHostPort("localhost", port)
}
