package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"bolsillo/explain"
)

// execOptions are the flags of bolsillo exec, docker's.
type execOptions struct {
	interactive bool
	tty         bool
	detach      bool
	user        string
	env         []string
	envFiles    []string
	workdir     string
	detachKeys  string
	privileged  bool
	container   string
	cmd         []string
}

func newExecCommand(f *factory) *cobra.Command {
	opts := &execOptions{}
	cmd := &cobra.Command{
		Use:   "exec [OPCIONES] CONTENEDOR COMANDO [ARG...]",
		Short: "Ejecuta un comando más dentro de un contenedor que está corriendo",
		Args:  requiresMinArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.container, opts.cmd = args[0], args[1:]
			return runExec(cmd.Context(), f, opts)
		},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.BoolVarP(&opts.interactive, "interactive", "i", false, "Conecta tu entrada estándar (stdin) al comando")
	fl.BoolVarP(&opts.tty, "tty", "t", false, "Le da al comando una terminal (pseudo-TTY)")
	fl.BoolVarP(&opts.detach, "detach", "d", false, "Corre el comando en segundo plano")
	fl.StringVarP(&opts.user, "user", "u", "", "Usuario con el que corre: nombre o UID, con :grupo opcional")
	fl.StringArrayVarP(&opts.env, "env", "e", nil, "Variable de entorno para el comando (NOMBRE=valor)")
	fl.StringArrayVar(&opts.envFiles, "env-file", nil, "Lee variables de entorno de un archivo")
	fl.StringVarP(&opts.workdir, "workdir", "w", "", "Directorio de trabajo dentro del contenedor")
	fl.StringVar(&opts.detachKeys, "detach-keys", "", "Teclas para desconectarte (por defecto ctrl-p,ctrl-q)")
	fl.BoolVar(&opts.privileged, "privileged", false, "Da privilegios extendidos al comando")
	return cmd
}

func runExec(ctx context.Context, f *factory, opts *execOptions) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	// The explanation needs the container, so with explanations on it is
	// looked up first, as docker does. Without them the exec is created
	// straight away, one request less, and the container is looked up only
	// when something fails: either way a missing or stopped container is
	// reported before any other failure.
	explaining := f.Explaining()
	var c container.InspectResponse
	if explaining {
		if c, err = runningContainer(ctx, api, opts.container); err != nil {
			return err
		}
	}
	// failed returns err, unless the container was not looked up yet and
	// cannot take an exec: that is reported first.
	failed := func(err error) error {
		if !explaining {
			if _, cerr := runningContainer(ctx, api, opts.container); cerr != nil {
				return cerr
			}
		}
		return err
	}
	createOpts, err := execCreateOptions(f, opts)
	if err != nil {
		return failed(err)
	}
	created, err := api.ExecCreate(ctx, opts.container, createOpts)
	if err != nil {
		return failed(err)
	}
	id := created.ID
	data := explain.ExecData{
		Container: c,
		Cmd:       opts.cmd,
		User:      opts.user,
		Env:       opts.env,
		Workdir:   opts.workdir,
		Detached:  opts.detach,
		Tty:       opts.tty,
	}

	if opts.detach {
		if _, err := api.ExecStart(ctx, id, client.ExecStartOptions{Detach: true, TTY: opts.tty}); err != nil {
			return err
		}
		if explaining {
			if res, err := execInspect(ctx, api, id); err == nil {
				data.Exec = res
			}
			f.explain(explain.Exec(data))
		}
		return nil
	}

	attached, err := api.ExecAttach(ctx, id, client.ExecAttachOptions{TTY: opts.tty, ConsoleSize: createOpts.ConsoleSize})
	if err != nil {
		return err
	}
	s := &streamer{f: f, resp: attached.HijackedResponse, tty: opts.tty, stdin: opts.interactive}
	defer s.Close()
	if opts.tty {
		stop := monitorExecTTYSize(ctx, f, api, id)
		defer stop()
	}
	if err := <-s.Stream(); err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(f.Err, "Error al leer la salida del comando: %v\n", err)
	}
	s.Close()

	res, err := execInspect(ctx, api, id)
	if err != nil {
		return err
	}
	data.Exec = res
	data.DetachKey = s.Detached() && res.Running
	if explaining {
		if after, err := api.ContainerInspect(ctx, opts.container, client.ContainerInspectOptions{}); err == nil {
			data.Container = after.Container
		}
		f.explain(explain.Exec(data))
	}
	if res.ExitCode != nil && *res.ExitCode != 0 {
		return statusError{code: *res.ExitCode}
	}
	return nil
}

// runningContainer inspects the container an exec goes into. An error
// means it cannot take one: the inspect's own ("No such container: web"),
// or docker's "is not running" with a Spanish explanation.
func runningContainer(ctx context.Context, api client.APIClient, name string) (container.InspectResponse, error) {
	inspected, err := api.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if err != nil {
		return container.InspectResponse{}, err
	}
	c := inspected.Container
	if c.State != nil && !c.State.Running {
		return container.InspectResponse{}, hintedError{
			hint: explain.ExecNotRunning(c),
			err:  fmt.Errorf("Error response from daemon: container %s is not running", c.ID),
		}
	}
	return c, nil
}

// execCreateOptions builds the request that creates the exec of opts. An
// interactive TTY exec needs a terminal to read from: that is checked here,
// before the daemon records an exec that could never start.
func execCreateOptions(f *factory, opts *execOptions) (client.ExecCreateOptions, error) {
	if opts.tty && opts.interactive && !opts.detach {
		if _, ok := isTerminal(f.In); !ok {
			return client.ExecCreateOptions{}, errors.New("the input device is not a TTY")
		}
	}
	env, err := readEnv(opts.envFiles, opts.env, osEnv, os.ReadFile)
	if err != nil {
		return client.ExecCreateOptions{}, err
	}
	createOpts := client.ExecCreateOptions{
		User:         opts.user,
		Privileged:   opts.privileged,
		TTY:          opts.tty,
		AttachStdin:  opts.interactive && !opts.detach,
		AttachStdout: !opts.detach,
		AttachStderr: !opts.detach,
		DetachKeys:   opts.detachKeys,
		Env:          env,
		WorkingDir:   opts.workdir,
		Cmd:          opts.cmd,
	}
	if opts.tty && !opts.detach {
		if fd, ok := isTerminal(f.Out); ok {
			if w, h, err := term.GetSize(int(fd)); err == nil && w > 0 && h > 0 {
				createOpts.ConsoleSize = client.ConsoleSize{Height: uint(h), Width: uint(w)}
			}
		}
	}
	return createOpts, nil
}

// execInspect reads the exec record as the explanation needs it: the
// client's ExecInspect result has no pointer to tell "still running, no
// exit code yet" from "exited with 0".
func execInspect(ctx context.Context, api client.APIClient, id string) (container.ExecInspectResponse, error) {
	r, err := api.ExecInspect(ctx, id, client.ExecInspectOptions{})
	if err != nil {
		return container.ExecInspectResponse{}, err
	}
	res := container.ExecInspectResponse{ID: r.ID, ContainerID: r.ContainerID, Running: r.Running, Pid: r.PID}
	if !r.Running {
		code := r.ExitCode
		res.ExitCode = &code
	}
	return res, nil
}

// monitorExecTTYSize gives the exec's terminal the size of ours, now and on
// every SIGWINCH. It does nothing when stdout is not a terminal.
func monitorExecTTYSize(ctx context.Context, f *factory, api client.APIClient, id string) func() {
	return followTerminalSize(f, func(h, w uint) {
		_, _ = api.ExecResize(ctx, id, client.ExecResizeOptions{Height: h, Width: w})
	})
}
