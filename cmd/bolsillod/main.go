// Command bolsillod is bolsillo's daemon: it serves the Docker Engine API on
// a unix socket and runs the containers.
//
// libcontainer starts every container by re-executing this binary as
// "bolsillod init": that path must run before anything else, and the binary
// stays lean because every package init() linked into it runs again each
// time (the Spanish rendering lives in the bolsillo CLI, not here).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	// nsenter's constructor joins the container's namespaces before the Go
	// runtime starts, when this binary runs as "init".
	_ "github.com/opencontainers/runc/libcontainer/nsenter"

	"bolsillo/engine"
	"bolsillo/engine/backend"
	"bolsillo/engine/runtime"
	"bolsillo/engine/server"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		runtime.Init() // never returns
	}
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "bolsillod: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		dataRoot = flag.String("data-root", "/var/lib/bolsillo", "directorio raíz de datos: imágenes, capas, contenedores")
		host     = flag.String("host", "unix:///run/bolsillo.sock", "dónde escucha la API: unix:///ruta.sock o tcp://IP:PUERTO")
		debug    = flag.Bool("debug", false, "registra cada petición fallida")
		version  = flag.Bool("version", false, "muestra la versión y termina")
	)
	flag.StringVar(host, "H", *host, "abreviatura de --host")
	bip := flag.String("bip", "", "subred de la red bridge, por ejemplo 10.99.0.1/24 (vacía: una 10.X.Y.0/24 libre)")
	var insecure stringList
	flag.Var(&insecure, "insecure-registry", "registro al que se permite HTTP sin TLS, por ejemplo el del aula: 192.168.1.10:5000 (se puede repetir)")
	flag.Parse()
	if *version {
		fmt.Printf("bolsillod %s (API %s)\n", engine.Version, backend.APIVersion)
		return nil
	}
	if os.Geteuid() != 0 {
		return errors.New("bolsillod necesita ser root para crear contenedores: ejecútalo con sudo")
	}

	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// Signals are caught before anything is created: a SIGTERM that comes
	// while the engine opens, or right after the socket appears, must stop
	// the daemon in order, not kill it with its bridge and mounts in place.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)

	eng, err := engine.New(engine.Config{DataRoot: *dataRoot, InsecureRegistries: insecure, BridgeCIDR: *bip})
	if errors.Is(err, engine.ErrDataRootInUse) {
		return fmt.Errorf("otro bolsillod ya usa el directorio raíz de datos %s: detenlo o arranca este con otro --data-root", *dataRoot)
	}
	if err != nil {
		return err
	}
	l, err := server.Listen(*host)
	if err != nil {
		eng.Shutdown(context.Background())
		return fmt.Errorf("escuchando en %s: %w", *host, err)
	}
	if proto, _, _ := strings.Cut(*host, "://"); proto == "tcp" {
		log.Warn("la API escucha por TCP sin autenticación: cualquiera que llegue a ese puerto controla los contenedores como root", "host", *host)
	}
	srv := &http.Server{Handler: server.New(eng, log), ReadHeaderTimeout: 30 * time.Second, ConnContext: server.ConnContext}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	log.Info("bolsillod escuchando", "host", *host, "data-root", eng.DataRoot(), "version", engine.Version)

	select {
	case sig := <-sigs:
		log.Info("deteniendo", "signal", sig.String())
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("el servidor terminó", "err", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = l.Close()
	eng.Shutdown(ctx)
	shutdownCtx, cancel2 := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel2()
	_ = srv.Shutdown(shutdownCtx)
	if proto, path, _ := strings.Cut(*host, "://"); proto == "unix" {
		_ = os.Remove(path)
	}
	return nil
}

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
