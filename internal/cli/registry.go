package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// registryBinary is the classroom registry program. It is separate from
// bolsillo because the registry code is large and only this command needs it.
const registryBinary = "bolsillo-registry"

// Defaults of bolsillo registry; bolsillo-registry has the same ones.
const (
	defaultRegistryAddr = "0.0.0.0:5000"
	defaultRegistryRoot = "/var/lib/bolsillo-registry"
)

// registryOptions are the flags of bolsillo registry.
type registryOptions struct {
	addr    string
	root    string
	verbose bool
}

// argv is the command line bolsillo-registry is started with.
func (o registryOptions) argv(binary string) []string {
	argv := []string{binary, "--addr", o.addr, "--root", o.root}
	if o.verbose {
		argv = append(argv, "--verbose")
	}
	return argv
}

// registryLauncher finds bolsillo-registry and replaces the current process
// with it. Tests replace its functions.
type registryLauncher struct {
	executable func() (string, error)
	lookPath   func(string) (string, error)
	exec       func(path string, argv, env []string) error
}

// defaultLauncher uses the real executable path, PATH and execve.
var defaultLauncher = registryLauncher{
	executable: os.Executable,
	lookPath:   exec.LookPath,
	exec:       syscall.Exec,
}

// newRegistryCommand builds `bolsillo registry`.
func newRegistryCommand(f *factory) *cobra.Command {
	opts := registryOptions{addr: defaultRegistryAddr, root: defaultRegistryRoot}
	cmd := &cobra.Command{
		Use:   "registry [OPCIONES]",
		Short: "Sirve un registro de imágenes para el aula, guardado en disco",
		Long: "Arranca bolsillo-registry, un registro de imágenes (como Docker Hub, pero en tu máquina)\n" +
			"que guarda las capas y los manifiestos en un directorio y los conserva al reiniciarlo.\n" +
			"Los demás equipos del aula descargan de él con `bolsillo pull IP:PUERTO/imagen`.",
		Example: "  bolsillo registry --addr 0.0.0.0:5000 --root /srv/aula",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRegistry(f, opts, defaultLauncher)
		},
	}
	cmd.Flags().StringVar(&opts.addr, "addr", opts.addr, "Dirección IP:PUERTO donde escucha el registro")
	cmd.Flags().StringVar(&opts.root, "root", opts.root, "Directorio donde se guardan las imágenes")
	cmd.Flags().BoolVar(&opts.verbose, "verbose", false, "Muestra una línea por cada petición que recibe")
	return cmd
}

// runRegistry explains what is about to run and execs bolsillo-registry. On
// success it does not return: the registry takes over this process (its PID,
// its terminal and its Ctrl-C).
func runRegistry(f *factory, opts registryOptions, l registryLauncher) error {
	path, err := l.find()
	if err != nil {
		return err
	}
	// Printed now: after exec this process is the registry.
	f.explain(explain.RegistryServe(opts.addr, opts.root))
	if err := l.exec(path, opts.argv(path), os.Environ()); err != nil {
		return fmt.Errorf("starting %s: %w", path, err)
	}
	return nil
}

// find returns bolsillo-registry next to the running executable (as
// `make build` and `make install` leave it) or else the one on PATH.
func (l registryLauncher) find() (string, error) {
	self, selfErr := l.executable()
	if selfErr == nil {
		if resolved, err := filepath.EvalSymlinks(self); err == nil {
			self = resolved
		}
		candidate := filepath.Join(filepath.Dir(self), registryBinary)
		if isExecutable(candidate) {
			return candidate, nil
		}
	}
	path, err := l.lookPath(registryBinary)
	if err == nil {
		return path, nil
	}
	where := "en tu PATH"
	if selfErr == nil {
		where = fmt.Sprintf("junto a `%s` ni en tu PATH", self)
	}
	return "", hintedError{
		hint: fmt.Sprintf("No encuentro el programa `%s` %s. Es el registro del aula y va aparte de `bolsillo`.\n\n"+
			"Compílalo con `make build` (queda en `bin/`) o instálalo con `sudo make install`.", registryBinary, where),
		err: fmt.Errorf("%s not found: %w", registryBinary, err),
	}
}

// isExecutable reports whether p is a regular file someone may execute.
func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
