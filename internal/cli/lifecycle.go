package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/spf13/cobra"

	"bolsillo/explain"
)

// forEachContainer runs fn for every name, printing the name as given on
// success (like docker), then the explanation fn returned, and explaining
// each failure. It fails with exit code 1 when any name failed.
func forEachContainer(f *factory, names []string, fn func(name string) (explanation string, err error)) error {
	failed := false
	for _, name := range names {
		md, err := fn(name)
		if err != nil {
			reportError(f, err)
			failed = true
			continue
		}
		fmt.Fprintln(f.Out, name)
		f.explain(md)
	}
	if failed {
		return statusError{code: exitGeneric}
	}
	return nil
}

// inspectForExplain inspects a container only when explaining is on.
func inspectForExplain(ctx context.Context, f *factory, api client.APIClient, name string) (container.InspectResponse, bool) {
	if !f.Explaining() {
		return container.InspectResponse{}, false
	}
	res, err := api.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if err != nil {
		return container.InspectResponse{}, false
	}
	return res.Container, true
}

// startOptions are the flags of bolsillo start.
type startOptions struct {
	attach      bool
	interactive bool
	containers  []string
}

func newStartCommand(f *factory) *cobra.Command {
	var opts startOptions
	cmd := &cobra.Command{
		Use:   "start [OPCIONES] CONTENEDOR [CONTENEDOR...]",
		Short: "Arranca uno o más contenedores detenidos",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.containers = args
			return runStart(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeContainers(f, true),
	}
	cmd.Flags().BoolVarP(&opts.attach, "attach", "a", false, "Conecta STDOUT/STDERR y reenvía señales")
	cmd.Flags().BoolVarP(&opts.interactive, "interactive", "i", false, "Conecta la entrada estándar (STDIN) del contenedor")
	return cmd
}

func runStart(ctx context.Context, f *factory, opts startOptions) error {
	if (opts.attach || opts.interactive) && len(opts.containers) > 1 {
		return invalidFlag("Con `-a` o `-i` solo puedes arrancar un contenedor a la vez.",
			errors.New("you cannot start and attach multiple containers at once"))
	}
	api, err := f.Client()
	if err != nil {
		return err
	}
	if opts.attach || opts.interactive {
		return startAttached(ctx, f, api, opts)
	}
	return forEachContainer(f, opts.containers, func(name string) (string, error) {
		if _, err := api.ContainerStart(ctx, name, client.ContainerStartOptions{}); err != nil {
			return "", withPortHint(ctx, api, err) // port.go
		}
		if c, ok := inspectForExplain(ctx, f, api, name); ok {
			return explain.Start(c), nil
		}
		return "", nil
	})
}

// startAttached is docker start -a: inspect, attach, wait, start, stream.
func startAttached(ctx context.Context, f *factory, api client.APIClient, opts startOptions) error {
	name := opts.containers[0]
	res, err := api.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if err != nil {
		return err
	}
	c := res.Container
	cfg := *c.Config
	cfg.AttachStdin = opts.interactive && cfg.OpenStdin
	cfg.AttachStdout, cfg.AttachStderr = true, true
	s, err := attach(ctx, f, api, c.ID, &cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	waitCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	wait := api.ContainerWait(waitCtx, c.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if !cfg.Tty {
		stop := forwardSignals(ctx, api, c.ID)
		defer stop()
	}
	if _, err := api.ContainerStart(ctx, c.ID, client.ContainerStartOptions{}); err != nil {
		return statusError{code: exitGeneric, err: withPortHint(ctx, api, err)}
	}
	after, explaining := inspectForExplain(ctx, f, api, c.ID)
	if cfg.Tty {
		stop := monitorTTYSize(ctx, f, api, c.ID)
		defer stop()
	}
	done := s.Stream()
	code := 0
	select {
	case r := <-wait.Result:
		code = int(r.StatusCode)
	case err := <-wait.Error:
		<-done
		return err
	}
	<-done
	if explaining {
		f.explain(explain.Start(after))
	}
	if code != 0 {
		return statusError{code: code}
	}
	return nil
}

// stopOptions are the flags of stop and restart.
type stopOptions struct {
	timeout    int
	timeoutSet bool
	signal     string
	containers []string
}

// apiTimeout returns the timeout to send, nil when not given.
func (o stopOptions) apiTimeout() *int {
	if !o.timeoutSet {
		return nil
	}
	t := o.timeout
	return &t
}

// request is what the explanation needs to know of the stop asked for.
func (o stopOptions) request() explain.StopRequest {
	return explain.StopRequest{Timeout: o.apiTimeout(), Signal: o.signal}
}

func newStopCommand(f *factory) *cobra.Command {
	var opts stopOptions
	cmd := &cobra.Command{
		Use:   "stop [OPCIONES] CONTENEDOR [CONTENEDOR...]",
		Short: "Detiene uno o más contenedores que están corriendo",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.timeoutSet = cmd.Flags().Changed("time")
			opts.containers = args
			return runStop(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeContainers(f, false),
	}
	cmd.Flags().IntVarP(&opts.timeout, "time", "t", 0, "Segundos de espera antes de matar el contenedor")
	cmd.Flags().StringVarP(&opts.signal, "signal", "s", "", "Señal que se envía al contenedor")
	return cmd
}

func runStop(ctx context.Context, f *factory, opts stopOptions) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	return forEachContainer(f, opts.containers, func(name string) (string, error) {
		if _, err := api.ContainerStop(ctx, name, client.ContainerStopOptions{Signal: opts.signal, Timeout: opts.apiTimeout()}); err != nil {
			return "", err
		}
		if c, ok := inspectForExplain(ctx, f, api, name); ok {
			return explain.Stop(c, opts.request()), nil
		}
		return "", nil
	})
}

func newRestartCommand(f *factory) *cobra.Command {
	var opts stopOptions
	cmd := &cobra.Command{
		Use:   "restart [OPCIONES] CONTENEDOR [CONTENEDOR...]",
		Short: "Reinicia uno o más contenedores",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.timeoutSet = cmd.Flags().Changed("time")
			opts.containers = args
			return runRestart(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeContainers(f, true),
	}
	cmd.Flags().IntVarP(&opts.timeout, "time", "t", 0, "Segundos de espera antes de matar el contenedor")
	cmd.Flags().StringVarP(&opts.signal, "signal", "s", "", "Señal que se envía al contenedor")
	return cmd
}

func runRestart(ctx context.Context, f *factory, opts stopOptions) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	return forEachContainer(f, opts.containers, func(name string) (string, error) {
		if _, err := api.ContainerRestart(ctx, name, client.ContainerRestartOptions{Signal: opts.signal, Timeout: opts.apiTimeout()}); err != nil {
			return "", err
		}
		if c, ok := inspectForExplain(ctx, f, api, name); ok {
			return explain.Restart(c, opts.request()), nil
		}
		return "", nil
	})
}

// killOptions are the flags of bolsillo kill.
type killOptions struct {
	signal     string
	containers []string
}

func newKillCommand(f *factory) *cobra.Command {
	var opts killOptions
	cmd := &cobra.Command{
		Use:   "kill [OPCIONES] CONTENEDOR [CONTENEDOR...]",
		Short: "Mata uno o más contenedores que están corriendo",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.containers = args
			return runKill(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeContainers(f, false),
	}
	cmd.Flags().StringVarP(&opts.signal, "signal", "s", "", "Señal que se envía al contenedor (por defecto KILL)")
	return cmd
}

func runKill(ctx context.Context, f *factory, opts killOptions) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	sig := opts.signal
	if sig == "" {
		sig = "KILL"
	}
	return forEachContainer(f, opts.containers, func(name string) (string, error) {
		if _, err := api.ContainerKill(ctx, name, client.ContainerKillOptions{Signal: opts.signal}); err != nil {
			return "", err
		}
		if c, ok := inspectForExplain(ctx, f, api, name); ok {
			return explain.Kill(c, sig), nil
		}
		return "", nil
	})
}

// rmOptions are the flags of bolsillo rm.
type rmOptions struct {
	force      bool
	volumes    bool
	containers []string
}

func newRmCommand(f *factory) *cobra.Command {
	var opts rmOptions
	cmd := &cobra.Command{
		Use:   "rm [OPCIONES] CONTENEDOR [CONTENEDOR...]",
		Short: "Borra uno o más contenedores",
		Args:  requiresMinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.containers = args
			return runRm(cmd.Context(), f, opts)
		},
		ValidArgsFunction: completeContainers(f, true),
	}
	cmd.Flags().BoolVarP(&opts.force, "force", "f", false, "Borra también un contenedor que está corriendo (lo mata antes)")
	cmd.Flags().BoolVarP(&opts.volumes, "volumes", "v", false, "Borra los volúmenes anónimos del contenedor")
	return cmd
}

func runRm(ctx context.Context, f *factory, opts rmOptions) error {
	api, err := f.Client()
	if err != nil {
		return err
	}
	return forEachContainer(f, opts.containers, func(name string) (string, error) {
		// Inspect before removal: afterwards its writable layer is gone.
		c, ok := inspectForExplain(ctx, f, api, name)
		if _, err := api.ContainerRemove(ctx, name, client.ContainerRemoveOptions{Force: opts.force, RemoveVolumes: opts.volumes}); err != nil {
			return "", err
		}
		if ok {
			return explain.Remove(c, opts.force), nil
		}
		return "", nil
	})
}
